// libavformat / libavcodec / libavutil / libswscale: symbols, and the offsets of the few struct
// fields the library touches. Those structs change between major versions, so each supported
// major has its own table; test/layout.test.ts checks the installed one against the headers.
import { FFIType as T } from "bun:ffi";
import { generatedAvFieldTables } from "./libav-tables";
import { lazyLibrary } from "./library";
import { struct } from "./struct";

const sonames = (base: string, majors: number[]) => majors.map((m) => `${base}.so.${m}`);

export const libavutil = lazyLibrary(
  {
    name: "libavutil",
    sonames: sonames("libavutil", [61, 60, 59, 58, 57, 56]),
    debianPackage: "libavutil57",
    onlyFromLibDir: true,
  },
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
  {
    name: "libavcodec",
    sonames: sonames("libavcodec", [63, 62, 61, 60, 59, 58]),
    debianPackage: "libavcodec59",
    onlyFromLibDir: true,
  },
  {
    avcodec_version: { args: [], returns: T.u32 },
    avcodec_find_decoder: { args: [T.i32], returns: T.ptr },
    avcodec_find_decoder_by_name: { args: [T.cstring], returns: T.ptr },
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
  {
    name: "libavformat",
    sonames: sonames("libavformat", [63, 62, 61, 60, 59, 58]),
    debianPackage: "libavformat59",
    onlyFromLibDir: true,
  },
  {
    avformat_version: { args: [], returns: T.u32 },
    avformat_alloc_context: { args: [], returns: T.ptr },
    avformat_open_input: { args: [T.ptr, T.cstring, T.ptr, T.ptr], returns: T.i32 },
    avformat_find_stream_info: { args: [T.ptr, T.ptr], returns: T.i32 },
    av_find_best_stream: { args: [T.ptr, T.i32, T.i32, T.i32, T.ptr, T.i32], returns: T.i32 },
    av_read_frame: { args: [T.ptr, T.ptr], returns: T.i32 },
    av_find_input_format: { args: [T.cstring], returns: T.ptr },
    av_seek_frame: { args: [T.ptr, T.i32, T.i64, T.i32], returns: T.i32 },
    avformat_close_input: { args: [T.ptr], returns: T.void },
    avio_alloc_context: { args: [T.ptr, T.i32, T.i32, T.ptr, T.ptr, T.ptr, T.ptr], returns: T.ptr },
    avio_context_free: { args: [T.ptr], returns: T.void },
  },
);

export const libswscale = lazyLibrary(
  {
    name: "libswscale",
    sonames: sonames("libswscale", [10, 9, 8, 7, 6, 5]),
    debianPackage: "libswscale6",
    onlyFromLibDir: true,
  },
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
/** AVIOInterruptCB (libavformat/avio.h), embedded in AVFormatContext at interrupt_callback: stable in every release. */
export const AVIOInterruptCB = struct("AVIOInterruptCB", [
  ["callback", "ptr"],
  ["opaque", "ptr"],
]);

/** AV_NOPTS_VALUE: no timestamp. */
export const AV_NOPTS_VALUE = -(2n ** 63n);
export const AVSEEK_FLAG_BACKWARD = 1;
export const AV_PKT_FLAG_KEY = 1;
/** AVPacketSideDataType of a display matrix (rotation, flips). */
export const AV_PKT_DATA_DISPLAYMATRIX = 5;
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

/**
 * The fields of libav structs that the library and the C shim touch, by struct. Their offsets move
 * between major versions; the tables come from each release's own headers (ffi/libav-tables.ts,
 * generated by scripts/libav-tables.ts).
 */
export const AV_FIELD_NAMES = {
  AVFrame: [
    "data",
    "linesize",
    "extended_data",
    "width",
    "height",
    "format",
    "pts",
    "buf",
    "color_range",
    "color_primaries",
    "color_trc",
    "colorspace",
    "chroma_location",
    "hw_frames_ctx",
    "best_effort_timestamp",
  ],
  // thread_safe_callbacks: libavcodec < 60 only: set it, or frame threads hand every get_buffer2 call to the caller's thread.
  // extra_hw_frames: surfaces added to a hardware decoder's fixed pool, for the frames the caller and decode-ahead hold.
  AVCodecContext: [
    "codec_id",
    "opaque",
    "width",
    "height",
    "pix_fmt",
    "get_format",
    "get_buffer2",
    "thread_count",
    "thread_type",
    "hw_device_ctx",
    "extra_hw_frames",
    "thread_safe_callbacks",
  ],
  AVFormatContext: ["pb", "nb_streams", "streams", "flags", "interrupt_callback", "start_time", "duration"],
  AVIOContext: ["buffer", "opaque"],
  // side_data, nb_side_data: the stream's side data (the display matrix) up to libavformat 60; from 61 on it is the codec parameters' coded_side_data.
  AVStream: [
    "index",
    "time_base",
    "start_time",
    "duration",
    "nb_frames",
    "avg_frame_rate",
    "r_frame_rate",
    "side_data",
    "nb_side_data",
    "codecpar",
  ],
  // sizeof: its size, to step through an array of them (size_t size from 5.0 on, int before).
  AVPacketSideData: ["data", "size", "type", "sizeof"],
  /** The public head of AVCodec, the same in every supported version. */
  AVCodec: ["name", "capabilities"],
  AVCodecParameters: [
    "codec_type",
    "codec_id",
    "format",
    "bits_per_raw_sample",
    "width",
    "height",
    "color_range",
    "color_primaries",
    "color_trc",
    "color_space",
    "chroma_location",
    "coded_side_data",
    "nb_coded_side_data",
  ],
  AVPacket: ["pts", "dts", "size", "stream_index", "flags", "pos"],
  AVBufferRef: ["data", "size"],
  AVHWDeviceContext: ["type", "hwctx"],
  AVHWFramesContext: ["hwctx", "initial_pool_size", "sw_format"],
  AVVAAPIDeviceContext: ["display"],
  // libavutil/hwcontext_vulkan.h, as FFmpeg 7.1 on has it (the Vulkan Video source needs qf[] and
  // the lock callbacks). queue_family_*_index / nb_*_queues: the fixed queue fields, deprecated and
  // still read by 7.x, gone in 8.0. lock_queue: deprecated from 8.0, still called.
  AVVulkanDeviceContext: [
    "get_proc_addr",
    "inst",
    "phys_dev",
    "act_dev",
    "device_features",
    "enabled_inst_extensions",
    "nb_enabled_inst_extensions",
    "enabled_dev_extensions",
    "nb_enabled_dev_extensions",
    "queue_family_index",
    "nb_graphics_queues",
    "queue_family_tx_index",
    "nb_tx_queues",
    "queue_family_comp_index",
    "nb_comp_queues",
    "queue_family_encode_index",
    "nb_encode_queues",
    "queue_family_decode_index",
    "nb_decode_queues",
    "lock_queue",
    "unlock_queue",
    "qf",
    "nb_qf",
  ],
  AVVulkanDeviceQueueFamily: ["idx", "num", "flags", "video_caps", "sizeof"],
  AVVulkanFramesContext: ["lock_frame", "unlock_frame"],
  // access[] is VkAccessFlags (4 bytes) up to 8.x and VkAccessFlags2 (8 bytes) from 9.0: layout - access says which.
  AVVkFrame: ["img", "access", "layout", "sem", "sem_value"],
} as const;

/** Fields only some supported releases have (absent from their tables elsewhere). */
const OPTIONAL = {
  AVCodecContext: ["thread_safe_callbacks"],
  AVStream: ["side_data", "nb_side_data"],
  AVCodecParameters: ["coded_side_data", "nb_coded_side_data"],
  // The Vulkan hwcontext before 7.1 has another shape: the Vulkan Video source checks these itself (vulkanVideoFieldsMissing).
  AVVulkanDeviceContext: AV_FIELD_NAMES.AVVulkanDeviceContext,
  AVVulkanDeviceQueueFamily: AV_FIELD_NAMES.AVVulkanDeviceQueueFamily,
  AVVulkanFramesContext: AV_FIELD_NAMES.AVVulkanFramesContext,
  AVVkFrame: AV_FIELD_NAMES.AVVkFrame,
} as const;
type Optional<S> = S extends keyof typeof OPTIONAL ? (typeof OPTIONAL)[S][number] : never;
type Names<S extends keyof typeof AV_FIELD_NAMES> = (typeof AV_FIELD_NAMES)[S][number];

/** Field offsets of one release. */
export type AvFieldTable = {
  [S in keyof typeof AV_FIELD_NAMES]: { [F in Exclude<Names<S>, Optional<S>>]: number } & {
    [F in Extract<Names<S>, Optional<S>>]?: number;
  };
};

/** Field offsets by (libavutil, libavcodec, libavformat) major version, read off each release's headers. */
export const avFieldTables: Record<string, AvFieldTable> = Object.fromEntries(
  Object.entries(generatedAvFieldTables).map(([key, t]) => [key, t.fields]),
);

/** Where each table came from (the FFmpeg release and the packages whose headers gave it). */
export const avFieldTableSources: Record<string, string> = Object.fromEntries(
  Object.entries(generatedAvFieldTables).map(([key, t]) => [key, `FFmpeg ${t.ffmpeg}, ${t.source}`]),
);

/** Required fields a table lacks (a release that dropped one the library needs), as "Struct.field". */
export function missingAvFields(table: AvFieldTable): string[] {
  const optional = OPTIONAL as Record<string, readonly string[]>;
  return Object.entries(AV_FIELD_NAMES).flatMap(([s, names]) =>
    (names as readonly string[])
      .filter(
        (f) =>
          !(optional[s] ?? []).includes(f) &&
          (table as Record<string, Record<string, number | undefined>>)[s]?.[f] === undefined,
      )
      .map((f) => `${s}.${f}`),
  );
}

/** Fields of the Vulkan hwcontext that FFmpeg 7.1 has (and the Vulkan Video source needs) and this table lacks. */
export function vulkanVideoFieldsMissing(table: AvFieldTable): string[] {
  const needed = {
    AVVulkanDeviceContext: AV_FIELD_NAMES.AVVulkanDeviceContext.filter(
      (f) => !/^(queue_family_\w*index|nb_\w*queues)$/.test(f),
    ),
    AVVulkanDeviceQueueFamily: AV_FIELD_NAMES.AVVulkanDeviceQueueFamily,
    AVVulkanFramesContext: AV_FIELD_NAMES.AVVulkanFramesContext,
    AVVkFrame: AV_FIELD_NAMES.AVVkFrame,
  };
  return Object.entries(needed).flatMap(([s, names]) =>
    names
      .filter((f) => (table as Record<string, Record<string, number | undefined>>)[s]?.[f] === undefined)
      .map((f) => `${s}.${f}`),
  );
}

export type AvVersions = { avutil: number; avcodec: number; avformat: number };

export function avVersions(): AvVersions {
  return {
    avutil: libavutil().avutil_version() >>> 16,
    avcodec: libavcodec().avcodec_version() >>> 16,
    avformat: libavformat().avformat_version() >>> 16,
  };
}

export const avTableKey = (v: AvVersions) => `${v.avutil}/${v.avcodec}/${v.avformat}`;
