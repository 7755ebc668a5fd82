// Bilinear chroma against a CPU reference in double precision: each chroma sample placed where its
// siting puts it on the luma grid, each pixel's chroma interpolated between the two nearest samples
// each way (clamped at the edges), then the matrix and range. The GPU must be within 1 LSB on
// every siting, both bit depths, 2- and 3-plane layouts, odd sizes and the vectorised widths.
import { afterAll, describe, expect } from "bun:test";
import {
  type ColorInfo,
  Converter,
  DRM_FORMAT,
  type DrmFrameDescriptor,
  importDmabuf,
  matrixOf,
  rangeOf,
  readBack,
  Video,
  VulkanContext,
} from "vaapi-vk";
import { CLIPS, clip, clipsMissing } from "./support/clips";
import { libavMissing, requires, vulkanMissing } from "./support/gate";
import { makeMemfd } from "./support/memfd";
import { maxAbsDiff, referenceRgba } from "./support/reference";

const noVulkan = vulkanMissing();
const ctx = (noVulkan ? undefined : VulkanContext.create({ validation: true })) as VulkanContext;
afterAll(() => ctx?.[Symbol.dispose]());
const withDmaBuf = requires(
  noVulkan ??
    (ctx.importCaps("dma-buf").dmaBuf
      ? undefined
      : `${ctx.info.name} lacks VK_EXT_external_memory_dma_buf (the buffer path on memfds; the GPU runner checks bilinear through test/crossdevice.test.ts)`),
);

/**
 * Where chroma sample (0, 0) sits on the luma grid, in luma pixels, by AVChromaLocation (written
 * out from its definition in libavutil/pixfmt.h; 0, unspecified, is taken as left, as libplacebo does).
 */
const SAMPLE_ORIGIN: Record<number, [number, number]> = {
  0: [0, 0.5],
  1: [0, 0.5], // left: co-sited with the even columns, between two rows
  2: [0.5, 0.5], // center
  3: [0, 0], // topleft: co-sited both ways
  4: [0.5, 0], // top
  5: [0, 1], // bottomleft
  6: [0.5, 1], // bottom
};

/** Linear interpolation of samples s(0..n-1) placed at i*2 + origin, at luma position x (clamped to the edge samples). */
function interpolate(x: number, origin: number, n: number, s: (i: number) => number): number {
  const u = (x - origin) / 2;
  const i0 = Math.floor(u),
    f = u - i0;
  const at = (i: number) => s(Math.min(n - 1, Math.max(0, i)));
  return at(i0) * (1 - f) + at(i0 + 1) * f;
}

type Frame = {
  width: number;
  height: number;
  bitDepth: number;
  luma: (x: number, y: number) => number;
  cb: (i: number, j: number) => number;
  cr: (i: number, j: number) => number;
};

/** The reference RGBA8 of `f` with bilinear chroma at `location`. */
function bilinearReference(f: Frame, color: ColorInfo): Uint8Array {
  const [ox, oy] = SAMPLE_ORIGIN[color.chromaLocation]!;
  const cw = Math.ceil(f.width / 2),
    ch = Math.ceil(f.height / 2);
  const chroma = (plane: Frame["cb"], x: number, y: number) =>
    interpolate(y, oy, ch, (j) => interpolate(x, ox, cw, (i) => plane(i, j)));
  return referenceRgba(
    f.width,
    f.height,
    (x, y) => [f.luma(x, y), chroma(f.cb, x, y), chroma(f.cr, x, y)],
    matrixOf(color, f.height),
    rangeOf(color),
    f.bitDepth,
  );
}

/** A pattern with sharp chroma edges and texture, every code range used. */
function pattern(width: number, height: number, bitDepth: number, seed: number): Frame {
  const max = 2 ** bitDepth - 1;
  const noise = (a: number, b: number, k: number) => ((a * 7919 + b * 104729 + k * 131 + seed * 977) % 1009) / 1008;
  return {
    width,
    height,
    bitDepth,
    luma: (x, y) => Math.round(max * (0.1 + 0.8 * noise(x, y, 1))),
    cb: (i, j) => Math.round(max * ((i + j) % 5 < 2 ? 0.1 : 0.9) * (0.7 + 0.3 * noise(i, j, 2))),
    cr: (i, j) => Math.round(max * noise(i, j, 3)),
  };
}

/** `f` written into a memfd as NV12/P010 (two planes) or YUV420/YUV420_10 (three), with its descriptor. */
function memfdFrame(f: Frame, planes: 2 | 3) {
  const bps = f.bitDepth > 8 ? 2 : 1;
  const cw = Math.ceil(f.width / 2),
    ch = Math.ceil(f.height / 2);
  const pitch = Math.ceil((f.width * bps) / 64) * 64 + 64;
  const chromaPitch = planes === 2 ? pitch : Math.ceil((cw * bps) / 64) * 64 + 64;
  const offsets = [0, pitch * f.height, pitch * f.height + chromaPitch * ch];
  const size = Math.ceil((offsets[2]! + (planes === 3 ? chromaPitch * ch : 0)) / 4096 + 1) * 4096;
  const m = makeMemfd(size);
  // P010 keeps 10 bits high in 16; the 3-plane 10-bit layout keeps them low.
  const put = (at: number, v: number) => {
    if (bps === 1) m.bytes[at] = v;
    else {
      const s = planes === 2 ? v << 6 : v;
      m.bytes[at] = s & 0xff;
      m.bytes[at + 1] = s >> 8;
    }
  };
  for (let y = 0; y < f.height; y++) for (let x = 0; x < f.width; x++) put(y * pitch + x * bps, f.luma(x, y));
  for (let j = 0; j < ch; j++)
    for (let i = 0; i < cw; i++) {
      if (planes === 2) {
        put(offsets[1]! + j * pitch + 2 * i * bps, f.cb(i, j));
        put(offsets[1]! + j * pitch + (2 * i + 1) * bps, f.cr(i, j));
      } else {
        put(offsets[1]! + j * chromaPitch + i * bps, f.cb(i, j));
        put(offsets[2]! + j * chromaPitch + i * bps, f.cr(i, j));
      }
    }
  const fourcc =
    planes === 2 ? (bps === 1 ? DRM_FORMAT.NV12 : DRM_FORMAT.P010) : bps === 1 ? DRM_FORMAT.YUV420 : DRM_FORMAT.S010;
  const desc: DrmFrameDescriptor = {
    width: f.width,
    height: f.height,
    objects: [{ fd: m.fd, size, modifier: 0n }],
    layers: [
      {
        fourcc,
        planes:
          planes === 2
            ? [
                { object: 0, offset: 0, pitch },
                { object: 0, offset: offsets[1]!, pitch },
              ]
            : [
                { object: 0, offset: 0, pitch },
                { object: 0, offset: offsets[1]!, pitch: chromaPitch },
                { object: 0, offset: offsets[2]!, pitch: chromaPitch },
              ],
      },
    ],
  };
  return { desc, close: () => m.close() };
}

describe("bilinear chroma at the stream's siting, against a double-precision reference", () => {
  // Odd sizes take the per-pixel shader; widths of whole 4-pixel groups the vectorised one (2-plane).
  const sizes: [number, number][] = [
    [37, 23],
    [64, 18],
  ];
  const layouts: [string, number, 2 | 3][] = [
    ["NV12", 8, 2],
    ["P010", 10, 2],
    ["YUV420", 8, 3],
    ["YUV420 10-bit", 10, 3],
  ];
  for (const [name, bitDepth, planes] of layouts) {
    withDmaBuf(`${name}: every siting (and unspecified), odd and vectorised widths, within 1 LSB`, () => {
      using conv = new Converter(ctx);
      for (const [width, height] of sizes) {
        for (const location of [0, 1, 2, 3, 4, 5, 6]) {
          const f = pattern(width, height, bitDepth, location);
          const color: ColorInfo = {
            colorspace: 1,
            colorRange: location % 2 ? 1 : 2,
            colorPrimaries: 1,
            colorTrc: 1,
            chromaLocation: location,
          };
          const { desc, close } = memfdFrame(f, planes);
          try {
            using frame = importDmabuf(ctx, desc);
            const { rgba, info } = conv.toRgba(frame, color);
            using _ = rgba;
            expect(info.chroma).toBe("bilinear");
            const { max } = maxAbsDiff(readBack(ctx, rgba), bilinearReference(f, color));
            expect(max, `${width}x${height}, chroma location ${location}`).toBeLessThanOrEqual(1);
          } finally {
            close();
          }
        }
      }
      ctx.checkValidation();
    });
  }

  withDmaBuf("RGBA16 output (10-bit) reconstructs the same chroma: within one 8-bit step of the reference", () => {
    using conv = new Converter(ctx);
    const f = pattern(37, 23, 10, 9);
    const color: ColorInfo = { colorspace: 9, colorRange: 1, colorPrimaries: 9, colorTrc: 16, chromaLocation: 2 };
    const { desc, close } = memfdFrame(f, 2);
    try {
      using frame = importDmabuf(ctx, desc);
      const { rgba } = conv.toRgba(frame, color, undefined, "rgba16");
      using _ = rgba;
      const wide = new Uint16Array(readBack(ctx, rgba).slice().buffer);
      const ref = bilinearReference(f, color);
      let max = 0;
      for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(wide[i]! / 257 - ref[i]!));
      expect(max).toBeLessThanOrEqual(1);
    } finally {
      close();
    }
  });

  withDmaBuf("nearest ignores the siting and reads sample (x/2, y/2); bilinear smooths a sharp chroma edge", () => {
    using nearest = new Converter(ctx, { chroma: "nearest" });
    using bilinear = new Converter(ctx);
    const f: Frame = {
      width: 16,
      height: 8,
      bitDepth: 8,
      luma: () => 128,
      cb: (i) => (i < 4 ? 16 : 240),
      cr: () => 128,
    };
    const { desc, close } = memfdFrame(f, 2);
    try {
      using frame = importDmabuf(ctx, desc);
      const color: ColorInfo = { colorspace: 1, colorRange: 1, colorPrimaries: 1, colorTrc: 1, chromaLocation: 1 };
      const n = nearest.toRgba(frame, color),
        b = bilinear.toRgba(frame, color);
      using _n = n.rgba;
      using _b = b.rgba;
      const blue = (rgba: Uint8Array, x: number) => rgba[x * 4 + 2]!;
      const nb = readBack(ctx, n.rgba),
        bb = readBack(ctx, b.rgba);
      // Left-sited: pixel 7 lies halfway between chroma samples 3 (16) and 4 (240).
      expect(blue(nb, 7)).toBe(blue(nb, 6));
      expect(blue(bb, 7)).toBeGreaterThan(blue(bb, 6));
      expect(blue(bb, 7)).toBeLessThan(blue(bb, 8));
      expect(maxAbsDiff(bb, bilinearReference(f, color)).max).toBeLessThanOrEqual(1);
      expect(n.info.chroma).toBe("nearest");
    } finally {
      close();
    }
  });
});

requires(libavMissing() ?? clipsMissing() ?? noVulkan)(
  "a decoded clip converts with bilinear chroma by default, within 1 LSB of the reference from its own planes",
  () => {
    using video = Video.open(clip(CLIPS.odd), { source: "software", validation: true });
    using frame = video.next()!;
    const d = frame.descriptor;
    const { rgba, conversion } = video.toRgba(frame);
    using _ = rgba;
    expect(conversion.chroma).toBe("bilinear");
    const mem = Bun.mmap(`/proc/self/fd/${d.objects[0]!.fd}`, { shared: true });
    const [py, pu, pv] = d.layers[0]!.planes;
    const f: Frame = {
      width: d.width,
      height: d.height,
      bitDepth: 8,
      luma: (x, y) => mem[py!.offset + y * py!.pitch + x]!,
      cb: (i, j) => mem[pu!.offset + j * pu!.pitch + i]!,
      cr: (i, j) => mem[pv!.offset + j * pv!.pitch + i]!,
    };
    expect(maxAbsDiff(video.readRgba(rgba), bilinearReference(f, d.color)).max).toBeLessThanOrEqual(1);
    video.ctx.checkValidation();
  },
);
