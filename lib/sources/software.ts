// The software source: libavcodec decodes on the CPU straight into memfd-backed frame buffers
// (c-shim's get_buffer2 hands it pooled memfds), and each frame is described as a linear DRM
// PRIME frame over its memfd. No byte is copied between the decoder and Vulkan: a driver that
// accepts a memfd as a dma_buf (lavapipe does) imports the decoder's own pages.
import { ptr, read, type Pointer } from "bun:ffi";
import { DRM_FORMAT } from "../formats";
import type { AvFieldTable } from "../../ffi/libav";
import { VVFrameDesc } from "../../ffi/shim";
import { DecodeError } from "../errors";
import { DecodeSession, type DecoderOptions } from "./decoder";
import { copyFrameToLinear, pixFmtIds, readFlatDescriptor, shim, writeI32At, writePtrAt } from "./libav";
import type { LinearRing } from "./linear";

export type PoolStats = { allocated: number; reused: number; failed: number; outstanding: number };

/**
 * With `forceLinear`, each frame is also copied into a ring of linear dmabufs (frames here are
 * linear already; this runs the --force-linear path, CPU copy counted, where VAAPI cannot).
 */
export function openSoftwareSource(options: DecoderOptions & { forceLinear?: LinearRing }): { session: DecodeSession; poolStats: () => PoolStats } {
  const s = shim();
  const ids = pixFmtIds();
  const pool = s.vv_pool_new() as number;
  if (!pool) throw new DecodeError("DECODE_FAILED", options.file, "decoder", "could not allocate the frame pool");
  const fourccOf = new Map<number, number>([
    [ids.yuv420p, DRM_FORMAT.YUV420], [ids.yuvj420p, DRM_FORMAT.YUV420], [ids.yuv420p10le, DRM_FORMAT.S010], [ids.nv12, DRM_FORMAT.NV12], [ids.p010le, DRM_FORMAT.P010],
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
      if (f.AVCodecContext.thread_safe_callbacks !== undefined) writeI32At(codec, f.AVCodecContext.thread_safe_callbacks, 1);
    },
    describe(frame) {
      if (options.forceLinear) return copyFrameToLinear(options.forceLinear, frame, options.file);
      const fourcc = fourccOf.get(read.i32(frame as Pointer, fields.AVFrame.format)) ?? 0;
      const r = s.vv_describe_pool_frame(pool, frame, flat, fourcc);
      if (r !== 0) throw new DecodeError("DECODE_FAILED", options.file, "describe", r === -3 ? "the decoder output a pixel format the pool does not serve" : "the decoder returned a frame that is not in the memfd pool");
      return { descriptor: readFlatDescriptor(flat) };
    },
    close() {
      closed = true;
      s.vv_pool_close(pool);
    },
  });
  return {
    session,
    poolStats() {
      if (closed) throw new DecodeError("DECODE_FAILED", options.file, "describe", "the source is closed; read pool statistics before disposing it");
      s.vv_pool_stats(pool, ptr(stats));
      return { allocated: Number(stats[0]), reused: Number(stats[1]), failed: Number(stats[2]), outstanding: Number(stats[3]) };
    },
  };
}
