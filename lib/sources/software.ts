// The software source: libavcodec decodes on the CPU straight into memfd-backed frame buffers
// (c-shim's get_buffer2 hands it pooled memfds), and each frame is described as a linear DRM
// PRIME frame over its memfd. No byte is copied between the decoder and Vulkan: a driver that
// accepts a memfd as a dma_buf (lavapipe does) imports the decoder's own pages.
import { type Pointer, ptr, read } from "bun:ffi";
import type { AvFieldTable } from "../../ffi/libav";
import { errnoText, F_DUPFD_CLOEXEC, libc } from "../../ffi/libc";
import { VVFrameDesc } from "../../ffi/shim";
import { CCallError, DecodeError } from "../errors";
import { DRM_FORMAT } from "../formats";
import { type DecoderOptions, DecodeSession } from "./decoder";
import { copyFrameToLinear, pixFmtIds, readFlatDescriptor, shim, writeI32At, writePtrAt } from "./libav";
import type { LinearRing } from "./linear";

export type PoolStats = { allocated: number; reused: number; failed: number; outstanding: number };

export type SoftwareSourceOptions = DecoderOptions & {
  /** Copy each frame into a ring of linear dmabufs (frames here are linear already; this runs the --force-linear path, CPU copy counted, where VAAPI cannot). */
  forceLinear?: LinearRing | undefined;
  /**
   * Hand each frame over as av_hwframe_map does a VAAPI surface: fresh fds (F_DUPFD_CLOEXEC of the
   * pooled memfds) made for that frame, closed when it is disposed, their numbers reused by the
   * next frames. The pool's surfaces come back under new fd numbers, as VAAPI's do.
   */
  freshFds?: boolean;
  /**
   * Where frames the decoder made in buffers of its own (it ignored get_buffer2: libdav1d has no
   * AV_CODEC_CAP_DR1) are copied, counted in cpuBytesCopied; made on first need. Without it such
   * frames are refused.
   */
  copyRing?: () => LinearRing;
};

export function openSoftwareSource(options: SoftwareSourceOptions): {
  session: DecodeSession;
  poolStats: () => PoolStats;
} {
  const s = shim();
  const ids = pixFmtIds();
  const pool = s.vv_pool_new() as number;
  if (!pool) throw new DecodeError("DECODE_FAILED", options.file, "decoder", "could not allocate the frame pool");
  const fourccOf = new Map<number, number>([
    [ids.yuv420p, DRM_FORMAT.YUV420],
    [ids.yuvj420p, DRM_FORMAT.YUV420],
    [ids.yuv420p10le, DRM_FORMAT.S010],
    [ids.nv12, DRM_FORMAT.NV12],
    [ids.p010le, DRM_FORMAT.P010],
  ]);
  const flat = Buffer.alloc(VVFrameDesc.size);
  const stats = new BigInt64Array(4);
  let fields: AvFieldTable;
  let closed = false;
  const session = new DecodeSession(options, {
    acceptsPixelFormat: (f) => fourccOf.has(f),
    configure(codec, f) {
      fields = f;
      writePtrAt(codec, f.AVCodecContext.opaque, pool);
      writePtrAt(codec, f.AVCodecContext.get_buffer2, Number(s.vv_get_buffer2_ptr()));
      // vv_get_buffer2 and its buffer release are mutex-guarded, so decoder threads may call them.
      if (f.AVCodecContext.thread_safe_callbacks !== undefined)
        writeI32At(codec, f.AVCodecContext.thread_safe_callbacks, 1);
    },
    describe(frame) {
      if (options.forceLinear) return copyFrameToLinear(options.forceLinear, frame, options.file);
      const fourcc = fourccOf.get(read.i32(frame as Pointer, fields.AVFrame.format)) ?? 0;
      const r = s.vv_describe_pool_frame(pool, frame, flat, fourcc);
      if (r === -1 && options.copyRing) return copyFrameToLinear(options.copyRing(), frame, options.file);
      if (r !== 0) {
        throw new DecodeError(
          "DECODE_FAILED",
          options.file,
          "describe",
          r === -3
            ? "the decoder output a pixel format the pool does not serve"
            : "the decoder made this frame in a buffer of its own, not in the memfd pool; open it with a Video (which copies such frames, counted) or --force-linear",
        );
      }
      const descriptor = readFlatDescriptor(flat);
      if (!options.freshFds) return { descriptor };
      const fds: number[] = [];
      for (const o of descriptor.objects) {
        const fd = libc().fcntl(o.fd, F_DUPFD_CLOEXEC, 0);
        if (fd < 0) {
          for (const d of fds) libc().close(d);
          throw new CCallError("fcntl(F_DUPFD_CLOEXEC)", fd, errnoText(), `a fresh fd for frame memfd ${o.fd}`);
        }
        fds.push(fd);
      }
      return { descriptor: { ...descriptor, objects: descriptor.objects.map((o, i) => ({ ...o, fd: fds[i]! })) }, fds };
    },
    poolSize() {
      if (closed) return 0;
      s.vv_pool_stats(pool, ptr(stats));
      return Number(stats[0]);
    },
    close() {
      closed = true;
      s.vv_pool_close(pool);
    },
  });
  return {
    session,
    poolStats() {
      if (closed)
        throw new DecodeError(
          "DECODE_FAILED",
          options.file,
          "describe",
          "the source is closed; read pool statistics before disposing it",
        );
      s.vv_pool_stats(pool, ptr(stats));
      return {
        allocated: Number(stats[0]),
        reused: Number(stats[1]),
        failed: Number(stats[2]),
        outstanding: Number(stats[3]),
      };
    },
  };
}
