// libavformat / libavcodec / libavutil / libswscale: symbols, and the offsets of the few struct
// fields the library touches. Those structs change between major versions, so each supported
// major has its own table; test/layout.test.ts checks the installed one against the headers.
import { FFIType as T } from "bun:ffi";
import { lazyLibrary } from "./library";

const sonames = (base: string, majors: number[]) => majors.map((m) => `${base}.so.${m}`);

export const libavutil = lazyLibrary(
  { name: "libavutil", sonames: sonames("libavutil", [60, 59, 58, 57]), debianPackage: "libavutil57" },
  {
    avutil_version: { args: [], returns: T.u32 },
    av_frame_alloc: { args: [], returns: T.ptr },
    av_frame_free: { args: [T.ptr], returns: T.void },
    av_frame_unref: { args: [T.ptr], returns: T.void },
    av_strerror: { args: [T.i32, T.ptr, T.u64], returns: T.i32 },
    av_get_pix_fmt: { args: [T.cstring], returns: T.i32 },
    av_get_pix_fmt_name: { args: [T.i32], returns: T.cstring },
    av_hwdevice_find_type_by_name: { args: [T.cstring], returns: T.i32 },
    av_hwdevice_iterate_types: { args: [T.i32], returns: T.i32 },
    av_hwdevice_get_type_name: { args: [T.i32], returns: T.cstring },
    av_hwdevice_ctx_create: { args: [T.ptr, T.i32, T.cstring, T.ptr, T.i32], returns: T.i32 },
    av_hwdevice_ctx_alloc: { args: [T.i32], returns: T.ptr },
    av_hwdevice_ctx_init: { args: [T.ptr], returns: T.i32 },
    av_hwframe_map: { args: [T.ptr, T.ptr, T.i32], returns: T.i32 },
    av_hwframe_transfer_data: { args: [T.ptr, T.ptr, T.i32], returns: T.i32 },
    av_buffer_ref: { args: [T.ptr], returns: T.ptr },
    av_buffer_unref: { args: [T.ptr], returns: T.void },
    av_log_set_level: { args: [T.i32], returns: T.void },
    av_opt_set: { args: [T.ptr, T.cstring, T.cstring, T.i32], returns: T.i32 },
    av_opt_set_int: { args: [T.ptr, T.cstring, T.i64, T.i32], returns: T.i32 },
    av_buffer_create: { args: [T.ptr, T.u64, T.ptr, T.ptr, T.i32], returns: T.ptr },
    av_malloc: { args: [T.u64], returns: T.ptr },
    av_display_rotation_get: { args: [T.ptr], returns: T.f64 },
    av_color_space_name: { args: [T.i32], returns: T.cstring },
    av_color_range_name: { args: [T.i32], returns: T.cstring },
    av_color_primaries_name: { args: [T.i32], returns: T.cstring },
    av_color_transfer_name: { args: [T.i32], returns: T.cstring },
    av_chroma_location_name: { args: [T.i32], returns: T.cstring },
    av_free: { args: [T.ptr], returns: T.void },
  },
);

export const libavcodec = lazyLibrary(
  { name: "libavcodec", sonames: sonames("libavcodec", [62, 61, 60, 59, 58]), debianPackage: "libavcodec59" },
  {
    avcodec_version: { args: [], returns: T.u32 },
    avcodec_find_decoder: { args: [T.i32], returns: T.ptr },
    avcodec_get_name: { args: [T.i32], returns: T.cstring },
    avcodec_alloc_context3: { args: [T.ptr], returns: T.ptr },
    avcodec_free_context: { args: [T.ptr], returns: T.void },
    avcodec_parameters_to_context: { args: [T.ptr, T.ptr], returns: T.i32 },
    avcodec_open2: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
    avcodec_send_packet: { args: [T.ptr, T.ptr], returns: T.i32 },
    avcodec_receive_frame: { args: [T.ptr, T.ptr], returns: T.i32 },
    av_packet_alloc: { args: [], returns: T.ptr },
    av_packet_free: { args: [T.ptr], returns: T.void },
    av_packet_unref: { args: [T.ptr], returns: T.void },
    avcodec_flush_buffers: { args: [T.ptr], returns: T.void },
    avcodec_align_dimensions2: { args: [T.ptr, T.ptr, T.ptr, T.ptr], returns: T.void },
  },
);

export const libavformat = lazyLibrary(
  { name: "libavformat", sonames: sonames("libavformat", [62, 61, 60, 59, 58]), debianPackage: "libavformat59" },
  {
    avformat_version: { args: [], returns: T.u32 },
    avformat_alloc_context: { args: [], returns: T.ptr },
    avformat_open_input: { args: [T.ptr, T.cstring, T.ptr, T.ptr], returns: T.i32 },
    avformat_find_stream_info: { args: [T.ptr, T.ptr], returns: T.i32 },
    av_find_best_stream: { args: [T.ptr, T.i32, T.i32, T.i32, T.ptr, T.i32], returns: T.i32 },
    av_read_frame: { args: [T.ptr, T.ptr], returns: T.i32 },
    av_seek_frame: { args: [T.ptr, T.i32, T.i64, T.i32], returns: T.i32 },
    avformat_close_input: { args: [T.ptr], returns: T.void },
    avio_alloc_context: { args: [T.ptr, T.i32, T.i32, T.ptr, T.ptr, T.ptr, T.ptr], returns: T.ptr },
    avio_context_free: { args: [T.ptr], returns: T.void },
  },
);

export const libswscale = lazyLibrary(
  { name: "libswscale", sonames: sonames("libswscale", [9, 8, 7, 6, 5]), debianPackage: "libswscale6" },
  {
    swscale_version: { args: [], returns: T.u32 },
    sws_alloc_context: { args: [], returns: T.ptr },
    sws_init_context: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
    sws_setColorspaceDetails: { args: [T.ptr, T.ptr, T.i32, T.ptr, T.i32, T.i32, T.i32, T.i32], returns: T.i32 },
    sws_getCoefficients: { args: [T.i32], returns: T.ptr },
    sws_scale: { args: [T.ptr, T.ptr, T.ptr, T.i32, T.i32, T.ptr, T.ptr], returns: T.i32 },
    sws_freeContext: { args: [T.ptr], returns: T.void },
  },
);

export const AVERROR_EOF = -0x20464f45; // FFERRTAG('E','O','F',' ')
export const AVERROR_EAGAIN = -11;
/** AV_NOPTS_VALUE: no timestamp. */
export const AV_NOPTS_VALUE = -(2n ** 63n);
export const AVSEEK_FLAG_BACKWARD = 1;
export const AV_PKT_FLAG_KEY = 1;
/** AVPacketSideDataType of a display matrix (rotation, flips). */
export const AV_PKT_DATA_DISPLAYMATRIX = 5;
/** sizeof(AVPacketSideData), to step through a stream's array of them. */
export const AV_PACKET_SIDE_DATA_SIZE = 24;
/** AV_TIME_BASE: AVFormatContext.duration and start_time are in microseconds. */
export const AV_TIME_BASE = 1_000_000;
export const AVERROR_EXIT = -0x54495845; // FFERRTAG('E','X','I','T'): the interrupt callback fired
export const AVMEDIA_TYPE_VIDEO = 0;
export const AV_HWFRAME_MAP_READ = 1;
export const AVFMT_FLAG_CUSTOM_IO = 0x0080;
/** AVCodec.capabilities: the decoder writes into buffers from get_buffer2 (direct rendering). */
export const AV_CODEC_CAP_DR1 = 1 << 1;
/** AVCodecContext.thread_type: decode several frames at once, and slices of one frame at once. */
export const FF_THREAD_FRAME = 1;
export const FF_THREAD_SLICE = 2;
export const AVSEEK_SIZE = 0x10000;
export const AVSEEK_FORCE = 0x20000;
export const AV_LOG_QUIET = -8;
export const AV_LOG_ERROR = 16;
export const SWS_CS_ITU709 = 1;
export const SWS_CS_ITU601 = 5;
export const SWS_CS_BT2020 = 9;
export const SWS_POINT = 0x10;
export const SWS_BITEXACT = 0x80000;
export const SWS_ACCURATE_RND = 0x40000;
export const SWS_FULL_CHR_H_INT = 0x2000;
export const SWS_FULL_CHR_H_INP = 0x4000;

/** AVColorSpace / AVColorRange values used by the colour maths (stable across versions). */
export const AVCOL_SPC = { RGB: 0, BT709: 1, UNSPECIFIED: 2, BT470BG: 5, SMPTE170M: 6, BT2020_NCL: 9, BT2020_CL: 10 } as const;
export const AVCOL_RANGE = { UNSPECIFIED: 0, MPEG: 1, JPEG: 2 } as const;

export type AvFieldTable = {
  AVFrame: { data: number; linesize: number; extended_data: number; width: number; height: number; format: number; pts: number; buf: number;
    color_range: number; color_primaries: number; color_trc: number; colorspace: number; chroma_location: number; hw_frames_ctx: number;
    best_effort_timestamp: number };
  AVCodecContext: { codec_id: number; opaque: number; width: number; height: number; pix_fmt: number; get_format: number;
    get_buffer2: number; thread_count: number; thread_type: number; hw_device_ctx: number;
    /** Surfaces added to a hardware decoder's fixed pool, for the frames the caller and decode-ahead hold. */
    extra_hw_frames: number;
    /** libavcodec < 60 only: set it, or frame threads hand every get_buffer2 call to the caller's thread. */
    thread_safe_callbacks?: number };
  AVFormatContext: { pb: number; nb_streams: number; streams: number; flags: number; interrupt_callback: number; start_time: number; duration: number };
  AVIOContext: { buffer: number; opaque: number };
  AVStream: { index: number; time_base: number; start_time: number; duration: number; nb_frames: number; avg_frame_rate: number; r_frame_rate: number;
    side_data: number; nb_side_data: number; codecpar: number };
  /** The stream's side data entries (the display matrix among them). */
  AVPacketSideData: { data: number; size: number; type: number };
  /** The public head of AVCodec, the same in every supported version. */
  AVCodec: { name: number; capabilities: number };
  AVCodecParameters: { codec_type: number; codec_id: number; format: number; bits_per_raw_sample: number; width: number; height: number;
    color_range: number; color_primaries: number; color_trc: number; color_space: number; chroma_location: number };
  AVPacket: { pts: number; dts: number; size: number; stream_index: number; flags: number; pos: number };
  AVBufferRef: { data: number; size: number };
  AVHWDeviceContext: { type: number; hwctx: number };
  AVHWFramesContext: { initial_pool_size: number; sw_format: number };
  AVVAAPIDeviceContext: { display: number };
};

/** Field offsets by (libavutil, libavcodec, libavformat) major version, read off the real headers. */
export const avFieldTables: Record<string, AvFieldTable> = {
  // FFmpeg 5.1 (Debian 12)
  "57/59/59": {
    AVFrame: { data: 0, linesize: 64, extended_data: 96, width: 104, height: 108, format: 116, pts: 136, buf: 224,
      color_range: 320, color_primaries: 324, color_trc: 328, colorspace: 332, chroma_location: 336, hw_frames_ctx: 392, best_effort_timestamp: 344 },
    AVCodecContext: { codec_id: 24, opaque: 48, width: 116, height: 120, pix_fmt: 136, get_format: 152, get_buffer2: 408,
      thread_count: 636, thread_type: 640, hw_device_ctx: 872, extra_hw_frames: 888, thread_safe_callbacks: 648 },
    AVFormatContext: { pb: 32, nb_streams: 44, streams: 48, flags: 96, interrupt_callback: 200, start_time: 64, duration: 72 },
    AVIOContext: { buffer: 8, opaque: 40 },
    AVStream: { index: 0, time_base: 16, start_time: 24, duration: 32, nb_frames: 40, avg_frame_rate: 72, r_frame_rate: 200, side_data: 184, nb_side_data: 192, codecpar: 208 },
    AVPacketSideData: { data: 0, size: 8, type: 16 },
    AVCodec: { name: 0, capabilities: 24 },
    AVCodecParameters: { codec_type: 0, codec_id: 4, format: 28, bits_per_raw_sample: 44, width: 56, height: 60,
      color_range: 76, color_primaries: 80, color_trc: 84, color_space: 88, chroma_location: 92 },
    AVPacket: { pts: 8, dts: 16, size: 32, stream_index: 36, flags: 40, pos: 72 },
    AVBufferRef: { data: 8, size: 16 },
    AVHWDeviceContext: { type: 16, hwctx: 24 },
    AVHWFramesContext: { initial_pool_size: 64, sw_format: 72 },
    AVVAAPIDeviceContext: { display: 0 },
  },
};

export type AvVersions = { avutil: number; avcodec: number; avformat: number };

export function avVersions(): AvVersions {
  return {
    avutil: libavutil().avutil_version() >>> 16,
    avcodec: libavcodec().avcodec_version() >>> 16,
    avformat: libavformat().avformat_version() >>> 16,
  };
}

export const avTableKey = (v: AvVersions) => `${v.avutil}/${v.avcodec}/${v.avformat}`;
