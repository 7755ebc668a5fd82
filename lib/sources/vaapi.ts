// The VAAPI source: libavcodec decodes on the GPU into VA surfaces; each frame is mapped to
// AV_PIX_FMT_DRM_PRIME (vaExportSurfaceHandle underneath) and its AVDRMFrameDescriptor unpacked by
// the C shim. The mapped frame (and so the dmabuf fds and the VA surface) lives until disposed.
import { type Pointer, read } from "bun:ffi";
import { existsSync } from "node:fs";
import { AV_HWFRAME_MAP_READ, type AvFieldTable, libavutil } from "../../ffi/libav";
import { libc, O_CLOEXEC, O_RDWR } from "../../ffi/libc";
import { libva, libvaDrm } from "../../ffi/libva";
import { VVFrameDesc } from "../../ffi/shim";
import { DecodeError } from "../errors";
import { type ExportQuirk, exportQuirk } from "../quirks";
import { type DecoderOptions, DecodeSession } from "./decoder";
import {
  avErrorText,
  avFields,
  copyFrameToLinear,
  pixFmtIds,
  ptrAt,
  readFlatDescriptor,
  shim,
  writeI32At,
  writePtrAt,
} from "./libav";
import type { LinearRing } from "./linear";

export const DEFAULT_VAAPI_DEVICE = "/dev/dri/renderD128";

export type VaapiDevice = {
  /** The AVBufferRef of the AVHWDeviceContext. */
  ref: number;
  /** Its VADisplay (AVVAAPIDeviceContext.display). */
  display: number;
  /** How it was made: libavutil's own av_hwdevice_ctx_create, or a libva-drm display we wrapped. */
  method: "av_hwdevice_ctx_create" | "libva-drm";
  close(): void;
};

const noDevice = (file: string, msg: string) => new DecodeError("NO_VAAPI_DEVICE", file, "hw-device", msg);

/** Create the VAAPI device: av_hwdevice_ctx_create, else a libva-drm display wrapped by hand. */
export function createVaapiDevice(file: string, node: string, fields: AvFieldTable): VaapiDevice {
  if (!existsSync(node)) {
    throw noDevice(
      file,
      `${node} does not exist: this machine has no DRM render node (no GPU, or no DRM driver in the kernel). Use the software source, or pass --vaapi-device with an existing /dev/dri/renderD* node`,
    );
  }
  const u = libavutil();
  const type = u.av_hwdevice_find_type_by_name(Buffer.from("vaapi\0"));
  if (type < 0)
    throw noDevice(file, "this libavutil was built without VAAPI support; install Debian's libavutil (built with it)");
  const holder = new BigUint64Array(1);
  const r = u.av_hwdevice_ctx_create(holder, type, Buffer.from(`${node}\0`), null, 0);
  if (r >= 0) {
    const ref = Number(holder[0]);
    const hwctx = ptrAt(ptrAt(ref, fields.AVBufferRef.data), fields.AVHWDeviceContext.hwctx);
    const display = ptrAt(hwctx, fields.AVVAAPIDeviceContext.display);
    return {
      ref,
      display,
      method: "av_hwdevice_ctx_create",
      close: () => u.av_buffer_unref(new BigUint64Array([BigInt(ref)])),
    };
  }
  // Fallback: open the node, make the VADisplay ourselves and hand it to an AVHWDeviceContext.
  const fd = libc().open(Buffer.from(`${node}\0`), O_RDWR | O_CLOEXEC);
  if (fd < 0)
    throw noDevice(
      file,
      `av_hwdevice_ctx_create failed (${avErrorText(r)}) and ${node} cannot be opened: check permissions (the user must be in the render group)`,
    );
  const va = libva();
  const display = libvaDrm().vaGetDisplayDRM(fd) as number;
  if (!display) {
    libc().close(fd);
    throw noDevice(file, `vaGetDisplayDRM(${node}) returned no display: ${node} is not a DRM device libva can use`);
  }
  const major = new Int32Array(1),
    minor = new Int32Array(1);
  const st = va.vaInitialize(display, major, minor);
  if (st !== 0) {
    va.vaTerminate(display);
    libc().close(fd);
    throw noDevice(
      file,
      `vaInitialize on ${node} failed: ${va.vaErrorStr(st)} (${st}). Install the VA driver for this GPU (intel-media-va-driver, mesa-va-drivers) or set LIBVA_DRIVER_NAME`,
    );
  }
  const ref = u.av_hwdevice_ctx_alloc(type) as number;
  const devCtx = ptrAt(ref, fields.AVBufferRef.data);
  const hwctx = ptrAt(devCtx, fields.AVHWDeviceContext.hwctx);
  writePtrAt(hwctx, fields.AVVAAPIDeviceContext.display, display);
  const init = u.av_hwdevice_ctx_init(ref);
  const close = () => {
    u.av_buffer_unref(new BigUint64Array([BigInt(ref)]));
    va.vaTerminate(display);
    libc().close(fd);
  };
  if (init < 0) {
    close();
    throw noDevice(file, `av_hwdevice_ctx_init failed for the libva-drm display on ${node}: ${avErrorText(init)}`);
  }
  return { ref, display, method: "libva-drm", close };
}

/** av_hwframe_map's errors that say the mapping can never work (not supported, bad arguments): no retry. */
const PERMANENT_MAP_ERRORS = new Set([-38 /* AVERROR(ENOSYS) */, -22 /* AVERROR(EINVAL) */]);
/** Waits between tries of a failed export, in ms: bounded, growing (nvidia-vaapi-driver fails in short bursts). */
export const EXPORT_RETRY_DELAYS_MS = [1, 4, 16];

/**
 * Run `attempt` (a C call returning < 0 on failure) until it succeeds, it fails for good, or the
 * retries run out; sleeps between tries, never spins. Returns the last result and the retries made.
 */
export function retryTransient(
  attempt: () => number,
  sleep: (ms: number) => void = Bun.sleepSync,
  delaysMs = EXPORT_RETRY_DELAYS_MS,
): { result: number; retries: number } {
  let result = attempt();
  let retries = 0;
  while (result < 0 && !PERMANENT_MAP_ERRORS.has(result) && retries < delaysMs.length) {
    sleep(delaysMs[retries]!);
    retries++;
    result = attempt();
  }
  return { result, retries };
}

/**
 * With `forceLinear`, each frame is downloaded (av_hwframe_transfer_data) and copied into a ring of
 * linear dmabufs instead of being exported: for drivers whose export is implicit or tiled in a way
 * the Vulkan device cannot import. The copy is counted in the frame's cpuBytesCopied.
 *
 * Each exported frame is made safe to read first: vaSyncSurface waits for the decode to finish
 * (FFmpeg's Vulkan-from-VAAPI map and mpv do the same; libavutil before 6.1 does not in its own
 * map), and av_hwframe_map is retried a few times with backoff where the driver fails for a moment.
 */
export type VaapiSourceOptions = DecoderOptions & {
  vaapiDevice: string;
  /** Copy every frame into this ring of linear dmabufs (--force-linear). */
  forceLinear?: LinearRing | undefined;
  /** The ring to copy into when an EXPORT_QUIRKS entry says this driver's frames cannot be read as exported (made on first need). */
  quirkRing?: () => LinearRing;
  /** Told once, the first time a quirk sends frames through the linear copy. */
  onExportQuirk?: (vendor: string, quirk: ExportQuirk) => void;
};

export function openVaapiSource(options: VaapiSourceOptions): {
  session: DecodeSession;
  method: VaapiDevice["method"];
  exportRetries: () => number;
} {
  const s = shim();
  const ids = pixFmtIds();
  const flat = Buffer.alloc(VVFrameDesc.size);
  let device: VaapiDevice | undefined;
  let vendor = "";
  let quirkSeen = false;
  let poolSize = 0;
  let exportRetries = 0;
  /** Download the frame (av_hwframe_transfer_data) and copy it into a linear dmabuf of `ring`: one counted CPU copy. */
  const copyToLinear = (frame: number, ring: LinearRing) => {
    const sw = libavutil().av_frame_alloc() as number;
    try {
      const t = libavutil().av_hwframe_transfer_data(sw, frame, 0);
      if (t < 0)
        throw new DecodeError(
          "DECODE_FAILED",
          options.file,
          "map",
          `av_hwframe_transfer_data (the linear copy's download) failed: ${avErrorText(t)}`,
        );
      const copied = copyFrameToLinear(ring, sw, options.file);
      const info = Buffer.alloc(VVFrameDesc.size);
      s.vv_frame_info(frame, info);
      return { ...copied, descriptor: { ...copied.descriptor, color: readFlatDescriptor(info).color } };
    } finally {
      libavutil().av_frame_free(new BigUint64Array([BigInt(sw)]));
    }
  };
  const session = new DecodeSession(options, {
    // The decoder's software format: VAAPI decodes 4:2:0 8-bit and 10-bit into NV12 / P010 surfaces.
    acceptsPixelFormat: (f) => [ids.yuv420p, ids.yuvj420p, ids.nv12, ids.yuv420p10le, ids.p010le].includes(f),
    configure(codec, fields) {
      device = createVaapiDevice(options.file, options.vaapiDevice, fields);
      writePtrAt(codec, fields.AVCodecContext.hw_device_ctx, libavutil().av_buffer_ref(device.ref) as number);
      // The surface pool is fixed in size: frames the caller holds and frames decoded ahead come out of
      // it, so it gets that many more (as mpv and ffmpeg set extra_hw_frames for their queues).
      writeI32At(codec, fields.AVCodecContext.extra_hw_frames, options.maxInFlight + (options.decodeAhead ?? 0));
      writePtrAt(codec, fields.AVCodecContext.get_format, Number(s.vv_get_format_vaapi_ptr()));
      vendor = String(libva().vaQueryVendorString(device.display) ?? "");
    },
    describe(frame) {
      const fields = avFields();
      if (read.i32(frame as Pointer, fields.AVFrame.format) !== ids.vaapi) {
        throw new DecodeError(
          "DECODE_FAILED",
          options.file,
          "decode",
          "the decoder fell back to software output; this stream's profile is not supported by the VA driver (see `bun run examples/probe.ts`)",
        );
      }
      // The surface pool's size (AVHWFramesContext.initial_pool_size): the import cache keeps as many.
      const framesCtx = ptrAt(ptrAt(frame, fields.AVFrame.hw_frames_ctx), fields.AVBufferRef.data);
      poolSize = read.i32(framesCtx as Pointer, fields.AVHWFramesContext.initial_pool_size);
      if (options.forceLinear) return copyToLinear(frame, options.forceLinear);
      // AVFrame.data[3] holds the VASurfaceID of a VAAPI frame.
      const surface = Number(read.u64(frame as Pointer, fields.AVFrame.data + 3 * 8));
      const synced = libva().vaSyncSurface(device!.display, surface);
      if (synced !== 0)
        throw new DecodeError(
          "DECODE_FAILED",
          options.file,
          "map",
          `vaSyncSurface(${surface}) failed: ${libva().vaErrorStr(synced)} (${synced}); the decode of this frame did not finish`,
        );
      const mapped = libavutil().av_frame_alloc() as number;
      try {
        const { result: m, retries } = retryTransient(() => {
          libavutil().av_frame_unref(mapped);
          writeI32At(mapped, fields.AVFrame.format, ids.drm_prime);
          return libavutil().av_hwframe_map(mapped, frame, AV_HWFRAME_MAP_READ);
        });
        exportRetries += retries;
        if (m < 0) {
          throw new DecodeError(
            "DECODE_FAILED",
            options.file,
            "map",
            `av_hwframe_map to DRM PRIME failed ${retries + 1} time(s): ${avErrorText(m)}; the driver cannot export this surface (try --force-linear)`,
          );
        }
        const u = s.vv_unpack_drm_frame(mapped, flat);
        if (u !== 0)
          throw new DecodeError(
            "DECODE_FAILED",
            options.file,
            "map",
            `the mapped frame carries ${u === -1 ? "no" : "an out-of-range"} AVDRMFrameDescriptor`,
          );
        const descriptor = readFlatDescriptor(flat);
        const quirk = options.quirkRing && exportQuirk(vendor, descriptor);
        if (!quirk) return { descriptor, keep: mapped };
        if (!quirkSeen) options.onExportQuirk?.(vendor, quirk);
        quirkSeen = true;
      } catch (e) {
        libavutil().av_frame_free(new BigUint64Array([BigInt(mapped)]));
        throw e;
      }
      // A quirk: the export cannot be read as laid out; release it and copy the surface instead.
      libavutil().av_frame_free(new BigUint64Array([BigInt(mapped)]));
      return copyToLinear(frame, options.quirkRing!());
    },
    poolSize: () => poolSize,
    close: () => device?.close(),
  });
  return { session, method: device!.method, exportRetries: () => exportRetries };
}
