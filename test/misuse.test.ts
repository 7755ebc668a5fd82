// A library that cannot crash its host: every misuse a hostile (or hurried) user makes ends in a
// typed error or the documented behaviour, never a segfault or a leak. The cases first, then a
// seeded random walk over the public API (longer runs: scripts/fuzz.sh).
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  Converter,
  type DecodedFrame,
  type DrmFrameDescriptor,
  ERROR_CODES,
  frameToRgba,
  GpuBuffer,
  type ImportCaps,
  importDmabuf,
  planImport,
  readBack,
  reclaimedByGc,
  type Submission,
  VaapiVkError,
  Video,
  type VideoOptions,
  VulkanContext,
} from "vaapi-vk";
import { CLIPS, clip, clipsMissing } from "./support/clips";
import { openFds } from "./support/fds";
import { libavMissing, requires } from "./support/gate";

const withSource = requires(libavMissing() ?? clipsMissing());
const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof VaapiVkError)) throw e;
    return e.code;
  }
  return "no error";
}

describe("the misuses that used to crash Bun", () => {
  withSource(
    "a Video's frame converted after the Video was disposed: USE_AFTER_DISPOSE, and so are importFrame, luma and readRgba",
    () => {
      const file = clip(CLIPS.h264);
      const v = Video.open(file, { source: "software", validation: true });
      const fr = v.next()!;
      const { rgba } = v.toRgba(fr);
      v[Symbol.dispose]();
      expect(codeOf(() => v.toRgba(fr))).toBe("USE_AFTER_DISPOSE");
      expect(codeOf(() => v.importFrame(fr))).toBe("USE_AFTER_DISPOSE");
      expect(codeOf(() => v.luma)).toBe("USE_AFTER_DISPOSE");
      expect(codeOf(() => v.readRgba(rgba))).toBe("USE_AFTER_DISPOSE");
      expect(codeOf(() => v.next())).toBe("USE_AFTER_DISPOSE");
      // The frame went back with its Video; the RGBA buffer is the caller's and still readable.
      expect(codeOf(() => fr.descriptor)).toBe("USE_AFTER_DISPOSE");
      expect(readBack(rgba.ctx, rgba).length).toBe(320 * 180 * 4);
      rgba[Symbol.dispose]();
      fr[Symbol.dispose]();
    },
  );

  withSource("disposing a toRgbaAsync target while the conversion is in flight waits for it", () => {
    const before = VulkanContext.liveCount;
    {
      using v = Video.open(clip(CLIPS.h264), { source: "software", validation: true });
      using fr = v.next()!;
      const target = v.converter.allocateRgba(v.info.width, v.info.height);
      const { submission } = v.toRgbaAsync(fr, target);
      target[Symbol.dispose]();
      expect(codeOf(() => v.readRgba(target))).toBe("USE_AFTER_DISPOSE");
      submission[Symbol.dispose]();
      v.ctx.checkValidation();
    }
    expect(VulkanContext.liveCount).toBe(before);
  });

  withSource(
    "an RGBA buffer returned out of a function whose `using` disposed the Video holds the right pixels and disposes cleanly",
    () => {
      const file = clip(CLIPS.h264);
      const before = VulkanContext.liveCount;
      const convert = () => {
        using v = Video.open(file, { source: "software", validation: true });
        using fr = v.next()!;
        return v.toRgba(fr).rgba;
      };
      const rgba = convert();
      expect(digest(readBack(rgba.ctx, rgba))).toBe(digest(frameToRgba(file, 0).rgba));
      expect(VulkanContext.liveCount).toBe(before + 1);
      rgba[Symbol.dispose]();
      expect(VulkanContext.liveCount).toBe(before);
      expect(codeOf(() => readBack(rgba.ctx, rgba))).toBe("USE_AFTER_DISPOSE");
    },
  );

  withSource("a disposed frame cannot be converted: its surface went back to the pool", () => {
    using v = Video.open(clip(CLIPS.h264), { source: "software", validation: true });
    const fr = v.next()!;
    fr[Symbol.dispose]();
    expect(codeOf(() => v.toRgba(fr))).toBe("USE_AFTER_DISPOSE");
    using other = Video.open(clip(CLIPS.h264), { source: "software", validation: true });
    using theirs = other.next()!;
    expect(codeOf(() => v.toRgba(theirs))).toBe("INVALID_ARGUMENT");
  });

  withSource("frames never disposed are reclaimed with their Video: 30 Videos, no fd or device kept", () => {
    const fds = openFds();
    const contexts = VulkanContext.liveCount;
    const held: DecodedFrame[] = [];
    for (let i = 0; i < 30; i++) {
      const v = Video.open(clip(CLIPS.h264), { source: "software", validation: false });
      held.push(v.next()!, v.next()!);
      v[Symbol.dispose]();
    }
    expect(openFds()).toBe(fds);
    expect(VulkanContext.liveCount).toBe(contexts);
    expect(held.every((f) => f.disposed)).toBe(true);
  });

  withSource(
    "frames and GPU buffers dropped without disposing are reclaimed by the garbage collector, and counted",
    async () => {
      const before = reclaimedByGc();
      const fds = openFds();
      const contexts = VulkanContext.liveCount;
      (() => {
        const v = Video.open(clip(CLIPS.h264), { source: "software", validation: false });
        for (let i = 0; i < 3; i++) v.toRgba(v.next()!); // frames and RGBA buffers dropped
        new GpuBuffer(v.ctx, 4096, 0x20, "host");
        v[Symbol.dispose]();
      })();
      // Finalizers run after a collection, on a later turn of the event loop.
      for (let i = 0; i < 5 && reclaimedByGc().gpuBuffers - before.gpuBuffers < 4; i++) {
        Bun.gc(true);
        await Bun.sleep(20);
      }
      const after = reclaimedByGc();
      expect(after.gpuBuffers - before.gpuBuffers).toBe(4);
      expect(openFds()).toBe(fds);
      expect(VulkanContext.liveCount).toBe(contexts);
    },
  );

  withSource("a script that forgets to dispose its RGBA buffers is warned, once, on stderr", () => {
    const script = `import { Video } from "vaapi-vk";
      const v = Video.open(${JSON.stringify(clip(CLIPS.h264))}, { source: "software", validation: false });
      (() => { for (let i = 0; i < 6; i++) { const f = v.next(); v.toRgba(f); f[Symbol.dispose](); } })();
      for (let i = 0; i < 10; i++) { Bun.gc(true); await Bun.sleep(20); }
      v[Symbol.dispose]();`;
    const r = Bun.spawnSync([process.execPath, "-e", script], {
      cwd: join(import.meta.dir, ".."),
      env: { ...process.env, VAAPI_VK_DEBUG: "" },
    });
    const warnings = r.stderr
      .toString()
      .split("\n")
      .filter((l) => l.includes("was dropped without being disposed"));
    expect(r.exitCode).toBe(0);
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toContain("a GPU buffer (e.g. toRgba's result)");
  });
});

describe("bad input gets an error that says what was wrong", () => {
  test("planImport of null, of junk caps, of an unknown layout: INVALID_ARGUMENT, not a TypeError", () => {
    const caps = { dmaBuf: true, drmFormatModifier: false, modifiers: {} };
    const desc = {
      width: 64,
      height: 32,
      objects: [{ fd: 3, size: 4096, modifier: 0n }],
      layers: [
        {
          fourcc: 0x3231564e,
          planes: [
            { object: 0, offset: 0, pitch: 64 },
            { object: 0, offset: 2048, pitch: 64 },
          ],
        },
      ],
    };
    expect(codeOf(() => planImport(null as unknown as DrmFrameDescriptor, caps))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => planImport(desc, { dmaBuf: "yes" } as unknown as ImportCaps))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => planImport(desc, caps, "both" as unknown as "planes"))).toBe("INVALID_ARGUMENT");
    expect(planImport(desc, caps).kind).toBe("buffer");
  });
  withSource("a misspelt Video.open option is refused, naming it and the options there are", () => {
    let err: unknown;
    try {
      Video.open(clip(CLIPS.h264), { source: "software", timeoutSeconds: 5 } as unknown as VideoOptions);
    } catch (e) {
      err = e;
    }
    expect((err as VaapiVkError).code).toBe("INVALID_ARGUMENT");
    expect((err as Error).message).toContain("timeoutSeconds");
    expect((err as Error).message).toContain("timeoutS");
  });
  withSource("a directory given as the video says so", () => {
    expect(() => Video.open("/tmp", { source: "software" })).toThrow(/is a directory/);
  });
});

/** mulberry32: a small seeded generator, so a failing walk can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded random walk over the public API; returns the error codes seen. Throws on anything that is not a typed error. */
function misuseWalk(seed: number, steps: number): Map<string, number> {
  const random = rng(seed);
  const pick = <T>(list: T[]): T | undefined => list[Math.floor(random() * list.length)];
  const file = clip(CLIPS.long300);
  const videos: Video[] = [];
  const contexts: VulkanContext[] = [];
  const frames: DecodedFrame[] = [];
  const buffers: GpuBuffer[] = [];
  const submissions: Submission[] = [];
  const codes = new Map<string, number>();
  const asyncFailures: string[] = [];
  let opens = 0;
  const openBudget = Math.max(4, Math.ceil(steps / 300));
  const liveVideos = () => videos.filter((v) => !v.disposed).length;
  const actions: [string, number, () => unknown][] = [
    [
      "open",
      2,
      () => {
        if (opens >= openBudget || liveVideos() >= 3) return;
        opens++;
        const v = Video.open(file, { validation: true, maxInFlight: 4, decodeAhead: Math.floor(random() * 5) });
        videos.push(v);
        contexts.push(v.ctx);
      },
    ],
    [
      "next",
      6,
      () => {
        const f = pick(videos)?.next();
        if (f) frames.push(f);
      },
    ],
    [
      "nextAsync",
      2,
      () => {
        // Started and left pending: it resolves, or ends in a typed error (its Video disposed), on a later turn.
        pick(videos)
          ?.nextAsync()
          .then(
            (f) => {
              if (f) frames.push(f);
            },
            (e) => {
              if (!(e instanceof VaapiVkError))
                asyncFailures.push(`nextAsync: not a typed error: ${(e as Error)?.stack ?? e}`);
            },
          );
      },
    ],
    ["dispose frame", 4, () => pick(frames)?.[Symbol.dispose]()],
    [
      "toRgba",
      5,
      () => {
        const v = pick(videos),
          f = pick(frames);
        if (v && f) buffers.push(v.toRgba(f).rgba);
      },
    ],
    [
      "toRgbaAsync",
      4,
      () => {
        const v = pick(videos),
          f = pick(frames);
        if (!v || !f) return;
        const target = random() < 0.5 ? pick(buffers) : undefined;
        const r = v.toRgbaAsync(f, target);
        submissions.push(r.submission);
        if (!target) buffers.push(r.rgba);
      },
    ],
    ["wait submission", 2, () => pick(submissions)?.wait()],
    ["dispose submission", 3, () => pick(submissions)?.[Symbol.dispose]()],
    ["dispose buffer", 3, () => pick(buffers)?.[Symbol.dispose]()],
    [
      "readRgba",
      2,
      () => {
        const v = pick(videos),
          b = pick(buffers);
        if (v && b) v.readRgba(b);
      },
    ],
    [
      "readBack",
      2,
      () => {
        const b = pick(buffers);
        if (b) readBack(b.ctx, b);
      },
    ],
    [
      "luma",
      2,
      () => {
        const v = pick(videos),
          f = pick(frames);
        if (!v || !f) return;
        const l = v.luma.toLuma(v.importFrame(f).imported);
        const d = v.luma.diff(l, l);
        d.diff.buffer[Symbol.dispose]();
        l.buffer[Symbol.dispose]();
      },
    ],
    [
      "importDmabuf",
      2,
      () => {
        const v = pick(videos),
          f = pick(frames);
        if (!v || !f) return;
        importDmabuf(v.ctx, f.descriptor, { handleType: v.memfdRoute === "host-pointer" ? "host" : "dma-buf" })[
          Symbol.dispose
        ]();
      },
    ],
    [
      "cache.get",
      1,
      () => {
        const v = pick(videos),
          f = pick(frames);
        if (v && f) v.cache.get(f.descriptor);
      },
    ],
    [
      "seekFrame",
      1,
      () => {
        const v = pick(videos);
        if (v) frames.push(v.seekFrame(Math.floor(random() * 320) - 5));
      },
    ],
    [
      "frameAt",
      2,
      () => {
        const v = pick(videos);
        if (v) frames.push(v.frameAt(Math.floor(random() * 320) - 5));
      },
    ],
    ["seek", 2, () => pick(videos)?.seek(random() * 11 - 0.5)],
    [
      "frameAtTime",
      1,
      () => {
        const v = pick(videos);
        if (v) frames.push(v.frameAtTime(random() * 11 - 0.5));
      },
    ],
    [
      "frames",
      1,
      () => {
        const v = pick(videos);
        if (!v) return;
        const start = Math.floor(random() * 300) - 2;
        for (const f of v.frames({ start, stop: start + 4, step: 1 + Math.floor(random() * 3) })) frames.push(f);
      },
    ],
    ["countFrames", 1, () => pick(videos)?.countFrames()],
    [
      "batch",
      2,
      () => {
        const v = pick(videos);
        if (!v) return;
        const group = frames.filter(() => random() < 0.3).slice(0, 5);
        const targets = group.map(() => pick(buffers)).filter((b): b is GpuBuffer => b !== undefined);
        submissions.push(v.toRgbaBatchAsync(group, targets).submission);
      },
    ],
    ["stats", 1, () => pick(videos)?.stats],
    ["deviceMemoryInUse", 1, () => pick(contexts)?.deviceMemoryInUse()],
    [
      "converter with a dispatch shape",
      1,
      () => {
        const v = pick(videos),
          f = pick(frames);
        if (!v || !f) return;
        // Runnable shapes, and ones no device runs (refused as INVALID_ARGUMENT before any work).
        const workgroup = pick<[number, number]>([
          [64, 2],
          [16, 8],
          [0, 4],
          [1 << 20, 1],
        ])!;
        using converter = new Converter(v.ctx, { dispatch: { workgroup, batched: random() < 0.5 } });
        converter.toRgba(v.importFrame(f).imported, f.descriptor.color).rgba[Symbol.dispose]();
      },
    ],
    ["dispose video", 1, () => pick(videos)?.[Symbol.dispose]()],
  ];
  const weights = actions.reduce((n, [, w]) => n + w, 0);
  for (let step = 0; step < steps; step++) {
    let r = random() * weights;
    const [name, , act] = actions.find(([, w]) => (r -= w) < 0) ?? actions[0]!;
    try {
      act();
    } catch (e) {
      if (!(e instanceof VaapiVkError))
        throw new Error(`seed ${seed}, step ${step} (${name}): not a typed error: ${(e as Error)?.stack ?? e}`);
      codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
    }
  }
  for (const s of submissions) s[Symbol.dispose]();
  for (const b of buffers) b[Symbol.dispose]();
  for (const f of frames) f[Symbol.dispose]();
  for (const v of videos) v[Symbol.dispose]();
  if (asyncFailures.length) throw new Error(`seed ${seed}: ${asyncFailures.join("\n")}`);
  const validation = contexts.reduce((n, c) => n + c.validationErrorCount, 0);
  if (validation) for (const c of contexts) c.checkValidation();
  return codes;
}

withSource(
  "a seeded random walk of misuse over the public API: only typed errors, and every fd and device comes back",
  () => {
    const seed = Number(process.env["VAAPI_VK_FUZZ_SEED"] ?? 20261125);
    const steps = Number(process.env["VAAPI_VK_FUZZ_STEPS"] ?? 4000);
    const fds = openFds();
    const contexts = VulkanContext.liveCount;
    const codes = misuseWalk(seed, steps);
    if (process.env["VAAPI_VK_FUZZ_REPORT"])
      console.error(`misuse walk, seed ${seed}, ${steps} steps: ${JSON.stringify(Object.fromEntries(codes))}`);
    expect(openFds()).toBe(fds);
    expect(VulkanContext.liveCount).toBe(contexts);
    // The walk did reach the misuses (typed errors seen), not only the happy path.
    expect(codes.get("USE_AFTER_DISPOSE") ?? 0).toBeGreaterThan(0);
  },
  300_000,
);

test("every error code is documented in the README's Errors table", () => {
  const readme = require("node:fs").readFileSync(join(import.meta.dir, "..", "README.md"), "utf8") as string;
  const missing = Object.keys(ERROR_CODES).filter((code) => !readme.includes(`| \`${code}\` |`));
  expect(missing).toEqual([]);
});

withSource(
  "a validation error that no test checked is still caught: VulkanContext.checkAllValidation (run after every test) reports it once",
  () => {
    {
      using ctx = VulkanContext.create({ validation: true });
      ctx.dev.vkDestroyBuffer(ctx.device, 0xdeadbeefn, null); // an invalid handle: the layer reports it and skips the call
    }
    expect(() => VulkanContext.checkAllValidation()).toThrow(expect.objectContaining({ code: "VALIDATION_ERROR" }));
    expect(() => VulkanContext.checkAllValidation()).not.toThrow();
  },
);
