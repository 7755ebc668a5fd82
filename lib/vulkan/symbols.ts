// The symbol stream on the GPU: the zero-writer and the triadic encoder over luma frames from the
// luma pass, into three buffers laid out as lib/symbols.ts says.
import { pack, struct } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import {
  BlockEntry,
  StreamHeader,
  type StreamOptions,
  type SymbolFrame,
  SymbolStreamError,
  streamGeometry,
} from "../symbols";
import type { VulkanContext } from "./context";
import type { LumaFrame } from "./luma";
import { GpuBuffer, readBack, recordComputeBarrier } from "./memory";
import { ComputePipeline } from "./pipeline";

/** Push constants of shaders/symbols_*.comp (shaders/symbols.glsl). */
export const SymbolsPush = struct("SymbolsPush", [
  ["width", "u32"],
  ["height", "u32"],
  ["block", "u32"],
  ["planes", "u32"],
  ["rowWords", "u32"],
  ["blocksX", "u32"],
  ["blocksY", "u32"],
  ["wordsPerPlane", "u32"],
  ["hasPrevious", "u32"],
  ["frameIndex", "u32"],
  ["maxResidual", "u32"],
  ["reserved", "u32"],
]);

const STORAGE = vk.BufferUsage.STORAGE | vk.BufferUsage.TRANSFER_SRC;

export class SymbolEncoder implements Disposable {
  readonly header: GpuBuffer;
  readonly blocks: GpuBuffer;
  readonly trits: GpuBuffer;
  private readonly zero: ComputePipeline;
  private readonly triadic: ComputePipeline;
  private readonly geometry: ReturnType<typeof streamGeometry>;

  constructor(
    readonly ctx: VulkanContext,
    readonly options: StreamOptions,
  ) {
    this.geometry = streamGeometry(options);
    const g = this.geometry;
    const bindings = [0, 1, 2, 3, 4].map(() => ({ type: "storage-buffer" as const }));
    this.header = new GpuBuffer(ctx, StreamHeader.size, STORAGE, "device");
    this.blocks = new GpuBuffer(ctx, g.blockCount * BlockEntry.size, STORAGE, "device");
    this.trits = new GpuBuffer(ctx, g.bytesPerPlane * options.planes, STORAGE, "device");
    this.zero = new ComputePipeline(ctx, "symbols_zero.spv", bindings, SymbolsPush.size, 1);
    this.triadic = new ComputePipeline(ctx, "symbols_triadic.spv", bindings, SymbolsPush.size, 1);
  }

  private push(luma: LumaFrame | null, hasPrevious: boolean, frameIndex: number): Buffer {
    const g = this.geometry,
      o = this.options;
    return pack(SymbolsPush, {
      width: o.width,
      height: o.height,
      block: o.block,
      planes: o.planes,
      rowWords: luma?.rowWords ?? Math.ceil(o.width / 4),
      blocksX: g.blocksX,
      blocksY: g.blocksY,
      wordsPerPlane: g.bytesPerPlane / 4,
      hasPrevious: hasPrevious ? 1 : 0,
      frameIndex,
      maxResidual: g.maxResidual,
    });
  }

  private bind(p: ComputePipeline, cur: LumaFrame | null, prev: LumaFrame | null): bigint {
    const lumaBuffer = (cur ?? prev)?.buffer.buffer ?? this.trits.buffer;
    return p.bind(0, [
      { binding: 0, buffer: this.header.buffer },
      { binding: 1, buffer: this.blocks.buffer },
      { binding: 2, buffer: this.trits.buffer },
      { binding: 3, buffer: lumaBuffer },
      { binding: 4, buffer: prev?.buffer.buffer ?? lumaBuffer },
    ]);
  }

  private recordZero(cmd: number, push: Buffer, set: bigint): void {
    const g = this.geometry;
    const words = Math.max((g.bytesPerPlane / 4) * this.options.planes, g.blockCount * 4, 1);
    this.zero.recordDispatch(cmd, set, push, [Math.ceil(words / 64), 1, 1]);
  }

  /** The zero-writer's stream (every block SKIP, every digit 0) for `frameIndex`. */
  writeZero(frameIndex = 0): void {
    const set = this.bind(this.zero, null, null);
    this.ctx.submitAndWait((cmd) => {
      this.recordZero(cmd, this.push(null, false, frameIndex), set);
      recordComputeBarrier(this.ctx, cmd, true);
    });
  }

  /** Encode `luma` against `previous` (null: frame 0, against zero). */
  encode(luma: LumaFrame, previous: LumaFrame | null, frameIndex: number): void {
    if (luma.width !== this.options.width || luma.height !== this.options.height)
      throw new SymbolStreamError(
        `luma is ${luma.width}x${luma.height}, the stream ${this.options.width}x${this.options.height}`,
      );
    const push = this.push(luma, previous !== null, frameIndex);
    const zeroSet = this.bind(this.zero, luma, previous);
    const set = this.bind(this.triadic, luma, previous);
    const g = this.geometry;
    this.ctx.submitAndWait((cmd) => {
      this.recordZero(cmd, push, zeroSet);
      recordComputeBarrier(this.ctx, cmd);
      this.triadic.recordDispatch(cmd, set, push, [Math.ceil(g.bytesPerPlane / 4 / 64), 1, 1]);
      recordComputeBarrier(this.ctx, cmd, true);
    });
  }

  /** The three buffers, read back (a few bytes a block, ceil(W*H/5) a plane). */
  read(): SymbolFrame {
    return {
      header: readBack(this.ctx, this.header),
      blocks: readBack(this.ctx, this.blocks),
      trits: readBack(this.ctx, this.trits),
    };
  }

  [Symbol.dispose](): void {
    this.zero[Symbol.dispose]();
    this.triadic[Symbol.dispose]();
    for (const b of [this.header, this.blocks, this.trits]) b[Symbol.dispose]();
  }
}
