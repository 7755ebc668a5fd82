// Compiles c-shim/shim.c once per process with TinyCC and reads its flat output.
import { cc, FFIType as T } from "bun:ffi";
import { join } from "node:path";
import { VaapiVkError } from "./errors";
import {
  AVERROR_EAGAIN,
  AVERROR_EOF,
  AVERROR_EXIT,
  AVSEEK_FORCE,
  AVSEEK_SIZE,
  type AvFieldTable,
  libavcodec,
  libavformat,
  libavutil,
} from "./libav";
import { F_ADD_SEALS, F_SEAL_SHRINK, MFD_ALLOW_SEALING, MFD_CLOEXEC } from "./libc";
import type { TypedSymbols } from "./library";
import { struct } from "./struct";

export const SHIM_SOURCE = join(import.meta.dir, "..", "c-shim", "shim.c");
export const VV_DESC_VERSION = 1;

const VVObject = struct("VVObject", [
  ["fd", "i32"],
  ["reserved", "i32"],
  ["size", "u64"],
  ["modifier", "u64"],
]);
const VVPlane = struct("VVPlane", [
  ["object", "i32"],
  ["reserved", "i32"],
  ["offset", "i64"],
  ["pitch", "i64"],
]);
const VVLayer = struct("VVLayer", [
  ["fourcc", "u32"],
  ["nb_planes", "i32"],
  ["planes", { array: VVPlane, count: 4 }],
]);
/** The shim's flat frame description (c-shim/shim.c VVFrameDesc). */
export const VVFrameDesc = struct("VVFrameDesc", [
  ["version", "u32"],
  ["width", "i32"],
  ["height", "i32"],
  ["format", "i32"],
  ["sw_format", "i32"],
  ["color_range", "i32"],
  ["color_primaries", "i32"],
  ["color_trc", "i32"],
  ["colorspace", "i32"],
  ["chroma_location", "i32"],
  ["nb_objects", "i32"],
  ["nb_layers", "i32"],
  ["objects", { array: VVObject, count: 4 }],
  ["layers", { array: VVLayer, count: 4 }],
  ["pts", "i64"],
]);

/** AVDRMFrameDescriptor (libavutil/hwcontext_drm.h), as the shim declares it. */
const AVDRMObjectDescriptor = struct("AVDRMObjectDescriptor", [
  ["fd", "i32"],
  ["size", "u64"],
  ["format_modifier", "u64"],
]);
const AVDRMPlaneDescriptor = struct("AVDRMPlaneDescriptor", [
  ["object_index", "i32"],
  ["offset", "i64"],
  ["pitch", "i64"],
]);
const AVDRMLayerDescriptor = struct("AVDRMLayerDescriptor", [
  ["format", "u32"],
  ["nb_planes", "i32"],
  ["planes", { array: AVDRMPlaneDescriptor, count: 4 }],
]);
export const AVDRMFrameDescriptor = struct("AVDRMFrameDescriptor", [
  ["nb_objects", "i32"],
  ["objects", { array: AVDRMObjectDescriptor, count: 4 }],
  ["nb_layers", "i32"],
  ["layers", { array: AVDRMLayerDescriptor, count: 4 }],
]);
export const drmDescriptorLayouts = {
  AVDRMFrameDescriptor,
  AVDRMObjectDescriptor,
  AVDRMLayerDescriptor,
  AVDRMPlaneDescriptor,
};

export type PixFmtIds = {
  yuv420p: number;
  yuvj420p: number;
  yuv420p10le: number;
  nv12: number;
  p010le: number;
  vaapi: number;
  drm_prime: number;
  vulkan: number;
};

const symbols = {
  vv_init: { args: [T.ptr, T.ptr], returns: T.void },
  vv_unpack_drm_frame: { args: [T.ptr, T.ptr], returns: T.i32 },
  vv_frame_info: { args: [T.ptr, T.ptr], returns: T.void },
  vv_pool_new: { args: [], returns: T.ptr },
  vv_get_buffer2_ptr: { args: [], returns: T.ptr },
  vv_describe_pool_frame: { args: [T.ptr, T.ptr, T.ptr, T.u32], returns: T.i32 },
  vv_pool_stats: { args: [T.ptr, T.ptr], returns: T.void },
  vv_pool_close: { args: [T.ptr], returns: T.void },
  vv_get_format_vaapi_ptr: { args: [], returns: T.ptr },
  vv_get_format_vulkan_ptr: { args: [], returns: T.ptr },
  vv_interrupt_ptr: { args: [], returns: T.ptr },
  vv_monotonic_ns: { args: [], returns: T.i64 },
  vv_init_avio: { args: [T.ptr, T.ptr, T.ptr, T.ptr], returns: T.void },
  vv_input_open: { args: [T.i32, T.ptr], returns: T.ptr },
  vv_input_close: { args: [T.ptr], returns: T.void },
  vv_init_reader: { args: [T.ptr, T.ptr, T.ptr, T.ptr, T.ptr, T.ptr], returns: T.void },
  vv_reader_new: { args: [T.ptr, T.ptr, T.ptr, T.i32, T.i32, T.i32, T.ptr, T.i64], returns: T.ptr },
  vv_reader_start: { args: [T.ptr, T.i32], returns: T.i32 },
  vv_reader_pop: { args: [T.ptr, T.i64, T.ptr], returns: T.i32 },
  vv_reader_damage: { args: [T.ptr, T.i64, T.ptr], returns: T.i32 },
  vv_reader_stop: { args: [T.ptr], returns: T.void },
  vv_reader_clear: { args: [T.ptr], returns: T.void },
  vv_reader_free: { args: [T.ptr], returns: T.void },
  vv_layout: { args: [T.i32, T.ptr], returns: T.i32 },
} as const;

type Shim = TypedSymbols<typeof symbols>;
let compiled: { key: string; shim: Shim } | undefined;

/** Compile (once) with the offsets of the installed libav and the pixel format ids it uses. */
export function loadShim(fields: AvFieldTable, pix: PixFmtIds): Shim {
  const define: Record<string, string> = {
    AVF_DATA: String(fields.AVFrame.data),
    AVF_LINESIZE: String(fields.AVFrame.linesize),
    AVF_EXTENDED_DATA: String(fields.AVFrame.extended_data),
    AVF_WIDTH: String(fields.AVFrame.width),
    AVF_HEIGHT: String(fields.AVFrame.height),
    AVF_FORMAT: String(fields.AVFrame.format),
    AVF_PTS: String(fields.AVFrame.pts),
    AVF_BUF: String(fields.AVFrame.buf),
    AVF_COLOR_RANGE: String(fields.AVFrame.color_range),
    AVF_COLOR_PRIMARIES: String(fields.AVFrame.color_primaries),
    AVF_COLOR_TRC: String(fields.AVFrame.color_trc),
    AVF_COLORSPACE: String(fields.AVFrame.colorspace),
    AVF_CHROMA_LOCATION: String(fields.AVFrame.chroma_location),
    AVF_HW_FRAMES_CTX: String(fields.AVFrame.hw_frames_ctx),
    AVCC_OPAQUE: String(fields.AVCodecContext.opaque),
    AVBUF_DATA: String(fields.AVBufferRef.data),
    AVHWFC_SW_FORMAT: String(fields.AVHWFramesContext.sw_format),
    PIX_YUV420P: String(pix.yuv420p),
    PIX_YUVJ420P: String(pix.yuvj420p),
    PIX_YUV420P10LE: String(pix.yuv420p10le),
    PIX_NV12: String(pix.nv12),
    PIX_P010LE: String(pix.p010le),
    PIX_VAAPI: String(pix.vaapi),
    PIX_VULKAN: String(pix.vulkan),
    VV_MFD_CLOEXEC: String(MFD_CLOEXEC),
    VV_MFD_ALLOW_SEALING: String(MFD_ALLOW_SEALING),
    VV_F_ADD_SEALS: String(F_ADD_SEALS),
    VV_F_SEAL_SHRINK: String(F_SEAL_SHRINK),
    AVIO_BUFFER: String(fields.AVIOContext.buffer),
    AVIO_OPAQUE: String(fields.AVIOContext.opaque),
    AVERROR_EOF_VALUE: String(AVERROR_EOF),
    AVERROR_EXIT_VALUE: String(AVERROR_EXIT),
    AVERROR_EAGAIN_VALUE: String(AVERROR_EAGAIN),
    AVPKT_STREAM_INDEX: String(fields.AVPacket.stream_index),
    AVPKT_POS: String(fields.AVPacket.pos),
    AVSEEK_SIZE_FLAG: String(AVSEEK_SIZE),
    AVSEEK_FORCE_FLAG: String(AVSEEK_FORCE),
  };
  const key = JSON.stringify(define);
  if (compiled) {
    if (compiled.key !== key)
      throw new VaapiVkError(
        "SHIM_MISMATCH",
        "the C shim was already compiled for another libav layout in this process; load one FFmpeg build per process",
      );
    return compiled.shim;
  }
  const shim = cc({ source: SHIM_SOURCE, define, symbols }).symbols as unknown as Shim;
  const fnPtr = (f: unknown) => (f as { ptr: number }).ptr;
  shim.vv_init(fnPtr(libavutil().av_buffer_create), fnPtr(libavcodec().avcodec_align_dimensions2));
  shim.vv_init_avio(
    fnPtr(libavformat().avio_alloc_context),
    fnPtr(libavformat().avio_context_free),
    fnPtr(libavutil().av_malloc),
    fnPtr(libavutil().av_free),
  );
  const fmt = libavformat(),
    codec = libavcodec(),
    util = libavutil();
  shim.vv_init_reader(
    fnPtr(fmt.av_read_frame),
    fnPtr(codec.avcodec_send_packet),
    fnPtr(codec.avcodec_receive_frame),
    fnPtr(codec.av_packet_unref),
    fnPtr(util.av_frame_alloc),
    fnPtr(util.av_frame_free),
  );
  compiled = { key, shim };
  return shim;
}
