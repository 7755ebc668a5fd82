// The VAAPI path: the rules it runs by (bounded export retries, waiting for the producer), and,
// where a render node with a working VA driver exists, the path itself against software decoding.
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { closeSync, existsSync, readdirSync } from "node:fs";
import {
  DRM_FORMAT,
  type DrmFrameDescriptor,
  nvidiaBlockLinear2D,
  readLuma,
  retryTransient,
  SyncTimeoutError,
  VaapiVkError,
  Video,
  type VideoOptions,
} from "vaapi-vk";
import { exportQuirk } from "vaapi-vk/internals";
import { libc } from "../ffi/libc";
import { pollReadable } from "../lib/vulkan/sync";
import { CLIPS, type ClipSpec, clip, clipsMissing } from "./support/clips";
import { openFds } from "./support/fds";
import { libavMissing, requires } from "./support/gate";

describe("export retries (nvidia-vaapi-driver fails exports in short bursts)", () => {
  test("a transient failure is retried with growing waits, and the retries are counted", () => {
    const results = [-5, -5, 0];
    const slept: number[] = [];
    expect(
      retryTransient(
        () => results.shift()!,
        (ms) => slept.push(ms),
      ),
    ).toEqual({ result: 0, retries: 2 });
    expect(slept).toEqual([1, 4]);
  });
  test("a failure that stays is given up after a bounded number of tries, never spun on", () => {
    let calls = 0;
    const slept: number[] = [];
    expect(
      retryTransient(
        () => {
          calls++;
          return -5;
        },
        (ms) => slept.push(ms),
      ),
    ).toEqual({ result: -5, retries: 3 });
    expect(calls).toBe(4);
    expect(slept).toEqual([1, 4, 16]);
  });
  test("'not supported' and 'invalid argument' are not retried", () => {
    for (const code of [-38, -22]) {
      let calls = 0;
      expect(
        retryTransient(
          () => {
            calls++;
            return code;
          },
          () => {},
        ),
      ).toEqual({ result: code, retries: 0 });
      expect(calls).toBe(1);
    }
  });
});

describe("export quirks: frames a VA driver lays out in a way no import reads right go through linear copies", () => {
  const NV_BL = nvidiaBlockLinear2D(0, 1, 2, 0x6, 4);
  const NVDEC = "VA-API NVDEC driver [direct backend]";
  // nvidia-vaapi-driver's single-buffer export: NV12 chroma at an offset inside one block-linear buffer.
  const singleBuffer: DrmFrameDescriptor = {
    width: 1920,
    height: 1080,
    objects: [{ fd: 5, size: 3_407_872, modifier: NV_BL }],
    layers: [
      { fourcc: DRM_FORMAT.R8, planes: [{ object: 0, offset: 0, pitch: 2048 }] },
      { fourcc: DRM_FORMAT.GR88, planes: [{ object: 0, offset: 2_228_224, pitch: 2048 }] },
    ],
  };
  const perPlane: DrmFrameDescriptor = {
    ...singleBuffer,
    objects: [
      { fd: 5, size: 2_228_224, modifier: NV_BL },
      { fd: 6, size: 1_179_648, modifier: NV_BL },
    ],
    layers: [
      { fourcc: DRM_FORMAT.R8, planes: [{ object: 0, offset: 0, pitch: 2048 }] },
      { fourcc: DRM_FORMAT.GR88, planes: [{ object: 1, offset: 0, pitch: 2048 }] },
    ],
  };
  test("nvidia-vaapi-driver's single-buffer NV12 is copied; its one-object-per-plane export is imported as it is", () => {
    expect(exportQuirk(NVDEC, singleBuffer)?.seen).toContain("single-buffer export");
    expect(exportQuirk(NVDEC, perPlane)).toBeUndefined();
  });
  test("other drivers' frames laid out the same are not touched", () => {
    expect(exportQuirk("Intel iHD driver for Intel(R) Gen Graphics - 24.1.0", singleBuffer)).toBeUndefined();
  });
});

describe("waiting for the producer by polling (no sync_file export)", () => {
  const pipe = (): [number, number] => {
    const fds = new Int32Array(2);
    if (libc().pipe(fds) !== 0) throw new Error("pipe() failed");
    return [fds[0]!, fds[1]!];
  };
  test("a buffer that never becomes readable times out on time with SYNC_TIMEOUT", () => {
    const [r, w] = pipe();
    const t0 = performance.now();
    expect(() => pollReadable([r], 0.2)).toThrow(SyncTimeoutError);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(2000);
    closeSync(r);
    closeSync(w);
  });
  test("a readable buffer returns at once; a closed fd is SYNC_FAILED, not a silent pass", () => {
    const [r, w] = pipe();
    libc().write(w, Buffer.from("x"), 1);
    pollReadable([r], 1);
    closeSync(r);
    closeSync(w);
    let err: unknown;
    try {
      pollReadable([r], 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VaapiVkError);
    expect((err as VaapiVkError).code).toBe("SYNC_FAILED");
  });
});

// ---- Real VAAPI hardware (an Intel or AMD GPU with its VA driver) ----

const renderNode = existsSync("/dev/dri")
  ? readdirSync("/dev/dri")
      .filter((n) => n.startsWith("renderD"))
      .map((n) => `/dev/dri/${n}`)[0]
  : undefined;

/** Why the VAAPI path cannot run here, or undefined. */
function vaapiMissing(): string | undefined {
  const missing = libavMissing() ?? clipsMissing();
  if (missing) return missing;
  if (!renderNode)
    return "no DRM render node (/dev/dri/renderD*) here: the VAAPI path needs an Intel or AMD GPU with its VA driver";
  try {
    using _ = Video.open(clip(CLIPS.h264), { source: "vaapi", vaapiDevice: renderNode });
    return undefined;
  } catch (e) {
    return `VAAPI on ${renderNode} does not open: ${(e as Error).message}`;
  }
}
const withVaapi = requires(vaapiMissing());
const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Per frame: the luma plane (the library's luma pass) and the RGBA, through one source. */
function decodeAll(spec: ClipSpec, options: VideoOptions) {
  using video = Video.open(clip(spec), { validation: true, ...options });
  const luma: string[] = [];
  const rgba: string[] = [];
  const kinds = new Set<string>();
  for (let f = video.next(); f; f = video.next()) {
    using frame = f;
    const { imported } = video.importFrame(frame);
    kinds.add(imported.kind);
    const l = video.luma.toLuma(imported);
    luma.push(digest(readLuma(video.ctx, l)));
    l.buffer[Symbol.dispose]();
    const r = video.toRgba(frame);
    using _ = r.rgba;
    rgba.push(digest(video.readRgba(r.rgba)));
  }
  video.ctx.checkValidation();
  return { luma, rgba, kinds, stats: video.stats, source: video.source };
}

describe("VAAPI on real hardware (what a pass proves: the hardware path is bit-exact and leak-free)", () => {
  for (const [name, spec] of [
    ["H.264 8-bit", CLIPS.h264],
    ["HEVC Main10", CLIPS.hevc10],
  ] as const) {
    withVaapi(
      `${name}: VAAPI luma equals libavcodec's software luma byte for byte; RGBA equal through the image import, --force-linear buffers and the software source`,
      () => {
        const hw = decodeAll(spec, { source: "vaapi", vaapiDevice: renderNode });
        const linear = decodeAll(spec, { source: "vaapi", vaapiDevice: renderNode, forceLinear: true });
        const sw = decodeAll(spec, { source: "software" });
        expect(hw.source).toBe("vaapi");
        expect(hw.stats.cpuBytesCopied).toBe(0);
        expect(hw.luma).toEqual(sw.luma);
        expect(hw.rgba).toEqual(sw.rgba);
        expect(linear.rgba).toEqual(sw.rgba);
        expect([...linear.kinds]).toEqual(["buffer"]);
      },
    );
  }
  withVaapi("300 frames through the import ring: every surface imported once, fds flat, validation silent", () => {
    const before = openFds();
    {
      using video = Video.open(clip(CLIPS.long300), {
        source: "vaapi",
        vaapiDevice: renderNode,
        validation: true,
        dmabufRing: 4,
      });
      for (let f = video.next(); f; f = video.next()) {
        using frame = f;
        const { rgba } = video.toRgba(frame);
        rgba[Symbol.dispose]();
      }
      expect(video.stats.frames).toBe(300);
      expect(video.stats.evictions).toBe(0);
      expect(video.stats.imports).toBeLessThanOrEqual(Math.max(video.stats.poolSize, 4));
      video.ctx.checkValidation();
    }
    expect(openFds()).toBe(before);
  });
});
