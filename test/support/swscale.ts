// libswscale as the oracle for the GPU conversion: the same frame, matrix and range, converted to
// RGBA on the CPU with its point (nearest) scaler and its default chroma siting, which picks the
// same chroma sample as the shaders (floor(x/2), floor(y/2)); the two differ only by arithmetic.
import { ptr } from "bun:ffi";
import type { Matrix, Range } from "vaapi-vk";
import { libavutil, libswscale } from "../../ffi/libav";

/** libswscale's flags and colourspace ids used here (libswscale/swscale.h; the layout test checks them). */
export const SWS = {
  CS_ITU709: 1,
  CS_ITU601: 5,
  CS_BT2020: 9,
  POINT: 0x10,
  BITEXACT: 0x80000,
  ACCURATE_RND: 0x40000,
  FULL_CHR_H_INT: 0x2000,
  FULL_CHR_H_INP: 0x4000,
} as const;

const CS: Record<Matrix, number> = { "BT.601": SWS.CS_ITU601, "BT.709": SWS.CS_ITU709, "BT.2020": SWS.CS_BT2020 };

export type SourcePlanes = { planes: Uint8Array[]; strides: number[] };

/** RGBA8 (`rgba`) or RGBA16 (`rgba64le`, 8 bytes a pixel) of the source planes. */
export function swscaleRgba(
  src: SourcePlanes,
  width: number,
  height: number,
  srcPixFmt: string,
  matrix: Matrix,
  range: Range,
  dstPixFmt: "rgba" | "rgba64le" = "rgba",
): Uint8Array {
  const bpp = dstPixFmt === "rgba" ? 4 : 8;
  const u = libavutil();
  const s = libswscale();
  const fmt = (n: string) => u.av_get_pix_fmt(Buffer.from(`${n}\0`)) as number;
  const ctx = s.sws_alloc_context() as number;
  if (!ctx) throw new Error("sws_alloc_context failed");
  try {
    const set = (k: string, v: number) => {
      if (u.av_opt_set_int(ctx, Buffer.from(`${k}\0`), v, 0) < 0) throw new Error(`sws option ${k}`);
    };
    set("srcw", width);
    set("srch", height);
    set("src_format", fmt(srcPixFmt));
    set("dstw", width);
    set("dsth", height);
    set("dst_format", fmt(dstPixFmt));
    set("sws_flags", SWS.POINT | SWS.ACCURATE_RND | SWS.BITEXACT | SWS.FULL_CHR_H_INT | SWS.FULL_CHR_H_INP);
    set("src_range", range === "full" ? 1 : 0);
    set("dst_range", 1);
    if (s.sws_init_context(ctx, null, null) < 0) throw new Error("sws_init_context failed");
    const coeffs = s.sws_getCoefficients(CS[matrix]);
    const table = s.sws_getCoefficients(CS[matrix]);
    s.sws_setColorspaceDetails(ctx, coeffs, range === "full" ? 1 : 0, table, 1, 0, 1 << 16, 1 << 16);
    const out = new Uint8Array(width * height * bpp + 64);
    const srcPtrs = new BigUint64Array(4),
      srcStrides = new Int32Array(4);
    src.planes.forEach((p, i) => {
      srcPtrs[i] = BigInt(ptr(p));
      srcStrides[i] = src.strides[i]!;
    });
    const dstPtrs = new BigUint64Array([BigInt(ptr(out)), 0n, 0n, 0n]),
      dstStrides = new Int32Array([width * bpp, 0, 0, 0]);
    const rows = s.sws_scale(ctx, srcPtrs, srcStrides, 0, height, dstPtrs, dstStrides);
    if (rows !== height) throw new Error(`sws_scale returned ${rows}`);
    return out.subarray(0, width * height * bpp);
  } finally {
    s.sws_freeContext(ctx);
  }
}
