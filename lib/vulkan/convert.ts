// YCbCr 4:2:0 -> RGBA8 on the GPU, from either import kind, into a GPU buffer of width*height
// packed RGBA8 pixels. The CPU never reads the frame; readBack() is for the edge (PNG, tests).
import { pack, struct } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { colorParams, colorParamsArray, matrixOf, rangeOf, type Matrix, type Range } from "../color";
import type { ColorInfo } from "../descriptor";
import { VulkanUnsupportedError } from "../errors";
import { PIXEL_FORMATS, type PixelFormat, type PlanePlan } from "../plan";
import type { Submission, VulkanContext } from "./context";
import type { ImportedFrame } from "./import";
import { GpuBuffer, recordWriteBarrier } from "./memory";
import { ComputePipeline } from "./pipeline";

/** Push constants of shaders/yuv_to_rgba_*.comp. */
export const ConvertPush = struct("ConvertPush", [
  ["width", "u32"], ["height", "u32"], ["layoutId", "u32"], ["outputFormat", "u32"],
  ["offset0", "u32"], ["offset1", "u32"], ["offset2", "u32"], ["pitch0", "u32"],
  ["pitch1", "u32"], ["pitch2", "u32"], ["outPitch", "u32"], ["reserved2", "u32"],
  ["color", { array: "f32", count: 8 }],
]);

const LAYOUT_IDS: Partial<Record<PixelFormat, number>> = { NV12: 0, P010: 1, YUV420: 2, YUV420_10: 3 };
const WORKGROUP = 16;

/** What the converter reads: planes in buffers (by object index) or in plane image views. */
type ConvertInput = {
  kind: "buffer" | "image";
  pixelFormat: PixelFormat;
  width: number;
  height: number;
  planes: PlanePlan[];
  buffers: bigint[];
  views: bigint[];
  /** Submit (imported frames also wait for their producer and are handed over); null: only record. */
  submit: (record: (cmd: number) => void) => Submission | null;
};

export type ConversionInfo = { matrix: Matrix; range: Range; bitDepth: number };
/** RGBA8: 4 bytes a pixel. RGBA16: 8 bytes a pixel (little-endian 16-bit channels), for 10-bit sources. */
export type OutputFormat = "rgba8" | "rgba16";
export const bytesPerPixel = (f: OutputFormat) => (f === "rgba8" ? 4 : 8);

/** Conversions that may be in flight at once (descriptor sets per pipeline). */
const DESCRIPTOR_SLOTS = 8;

export class Converter implements Disposable {
  private bufferPipeline?: ComputePipeline;
  private vectorPipeline?: ComputePipeline;
  private vectorImagePipeline?: ComputePipeline;
  private imagePipeline?: ComputePipeline;
  private slot = 0;
  private readonly slotUse: (Submission | undefined)[] = [];

  constructor(readonly ctx: VulkanContext) {}

  private pipeline(kind: "buffer" | "buffer-x4" | "image" | "image-x4"): ComputePipeline {
    if (kind === "buffer-x4") {
      return (this.vectorPipeline ??= new ComputePipeline(this.ctx, "yuv_to_rgba_buffer_x4.spv", [
        { type: "storage-buffer" }, { type: "storage-buffer" }, { type: "storage-buffer" }, { type: "storage-buffer" },
      ], ConvertPush.size, DESCRIPTOR_SLOTS));
    }
    if (kind === "image-x4") {
      return (this.vectorImagePipeline ??= new ComputePipeline(this.ctx, "yuv_to_rgba_image_x4.spv", [
        { type: "storage-image" }, { type: "storage-image" }, { type: "storage-image" }, { type: "storage-buffer" },
      ], ConvertPush.size, DESCRIPTOR_SLOTS));
    }
    if (kind === "buffer") {
      return (this.bufferPipeline ??= new ComputePipeline(this.ctx, "yuv_to_rgba_buffer.spv", [
        { type: "storage-buffer" }, { type: "storage-buffer" }, { type: "storage-buffer" }, { type: "storage-buffer" },
      ], ConvertPush.size, DESCRIPTOR_SLOTS));
    }
    return (this.imagePipeline ??= new ComputePipeline(this.ctx, "yuv_to_rgba_image.spv", [
      { type: "storage-image" }, { type: "storage-image" }, { type: "storage-image" }, { type: "storage-buffer" },
    ], ConvertPush.size, DESCRIPTOR_SLOTS));
  }

  /** A GPU buffer big enough for `width x height` pixels of `output`. */
  allocateRgba(width: number, height: number, output: OutputFormat = "rgba8"): GpuBuffer {
    return new GpuBuffer(this.ctx, width * height * bytesPerPixel(output), vk.BufferUsage.STORAGE | vk.BufferUsage.TRANSFER_SRC, "device");
  }

  /** Convert an imported frame into `target` (allocated when not given) and wait for the GPU. */
  toRgba(frame: ImportedFrame, color: ColorInfo, target?: GpuBuffer, output: OutputFormat = "rgba8"): { rgba: GpuBuffer; info: ConversionInfo } {
    const { submission, ...result } = this.toRgbaAsync(frame, color, target, output);
    submission[Symbol.dispose]();
    return result;
  }

  /**
   * As toRgba, without waiting: the GPU works while the caller decodes the next frame. Keep the
   * frame, its decoded frame and `target` alive until the submission is done, then dispose it.
   */
  toRgbaAsync(frame: ImportedFrame, color: ColorInfo, target?: GpuBuffer, output: OutputFormat = "rgba8"): { rgba: GpuBuffer; info: ConversionInfo; submission: Submission } {
    return this.convert({
      kind: frame.kind, pixelFormat: frame.pixelFormat, width: frame.width, height: frame.height, planes: frame.planes,
      buffers: frame.buffers.map((b) => b.buffer), views: frame.planeViews, submit: (record) => frame.submitReadingAsync(record),
    }, color, target, output);
  }

  /** Convert frame planes that live in plain buffers of this device (e.g. a staging upload's target), without waiting. */
  toRgbaFromBuffersAsync(buffers: bigint[], planes: PlanePlan[], pixelFormat: PixelFormat, width: number, height: number, color: ColorInfo, target?: GpuBuffer, output: OutputFormat = "rgba8") {
    return this.convert({ kind: "buffer", pixelFormat, width, height, planes, buffers, views: [], submit: (record) => this.ctx.submit(record) }, color, target, output);
  }

  /** The next descriptor-set slot, once the GPU has finished with its last use. */
  private nextSlot(): number {
    const slot = this.slot;
    this.slot = (slot + 1) % DESCRIPTOR_SLOTS;
    this.slotUse[slot]?.wait();
    return slot;
  }

  /**
   * Bind and record one conversion of `frame` into `target` without submitting (for timing many
   * back to back); the frame must have been acquired (frame.recordAcquire) in the same submission.
   */
  recordToRgba(frame: ImportedFrame, color: ColorInfo, target: GpuBuffer, output: OutputFormat = "rgba8"): (cmd: number) => void {
    let recorded: ((cmd: number) => void) | undefined;
    this.convertOrRecord({
      kind: frame.kind, pixelFormat: frame.pixelFormat, width: frame.width, height: frame.height, planes: frame.planes,
      buffers: frame.buffers.map((b) => b.buffer), views: frame.planeViews,
      submit: (record) => {
        recorded = record;
        return null;
      },
    }, color, target, output);
    return recorded!;
  }

  private convert(input: ConvertInput, color: ColorInfo, target: GpuBuffer | undefined, output: OutputFormat): { rgba: GpuBuffer; info: ConversionInfo; submission: Submission } {
    const r = this.convertOrRecord(input, color, target, output);
    return { ...r, submission: r.submission! };
  }

  private convertOrRecord(input: ConvertInput, color: ColorInfo, target: GpuBuffer | undefined, output: OutputFormat): { rgba: GpuBuffer; info: ConversionInfo; submission: Submission | null } {
    const { width, height, planes } = input;
    const layoutId = LAYOUT_IDS[input.pixelFormat];
    if (layoutId === undefined) throw new VulkanUnsupportedError(`no RGBA conversion for ${input.pixelFormat}; the converter reads NV12, P010, YUV420 and YUV420_10`);
    const info: ConversionInfo = { matrix: matrixOf(color, height), range: rangeOf(color), bitDepth: PIXEL_FORMATS[input.pixelFormat].bitDepth };
    const rgba = target ?? this.allocateRgba(width, height, output);
    if (rgba.size < width * height * bytesPerPixel(output)) throw new VulkanUnsupportedError(`the target buffer holds ${rgba.size} bytes; ${width}x${height} ${output} needs ${width * height * bytesPerPixel(output)}`);
    try {
      const push = pack(ConvertPush, {
        width, height, layoutId, outputFormat: output === "rgba8" ? 0 : 1, outPitch: width,
        offset0: planes[0]?.offset ?? 0, offset1: planes[1]?.offset ?? 0, offset2: planes[2]?.offset ?? 0,
        pitch0: planes[0]?.pitch ?? 0, pitch1: planes[1]?.pitch ?? 0, pitch2: planes[2]?.pitch ?? 0,
        color: colorParamsArray(colorParams(info.matrix, info.range, info.bitDepth)),
      });
      // NV12/P010 to RGBA8 at a width of whole 4-pixel groups (and, in buffers, word-aligned planes) takes the vectorised shaders.
      const vectorised = output === "rgba8" && (layoutId === 0 || layoutId === 1) && width % 4 === 0 &&
        (input.kind === "image" || planes.slice(0, 2).every((p) => p.offset % 4 === 0 && p.pitch % 4 === 0));
      const pipeline = this.pipeline(vectorised ? (input.kind === "buffer" ? "buffer-x4" : "image-x4") : input.kind);
      const out = { binding: 3, buffer: rgba.buffer };
      const slot = this.nextSlot();
      const set = input.kind === "buffer"
        ? pipeline.bind(slot, [0, 1, 2].map((i) => ({ binding: i, buffer: input.buffers[planes[Math.min(i, planes.length - 1)]!.object]! })).concat(out))
        : pipeline.bind(slot, [out], [0, 1, 2].map((i) => ({ binding: i, view: input.views[Math.min(i, input.views.length - 1)]! })));
      const submission = input.submit((cmd) => {
        const groups: [number, number, number] = vectorised
          ? [Math.ceil(width / 4 / 64), Math.ceil(Math.ceil(height / 2) / 2), 1]
          : [Math.ceil(width / WORKGROUP), Math.ceil(height / WORKGROUP), 1];
        pipeline.recordDispatch(cmd, set, push, groups);
        recordWriteBarrier(this.ctx, cmd, rgba.buffer);
      });
      if (submission) this.slotUse[slot] = submission;
      return { rgba, info, submission };
    } catch (e) {
      if (!target) rgba[Symbol.dispose]();
      throw e;
    }
  }

  [Symbol.dispose](): void {
    for (const s of this.slotUse) s?.wait();
    this.bufferPipeline?.[Symbol.dispose]();
    this.vectorPipeline?.[Symbol.dispose]();
    this.vectorImagePipeline?.[Symbol.dispose]();
    this.imagePipeline?.[Symbol.dispose]();
  }
}
