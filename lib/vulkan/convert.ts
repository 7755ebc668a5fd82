// YCbCr 4:2:0 -> RGBA8 on the GPU, from either import kind, into a GPU buffer of width*height
// packed RGBA8 pixels. The CPU never reads the frame; readBack() is for the edge (PNG, tests).
import { pack, packArray, struct } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import {
  type ChromaFilter,
  type ChromaSiting,
  colorParams,
  colorParamsArray,
  type Matrix,
  matrixOf,
  type Range,
  rangeOf,
  SITING_OFFSETS,
  sitingOf,
} from "../color";
import type { ColorInfo } from "../descriptor";
import { InvalidArgumentError, UseAfterDisposeError, VulkanUnsupportedError } from "../errors";
import { PIXEL_FORMATS, type PixelFormat, type PlanePlan } from "../plan";
import type { VulkanContext } from "./context";
import {
  checkShape,
  chooseDispatch,
  type DispatchChoice,
  type DispatchKey,
  type DispatchShape,
  type Workgroup,
} from "./dispatch";
import { type GpuFrame, submitReadingFrames } from "./import";
import { DeviceImage, GpuBuffer, recordWriteBarrier } from "./memory";
import { type Binding, type BufferWrite, ComputePipeline, type ImageWrite } from "./pipeline";
import { singleSubresource } from "./planes";
import type { Submission } from "./submission";
import { gpuTimeNs } from "./timing";

/** What the converter needs of an imported frame. */
const frameInput = (frame: GpuFrame): ConvertInput => ({
  kind: frame.multiPlanar ? "ycbcr" : frame.kind,
  pixelFormat: frame.pixelFormat,
  width: frame.width,
  height: frame.height,
  planes: frame.planes,
  frames: [{ buffers: frame.buffers.map((b) => b.buffer), views: frame.planeViews }],
});

/** Push constants of shaders/yuv_to_rgba_*.comp (shaders/convert_push.glsl). */
export const ConvertPush = struct("ConvertPush", [
  ["width", "u32"],
  ["height", "u32"],
  ["layoutId", "u32"],
  ["outputFormat", "u32"],
  ["offset0", "u32"],
  ["offset1", "u32"],
  ["offset2", "u32"],
  ["pitch0", "u32"],
  ["pitch1", "u32"],
  ["pitch2", "u32"],
  ["outPitch", "u32"],
  // shaders/chroma.glsl: bit 0 bilinear; bits 8-9 and 16-17 the siting offsets (SITING_OFFSETS).
  ["chroma", "u32"],
  ["color", { array: "f32", count: 8 }],
]);

const LAYOUT_IDS: Partial<Record<PixelFormat, number>> = { NV12: 0, P010: 1, YUV420: 2, YUV420_10: 3 };

type ShaderKind = "buffer" | "buffer-x4" | "buffer-x4-batch" | "image" | "image-x4" | "image-x4-batch" | "ycbcr";
/** The vectorised shaders convert up to this many frames in one dispatch (their BATCH). */
export const MAX_BATCH = 8;
/**
 * Each conversion shader: its SPIR-V, its bindings (3 planes, then the RGBA buffer, `batch`
 * descriptors each), and its workgroup: fixed (pixels a workgroup covers), or set at pipeline
 * creation for the vectorised shaders, whose every thread converts 4x2 pixels (lib/vulkan/dispatch.ts).
 */
const SHADERS: Record<
  ShaderKind,
  { spv: string; planes: Binding["type"]; batch: number; fixedGroup?: Workgroup; vectorised?: "buffer" | "image" }
> = {
  buffer: { spv: "yuv_to_rgba_buffer.spv", planes: "storage-buffer", batch: 1, fixedGroup: [16, 16] },
  "buffer-x4": { spv: "yuv_to_rgba_buffer_x4.spv", planes: "storage-buffer", batch: 1, vectorised: "buffer" },
  "buffer-x4-batch": {
    spv: "yuv_to_rgba_buffer_x4_batch.spv",
    planes: "storage-buffer",
    batch: MAX_BATCH,
    vectorised: "buffer",
  },
  image: { spv: "yuv_to_rgba_image.spv", planes: "sampled-image", batch: 1, fixedGroup: [16, 16] },
  "image-x4": { spv: "yuv_to_rgba_image_x4.spv", planes: "sampled-image", batch: 1, vectorised: "image" },
  "image-x4-batch": {
    spv: "yuv_to_rgba_image_x4_batch.spv",
    planes: "sampled-image",
    batch: MAX_BATCH,
    vectorised: "image",
  },
  // One multi-planar image through its format's YCbCr sampler (the same view in the three plane bindings).
  ycbcr: { spv: "yuv_to_rgba_ycbcr.spv", planes: "sampled-image", batch: 1, fixedGroup: [16, 16] },
};

/** What the converter reads: planes in buffers (by object index), plane image views, or one multi-planar image's YCbCr view. */
type ConvertInput = {
  kind: "buffer" | "image" | "ycbcr";
  pixelFormat: PixelFormat;
  width: number;
  height: number;
  planes: PlanePlan[];
  /** One entry per frame (several only when recorded as a batch): its buffers by object index, or its plane views. */
  frames: { buffers: readonly bigint[]; views: readonly bigint[] }[];
  /** Submit (imported frames also wait for their producer and are handed over); absent: only record. */
  submit?: (record: (cmd: number) => void) => Submission;
};

export type ConversionInfo = {
  matrix: Matrix;
  range: Range;
  bitDepth: number;
  /** How chroma was reconstructed (the YCbCr-sampler path reads the nearest sample whatever was asked). */
  chroma: ChromaFilter;
  /** The chroma siting it was reconstructed at (the frame's chroma location; unspecified: left). */
  siting: ChromaSiting;
  /** The workgroup and batching used, and whether they were measured (lib/vulkan/dispatch.ts). */
  dispatch: DispatchChoice;
};
/** RGBA8: 4 bytes a pixel. RGBA16: 8 bytes a pixel (little-endian 16-bit channels), for 10-bit sources. */
export type OutputFormat = "rgba8" | "rgba16";
export const bytesPerPixel = (f: OutputFormat) => (f === "rgba8" ? 4 : 8);

/** How the per-pixel shaders (YCbCr sampler, 3-plane frames, RGBA16, widths not a multiple of 4) are dispatched. */
const PER_PIXEL_DISPATCH: Record<ConvertInput["kind"], DispatchChoice> = Object.fromEntries(
  (["buffer", "image", "ycbcr"] as const).map((kind) => [
    kind,
    Object.freeze({
      workgroup: SHADERS[kind].fixedGroup!,
      batched: false,
      how: "default",
      why: "the per-pixel shader (YCbCr sampler, 3-plane frames, RGBA16, or a width not a multiple of 4)",
    }),
  ]),
) as Record<ConvertInput["kind"], DispatchChoice>;

/** Scratch frames and per-shape converters timing the dispatch candidates (Converter.dispatchScratch). */
type DispatchScratch = Disposable & { time: (shape: DispatchShape, reps: number) => number };

/**
 * Dispatches that may be in flight at once (descriptor sets per pipeline): batches of planar
 * frames take one a frame, and a pipeline keeps several batches in flight.
 */
const DESCRIPTOR_SLOTS = 32;

export class Converter implements Disposable {
  /** By shader kind (and, for "ycbcr", the frame's Vulkan format: its sampler is part of the pipeline). */
  private readonly pipelines = new Map<string, ComputePipeline>();
  private slot = 0;
  private readonly slotUse: (Submission | undefined)[] = [];
  private closed = false;

  /**
   * `chroma`: bilinear (the default) reconstructs each pixel's chroma from the two nearest samples
   * each way at the frame's siting, as libplacebo, FFmpeg's scale_vulkan and GStreamer do; nearest
   * takes sample (x/2, y/2), bit-exact with libswscale's point scaler.
   * `dispatch`: "measure" (the default) times the vectorised shaders' workgroup shapes, and for
   * batches one dispatch against one a frame, the first time this process converts a frame size,
   * format and import kind on the driver, and uses the fastest (lib/vulkan/dispatch.ts); or a
   * shape to use everywhere (benchmarks, tests).
   */
  constructor(
    readonly ctx: VulkanContext,
    options: { chroma?: ChromaFilter; dispatch?: "measure" | DispatchShape } = {},
  ) {
    const chroma = options.chroma ?? "bilinear";
    if (chroma !== "bilinear" && chroma !== "nearest")
      throw new InvalidArgumentError("chroma", `${String(chroma)}; use "bilinear" or "nearest"`);
    this.chroma = chroma;
    const dispatch = options.dispatch ?? "measure";
    if (dispatch !== "measure") {
      if (typeof dispatch !== "object" || dispatch === null)
        throw new InvalidArgumentError(
          "dispatch",
          `${String(dispatch)}; use "measure" or { workgroup: [x, y], batched }`,
        );
      checkShape(ctx, dispatch);
      this.givenShape = { workgroup: [dispatch.workgroup[0], dispatch.workgroup[1]], batched: dispatch.batched };
    }
  }

  /** How this converter reconstructs chroma. */
  readonly chroma: ChromaFilter;
  /** The dispatch shape given at construction, instead of measuring. */
  private readonly givenShape?: DispatchShape;
  /** The choice for each kind of frame this converter has met (the driver's table answers the first time). */
  private readonly dispatchChoices = new Map<string, DispatchChoice>();

  private pipeline(kind: ShaderKind, pixelFormat: PixelFormat, workgroup: Workgroup): ComputePipeline {
    const ycbcrFormat = kind === "ycbcr" ? PIXEL_FORMATS[pixelFormat].vkFormat : undefined;
    const key = `${ycbcrFormat ? `${kind}:${ycbcrFormat}` : kind} ${workgroup.join("x")}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      const { spv, planes, batch } = SHADERS[kind];
      const plane: Binding = {
        type: planes,
        count: batch,
        sampler: ycbcrFormat ? this.ctx.ycbcr.get(ycbcrFormat).sampler : undefined,
      };
      pipeline = new ComputePipeline(
        this.ctx,
        spv,
        [plane, plane, plane, { type: "storage-buffer", count: batch }],
        ConvertPush.size,
        DESCRIPTOR_SLOTS,
        SHADERS[kind].vectorised ? [...workgroup] : [],
      );
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  /** A GPU buffer big enough for `width x height` pixels of `output`. */
  allocateRgba(width: number, height: number, output: OutputFormat = "rgba8"): GpuBuffer {
    if (this.closed) throw new UseAfterDisposeError("Converter", "Converter.allocateRgba");
    if (![width, height].every((n) => Number.isSafeInteger(n) && n > 0))
      throw new InvalidArgumentError("RGBA size", `${width}x${height} is not a positive integer size`);
    if (output !== "rgba8" && output !== "rgba16")
      throw new InvalidArgumentError("output format", `${String(output)}; use "rgba8" or "rgba16"`);
    return new GpuBuffer(
      this.ctx,
      width * height * bytesPerPixel(output),
      vk.BufferUsage.STORAGE | vk.BufferUsage.TRANSFER_SRC,
      "device",
    );
  }

  /** Convert an imported frame into `target` (allocated when not given) and wait for the GPU. */
  toRgba(
    frame: GpuFrame,
    color: ColorInfo,
    target?: GpuBuffer,
    output: OutputFormat = "rgba8",
  ): { rgba: GpuBuffer; info: ConversionInfo } {
    const { submission, ...result } = this.toRgbaAsync(frame, color, target, output);
    submission[Symbol.dispose]();
    return result;
  }

  /**
   * As toRgba, without waiting: the GPU works while the caller decodes the next frame. Keep the
   * frame, its decoded frame and `target` alive until the submission is done, then dispose it.
   */
  toRgbaAsync(
    frame: GpuFrame,
    color: ColorInfo,
    target?: GpuBuffer,
    output: OutputFormat = "rgba8",
  ): { rgba: GpuBuffer; info: ConversionInfo; submission: Submission } {
    return this.convert(
      {
        ...frameInput(frame),
        submit: (record) => frame.submitReadingAsync(record),
      },
      color,
      target,
      output,
    );
  }

  /** Convert frame planes that live in plain buffers of this device (e.g. a staging upload's target), without waiting. */
  toRgbaFromBuffersAsync(
    buffers: bigint[],
    planes: PlanePlan[],
    pixelFormat: PixelFormat,
    width: number,
    height: number,
    color: ColorInfo,
    target?: GpuBuffer,
    output: OutputFormat = "rgba8",
  ) {
    return this.convert(
      {
        kind: "buffer",
        pixelFormat,
        width,
        height,
        planes,
        frames: [{ buffers, views: [] }],
        submit: (record) => this.ctx.submit(record),
      },
      color,
      target,
      output,
    );
  }

  /** The next descriptor-set slot, once the GPU has finished with its last use. */
  private nextSlot(): number {
    const slot = this.slot;
    this.slot = (slot + 1) % DESCRIPTOR_SLOTS;
    this.slotUse[slot]?.wait();
    return slot;
  }

  /**
   * Bind one conversion of `frame` into `target` and return what records its dispatch, to record
   * many back to back in one command buffer (up to 32 per command buffer: each holds one of the
   * converter's descriptor sets until it is submitted). The frame must have been acquired
   * (frame.recordAcquire) in the same submission. Only the dispatch is recorded: put a compute
   * barrier between conversions that reuse a target, and one recordWriteBarrier(target) before
   * the target is copied or read (on the H100 a barrier towards host and transfer after every
   * 1080p conversion cost a fifth of its speed).
   */
  recordToRgba(
    frame: GpuFrame,
    color: ColorInfo,
    target: GpuBuffer,
    output: OutputFormat = "rgba8",
  ): (cmd: number) => void {
    const input = frameInput(frame);
    return this.convertOrRecord(input, color, [target], output, this.dispatchChoice(input, output, 1)).recordDispatch;
  }

  /**
   * As recordToRgba for several frames of one size, format, import kind and plane layout (frames
   * of one decoder), frames[i] into targets[i]: up to MAX_BATCH of them in one dispatch where the
   * vectorised shaders apply and the converter measured that faster (a 1080p frame alone fills
   * about one wave of an H100, so its start and tail cost a share of its time), else one dispatch
   * each. `info.dispatch` says which.
   */
  recordToRgbaBatch(
    frames: GpuFrame[],
    color: ColorInfo,
    targets: GpuBuffer[],
  ): { record: (cmd: number) => void; info: ConversionInfo } {
    const { record, info } = this.recordBatch(frames, color, targets);
    return { record, info };
  }

  /**
   * Convert several frames of one decoder into RGBA8 targets[i] with one submission (a dispatch
   * per MAX_BATCH frames where the vectorised shaders apply), without waiting: the submit and its
   * bookkeeping are paid once for the batch. Keep the frames and targets until the submission is done.
   */
  toRgbaBatchAsync(
    frames: GpuFrame[],
    color: ColorInfo,
    targets: GpuBuffer[],
  ): { info: ConversionInfo; submission: Submission } {
    const { record, slots, info } = this.recordBatch(frames, color, targets);
    const submission = submitReadingFrames(frames, (cmd) => {
      record(cmd);
      for (const t of targets) recordWriteBarrier(this.ctx, cmd, t.buffer);
    });
    for (const slot of slots) this.slotUse[slot] = submission;
    for (const t of targets) t.track(submission);
    return { info, submission };
  }

  private recordBatch(
    frames: GpuFrame[],
    color: ColorInfo,
    targets: GpuBuffer[],
  ): { record: (cmd: number) => void; slots: number[]; info: ConversionInfo } {
    if (!frames.length || frames.length !== targets.length)
      throw new InvalidArgumentError(
        "batch",
        `give one target per frame (got ${frames.length} frames, ${targets.length} targets)`,
      );
    const first = frameInput(frames[0]!);
    const key = (f: GpuFrame) => JSON.stringify([f.kind, f.pixelFormat, f.width, f.height, f.planes]);
    const firstKey = key(frames[0]!);
    const odd = frames.find((f) => key(f) !== firstKey);
    if (odd)
      throw new InvalidArgumentError(
        "batch",
        `its frames must share size, format, import kind and plane layout: ${key(odd)} differs from ${firstKey}`,
      );
    // Without descriptor arrays indexed per workgroup, a batch is one dispatch a frame.
    const together = this.ctx.frameArrays ? Math.min(frames.length, MAX_BATCH) : 1;
    const choice = this.dispatchChoice(first, "rgba8", together);
    const perDispatch = choice.batched ? MAX_BATCH : 1;
    // Each dispatch holds a descriptor set until the command buffer is submitted and done.
    const dispatches = Math.ceil(frames.length / perDispatch);
    if (dispatches > DESCRIPTOR_SLOTS)
      throw new InvalidArgumentError(
        "batch",
        `${frames.length} frames need ${dispatches} dispatches here; record at most ${DESCRIPTOR_SLOTS * perDispatch} frames per command buffer`,
      );
    const records: ((cmd: number) => void)[] = [];
    const slots: number[] = [];
    let info: ConversionInfo | undefined;
    for (let i = 0; i < frames.length; i += perDispatch) {
      const chunk = frames.slice(i, i + perDispatch).map(frameInput);
      const r = this.convertOrRecord(
        { ...first, frames: chunk.flatMap((c) => c.frames) },
        color,
        targets.slice(i, i + perDispatch),
        "rgba8",
        choice,
      );
      records.push(r.recordDispatch);
      slots.push(r.slot);
      info = r.info;
    }
    return {
      record: (cmd) => {
        for (const record of records) record(cmd);
      },
      slots,
      info: info!,
    };
  }

  /** NV12/P010 to RGBA8 at a width of whole 4-pixel groups (and, in buffers, word-aligned planes) takes the vectorised shaders. */
  private vectorised(
    input: Pick<ConvertInput, "kind" | "pixelFormat" | "width" | "planes">,
    output: OutputFormat,
  ): boolean {
    return (
      input.kind !== "ycbcr" &&
      output === "rgba8" &&
      (input.pixelFormat === "NV12" || input.pixelFormat === "P010") &&
      input.width % 4 === 0 &&
      (input.kind === "image" || input.planes.slice(0, 2).every((p) => p.offset % 4 === 0 && p.pitch % 4 === 0))
    );
  }

  /**
   * How `frames` frames like `input` are dispatched: given at construction, measured (once per
   * process and driver for each size, format, import kind and batch), or the per-pixel shaders'
   * fixed workgroup where the vectorised ones do not apply.
   */
  private dispatchChoice(input: ConvertInput, output: OutputFormat, frames: number): DispatchChoice {
    if (input.kind === "ycbcr" || !this.vectorised(input, output)) return PER_PIXEL_DISPATCH[input.kind];
    if (this.givenShape) return { ...this.givenShape, batched: this.givenShape.batched && frames > 1, how: "given" };
    // Looked up once per kind of frame: every conversion asks.
    const memo = `${input.kind} ${input.pixelFormat} ${input.width}x${input.height} ${frames}`;
    const known = this.dispatchChoices.get(memo);
    if (known) return known;
    const key: DispatchKey = {
      kind: input.kind,
      pixelFormat: input.pixelFormat,
      width: input.width,
      height: input.height,
      chroma: this.chroma,
      frames,
    };
    let scratch: DispatchScratch | undefined;
    try {
      const choice = chooseDispatch(this.ctx, key, (shape, reps) => {
        scratch ??= this.dispatchScratch(key);
        return scratch.time(shape, reps);
      });
      this.dispatchChoices.set(memo, choice);
      return choice;
    } finally {
      scratch?.[Symbol.dispose]();
    }
  }

  /**
   * Scratch frames of `key`'s kind in device memory and a converter per candidate shape (its own
   * descriptor sets, so what the caller has recorded but not submitted is untouched), to time
   * `reps` conversions of key.frames frames with each shape.
   */
  private dispatchScratch(key: DispatchKey): DispatchScratch {
    const { ctx } = this;
    const { width, height, pixelFormat } = key;
    const owned: Disposable[] = [];
    const converters = new Map<string, (cmd: number) => void>();
    try {
      const bytesPerSample = PIXEL_FORMATS[pixelFormat].bitDepth > 8 ? 2 : 1;
      const pitch = Math.ceil((width * bytesPerSample) / 256) * 256;
      const chromaSize: [number, number] = [Math.ceil(width / 2), Math.ceil(height / 2)];
      const planes: PlanePlan[] = [
        { object: 0, offset: 0, pitch },
        { object: 0, offset: pitch * height, pitch },
      ];
      const frames: ConvertInput["frames"] = [];
      const images: DeviceImage[] = [];
      for (let f = 0; f < key.frames; f++) {
        if (key.kind === "buffer") {
          const buffer = new GpuBuffer(ctx, pitch * (height + chromaSize[1]), vk.BufferUsage.STORAGE, "device");
          owned.push(buffer);
          frames.push({ buffers: [buffer.buffer], views: [] });
        } else {
          const [luma, chroma] = PIXEL_FORMATS[pixelFormat].planes.map((p) => p.imageFormat as vk.VkFormatName);
          const planeImages = [
            new DeviceImage(ctx, luma!, width, height, vk.ImageUsage.SAMPLED, true),
            new DeviceImage(ctx, chroma!, ...chromaSize, vk.ImageUsage.SAMPLED, true),
          ];
          owned.push(...planeImages);
          images.push(...planeImages);
          frames.push({ buffers: [], views: planeImages.map((i) => i.view) });
        }
      }
      if (images.length)
        ctx.submitAndWait((cmd) => {
          const barriers = packArray(
            vk.VkImageMemoryBarrier,
            images.map((i) => ({
              sType: vk.SType.IMAGE_MEMORY_BARRIER,
              dstAccessMask: vk.Access.SHADER_READ,
              srcQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED,
              dstQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED,
              oldLayout: vk.ImageLayout.UNDEFINED,
              newLayout: vk.ImageLayout.GENERAL,
              image: i.image,
              subresourceRange: singleSubresource(vk.ImageAspect.COLOR),
            })),
          );
          ctx.dev.vkCmdPipelineBarrier(
            cmd,
            vk.PipelineStage.TOP_OF_PIPE,
            vk.PipelineStage.COMPUTE_SHADER,
            0,
            0,
            null,
            0,
            null,
            images.length,
            barriers,
          );
        });
      const targets = frames.map(() => this.allocateRgba(width, height));
      owned.push(...targets);
      const input: ConvertInput = { kind: key.kind, pixelFormat, width, height, planes, frames };
      // BT.709 limited, left-sited: the common case (the siting decides which chroma rows are read).
      const color = { colorspace: 1, colorRange: 1, colorPrimaries: 1, colorTrc: 1, chromaLocation: 1 };
      const recordFor = (shape: DispatchShape): ((cmd: number) => void) => {
        const name = JSON.stringify(shape);
        let record = converters.get(name);
        if (!record) {
          const conv = new Converter(ctx, { chroma: this.chroma, dispatch: shape });
          owned.push(conv);
          const choice: DispatchChoice = { ...shape, how: "given" };
          const records = shape.batched
            ? [conv.convertOrRecord(input, color, targets, "rgba8", choice).recordDispatch]
            : frames.map(
                (frame, i) =>
                  conv.convertOrRecord({ ...input, frames: [frame] }, color, [targets[i]], "rgba8", choice)
                    .recordDispatch,
              );
          record = (cmd) => {
            for (const r of records) r(cmd);
          };
          converters.set(name, record);
        }
        return record;
      };
      return {
        time: (shape, reps) => gpuTimeNs(ctx, reps, recordFor(shape)),
        [Symbol.dispose]: () => {
          for (const o of owned.reverse()) o[Symbol.dispose]();
        },
      };
    } catch (e) {
      for (const o of owned.reverse()) o[Symbol.dispose]();
      throw e;
    }
  }

  private convert(
    input: ConvertInput,
    color: ColorInfo,
    target: GpuBuffer | undefined,
    output: OutputFormat,
  ): { rgba: GpuBuffer; info: ConversionInfo; submission: Submission } {
    const { rgba, info, submission } = this.convertOrRecord(
      input,
      color,
      [target],
      output,
      this.dispatchChoice(input, output, 1),
    );
    return { rgba: rgba[0]!, info, submission: submission! };
  }

  /**
   * Bind and record (and, given input.submit, submit) one dispatch converting input.frames[i] into
   * targets[i] (allocated where undefined), dispatched as `dispatch` says.
   */
  private convertOrRecord(
    input: ConvertInput,
    color: ColorInfo,
    targets: (GpuBuffer | undefined)[],
    output: OutputFormat,
    dispatch: DispatchChoice,
  ): {
    rgba: GpuBuffer[];
    info: ConversionInfo;
    recordDispatch: (cmd: number) => void;
    submission?: Submission | undefined;
    slot: number;
  } {
    if (this.closed) throw new UseAfterDisposeError("Converter", "Converter.toRgba");
    const foreign = targets.find((t) => t && t.ctx !== this.ctx);
    if (foreign)
      throw new InvalidArgumentError(
        "conversion target",
        "the buffer belongs to another VulkanContext than the converter's; allocate it with this converter (allocateRgba)",
      );
    const { width, height, planes } = input;
    const layoutId = LAYOUT_IDS[input.pixelFormat];
    if (layoutId === undefined)
      throw new VulkanUnsupportedError(
        `no RGBA conversion for ${input.pixelFormat}; the converter reads NV12, P010, YUV420 and YUV420_10`,
      );
    const siting = sitingOf(color);
    const info: ConversionInfo = {
      matrix: matrixOf(color, height),
      range: rangeOf(color),
      bitDepth: PIXEL_FORMATS[input.pixelFormat].bitDepth,
      chroma: input.kind === "ycbcr" ? "nearest" : this.chroma,
      siting,
      dispatch,
    };
    const [sitingX, sitingY] = SITING_OFFSETS[siting];
    const needed = width * height * bytesPerPixel(output);
    const small = targets.find((t) => t && t.size < needed);
    if (small)
      throw new InvalidArgumentError(
        "conversion target",
        `the buffer holds ${small.size} bytes; ${width}x${height} ${output} needs ${needed}: allocate it with allocateRgba(${width}, ${height}, "${output}")`,
      );
    const rgba = targets.map((t) => t ?? this.allocateRgba(width, height, output));
    try {
      const push = pack(ConvertPush, {
        width,
        height,
        layoutId,
        outputFormat: output === "rgba8" ? 0 : 1,
        outPitch: width,
        offset0: planes[0]?.offset ?? 0,
        offset1: planes[1]?.offset ?? 0,
        offset2: planes[2]?.offset ?? 0,
        pitch0: planes[0]?.pitch ?? 0,
        pitch1: planes[1]?.pitch ?? 0,
        pitch2: planes[2]?.pitch ?? 0,
        chroma: (info.chroma === "bilinear" ? 1 : 0) | (sitingX << 8) | (sitingY << 16),
        color: colorParamsArray(colorParams(info.matrix, info.range, info.bitDepth)),
      });
      const kind: ShaderKind =
        input.kind === "ycbcr" || !this.vectorised(input, output)
          ? input.kind
          : `${input.kind}-x4${input.frames.length > 1 ? "-batch" : ""}`;
      const { batch, fixedGroup } = SHADERS[kind];
      // The vectorised shaders' threads convert 4x2 pixels each.
      const [groupWidth, groupHeight] = fixedGroup ?? [dispatch.workgroup[0] * 4, dispatch.workgroup[1] * 2];
      if (input.frames.length > batch)
        throw new InvalidArgumentError(
          "batch",
          `${kind} converts up to ${batch} frame(s) a dispatch, not ${input.frames.length}`,
        );
      const pipeline = this.pipeline(kind, input.pixelFormat, fixedGroup ?? dispatch.workgroup);
      // Every array element is written; those past the batch repeat its first frame (never read).
      const bufferWrites: BufferWrite[] = [],
        imageWrites: ImageWrite[] = [];
      for (let element = 0; element < batch; element++) {
        const frame = input.frames[element] ?? input.frames[0]!;
        bufferWrites.push({ binding: 3, element, buffer: (rgba[element] ?? rgba[0]!).buffer });
        for (let i = 0; i < 3; i++) {
          if (input.kind === "buffer")
            bufferWrites.push({
              binding: i,
              element,
              buffer: frame.buffers[planes[Math.min(i, planes.length - 1)]!.object]!,
            });
          else imageWrites.push({ binding: i, element, view: frame.views[Math.min(i, frame.views.length - 1)]! });
        }
      }
      const slot = this.nextSlot();
      const set = pipeline.bind(slot, bufferWrites, imageWrites);
      const groups: [number, number, number] = [
        Math.ceil(width / groupWidth),
        Math.ceil(height / groupHeight),
        input.frames.length,
      ];
      const recordDispatch = (cmd: number) => pipeline.recordDispatch(cmd, set, push, groups);
      const submission = input.submit?.((cmd) => {
        recordDispatch(cmd);
        for (const t of rgba) recordWriteBarrier(this.ctx, cmd, t.buffer);
      });
      if (submission) {
        this.slotUse[slot] = submission;
        // Disposing a target while this still writes it waits for it.
        for (const t of rgba) t.track(submission);
      }
      return { rgba, info, recordDispatch, submission, slot };
    } catch (e) {
      rgba.forEach((t, i) => {
        if (!targets[i]) t[Symbol.dispose]();
      });
      throw e;
    }
  }

  [Symbol.dispose](): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slotUse) s?.wait();
    this.slotUse.length = 0;
    for (const p of this.pipelines.values()) p[Symbol.dispose]();
  }
}
