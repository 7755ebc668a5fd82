// Frames libav decoded with Vulkan Video on this context's own device, read where they are: no
// export, no import, no copy. Each read follows libav's AVVkFrame contract (hwcontext_vulkan.h):
// lock the frame, wait for its timeline semaphore at sem_value, signal sem_value + 1 when done, and
// write back that value and the layout, access and queue family the work left it in, then unlock;
// FFmpeg's own Vulkan filters do the same (ff_vk_exec_add_dep / ff_vk_exec_submit).
import { type Pointer, read, FFIType as T, toArrayBuffer } from "bun:ffi";
import { type AvFieldTable, libavutil } from "../../ffi/libav";
import { pack } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { InvalidArgumentError, UseAfterDisposeError, VulkanUnsupportedError } from "../errors";
import { PIXEL_FORMATS, type PixelFormat, type PlanePlan } from "../plan";
import { reclaimer } from "../reclaim";
import type { VulkanFrameRef } from "../sources/decoder";
import { libavCallback } from "../sources/libav";
import { checkVk, type VulkanContext } from "./context";
import { type FrameAcquisition, type GpuFrame, type ImportedBuffer, submitReadingFrames } from "./import";
import { readU64 } from "./instance";
import { singleSubresource } from "./planes";
import { type HeldByGpuWork, releaseAfterWork, type Submission, trackWork } from "./submission";

/** The plane view formats of each pool format: the R16 views read P010's 10 bits in the high bits, as the buffer path does. */
const PLANE_VIEW_FORMATS: Partial<Record<PixelFormat, [vk.VkFormatName, vk.VkFormatName]>> = {
  NV12: ["R8_UNORM", "R8G8_UNORM"],
  P010: ["R16_UNORM", "R16G16_UNORM"],
};

/** What a VulkanVideoImages owns: the plane views of each pool image, and a reference on the frames context. */
type PoolHandles = HeldByGpuWork & {
  /** Plane views by VkImage. */
  views: Map<bigint, bigint[]>;
  /** Our AVBufferRef on the frames context: its pool's images live while it is held. */
  framesRef: number;
};

function releasePool(h: PoolHandles): void {
  releaseAfterWork(h, () => {
    for (const views of h.views.values()) for (const v of views) h.ctx.dev.vkDestroyImageView(h.ctx.device, v, null);
    h.views.clear();
    libavutil().av_buffer_unref(new BigUint64Array([BigInt(h.framesRef)]));
  });
}

const poolReclaimer = reclaimer<PoolHandles>("imports", releasePool);

/** The AVVkFrame fields a read touches, and how wide access[] is (4 bytes to 8.x, 8 from 9.0). */
function frameFields(fields: AvFieldTable) {
  const K = fields.AVVkFrame;
  if (
    K.img === undefined ||
    K.layout === undefined ||
    K.access === undefined ||
    K.sem === undefined ||
    K.sem_value === undefined
  )
    throw new VulkanUnsupportedError("this libav's AVVkFrame is older than FFmpeg 7.1's");
  return {
    img: K.img,
    layout: K.layout,
    access: K.access,
    accessBytes: (K.layout - K.access) / 8,
    sem: K.sem,
    semValue: K.sem_value,
  };
}
type FrameFields = ReturnType<typeof frameFields>;

type FrameLock = (framesCtx: number, vkFrame: number) => void;
const lockFns = new Map<number, FrameLock>();
/** lock_frame / unlock_frame of a frames context (AVVulkanFramesContext), callable from JS; one per address. */
function frameLock(address: number): FrameLock {
  let fn = lockFns.get(address);
  if (!fn) lockFns.set(address, (fn = libavCallback(address, [T.ptr, T.ptr])));
  return fn;
}

/**
 * The plane views of the images of libav's Vulkan frame pool, made once per image and kept (as the
 * import cache keeps imports), for the frames context the decoder uses now. Owns those views and a
 * reference on that frames context; holds the VulkanContext. A new frames context (the decoder
 * re-initialised: a new size) retires the old views once the GPU work reading them is done.
 */
export class VulkanVideoImages implements Disposable {
  private pool?: PoolHandles | undefined;
  private framesCtx = 0;
  private lock?: { lock: FrameLock; unlock: FrameLock };
  private readonly frames = new WeakMap<object, VulkanVideoFrame>();
  private counts = { views: 0, hits: 0 };

  /** Where the AVVkFrame fields are in this libav (checked once: every frame reads them). */
  private readonly K: FrameFields;

  constructor(
    readonly ctx: VulkanContext,
    private readonly fields: AvFieldTable,
  ) {
    this.K = frameFields(fields);
    ctx.retain("VulkanVideoImages");
  }

  /** Images whose views were made, and reads that found them made. */
  get stats(): { images: number; hits: number } {
    return { images: this.counts.views, hits: this.counts.hits };
  }

  /** The GPU-side view of a decoded frame (`owner`: the DecodedFrame it belongs to; one view object per frame). */
  frame(
    owner: { readonly disposed: boolean },
    ref: VulkanFrameRef,
    width: number,
    height: number,
  ): { frame: VulkanVideoFrame; hit: boolean } {
    const known = this.frames.get(owner);
    if (known) return { frame: known, hit: true };
    const pool = this.poolFor(ref);
    const K = this.K;
    const image = read.u64(ref.vkFrame as Pointer, K.img);
    if (read.u64(ref.vkFrame as Pointer, K.img + 8) !== 0n)
      throw new VulkanUnsupportedError(
        "libav decoded into one image per plane (AV_VK_FRAME_FLAG_DISABLE_MULTIPLANE); the vulkan source reads multi-planar images",
      );
    let views = pool.views.get(image);
    const hit = views !== undefined;
    if (!views) {
      views = this.makeViews(image, ref.pixelFormat);
      pool.views.set(image, views);
      this.counts.views++;
    } else this.counts.hits++;
    const frame = new VulkanVideoFrame(this.ctx, owner, ref, views, width, height, pool, this.lock!, K);
    this.frames.set(owner, frame);
    return { frame, hit };
  }

  /** The pool of `ref`'s frames context, retiring the previous one's views. */
  private poolFor(ref: VulkanFrameRef): PoolHandles {
    if (this.pool && this.framesCtx === ref.framesCtx) return this.pool;
    if (this.pool) {
      poolReclaimer.unregister(this);
      releasePool(this.pool);
      this.ctx.retain("VulkanVideoImages");
    }
    const hwctx = Number(read.u64(ref.framesCtx as Pointer, this.fields.AVHWFramesContext.hwctx));
    const F = this.fields.AVVulkanFramesContext;
    this.lock = {
      lock: frameLock(Number(read.u64(hwctx as Pointer, F.lock_frame!))),
      unlock: frameLock(Number(read.u64(hwctx as Pointer, F.unlock_frame!))),
    };
    this.framesCtx = ref.framesCtx;
    this.pool = {
      ctx: this.ctx,
      pending: [],
      released: false,
      views: new Map(),
      framesRef: libavutil().av_buffer_ref(ref.framesRef) as number,
    };
    poolReclaimer.register(this, this.pool, this);
    return this.pool;
  }

  /** One sampled view per plane of a multi-planar pool image (it was made with MUTABLE_FORMAT and EXTENDED_USAGE). */
  private makeViews(image: bigint, pixelFormat: PixelFormat): bigint[] {
    const formats = PLANE_VIEW_FORMATS[pixelFormat];
    if (!formats) throw new VulkanUnsupportedError(`no plane views for ${pixelFormat} Vulkan Video frames`);
    const views: bigint[] = [];
    const out = Buffer.alloc(8);
    try {
      formats.forEach((format, plane) => {
        // The image also has video decode usage, which a plane's format cannot have: the view asks for sampling only.
        const usage = pack(vk.VkImageViewUsageCreateInfo, {
          sType: vk.SType.IMAGE_VIEW_USAGE_CREATE_INFO,
          usage: vk.ImageUsage.SAMPLED,
        });
        const info = pack(vk.VkImageViewCreateInfo, {
          sType: vk.SType.IMAGE_VIEW_CREATE_INFO,
          pNext: usage,
          image,
          viewType: 1 /* 2D */,
          format: vk.VkFormat[format],
          subresourceRange: singleSubresource(plane === 0 ? vk.ImageAspect.PLANE_0 : vk.ImageAspect.PLANE_1),
        });
        checkVk(this.ctx.dev.vkCreateImageView(this.ctx.device, info, null, out), "vkCreateImageView");
        views.push(readU64(out));
      });
    } catch (e) {
      for (const v of views) this.ctx.dev.vkDestroyImageView(this.ctx.device, v, null);
      throw e;
    }
    return views;
  }

  [Symbol.dispose](): void {
    if (this.pool) {
      poolReclaimer.unregister(this);
      releasePool(this.pool);
      this.pool = undefined;
    } else if (this.framesCtx !== -1) this.ctx.release();
    this.framesCtx = -1;
  }
}

/**
 * A frame libav decoded into a pool image of this device, as GPU work reads it. Holds nothing of
 * its own: the views are its VulkanVideoImages', the image libav's (its DecodedFrame keeps it).
 */
export class VulkanVideoFrame implements GpuFrame {
  readonly kind = "image" as const;
  readonly multiPlanar = false;
  readonly multiPlanarFormat = "";
  readonly buffers: readonly ImportedBuffer[] = [];
  readonly syncMode = "timeline" as const;
  readonly pixelFormat: PixelFormat;
  readonly planes: PlanePlan[];
  private locked = false;
  /** The barrier recordAcquire records, packed in acquire() from the layout libav left the image in. */
  private barrier?: Buffer;

  constructor(
    readonly ctx: VulkanContext,
    /** The DecodedFrame it shows: once that is disposed, its image may be decoding another picture. */
    private readonly owner: { readonly disposed: boolean },
    private readonly ref: VulkanFrameRef,
    private readonly views: readonly bigint[],
    readonly width: number,
    readonly height: number,
    private readonly pool: PoolHandles,
    private readonly frameLock: { lock: FrameLock; unlock: FrameLock },
    private readonly K: FrameFields,
  ) {
    this.pixelFormat = ref.pixelFormat;
    this.planes = PIXEL_FORMATS[ref.pixelFormat].planes.map(() => ({ object: 0, offset: 0, pitch: 0 }));
  }

  get bitDepth(): number {
    return PIXEL_FORMATS[this.pixelFormat].bitDepth;
  }

  /** USE_AFTER_DISPOSE once its frame went back to libav's pool, or its views with their Video. */
  private live(call: string): void {
    if (this.owner.disposed || this.pool.released)
      throw new UseAfterDisposeError(
        "VulkanVideoFrame",
        call,
        this.pool.released
          ? "its Video was disposed"
          : "its decoded frame was disposed, and its image went back to libav",
      );
  }

  get planeViews(): readonly bigint[] {
    this.live("VulkanVideoFrame.planeViews");
    return this.views;
  }

  /**
   * Lock the frame and read where libav left it: the submission waits for its timeline semaphore at
   * sem_value and signals sem_value + 1; once submitted, that value and the GENERAL layout are
   * written back, and the frame is unlocked (submitted or not).
   */
  acquire(): FrameAcquisition {
    this.live("VulkanVideoFrame.acquire");
    if (this.locked)
      throw new InvalidArgumentError("frames", "the same frame twice in one submission; give each frame once");
    const { vkFrame, framesCtx } = this.ref;
    this.frameLock.lock(framesCtx, vkFrame);
    this.locked = true;
    const f = vkFrame as Pointer;
    const semaphore = read.u64(f, this.K.sem);
    const value = read.u64(f, this.K.semValue);
    const layout = read.i32(f, this.K.layout);
    this.barrier = pack(vk.VkImageMemoryBarrier, {
      sType: vk.SType.IMAGE_MEMORY_BARRIER,
      srcAccessMask: 0,
      dstAccessMask: vk.Access.SHADER_READ | vk.Access.TRANSFER_READ,
      oldLayout: layout,
      newLayout: vk.ImageLayout.GENERAL,
      // The pool's images are shared CONCURRENT between libav's queue families and ours: no ownership transfer.
      srcQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED,
      dstQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED,
      image: read.u64(f, this.K.img),
      subresourceRange: singleSubresource(vk.ImageAspect.COLOR),
    });
    return {
      semaphores: [],
      timeline: { waits: [{ semaphore, value }], signals: [{ semaphore, value: value + 1n }] },
      settle: (submitted) => {
        if (submitted) {
          const bytes = (offset: number, size: number) => toArrayBuffer(f, offset, size);
          new BigUint64Array(bytes(this.K.semValue, 8))[0] = value + 1n;
          new Int32Array(bytes(this.K.layout, 4))[0] = vk.ImageLayout.GENERAL;
          const access = vk.Access.SHADER_READ | vk.Access.TRANSFER_READ;
          if (this.K.accessBytes === 8) new BigUint64Array(bytes(this.K.access, 8))[0] = BigInt(access);
          else new Uint32Array(bytes(this.K.access, 4))[0] = access;
        }
        this.locked = false;
        this.frameLock.unlock(framesCtx, vkFrame);
      },
    };
  }

  recordAcquire(cmd: number): void {
    this.ctx.dev.vkCmdPipelineBarrier(
      cmd,
      vk.PipelineStage.ALL_COMMANDS,
      vk.PipelineStage.COMPUTE_SHADER | vk.PipelineStage.TRANSFER,
      0,
      0,
      null,
      0,
      null,
      1,
      this.barrier!,
    );
  }

  /** Nothing to hand back: libav takes the frame from the layout written back in acquire's settle. */
  recordRelease(_cmd: number): void {}

  track(submission: Submission): void {
    this.live("VulkanVideoFrame.track");
    trackWork(this.pool, submission);
  }

  submitReading(record: (cmd: number) => void): void {
    using submission = this.submitReadingAsync(record);
    submission.wait();
  }

  submitReadingAsync(record: (cmd: number) => void): Submission {
    this.live("VulkanVideoFrame.submitReading");
    return submitReadingFrames([this], record);
  }
}
