// Luma pass and diff mode: a frame's luma as packed R8 on the GPU, and |a - b| between two such
// frames with their sum and histogram. Only the 257 words of statistics come back to the CPU.
import { pack, struct } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { InvalidArgumentError, UseAfterDisposeError, VulkanUnsupportedError } from "../errors";
import type { PixelFormat } from "../plan";
import type { VulkanContext } from "./context";
import type { GpuFrame } from "./import";
import { GpuBuffer, readBack, recordWriteBarrier } from "./memory";
import { ComputePipeline } from "./pipeline";

/** Push constants of shaders/luma_*.comp and shaders/luma_diff.comp. */
export const LumaPush = struct("LumaPush", [
  ["width", "u32"],
  ["height", "u32"],
  ["layoutId", "u32"],
  ["outWords", "u32"],
  ["offset0", "u32"],
  ["pitch0", "u32"],
]);
/** Push constants of shaders/heat_map.comp. */
const HeatMapPush = struct("HeatMapPush", [
  ["width", "u32"],
  ["height", "u32"],
  ["rowWords", "u32"],
]);

export const DiffPush = struct("DiffPush", [
  ["width", "u32"],
  ["height", "u32"],
  ["words", "u32"],
]);

const BUFFER_LAYOUT: Partial<Record<PixelFormat, number>> = {
  NV12: 0,
  YUV420: 0,
  R8: 0,
  P010: 1,
  R16: 1,
  YUV420_10: 2,
};
const IMAGE_LAYOUT: Partial<Record<PixelFormat, number>> = { NV12: 0, YUV420: 0, R8: 0, P010: 1, R16: 1 };

/** Packed R8 luma on the GPU: rows of `rowWords` 32-bit words (4 pixels each). */
export type LumaFrame = { buffer: GpuBuffer; width: number; height: number; rowWords: number };
export type DiffResult = { diff: LumaFrame; sum: number; mean: number; histogram: Uint32Array };

const STATS_WORDS = 257;

export class LumaPass implements Disposable {
  private bufferPipeline?: ComputePipeline;
  private imagePipeline?: ComputePipeline;
  private diffPipeline?: ComputePipeline;
  private heatMapPipeline?: ComputePipeline;
  /** By multi-planar Vulkan format: each reads through that format's YCbCr sampler. */
  private readonly ycbcrPipelines = new Map<string, ComputePipeline>();
  private stats?: GpuBuffer;
  private closed = false;

  constructor(readonly ctx: VulkanContext) {}

  private ycbcrPipeline(format: string): ComputePipeline {
    let pipeline = this.ycbcrPipelines.get(format);
    if (!pipeline) {
      pipeline = new ComputePipeline(
        this.ctx,
        "luma_ycbcr.spv",
        [{ type: "sampled-image", sampler: this.ctx.ycbcr.get(format).sampler }, { type: "storage-buffer" }],
        LumaPush.size,
      );
      this.ycbcrPipelines.set(format, pipeline);
    }
    return pipeline;
  }

  /** A GPU buffer for the packed luma of a `width x height` frame. */
  allocateLuma(width: number, height: number): LumaFrame {
    this.check("allocateLuma");
    const rowWords = Math.ceil(width / 4);
    return {
      buffer: new GpuBuffer(
        this.ctx,
        rowWords * height * 4,
        vk.BufferUsage.STORAGE | vk.BufferUsage.TRANSFER_SRC,
        "device",
      ),
      width,
      height,
      rowWords,
    };
  }

  /** The frame's luma as packed R8 (into `target`, or a new buffer the caller disposes). */
  toLuma(frame: GpuFrame, target?: LumaFrame): LumaFrame {
    this.check("toLuma");
    if (
      target &&
      (target.width !== frame.width ||
        target.height !== frame.height ||
        target.buffer.size < target.rowWords * target.height * 4)
    ) {
      throw new InvalidArgumentError(
        "luma target",
        `it is ${target.width}x${target.height}; the frame is ${frame.width}x${frame.height}: allocate it with allocateLuma(${frame.width}, ${frame.height})`,
      );
    }
    const layoutId = (frame.kind === "buffer" ? BUFFER_LAYOUT : IMAGE_LAYOUT)[frame.pixelFormat];
    if (layoutId === undefined)
      throw new VulkanUnsupportedError(`no luma pass for ${frame.pixelFormat} imported as ${frame.kind}`);
    const out = target ?? this.allocateLuma(frame.width, frame.height);
    try {
      const luma = frame.planes[0]!;
      const push = pack(LumaPush, {
        width: frame.width,
        height: frame.height,
        layoutId,
        outWords: out.rowWords,
        offset0: luma.offset,
        pitch0: luma.pitch,
      });
      const pipeline =
        frame.kind === "buffer"
          ? (this.bufferPipeline ??= new ComputePipeline(
              this.ctx,
              "luma_buffer.spv",
              [{ type: "storage-buffer" }, { type: "storage-buffer" }],
              LumaPush.size,
            ))
          : frame.multiPlanar
            ? this.ycbcrPipeline(frame.multiPlanarFormat)
            : (this.imagePipeline ??= new ComputePipeline(
                this.ctx,
                "luma_image.spv",
                [{ type: "sampled-image" }, { type: "storage-buffer" }],
                LumaPush.size,
              ));
      const set =
        frame.kind === "buffer"
          ? pipeline.bind(0, [
              { binding: 0, buffer: frame.buffers[luma.object]!.buffer },
              { binding: 1, buffer: out.buffer.buffer },
            ])
          : pipeline.bind(0, [{ binding: 1, buffer: out.buffer.buffer }], [{ binding: 0, view: frame.planeViews[0]! }]);
      frame.submitReading((cmd) => {
        pipeline.recordDispatch(cmd, set, push, [Math.ceil(out.rowWords / 64), Math.ceil(frame.height / 4), 1]);
        recordWriteBarrier(this.ctx, cmd, out.buffer.buffer);
      });
      return out;
    } catch (e) {
      if (!target) out.buffer[Symbol.dispose]();
      throw e;
    }
  }

  /** |a - b| per pixel, and its sum and histogram (the only bytes read back). */
  diff(a: LumaFrame, b: LumaFrame, target?: LumaFrame): DiffResult {
    this.check("diff");
    if (a.width !== b.width || a.height !== b.height)
      throw new InvalidArgumentError(
        "luma frames",
        `cannot diff ${a.width}x${a.height} against ${b.width}x${b.height}`,
      );
    const small = [a, b, target].find((l) => l && l.buffer.size < l.rowWords * l.height * 4);
    if (small)
      throw new InvalidArgumentError(
        "luma frame",
        `its buffer holds ${small.buffer.size} bytes, fewer than ${small.rowWords} words x ${small.height} rows: allocate it with allocateLuma`,
      );
    const out = target ?? this.allocateLuma(a.width, a.height);
    try {
      const stats = (this.stats ??= new GpuBuffer(this.ctx, STATS_WORDS * 4, vk.BufferUsage.STORAGE, "host"));
      const counters = new Uint32Array(stats.bytes().buffer, stats.bytes().byteOffset, STATS_WORDS);
      counters.fill(0);
      const pipeline = (this.diffPipeline ??= new ComputePipeline(
        this.ctx,
        "luma_diff.spv",
        [
          { type: "storage-buffer" },
          { type: "storage-buffer" },
          { type: "storage-buffer" },
          { type: "storage-buffer" },
        ],
        DiffPush.size,
      ));
      const words = a.rowWords * a.height;
      const set = pipeline.bind(0, [
        { binding: 0, buffer: a.buffer.buffer },
        { binding: 1, buffer: b.buffer.buffer },
        { binding: 2, buffer: out.buffer.buffer },
        { binding: 3, buffer: stats.buffer },
      ]);
      this.ctx.submitAndWait((cmd) => {
        pipeline.recordDispatch(cmd, set, pack(DiffPush, { width: a.width, height: a.height, words }), [
          Math.ceil(words / 256),
          1,
          1,
        ]);
        recordWriteBarrier(this.ctx, cmd, out.buffer.buffer);
        recordWriteBarrier(this.ctx, cmd, stats.buffer);
      });
      const sum = counters[0]!;
      return { diff: out, sum, mean: sum / (a.width * a.height), histogram: counters.slice(1) };
    } catch (e) {
      if (!target) out.buffer[Symbol.dispose]();
      throw e;
    }
  }

  /**
   * A diff (from diff()) as a packed RGBA8 heat map, on the GPU, into `target` (width x height x 4
   * bytes; allocated when not given, the caller's to dispose): what the preview shows beside the
   * frame, the same ramp as heatMap() in lib/png.ts.
   */
  heatMap(diff: LumaFrame, target?: GpuBuffer): GpuBuffer {
    this.check("heatMap");
    const bytes = diff.width * diff.height * 4;
    if (target && (target.ctx !== this.ctx || target.size < bytes))
      throw new InvalidArgumentError(
        "heat map target",
        `give a GpuBuffer of this device holding ${bytes} bytes (${diff.width}x${diff.height} RGBA8)`,
      );
    const out =
      target ?? new GpuBuffer(this.ctx, bytes, vk.BufferUsage.STORAGE | vk.BufferUsage.TRANSFER_SRC, "device");
    try {
      const pipeline = (this.heatMapPipeline ??= new ComputePipeline(
        this.ctx,
        "heat_map.spv",
        [{ type: "storage-buffer" }, { type: "storage-buffer" }],
        HeatMapPush.size,
      ));
      const set = pipeline.bind(0, [
        { binding: 0, buffer: diff.buffer.buffer },
        { binding: 1, buffer: out.buffer },
      ]);
      const push = pack(HeatMapPush, { width: diff.width, height: diff.height, rowWords: diff.rowWords });
      this.ctx.submitAndWait((cmd) => {
        pipeline.recordDispatch(cmd, set, push, [Math.ceil(diff.width / 16), Math.ceil(diff.height / 16), 1]);
        recordWriteBarrier(this.ctx, cmd, out.buffer);
      });
      return out;
    } catch (e) {
      if (!target) out[Symbol.dispose]();
      throw e;
    }
  }

  private check(call: string): void {
    if (this.closed) throw new UseAfterDisposeError("LumaPass", `LumaPass.${call}`);
  }

  [Symbol.dispose](): void {
    if (this.closed) return;
    this.closed = true;
    this.bufferPipeline?.[Symbol.dispose]();
    this.imagePipeline?.[Symbol.dispose]();
    for (const p of this.ycbcrPipelines.values()) p[Symbol.dispose]();
    this.diffPipeline?.[Symbol.dispose]();
    this.heatMapPipeline?.[Symbol.dispose]();
    this.stats?.[Symbol.dispose]();
  }
}

/** Packed luma read back as tight W*H bytes (for output and CPU references). */
export function readLuma(ctx: VulkanContext, l: LumaFrame): Uint8Array {
  const packed = readBack(ctx, l.buffer);
  const out = new Uint8Array(l.width * l.height);
  for (let y = 0; y < l.height; y++)
    out.set(packed.subarray(y * l.rowWords * 4, y * l.rowWords * 4 + l.width), y * l.width);
  return out;
}
