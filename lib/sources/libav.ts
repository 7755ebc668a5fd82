// Shared libav plumbing for the sources: version-matched field offsets, the compiled shim,
// error text, and reading a frame's flat description.
import { CFunction, type FFITypeOrString, type Pointer, read, toArrayBuffer } from "bun:ffi";
import { VaapiVkError } from "../../ffi/errors";
import {
  type AvFieldTable,
  avFieldTableSources,
  avFieldTables,
  avTableKey,
  avVersions,
  libavutil,
  missingAvFields,
} from "../../ffi/libav";
import { loadShim, type PixFmtIds, VV_DESC_VERSION, VVFrameDesc } from "../../ffi/shim";
import { unpack } from "../../ffi/struct";
import type { FrameDescriptor } from "../descriptor";
import { PIXEL_FORMATS, type PixelFormat } from "../plan";
import type { LinearRing } from "./linear";

let ids: PixFmtIds | undefined;
export function pixFmtIds(): PixFmtIds {
  if (ids) return ids;
  const u = libavutil();
  const id = (n: string) => u.av_get_pix_fmt(Buffer.from(`${n}\0`)) as number;
  ids = {
    yuv420p: id("yuv420p"),
    yuvj420p: id("yuvj420p"),
    yuv420p10le: id("yuv420p10le"),
    nv12: id("nv12"),
    p010le: id("p010le"),
    vaapi: id("vaapi"),
    drm_prime: id("drm_prime"),
    vulkan: id("vulkan"),
  };
  return ids;
}

export function avFields(): AvFieldTable {
  const v = avVersions();
  const table = avFieldTables[avTableKey(v)];
  if (!table) {
    throw new VaapiVkError(
      "UNSUPPORTED_LIBAV",
      `libavutil ${v.avutil} / libavcodec ${v.avcodec} / libavformat ${v.avformat} is a combination vaapi-vk has no field table for ` +
        `(it has ${Object.entries(avFieldTableSources)
          .map(([k, src]) => `${k}: ${src}`)
          .join("; ")}); ` +
        `point VAAPI_VK_LIB_DIR at a supported FFmpeg build, or add the release's headers to scripts/libav-headers.sh`,
    );
  }
  const missing = missingAvFields(table);
  if (missing.length)
    throw new VaapiVkError(
      "UNSUPPORTED_LIBAV",
      `libav ${avTableKey(v)} lacks fields vaapi-vk reads: ${missing.join(", ")}`,
    );
  return table;
}

export const shim = () => loadShim(avFields(), pixFmtIds());

export function avErrorText(code: number): string {
  const buf = Buffer.alloc(256);
  libavutil().av_strerror(code, buf, 256);
  return buf.toString("utf8", 0, buf.indexOf(0));
}

export const pixFmtName = (id: number): string =>
  (libavutil().av_get_pix_fmt_name(id) as unknown as { toString(): string } | null)?.toString() ?? `pixel format ${id}`;

/** A libav callback read out of one of its structs (lock_queue, lock_frame, ...), callable from JS. */
export function libavCallback(address: number, args: FFITypeOrString[]): (...a: number[]) => void {
  const fn = CFunction({ ptr: address as Pointer, args, returns: "void" });
  return (...a) => fn(...a);
}

/** Field accessors over a raw struct pointer, by offset (libav structs are known only by offset). */
export const ptrAt = (p: number, off: number) => Number(read.u64(p as Pointer, off));
export function writeI32At(base: number, off: number, value: number): void {
  new Int32Array(toArrayBuffer((base + off) as Pointer, 0, 4))[0] = value;
}
export function writePtrAt(base: number, off: number, value: number): void {
  new BigUint64Array(toArrayBuffer((base + off) as Pointer, 0, 8))[0] = BigInt(value);
}

/**
 * Descriptors already read, by their flat bytes up to pts (a pooled surface comes back with the
 * same bytes frame after frame, and unpacking the struct in JS cost tens of microseconds a frame).
 */
const flatCache = new Map<string, FrameDescriptor>();
const FLAT_CACHE_MAX = 256;
const PTS_OFFSET = VVFrameDesc.fields.pts.offset;

/** Turn the shim's flat output into a FrameDescriptor. */
export function readFlatDescriptor(flat: Buffer): FrameDescriptor {
  const key = flat.toString("latin1", 0, PTS_OFFSET);
  const known = flatCache.get(key);
  const pts = flat.readBigInt64LE(PTS_OFFSET);
  if (known) return { ...known, pts };
  const desc = freezeDeep(unpackFlatDescriptor(flat));
  if (flatCache.size >= FLAT_CACHE_MAX) flatCache.clear();
  flatCache.set(key, desc);
  return desc;
}

/** Shared between frames, so nobody may change it. */
function freezeDeep<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) freezeDeep(v);
    Object.freeze(value);
  }
  return value;
}

function unpackFlatDescriptor(flat: Buffer): FrameDescriptor {
  const d = unpack(VVFrameDesc, flat);
  if (d.version !== VV_DESC_VERSION)
    throw new VaapiVkError(
      "SHIM_MISMATCH",
      `C shim wrote descriptor version ${d.version}, expected ${VV_DESC_VERSION}`,
    );
  return {
    width: d.width,
    height: d.height,
    objects: d.objects.slice(0, d.nb_objects).map((o) => ({ fd: o.fd, size: Number(o.size), modifier: o.modifier })),
    layers: d.layers.slice(0, d.nb_layers).map((l) => ({
      fourcc: l.fourcc,
      planes: l.planes
        .slice(0, l.nb_planes)
        .map((p) => ({ object: p.object, offset: Number(p.offset), pitch: Number(p.pitch) })),
    })),
    color: {
      colorspace: d.colorspace,
      colorRange: d.color_range,
      colorPrimaries: d.color_primaries,
      colorTrc: d.color_trc,
      chromaLocation: d.chroma_location,
    },
    pts: BigInt(d.pts),
  };
}

/** The pixel layout of a software frame format, for copying it (force-linear). */
export function pixelFormatOfAv(format: number): PixelFormat | undefined {
  const ids = pixFmtIds();
  if (format === ids.nv12) return "NV12";
  if (format === ids.p010le) return "P010";
  if (format === ids.yuv420p || format === ids.yuvj420p) return "YUV420";
  if (format === ids.yuv420p10le) return "YUV420_10";
  return undefined;
}

/** Copy a software AVFrame into the next linear buffer of `ring`; keeps the frame's colour fields. */
export function copyFrameToLinear(
  ring: LinearRing,
  frame: number,
  file: string,
): { descriptor: FrameDescriptor; cpuBytesCopied: number } {
  const f = avFields().AVFrame;
  const flat = Buffer.alloc(VVFrameDesc.size);
  shim().vv_frame_info(frame, flat);
  const info = readFlatDescriptor(flat);
  const format = read.i32(frame as Pointer, f.format);
  const pixelFormat = pixelFormatOfAv(format);
  if (!pixelFormat)
    throw new VaapiVkError(
      "UNSUPPORTED_FORMAT",
      `${file}: --force-linear cannot copy ${pixFmtName(format)}; it copies nv12, p010le, yuv420p and yuv420p10le`,
    );
  const planes = PIXEL_FORMATS[pixelFormat].planes.map((g, i) => {
    const pitch = read.i32(frame as Pointer, f.linesize + 4 * i);
    const rows = Math.ceil(info.height / g.heightDiv);
    return { bytes: new Uint8Array(toArrayBuffer(ptrAt(frame, f.data + 8 * i) as Pointer, 0, pitch * rows)), pitch };
  });
  const { descriptor, cpuBytesCopied } = ring.copy(planes, pixelFormat, info.width, info.height);
  return { descriptor: { ...descriptor, color: info.color, pts: info.pts }, cpuBytesCopied };
}
