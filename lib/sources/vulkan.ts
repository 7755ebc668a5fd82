// The Vulkan Video source: libavcodec decodes with its Vulkan hwaccel (FFmpeg 7.1 on) on the
// library's own VulkanContext, so a decoded frame is already a VkImage of that device: nothing is
// exported, imported or copied. The AVVulkanDeviceContext is filled from the context (instance,
// devices, extensions, queue families), as mpv and libplacebo hand theirs to libavcodec.
import { type Pointer, ptr, read, FFIType as T, toArrayBuffer } from "bun:ffi";
import { type AvFieldTable, avVersions, libavcodec, libavutil, vulkanVideoFieldsMissing } from "../../ffi/libav";
import { VVFrameDesc } from "../../ffi/shim";
import * as vk from "../../ffi/vulkan";
import { DecodeError } from "../errors";
import type { VulkanContext } from "../vulkan/context";
import { cstrings } from "../vulkan/instance";
import { type DecoderOptions, DecodeSession } from "./decoder";
import {
  avErrorText,
  avFields,
  libavCallback,
  pixFmtIds,
  pixFmtName,
  ptrAt,
  readFlatDescriptor,
  shim,
  writeI32At,
  writePtrAt,
} from "./libav";

/** libavcodec's codec names of what Vulkan Video decodes. */
const CODEC_OPERATIONS = {
  h264: vk.VideoCodecOperation.DECODE_H264,
  hevc: vk.VideoCodecOperation.DECODE_H265,
  av1: vk.VideoCodecOperation.DECODE_AV1,
} as const;

const noVulkanVideo = (file: string, msg: string) => new DecodeError("NO_VULKAN_VIDEO", file, "hw-device", msg);

/** Why this libav cannot decode through Vulkan Video on `ctx`, or undefined. */
export function vulkanVideoMissing(ctx: VulkanContext): string | undefined {
  const fields = avFields();
  const missing = vulkanVideoFieldsMissing(fields);
  if (missing.length)
    return `libavutil ${avVersions().avutil} predates FFmpeg 7.1 (libavutil 59), whose Vulkan hwcontext (${missing[0]}) Vulkan Video decoding needs; install FFmpeg 7.1 or newer`;
  if (libavutil().av_hwdevice_find_type_by_name(Buffer.from("vulkan\0")) < 0)
    return "this libavutil was built without Vulkan (configure FFmpeg with --enable-vulkan)";
  if (!ctx.videoDecode) return ctx.videoDecodeMissing ?? "the Vulkan context was made without videoDecode";
  return undefined;
}

/** The AVHWDeviceContext made on `ctx`: its AVBufferRef, and what keeps the strings it points at alive. */
type VulkanDevice = { ref: number; keep: unknown[]; close(): void };

function createVulkanDevice(file: string, ctx: VulkanContext, fields: AvFieldTable): VulkanDevice {
  const why = vulkanVideoMissing(ctx);
  if (why) throw noVulkanVideo(file, why);
  const decode = ctx.videoDecode!;
  const u = libavutil();
  const ref = u.av_hwdevice_ctx_alloc(u.av_hwdevice_find_type_by_name(Buffer.from("vulkan\0"))) as number;
  if (!ref) throw noVulkanVideo(file, "av_hwdevice_ctx_alloc(vulkan) returned nothing (out of memory)");
  const devCtx = ptrAt(ref, fields.AVBufferRef.data);
  const hwctx = ptrAt(devCtx, fields.AVHWDeviceContext.hwctx);
  const D = fields.AVVulkanDeviceContext as Required<AvFieldTable["AVVulkanDeviceContext"]>;
  const Q = fields.AVVulkanDeviceQueueFamily as Required<AvFieldTable["AVVulkanDeviceQueueFamily"]>;
  const instExts = cstrings(ctx.instanceExtensions);
  const devExts = cstrings([...ctx.enabledExtensions]);
  // The loader's vkGetInstanceProcAddr, the one this process already uses.
  writePtrAt(hwctx, D.get_proc_addr, Number((vk.libvulkan().vkGetInstanceProcAddr as unknown as { ptr: number }).ptr));
  writePtrAt(hwctx, D.inst, ctx.instance);
  writePtrAt(hwctx, D.phys_dev, ctx.physicalDevice);
  writePtrAt(hwctx, D.act_dev, ctx.device);
  // device_features is a VkPhysicalDeviceFeatures2 held by value.
  copyInto(hwctx + D.device_features, decode.features);
  writePtrAt(hwctx, D.enabled_inst_extensions, ctx.instanceExtensions.length ? ptr(instExts.table) : 0);
  writeI32At(hwctx, D.nb_enabled_inst_extensions, ctx.instanceExtensions.length);
  writePtrAt(hwctx, D.enabled_dev_extensions, ptr(devExts.table));
  writeI32At(hwctx, D.nb_enabled_dev_extensions, ctx.enabledExtensions.size);
  // The queues: the context's own family (one queue, shared with libav's compute and transfer work
  // under its lock) and the decode family (its queues, libav's alone).
  const ownFlags = decode.computeFlags & (vk.QueueFlag.GRAPHICS | vk.QueueFlag.COMPUTE | vk.QueueFlag.TRANSFER);
  const families = [
    { idx: ctx.queueFamily, num: 1, flags: ownFlags | vk.QueueFlag.TRANSFER, videoCaps: 0 },
    { idx: decode.family, num: decode.queues, flags: vk.QueueFlag.VIDEO_DECODE, videoCaps: decode.operations },
  ];
  families.forEach((f, i) => {
    const at = hwctx + D.qf + i * Q.sizeof;
    writeI32At(at, Q.idx, f.idx);
    writeI32At(at, Q.num, f.num);
    writeI32At(at, Q.flags, f.flags);
    writeI32At(at, Q.video_caps, f.videoCaps);
  });
  writeI32At(hwctx, D.nb_qf, families.length);
  // FFmpeg 7.x still reads the deprecated fixed-queue fields (gone in 8.0): say the same there.
  const fixed: [number | undefined, number | undefined, number][] = [
    [fields.AVVulkanDeviceContext.queue_family_index, fields.AVVulkanDeviceContext.nb_graphics_queues, -1],
    [
      fields.AVVulkanDeviceContext.queue_family_comp_index,
      fields.AVVulkanDeviceContext.nb_comp_queues,
      ctx.queueFamily,
    ],
    [fields.AVVulkanDeviceContext.queue_family_tx_index, fields.AVVulkanDeviceContext.nb_tx_queues, ctx.queueFamily],
    [
      fields.AVVulkanDeviceContext.queue_family_decode_index,
      fields.AVVulkanDeviceContext.nb_decode_queues,
      decode.family,
    ],
    [fields.AVVulkanDeviceContext.queue_family_encode_index, fields.AVVulkanDeviceContext.nb_encode_queues, -1],
  ];
  for (const [index, count, family] of fixed) {
    if (index === undefined || count === undefined) continue;
    writeI32At(hwctx, index, family);
    writeI32At(hwctx, count, family < 0 ? 0 : family === decode.family ? decode.queues : 1);
  }
  const init = u.av_hwdevice_ctx_init(ref);
  const unref = () => u.av_buffer_unref(new BigUint64Array([BigInt(ref)]));
  if (init < 0) {
    unref();
    throw noVulkanVideo(file, `av_hwdevice_ctx_init on ${ctx.info.name} failed: ${avErrorText(init)}`);
  }
  // libav set its own queue locks (a mutex per queue): every submission of ours to the shared queue takes it.
  const lockQueue = libavCallback(ptrAt(hwctx, D.lock_queue), [T.ptr, T.u32, T.u32]);
  const unlockQueue = libavCallback(ptrAt(hwctx, D.unlock_queue), [T.ptr, T.u32, T.u32]);
  ctx.queueLock = {
    lock: () => lockQueue(devCtx, ctx.queueFamily, 0),
    unlock: () => unlockQueue(devCtx, ctx.queueFamily, 0),
  };
  return {
    ref,
    keep: [instExts, devExts],
    close: () => {
      ctx.queueLock = undefined;
      unref();
    },
  };
}

/** Write `bytes` into C memory at `address` (a struct held by value inside another). */
const copyInto = (address: number, bytes: Uint8Array) =>
  new Uint8Array(toArrayBuffer(address as Pointer, 0, bytes.length)).set(bytes);

export type VulkanSourceOptions = DecoderOptions & { ctx: VulkanContext };

export function openVulkanSource(options: VulkanSourceOptions): { session: DecodeSession } {
  const s = shim();
  const ids = pixFmtIds();
  const flat = Buffer.alloc(VVFrameDesc.size);
  let device: VulkanDevice | undefined;
  const session = new DecodeSession(options, {
    // Vulkan Video decodes 4:2:0 8-bit and 10-bit into NV12 / P010 images.
    acceptsPixelFormat: (f) => [ids.yuv420p, ids.yuvj420p, ids.nv12, ids.yuv420p10le, ids.p010le].includes(f),
    configure(codec, fields) {
      const codecName = String(
        libavcodec().avcodec_get_name(read.i32(codec as Pointer, fields.AVCodecContext.codec_id)),
      );
      const decodes = Object.entries(CODEC_OPERATIONS)
        .filter(([, bit]) => (options.ctx.videoDecode?.operations ?? 0) & bit)
        .map(([name]) => name);
      if (options.ctx.videoDecode && !decodes.includes(codecName))
        throw noVulkanVideo(
          options.file,
          `${options.ctx.info.name} decodes ${decodes.join(", ") || "nothing"} through Vulkan Video; this stream is ${codecName}`,
        );
      device = createVulkanDevice(options.file, options.ctx, fields);
      writePtrAt(codec, fields.AVCodecContext.hw_device_ctx, libavutil().av_buffer_ref(device.ref) as number);
      writeI32At(codec, fields.AVCodecContext.extra_hw_frames, options.maxInFlight + (options.decodeAhead ?? 0));
      writePtrAt(codec, fields.AVCodecContext.get_format, Number(s.vv_get_format_vulkan_ptr()));
    },
    describe(frame) {
      const fields = avFields();
      const format = read.i32(frame as Pointer, fields.AVFrame.format);
      if (format !== ids.vulkan)
        throw new DecodeError(
          "DECODE_FAILED",
          options.file,
          "decode",
          `the decoder gave ${pixFmtName(format)} frames, not Vulkan images: this stream's profile or size is beyond the device's Vulkan Video decoder (use the software source)`,
        );
      const framesRef = ptrAt(frame, fields.AVFrame.hw_frames_ctx);
      const framesCtx = ptrAt(framesRef, fields.AVBufferRef.data);
      const swFormat = read.i32(framesCtx as Pointer, fields.AVHWFramesContext.sw_format);
      const pixelFormat = swFormat === ids.nv12 ? "NV12" : swFormat === ids.p010le ? "P010" : undefined;
      if (!pixelFormat)
        throw new DecodeError(
          "UNSUPPORTED_FORMAT",
          options.file,
          "describe",
          `Vulkan Video decoded into ${pixFmtName(swFormat)}; the converter reads NV12 and P010 (8- and 10-bit 4:2:0)`,
        );
      s.vv_frame_info(frame, flat);
      return {
        descriptor: readFlatDescriptor(flat),
        vulkan: { vkFrame: ptrAt(frame, fields.AVFrame.data), framesCtx, framesRef, pixelFormat },
      };
    },
    // libav's Vulkan frame pool grows as needed: the converter keeps plane views for every image it saw.
    poolSize: () => 0,
    close: () => device?.close(),
  });
  return { session };
}
