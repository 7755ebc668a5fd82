// The converter's dispatch shape is measured, not chosen by hand: the fastest median of every
// candidate wins, once per driver and kind of frame; small frames and given shapes skip the
// measurement and say so; a measurement that fails falls back; a shape the device cannot run is refused.
import { afterAll, beforeAll, expect } from "bun:test";
import { createHash } from "node:crypto";
import {
  Converter,
  DRM_FORMAT,
  importDmabuf,
  readBack,
  type VaapiVkError,
  VulkanContext,
  VulkanUnsupportedError,
} from "vaapi-vk";
import { chooseDispatch, dispatchCandidates, dispatchTable, gpuTimeNs, MEASURE_MIN_PIXELS } from "vaapi-vk/internals";
import { fdTargets, openFds } from "./support/fds";
import { requires, vulkanMissing } from "./support/gate";
import { makeMemfd } from "./support/memfd";

const withVulkan = requires(vulkanMissing());
let ctx: VulkanContext;
beforeAll(() => {
  if (!vulkanMissing()) ctx = VulkanContext.create({ validation: true });
});
afterAll(() => ctx?.[Symbol.dispose]());

const key = (width: number, height: number, frames = 1) =>
  ({ kind: "buffer", pixelFormat: "NV12", width, height, chroma: "bilinear", frames }) as const;

withVulkan("the fastest median of every candidate wins, and the table answers the next time", () => {
  // A made-up device on which 64x2 is fastest, with one wild outlier the median ignores.
  const calls: string[] = [];
  const choice = chooseDispatch(ctx, key(1000, 1000), (shape, reps) => {
    calls.push(shape.workgroup.join("x"));
    expect(reps).toBeGreaterThan(0);
    const [x, y] = shape.workgroup;
    const base = x === 64 && y === 2 ? 100 : 150 + x;
    return calls.length === 4 ? 1 : base;
  });
  expect(choice.how).toBe("measured");
  expect(choice.workgroup).toEqual([64, 2]);
  expect(choice.batched).toBe(false);
  expect(choice.candidates!.map((c) => c.shape)).toEqual(dispatchCandidates(key(1000, 1000)));
  expect(choice.candidates!.find((c) => c.shape.workgroup.join() === "64,2")!.nsPerFrame).toBe(100);
  // Every candidate timed in every round, interleaved.
  expect(calls.length % 5).toBe(0);
  expect(calls.slice(0, 5)).toEqual(calls.slice(5, 10));
  const again = chooseDispatch(ctx, key(1000, 1000), () => {
    throw new Error("measured twice");
  });
  expect(again).toBe(choice);
  expect(dispatchTable(ctx).get("buffer NV12 1000x1000 bilinear x1")).toBe(choice);
});

withVulkan("a batch weighs one dispatch for all its frames against one a frame, per frame", () => {
  const choice = chooseDispatch(ctx, key(1000, 1002, 4), (shape) => (shape.batched ? 400 : 500));
  expect(choice.candidates!.length).toBe(10);
  expect(choice.batched).toBe(true);
  expect(choice.candidates!.every((c) => c.nsPerFrame === (c.shape.batched ? 100 : 125))).toBe(true);
  const each = chooseDispatch(ctx, key(1000, 1004, 4), (shape) => (shape.batched ? 600 : 500));
  expect(each.batched).toBe(false);
});

withVulkan("a measurement that cannot get its scratch frames falls back to the default, saying why", () => {
  const choice = chooseDispatch(ctx, key(1000, 1006), () => {
    throw new VulkanUnsupportedError("no device memory left for the scratch frames");
  });
  expect(choice).toMatchObject({ workgroup: [128, 1], batched: false, how: "default" });
  expect(choice.why).toContain("no device memory left");
  // Anything but a typed error is a bug, and is not swallowed.
  expect(() =>
    chooseDispatch(ctx, key(1000, 1008), () => {
      throw new TypeError("a bug");
    }),
  ).toThrow(TypeError);
});

withVulkan("frames too small to win back a measurement take the default, saying why", () => {
  const small = chooseDispatch(ctx, key(320, 180), () => {
    throw new Error("a small frame was measured");
  });
  expect(320 * 180).toBeLessThan(MEASURE_MIN_PIXELS);
  expect(small).toMatchObject({ workgroup: [128, 1], batched: false, how: "default" });
  expect(small.why).toContain("pixels");
});

withVulkan(
  "a converter measures a real frame once, and every shape it tried gives the same bytes",
  () => {
    const W = 640,
      H = 360;
    const m = makeMemfd(Math.ceil((W * H * 3) / 2 / 4096) * 4096);
    for (let i = 0; i < m.bytes.length; i++) m.bytes[i] = (i * 2654435761) >>> 24;
    const desc = {
      width: W,
      height: H,
      objects: [{ fd: m.fd, size: m.size, modifier: 0n }],
      layers: [
        {
          fourcc: DRM_FORMAT.NV12,
          planes: [
            { object: 0, offset: 0, pitch: W },
            { object: 0, offset: W * H, pitch: W },
          ],
        },
      ],
    };
    const color = { colorspace: 1, colorRange: 1, colorPrimaries: 1, colorTrc: 1, chromaLocation: 1 };
    const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
    try {
      using frame = importDmabuf(ctx, desc, {
        handleType: ctx.importCaps("dma-buf").dmaBuf ? "dma-buf" : "host",
        plan: { kind: "buffer", pixelFormat: "NV12", planes: desc.layers[0]!.planes },
      });
      // A conversion with a given shape and a timed submission first: a driver may open what it keeps
      // for the process on first use (the H100 had one fd more after the first measurement), before the count.
      using given = new Converter(ctx, { chroma: "nearest", dispatch: { workgroup: [64, 2], batched: false } });
      given.toRgba(frame, color).rgba[Symbol.dispose]();
      gpuTimeNs(ctx, 1, () => {});
      const fds = openFds();
      const before = new Set(fdTargets());
      using conv = new Converter(ctx, { chroma: "nearest" });
      const first = conv.toRgba(frame, color);
      using _ = first.rgba;
      const { dispatch } = first.info;
      expect(dispatch.how).toBe("measured");
      expect(dispatch.candidates!.length).toBe(5);
      const fastest = Math.min(...dispatch.candidates!.map((c) => c.nsPerFrame));
      expect(dispatch.candidates!.find((c) => c.shape.workgroup === dispatch.workgroup)!.nsPerFrame).toBe(fastest);
      const bytes = digest(readBack(ctx, first.rgba));
      const second = conv.toRgba(frame, color);
      using __ = second.rgba;
      expect(second.info.dispatch).toBe(dispatch);
      for (const { shape } of dispatch.candidates!) {
        using shaped = new Converter(ctx, { chroma: "nearest", dispatch: shape });
        const r = shaped.toRgba(frame, color);
        using ___ = r.rgba;
        expect(digest(readBack(ctx, r.rgba)), shape.workgroup.join("x")).toBe(bytes);
      }
      ctx.checkValidation();
      expect(openFds(), `new fds: ${fdTargets().filter((t) => !before.has(t))}`).toBe(fds);
    } finally {
      m.close();
    }
  },
  60_000,
);

withVulkan("a dispatch shape the device cannot run, or not a shape at all, is refused before any work", () => {
  const refused = (dispatch: unknown) => {
    try {
      new Converter(ctx, { dispatch: dispatch as "measure" })[Symbol.dispose]();
    } catch (e) {
      return e as VaapiVkError;
    }
    throw new Error(`${JSON.stringify(dispatch)} was accepted`);
  };
  for (const bad of [
    { workgroup: [ctx.maxComputeWorkGroupInvocations * 2, 1], batched: false },
    { workgroup: [0, 4], batched: true },
    { workgroup: [32.5, 4], batched: false },
    { workgroup: [32, 4] },
    "fastest",
  ]) {
    const e = refused(bad);
    expect(e.code).toBe("INVALID_ARGUMENT");
    expect(e.message).toMatch(/dispatch/);
  }
});
