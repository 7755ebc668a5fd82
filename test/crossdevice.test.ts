// The conversion gives the same bytes on every device and through every import kind: fixed NV12
// and P010 patterns, converted here, must hash to the digests recorded on lavapipe (Mesa 25.0).
// Width 250 runs the per-pixel shaders, width 248 the vectorised ones (4 pixels a thread); the
// pattern does not depend on the width, so both must agree on the columns they share (but the last
// of 248, whose bilinear chroma clamps at the edge). Both chroma filters, at three sitings.
import { afterAll, beforeAll, expect } from "bun:test";
import { createHash } from "node:crypto";
import { closeSync } from "node:fs";
import {
  type ChromaFilter,
  type ColorInfo,
  Converter,
  DRM_FORMAT,
  type DrmFrameDescriptor,
  type ImportPlan,
  importDmabuf,
  readBack,
  recordWriteBarrier,
  VulkanContext,
} from "vaapi-vk";
import { dispatchCandidates, exportOpaqueFd } from "vaapi-vk/internals";
import { requires, vulkanMissing } from "./support/gate";
import { makeMemfd } from "./support/memfd";

// The file's device, made before its tests where there is one (they skip, saying why, where not).
const withVulkan = requires(vulkanMissing());
let ctx: VulkanContext;
beforeAll(() => {
  if (!vulkanMissing()) ctx = VulkanContext.create({ validation: true });
});
afterAll(() => ctx?.[Symbol.dispose]());

const H = 142,
  PITCH = 512;
/** Smooth gradients plus a pseudo-random texture: every code value range gets exercised. */
function frameBytes(p010: boolean, W: number, seed = 0): Uint8Array {
  const bps = p010 ? 2 : 1;
  const out = new Uint8Array(PITCH * H + PITCH * Math.ceil(H / 2) + 4096);
  const put = (at: number, v10: number) => {
    if (!p010) out[at] = v10 >> 2;
    else {
      const s = v10 << 6;
      out[at] = s & 0xff;
      out[at + 1] = s >> 8;
    }
  };
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      put(y * PITCH + x * bps, (x * 4 + y * 3 + seed * 97 + ((x * 7919 + y * 104729) % 61)) % 1024);
  for (let y = 0; y < Math.ceil(H / 2); y++)
    for (let x = 0; x < Math.ceil(W / 2); x++) {
      put(PITCH * H + y * PITCH + 2 * x * bps, (x * 8 + ((y * 37) % 97)) % 1024);
      put(PITCH * H + y * PITCH + (2 * x + 1) * bps, (1023 - y * 7 - ((x * 13) % 89) + 2048) % 1024);
    }
  return out;
}

const CONFIGS: { name: string; p010: boolean; color: ColorInfo; digests: Record<ChromaFilter, string> }[] = [
  {
    name: "NV12 BT.709 limited, left-sited chroma",
    p010: false,
    color: { colorspace: 1, colorRange: 1, colorPrimaries: 1, colorTrc: 1, chromaLocation: 1 },
    digests: { nearest: "565191ccc60f95c5", bilinear: "b8cbfd4181e521b6" },
  },
  {
    name: "NV12 BT.601 full, centre-sited chroma",
    p010: false,
    color: { colorspace: 6, colorRange: 2, colorPrimaries: 6, colorTrc: 6, chromaLocation: 2 },
    digests: { nearest: "f89de04e52ca8b46", bilinear: "3929729c2106f0e0" },
  },
  {
    name: "P010 BT.2020 limited, top-left-sited chroma",
    p010: true,
    color: { colorspace: 9, colorRange: 1, colorPrimaries: 9, colorTrc: 16, chromaLocation: 3 },
    digests: { nearest: "20083b460d6468a2", bilinear: "623a08e0b3c5c9aa" },
  },
];

const describeAs = (fd: number, size: number, p010: boolean, W: number): DrmFrameDescriptor => ({
  width: W,
  height: H,
  objects: [{ fd, size, modifier: 0n }],
  layers: [
    {
      fourcc: p010 ? DRM_FORMAT.P010 : DRM_FORMAT.NV12,
      planes: [
        { object: 0, offset: 0, pitch: PITCH },
        { object: 0, offset: PITCH * H, pitch: PITCH },
      ],
    },
  ],
});

function convertFrame(
  frameDesc: DrmFrameDescriptor,
  color: ColorInfo,
  chroma: ChromaFilter,
  handleType: "dma-buf" | "opaque-fd",
  plan?: ImportPlan,
): Uint8Array {
  using frame = importDmabuf(ctx, frameDesc, { handleType, plan });
  using conv = new Converter(ctx, { chroma });
  const { rgba } = conv.toRgba(frame, color);
  using _ = rgba;
  return readBack(ctx, rgba);
}

/** RGBA of the pattern at width W through every import kind this device has. */
function convertEveryWay(c: (typeof CONFIGS)[number], W: number, chroma: ChromaFilter): Record<string, Uint8Array> {
  const bytes = frameBytes(c.p010, W);
  const out: Record<string, Uint8Array> = {};
  if (ctx.importCaps("dma-buf").dmaBuf) {
    const m = makeMemfd(Math.ceil(bytes.length / 4096) * 4096);
    m.bytes.set(bytes);
    out["dma-buf buffer"] = convertFrame(describeAs(m.fd, m.size, c.p010, W), c.color, chroma, "dma-buf");
    m.close();
  }
  if (ctx.has("VK_KHR_external_memory_fd") && ctx.dev.vkGetMemoryFdKHR) {
    const mem = exportOpaqueFd(ctx, bytes);
    const desc = describeAs(mem.fd, mem.size, c.p010, W);
    out["opaque-fd buffer"] = convertFrame(desc, c.color, chroma, "opaque-fd", {
      kind: "buffer",
      pixelFormat: c.p010 ? "P010" : "NV12",
      planes: desc.layers[0]!.planes,
    });
    const caps = ctx.importCaps("opaque-fd");
    const vkFormat = c.p010 ? "G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16" : "G8_B8R8_2PLANE_420_UNORM";
    if ((caps.modifiers[vkFormat] ?? []).includes(0n))
      out["opaque-fd image"] = convertFrame(desc, c.color, chroma, "opaque-fd");
    closeSync(mem.fd);
    mem.free();
  }
  return out;
}

const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex").slice(0, 16);

for (const c of CONFIGS) {
  for (const chroma of ["nearest", "bilinear"] as const) {
    withVulkan(
      `${c.name}, ${chroma} chroma: the same bytes through every import kind this device has, per-pixel and vectorised`,
      () => {
        const scalar = convertEveryWay(c, 250, chroma),
          vectorised = convertEveryWay(c, 248, chroma);
        const digests = Object.fromEntries(Object.entries(scalar).map(([k, v]) => [k, digest(v)]));
        console.log(`${c.name}, ${chroma} on ${ctx.info.name}: ${JSON.stringify(digests)}`);
        expect(Object.keys(digests).length).toBeGreaterThan(0);
        expect(new Set(Object.values(digests))).toEqual(new Set([c.digests[chroma]]));
        // Width 248 against 250 cropped: the last column of 248 clamps its chroma at the edge, the same column of 250 does not.
        const reference = Object.values(scalar)[0]!;
        const crop = (rgba: Uint8Array, w: number) => {
          const out = new Uint8Array(247 * 4 * H);
          for (let y = 0; y < H; y++) out.set(rgba.subarray(y * w * 4, y * w * 4 + 247 * 4), y * 247 * 4);
          return out;
        };
        for (const [kind, rgba] of Object.entries(vectorised))
          expect(digest(crop(rgba, 248)), `${kind} at width 248`).toBe(digest(crop(reference, 250)));
        ctx.checkValidation();
      },
    );
  }
}

for (const c of [CONFIGS[0]!, CONFIGS[2]!])
  withVulkan(
    `${c.name}: a batch gives each frame's own bytes through every import kind this device has and every dispatch shape the converter may measure fastest`,
    () => {
      const W = 248,
        N = 3;
      const pixelFormat = c.p010 ? "P010" : "NV12";
      using conv = new Converter(ctx);
      const memories = Array.from({ length: N }, (_, seed) => {
        const bytes = frameBytes(c.p010, W, seed);
        if (ctx.importCaps("dma-buf").dmaBuf) {
          const m = makeMemfd(Math.ceil(bytes.length / 4096) * 4096);
          m.bytes.set(bytes);
          return { fd: m.fd, size: m.size, handleType: "dma-buf" as const, close: () => m.close() };
        }
        const mem = exportOpaqueFd(ctx, bytes);
        return {
          fd: mem.fd,
          size: mem.size,
          handleType: "opaque-fd" as const,
          close: () => {
            closeSync(mem.fd);
            mem.free();
          },
        };
      });
      try {
        const plans: (ImportPlan | undefined)[] = [
          { kind: "buffer", pixelFormat, planes: describeAs(0, 0, c.p010, W).layers[0]!.planes },
        ];
        const vkFormat = c.p010 ? "G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16" : "G8_B8R8_2PLANE_420_UNORM";
        if ((ctx.importCaps(memories[0]!.handleType).modifiers[vkFormat] ?? []).includes(0n)) plans.push(undefined);
        for (const plan of plans) {
          const frames = memories.map((m) =>
            importDmabuf(ctx, describeAs(m.fd, m.size, c.p010, W), { handleType: m.handleType, plan }),
          );
          const targets = frames.map(() => conv.allocateRgba(W, H));
          try {
            // Each frame converted alone by the default converter: what every batch must give.
            const expected = frames.map((f) => {
              const { rgba } = conv.toRgba(f, c.color);
              using _ = rgba;
              return digest(readBack(ctx, rgba));
            });
            expect(new Set(expected).size).toBe(N);
            const kind = frames[0]!.kind;
            const shapes = dispatchCandidates({
              kind,
              pixelFormat,
              width: W,
              height: H,
              chroma: "bilinear",
              frames: N,
            });
            expect(shapes.length).toBe(ctx.frameArrays ? 10 : 5);
            for (const shape of shapes) {
              using shaped = new Converter(ctx, { dispatch: shape });
              const { record, info } = shaped.recordToRgbaBatch(frames, c.color, targets);
              expect(info.dispatch).toEqual({ ...shape, how: "given" });
              ctx.submitAndWait((cmd) => {
                for (const f of frames) f.recordAcquire(cmd);
                record(cmd);
                for (const t of targets) recordWriteBarrier(ctx, cmd, t.buffer);
              });
              const what = `${kind}, workgroup ${shape.workgroup.join("x")}, ${shape.batched ? "one dispatch" : "a dispatch a frame"}`;
              expect(
                targets.map((t) => digest(readBack(ctx, t))),
                what,
              ).toEqual(expected);
            }
          } finally {
            for (const t of targets) t[Symbol.dispose]();
            for (const f of frames) f[Symbol.dispose]();
          }
        }
        expect(() => conv.recordToRgbaBatch([], c.color, [])).toThrow(/one target per frame/);
      } finally {
        for (const m of memories) m.close();
      }
      ctx.checkValidation();
    },
    // Twenty pipelines made: lavapipe compiles each with LLVM (over 5 s with a cold shader cache).
    60_000,
  );
