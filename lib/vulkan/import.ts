// importDmabuf: run an ImportPlan. No frame byte is touched by the CPU: Vulkan memory is imported
// from (a dup of) each object's fd and aliases the producer's pages.
//
// fd ownership: the caller's fds stay the caller's, and may be closed as soon as importDmabuf
// returns (a VAAPI export's fds die with its frame). Each memory import dup()s the fd it hands
// Vulkan; after a successful vkAllocateMemory Vulkan owns that dup (closed by vkFreeMemory); when
// the allocation fails the importer closes it. The ImportedFrame also keeps one F_DUPFD_CLOEXEC dup
// per object for its whole life, to wait on the producer's fences through (see `acquire`).
import { F_DUPFD_CLOEXEC, libc, MAP_FAILED, MAP_SHARED, PROT_READ, PROT_WRITE } from "../../ffi/libc";
import { pack, packArray } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { type DrmFrameDescriptor, parseDescriptor } from "../descriptor";
import { DmabufImportError, UseAfterDisposeError, VaapiVkError } from "../errors";
import {
  type ImageLayoutChoice,
  type ImportPlan,
  PIXEL_FORMATS,
  type PixelFormat,
  type PlaneImagePlan,
  type PlanePlan,
  pixelFormatOf,
  planImport,
} from "../plan";
import { reclaimer } from "../reclaim";
import { checkVk, type HandleType, handleTypeBit, type SubmitSync, type VulkanContext } from "./context";
import { bufferRequirements, imageRequirements, type MemoryRequirements } from "./memory";
import { resolveObjects } from "./objects";
import { DEFAULT_IMAGE_USES, type ImageUse, imageUsageBits, singleSubresource } from "./planes";
import { type HeldByGpuWork, releaseAfterWork, type Submission, trackWork } from "./submission";
import { type SyncMode, waitForProducer } from "./sync";

export type ImportOptions = {
  /** dma-buf for real dmabufs; opaque-fd for memory exported by another Vulkan/CUDA allocation. */
  handleType?: HandleType | undefined;
  /** A plan made earlier (planImport); made here from the context's caps otherwise. */
  plan?: ImportPlan | undefined;
  /** The DRM render node (major, minor) the frame's producer used: importing into another GPU is refused. */
  producerNode?: [number, number] | undefined;
  /** What the passes that read the plane images do with them (default: sample them). */
  uses?: readonly ImageUse[];
  /** Bound on each wait for the producer's writes (polled mode), in seconds; 0 waits forever. Default 30. */
  syncTimeoutS?: number | undefined;
  /** Force one image per plane, or the whole frame as one multi-planar image (default: planImport's choice). */
  layout?: ImageLayoutChoice;
};

export type ImportedBuffer = { buffer: bigint; size: number };

/** What an ImportedFrame owns: every Vulkan object it made, its host mappings and sync dups, and the GPU work reading it. */
type ImportHandles = HeldByGpuWork & {
  buffers: ImportedBuffer[];
  memories: bigint[];
  hostMappings: { address: number; size: number }[];
  planeImages: bigint[];
  planeViews: bigint[];
  syncFds: number[];
};

/** Wait for the work reading the frame, then release each object once and let go of the device. */
function releaseImport(h: ImportHandles): void {
  releaseAfterWork(h, () => {
    const { dev, device } = h.ctx;
    for (const v of h.planeViews) dev.vkDestroyImageView(device, v, null);
    for (const i of h.planeImages) dev.vkDestroyImage(device, i, null);
    for (const b of h.buffers) dev.vkDestroyBuffer(device, b.buffer, null);
    for (const m of h.memories) dev.vkFreeMemory(device, m, null);
    for (const m of h.hostMappings) libc().munmap(m.address, m.size);
    for (const fd of h.syncFds) libc().close(fd);
  });
}

const importReclaimer = reclaimer<ImportHandles>("imports", releaseImport);

/**
 * The cleanup a Submission runs for its wait semaphores. Made out here so that it keeps only them
 * alive (a closure beside the recording one would keep what that captured: the conversion's targets).
 */
const semaphoreCleanup = (ctx: VulkanContext, semaphores: bigint[]) => () => {
  for (const s of semaphores) ctx.dev.vkDestroySemaphore(ctx.device, s, null);
};

/**
 * Submit, in one command buffer, GPU work that reads all of `frames` (of one context), without
 * waiting: waits for each frame's producer, takes each, records `record`, hands each back. One
 * submission for several frames (a batch) costs the submit once. The caller keeps the frames
 * until the Submission is done.
 */
export function submitReadingFrames(frames: GpuFrame[], record: (cmd: number) => void): Submission {
  const ctx = frames[0]!.ctx;
  const acquired: FrameAcquisition[] = [];
  let submitted = false;
  try {
    for (const f of frames) acquired.push(f.acquire());
    const semaphores = acquired.flatMap((a) => a.semaphores);
    const timelines = acquired.flatMap((a) => (a.timeline ? [a.timeline] : []));
    const submission = ctx.submit(
      (cmd) => {
        for (const f of frames) f.recordAcquire(cmd);
        record(cmd);
        for (const f of frames) f.recordRelease(cmd);
      },
      semaphores,
      semaphoreCleanup(ctx, semaphores),
      timelines.length
        ? { waits: timelines.flatMap((t) => t.waits), signals: timelines.flatMap((t) => t.signals) }
        : undefined,
    );
    submitted = true;
    for (const f of frames) f.track(submission);
    return submission;
  } finally {
    for (const a of acquired) a.settle?.(submitted);
  }
}

/** What GPU work reading a frame waits for and signals, and what the frame does once it is submitted (or not). */
export type FrameAcquisition = {
  /** Binary semaphores to wait for (the producer's fences), destroyed when the work is done. */
  semaphores: bigint[];
  /** Timeline semaphores to wait for and signal (a libav Vulkan frame's). */
  timeline?: SubmitSync;
  /** Called once the submission was made (true) or failed (false): a frame locked by acquire() is unlocked here. */
  settle?: (submitted: boolean) => void;
};

/**
 * A frame GPU work can read: an import of a producer's memory (ImportedFrame), or a frame a decoder
 * wrote on this very device (VulkanVideoFrame). The converter and the luma pass read either.
 */
export interface GpuFrame {
  readonly ctx: VulkanContext;
  readonly kind: "image" | "buffer";
  /** Read through a YCbCr sampler (one multi-planar image) rather than plane by plane. */
  readonly multiPlanar: boolean;
  /** The multi-planar image's VkFormat name, where multiPlanar. */
  readonly multiPlanarFormat: string;
  readonly pixelFormat: PixelFormat;
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** Colour planes: where each lives (buffer path: object index into `buffers`). */
  readonly planes: PlanePlan[];
  readonly buffers: readonly ImportedBuffer[];
  /** Image path: one sampled view per colour plane (or the multi-planar image's YCbCr view). */
  readonly planeViews: readonly bigint[];
  /** How the last acquire waited for the producer. */
  readonly syncMode: SyncMode;
  /** Before a submission that reads the frame: what it waits for and signals. */
  acquire(): FrameAcquisition;
  /** Record the barrier that takes the frame for compute and transfer reads. */
  recordAcquire(cmd: number): void;
  /** Record the barrier that hands the frame back to its producer. */
  recordRelease(cmd: number): void;
  /** Note GPU work reading this frame. */
  track(submission: Submission): void;
  /** Submit GPU work that reads this frame, and wait. */
  submitReading(record: (cmd: number) => void): void;
  /** As submitReading, without waiting. */
  submitReadingAsync(record: (cmd: number) => void): Submission;
}

/** What an import is made of, for the functions of this module that build it (the lists are read-only outside). */
const building = new WeakMap<ImportedFrame, ImportHandles>();
const handlesOf = (frame: ImportedFrame): ImportHandles => building.get(frame)!;

/**
 * A frame living in Vulkan. Owns every Vulkan object it lists, the host mappings and the sync dups,
 * and holds its VulkanContext: disposing releases each once, after the GPU work still reading it.
 * An ImportCache that made it owns it (do not dispose those).
 */
export class ImportedFrame implements GpuFrame, Disposable {
  private lastSyncMode: SyncMode = "poll";
  /** Whether it was acquired before (after a first poll, the fds are known to refuse sync_file export). */
  private acquired = false;
  private readonly h: ImportHandles;

  constructor(
    readonly ctx: VulkanContext,
    readonly plan: ImportPlan,
    readonly width: number,
    readonly height: number,
    readonly pixelFormat: PixelFormat,
    readonly handleType: HandleType,
    /** Bound on each wait for the producer (see `acquire`). */
    readonly syncTimeoutS = 30,
  ) {
    ctx.retain("ImportedFrame");
    this.h = {
      ctx,
      buffers: [],
      memories: [],
      hostMappings: [],
      planeImages: [],
      planeViews: [],
      syncFds: [],
      pending: [],
      released: false,
    };
    importReclaimer.register(this, this.h, this);
    building.set(this, this.h);
  }

  private live(call: string): ImportHandles {
    if (this.h.released) throw new UseAfterDisposeError("ImportedFrame", call);
    return this.h;
  }

  /** How the last acquire waited for the producer. */
  get syncMode(): SyncMode {
    return this.lastSyncMode;
  }

  /** Buffer path: one VkBuffer per object. */
  get buffers(): readonly ImportedBuffer[] {
    return this.live("ImportedFrame.buffers").buffers;
  }
  get memories(): readonly bigint[] {
    return this.live("ImportedFrame.memories").memories;
  }
  /** Host-pointer imports: the mappings of the objects' fds, unmapped after the memory is freed. */
  get hostMappings(): readonly { address: number; size: number }[] {
    return this.live("ImportedFrame.hostMappings").hostMappings;
  }
  /** Image path: one image (and one sampled view) per colour plane, or one multi-planar image and its YCbCr view. */
  get planeImages(): readonly bigint[] {
    return this.live("ImportedFrame.planeImages").planeImages;
  }
  get planeViews(): readonly bigint[] {
    return this.live("ImportedFrame.planeViews").planeViews;
  }
  /** One dup per object, held for the import's life: the producer's fences are waited on through them. */
  get syncFds(): readonly number[] {
    return this.live("ImportedFrame.syncFds").syncFds;
  }

  get disposed(): boolean {
    return this.h.released;
  }

  /** Note GPU work reading this frame: disposing it waits for that work first. */
  track(submission: Submission): void {
    trackWork(this.live("ImportedFrame.track"), submission);
  }

  get kind(): "image" | "buffer" {
    return this.plan.kind;
  }

  /** Colour planes: where each lives (buffer path: object index into `buffers`). */
  get planes(): PlanePlan[] {
    if (this.plan.kind === "buffer") return this.plan.planes;
    if (this.plan.layout === "multi-planar")
      return this.plan.images[0]!.memoryPlanes.slice(0, PIXEL_FORMATS[this.pixelFormat].planes.length);
    return this.plan.images.map((img) => img.memoryPlanes[0]!);
  }

  /** Read through a YCbCr sampler (one multi-planar image) rather than plane by plane. */
  get multiPlanar(): boolean {
    return this.plan.kind === "image" && this.plan.layout === "multi-planar";
  }

  get multiPlanarFormat(): string {
    return this.multiPlanar && this.plan.kind === "image" ? this.plan.vkFormat : "";
  }

  get bitDepth(): number {
    return PIXEL_FORMATS[this.pixelFormat].bitDepth;
  }

  /**
   * Wait for the producer before reading: its pending writes as wait semaphores (sync_file export),
   * or, where the kernel or driver cannot export them, a poll of the buffers until they are
   * readable, bounded by `syncTimeoutS`. Mode in `syncMode`.
   */
  acquire(): FrameAcquisition {
    const { semaphores, mode } = waitForProducer(
      this.ctx,
      this.handleType,
      this.syncFds,
      this.syncTimeoutS,
      this.lastSyncMode === "poll" && this.acquired,
    );
    this.lastSyncMode = mode;
    this.acquired = true;
    return { semaphores };
  }

  /** Submit GPU work that reads this frame: waits for the producer, takes the frame, records `record`, hands it back, and waits. */
  submitReading(record: (cmd: number) => void): void {
    using submission = this.submitReadingAsync(record);
    submission.wait();
  }

  /** As submitReading, without waiting: the caller keeps the frame (and its producer's buffer) until the Submission is done. */
  submitReadingAsync(record: (cmd: number) => void): Submission {
    return submitReadingFrames([this], record);
  }

  /**
   * Record the barrier that takes the frame from its producer (the foreign queue family) for our
   * compute and transfer reads. Images stay in GENERAL, the one layout a non-Vulkan producer can
   * mean: the content is the producer's and must be kept (UNDEFINED would allow discarding it).
   */
  recordAcquire(cmd: number): void {
    this.recordOwnership(cmd, "acquire");
  }

  /** Record the barrier that hands the frame back to its producer after our reads (as wlroots does). */
  recordRelease(cmd: number): void {
    this.recordOwnership(cmd, "release");
  }

  /** The packed barriers of each direction: the same for every read of this import, so packed once. */
  private ownershipBarriers?: Record<"acquire" | "release", (cmd: number) => void>;

  private recordOwnership(cmd: number, direction: "acquire" | "release"): void {
    this.ownershipBarriers ??= { acquire: this.ownershipBarrier("acquire"), release: this.ownershipBarrier("release") };
    this.ownershipBarriers[direction](cmd);
  }

  /** Pack one direction's barriers, and return what records them. */
  private ownershipBarrier(direction: "acquire" | "release"): (cmd: number) => void {
    const ctx = this.ctx;
    const foreign = ctx.has("VK_EXT_queue_family_foreign") ? vk.QUEUE_FAMILY_FOREIGN_EXT : vk.QUEUE_FAMILY_EXTERNAL;
    const acquire = direction === "acquire";
    const reads = vk.Access.SHADER_READ | vk.Access.TRANSFER_READ;
    const access = { srcAccessMask: acquire ? 0 : reads, dstAccessMask: acquire ? reads : 0 };
    const families = acquire
      ? { srcQueueFamilyIndex: foreign, dstQueueFamilyIndex: ctx.queueFamily }
      : { srcQueueFamilyIndex: ctx.queueFamily, dstQueueFamilyIndex: foreign };
    const ourStages = vk.PipelineStage.COMPUTE_SHADER | vk.PipelineStage.TRANSFER;
    const [srcStage, dstStage] = acquire
      ? [vk.PipelineStage.TOP_OF_PIPE, ourStages]
      : [ourStages, vk.PipelineStage.BOTTOM_OF_PIPE];
    if (this.kind === "image") {
      const barriers = packArray(
        vk.VkImageMemoryBarrier,
        this.planeImages.map((image) => ({
          sType: vk.SType.IMAGE_MEMORY_BARRIER,
          ...access,
          ...families,
          oldLayout: vk.ImageLayout.GENERAL,
          newLayout: vk.ImageLayout.GENERAL,
          image,
          subresourceRange: singleSubresource(vk.ImageAspect.COLOR),
        })),
      );
      const count = this.planeImages.length;
      return (cmd) => ctx.dev.vkCmdPipelineBarrier(cmd, srcStage, dstStage, 0, 0, null, 0, null, count, barriers);
    }
    const barriers = packArray(
      vk.VkBufferMemoryBarrier,
      this.buffers.map((b) => ({
        sType: vk.SType.BUFFER_MEMORY_BARRIER,
        ...access,
        ...families,
        buffer: b.buffer,
        offset: 0,
        size: vk.VK_WHOLE_SIZE,
      })),
    );
    const count = this.buffers.length;
    return (cmd) => ctx.dev.vkCmdPipelineBarrier(cmd, srcStage, dstStage, 0, 0, null, count, barriers, 0, null);
  }

  [Symbol.dispose](): void {
    importReclaimer.unregister(this);
    releaseImport(this.h);
  }
}

const u64 = (b: Buffer) => b.readBigUInt64LE(0);

function dupFd(fd: number): number {
  const d = libc().fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (d < 0)
    throw new DmabufImportError(
      "BAD_LAYOUT",
      `fcntl(${fd}, F_DUPFD_CLOEXEC) failed: the descriptor's fd ${fd} is not open in this process`,
    );
  return d;
}

/** Import one object's memory. Takes ownership of `fd` (closes it if the import fails). */
function importMemory(
  ctx: VulkanContext,
  fd: number,
  size: number,
  handleType: HandleType,
  typeBits: number,
  dedicated: { image?: bigint; buffer?: bigint } | null,
): bigint {
  const { dev, device } = ctx;
  try {
    let bits = typeBits;
    if (handleType === "dma-buf") {
      const props = pack(vk.VkMemoryFdPropertiesKHR, { sType: vk.SType.MEMORY_FD_PROPERTIES_KHR });
      checkVk(
        dev.vkGetMemoryFdPropertiesKHR!(device, handleTypeBit(handleType), fd, props),
        "vkGetMemoryFdPropertiesKHR",
        "the fd is not a dma_buf this driver can import",
      );
      bits &= props.readUInt32LE(vk.VkMemoryFdPropertiesKHR.offsets.memoryTypeBits);
    }
    if (!bits)
      throw new DmabufImportError(
        "NO_DMABUF_IMPORT",
        `no memory type of ${ctx.info.name} can hold this imported object`,
      );
    const memoryTypeIndex = ctx.findMemoryType(bits, 0, vk.MemoryProperty.DEVICE_LOCAL);
    const ded = dedicated
      ? pack(vk.VkMemoryDedicatedAllocateInfo, {
          sType: vk.SType.MEMORY_DEDICATED_ALLOCATE_INFO,
          image: dedicated.image ?? 0n,
          buffer: dedicated.buffer ?? 0n,
        })
      : null;
    const imp = pack(vk.VkImportMemoryFdInfoKHR, {
      sType: vk.SType.IMPORT_MEMORY_FD_INFO_KHR,
      pNext: ded,
      handleType: handleTypeBit(handleType),
      fd,
    });
    const info = pack(vk.VkMemoryAllocateInfo, {
      sType: vk.SType.MEMORY_ALLOCATE_INFO,
      pNext: imp,
      allocationSize: size,
      memoryTypeIndex,
    });
    const out = Buffer.alloc(8);
    checkVk(
      dev.vkAllocateMemory(device, info, null, out),
      "vkAllocateMemory (import)",
      `importing a ${handleType} fd of ${size} bytes`,
    );
    return u64(out);
  } catch (e) {
    libc().close(fd);
    throw e;
  }
}

/** Map the object's fd and import the mapping (VK_EXT_external_memory_host): the pages are the fd's own, no copy. */
function importHostMapping(frame: ImportedFrame, fd: number, size: number, typeBits: number): bigint {
  const { ctx } = frame;
  if (size % 4096 !== 0)
    throw new DmabufImportError(
      "BAD_LAYOUT",
      `a host-pointer import needs a page-multiple object size; this one is ${size} bytes`,
    );
  const address = libc().mmap(null, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) as number;
  if (!address || address >= Number(MAP_FAILED >> 1n))
    throw new DmabufImportError("BAD_LAYOUT", `mmap of fd ${fd} (${size} bytes) for a host-pointer import failed`);
  handlesOf(frame).hostMappings.push({ address, size });
  const props = pack(vk.VkMemoryHostPointerPropertiesEXT, { sType: vk.SType.MEMORY_HOST_POINTER_PROPERTIES_EXT });
  checkVk(
    ctx.dev.vkGetMemoryHostPointerPropertiesEXT!(
      ctx.device,
      vk.ExternalMemoryHandleType.HOST_ALLOCATION,
      address,
      props,
    ),
    "vkGetMemoryHostPointerPropertiesEXT",
  );
  const bits = typeBits & props.readUInt32LE(vk.VkMemoryHostPointerPropertiesEXT.offsets.memoryTypeBits);
  if (!bits)
    throw new DmabufImportError(
      "NO_DMABUF_IMPORT",
      `no memory type of ${ctx.info.name} can hold an imported host pointer for this buffer`,
    );
  const imp = pack(vk.VkImportMemoryHostPointerInfoEXT, {
    sType: vk.SType.IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
    handleType: vk.ExternalMemoryHandleType.HOST_ALLOCATION,
    pHostPointer: address,
  });
  const info = pack(vk.VkMemoryAllocateInfo, {
    sType: vk.SType.MEMORY_ALLOCATE_INFO,
    pNext: imp,
    allocationSize: size,
    memoryTypeIndex: ctx.findMemoryType(bits, 0),
  });
  const out = Buffer.alloc(8);
  checkVk(ctx.dev.vkAllocateMemory(ctx.device, info, null, out), "vkAllocateMemory (host pointer import)");
  return u64(out);
}

/**
 * Whether an import gets memory of its own (VkMemoryDedicatedAllocateInfo): where the driver
 * prefers or requires it (RADV does for dmabuf images), for dma_bufs. An opaque fd can be imported
 * dedicated only if it was exported from a dedicated allocation of that very resource
 * (VUID-VkMemoryDedicatedAllocateInfo-image-01878), which an exporter of frames never is.
 */
export const wantsDedicated = (handleType: HandleType, req: MemoryRequirements): boolean =>
  handleType === "dma-buf" && req.dedicated;

/**
 * Where a plane image's explicit layout starts in its object: the plane's own offset (the layout
 * then says 0 and the memory is bound at the offset) where that meets the image's alignment and
 * fits, else 0 (the layout carries the offset). NVIDIA's driver honours only the first for
 * single-plane images. Dedicated memory is the image's alone, bound at 0
 * (VUID-VkBindImageMemoryInfo-memory-01509): the layout always carries the offset there.
 */
export function layoutBase(handleType: HandleType, start: number, objectSize: number, req: MemoryRequirements): number {
  if (wantsDedicated(handleType, req)) return 0;
  return start % req.alignment === 0 && start + req.size <= objectSize ? start : 0;
}

/**
 * How a plane image's memory is imported, once its layout base is fixed: dedicated memory sized to
 * the image's requirements (VUID-VkMemoryDedicatedAllocateInfo-image-01432), or the object's whole
 * buffer shared by the images in it, bound at the layout base. BAD_LAYOUT where the image needs
 * more than the buffer holds.
 */
export function imageMemory(
  handleType: HandleType,
  base: number,
  objectSize: number,
  req: MemoryRequirements,
  what: string,
): { dedicated: boolean; allocationSize: number; bindOffset: number } {
  if (base + req.size > objectSize)
    throw new DmabufImportError(
      "BAD_LAYOUT",
      `${what} needs ${req.size} bytes from byte ${base}, but its object holds ${objectSize}`,
    );
  const dedicated = wantsDedicated(handleType, req);
  return { dedicated, allocationSize: dedicated ? req.size : objectSize, bindOffset: base };
}

function importBuffers(frame: ImportedFrame, desc: DrmFrameDescriptor): void {
  const { ctx } = frame;
  const { dev, device } = ctx;
  const out = Buffer.alloc(8);
  const handle = handleTypeBit(frame.handleType);
  desc.objects.forEach((obj) => {
    const ext = pack(vk.VkExternalMemoryBufferCreateInfo, {
      sType: vk.SType.EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
      handleTypes: handle,
    });
    const info = pack(vk.VkBufferCreateInfo, {
      sType: vk.SType.BUFFER_CREATE_INFO,
      pNext: ext,
      size: obj.size,
      usage: vk.BufferUsage.STORAGE | vk.BufferUsage.TRANSFER_SRC,
      sharingMode: 0,
    });
    checkVk(dev.vkCreateBuffer(device, info, null, out), "vkCreateBuffer");
    const buffer = u64(out);
    handlesOf(frame).buffers.push({ buffer, size: obj.size });
    const req = bufferRequirements(ctx, buffer);
    if (req.size > obj.size)
      throw new DmabufImportError(
        "BAD_LAYOUT",
        `${ctx.info.name} needs ${req.size} bytes for a buffer over this object, which holds ${obj.size}`,
      );
    const dedicated = wantsDedicated(frame.handleType, req);
    const memory =
      frame.handleType === "host"
        ? importHostMapping(frame, obj.fd, obj.size, req.typeBits)
        : importMemory(
            ctx,
            dupFd(obj.fd),
            dedicated ? req.size : obj.size,
            frame.handleType,
            req.typeBits,
            dedicated ? { buffer } : null,
          );
    handlesOf(frame).memories.push(memory);
    const bind = pack(vk.VkBindBufferMemoryInfo, {
      sType: vk.SType.BIND_BUFFER_MEMORY_INFO,
      buffer,
      memory,
      memoryOffset: 0,
    });
    checkVk(dev.vkBindBufferMemory2(device, 1, bind), "vkBindBufferMemory2");
  });
}

/** Create one plane image with its explicit layout, the memory-plane offsets taken relative to `base`. */
function createPlaneImage(
  frame: ImportedFrame,
  img: PlaneImagePlan,
  i: number,
  base: number,
  disjoint: boolean,
  usage: number,
): bigint {
  const { dev, device } = frame.ctx;
  const layouts = packArray(
    vk.VkSubresourceLayout,
    img.memoryPlanes.map((p) => ({
      offset: p.offset - base,
      size: 0,
      rowPitch: p.pitch,
      arrayPitch: 0,
      depthPitch: 0,
    })),
  );
  const explicit = pack(vk.VkImageDrmFormatModifierExplicitCreateInfoEXT, {
    sType: vk.SType.IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT,
    drmFormatModifier: img.modifier,
    drmFormatModifierPlaneCount: img.memoryPlanes.length,
    pPlaneLayouts: layouts,
  });
  const ext = pack(vk.VkExternalMemoryImageCreateInfo, {
    sType: vk.SType.EXTERNAL_MEMORY_IMAGE_CREATE_INFO,
    pNext: explicit,
    handleTypes: handleTypeBit(frame.handleType),
  });
  const format = vk.VkFormat[img.format as vk.VkFormatName];
  const info = pack(vk.VkImageCreateInfo, {
    sType: vk.SType.IMAGE_CREATE_INFO,
    pNext: ext,
    flags: disjoint ? vk.ImageCreate.DISJOINT : 0,
    imageType: 1,
    format,
    extent: [img.width, img.height, 1],
    mipLevels: 1,
    arrayLayers: 1,
    samples: 1,
    tiling: vk.ImageTiling.DRM_FORMAT_MODIFIER_EXT,
    usage,
    sharingMode: 0,
    initialLayout: vk.ImageLayout.UNDEFINED,
  });
  const out = Buffer.alloc(8);
  checkVk(
    dev.vkCreateImage(device, info, null, out),
    "vkCreateImage (DRM format modifier)",
    `plane ${i} as ${img.format} ${img.width}x${img.height}, modifier 0x${img.modifier.toString(16)}`,
  );
  const image = u64(out);
  handlesOf(frame).planeImages.push(image);
  return image;
}

function importImage(
  frame: ImportedFrame,
  desc: DrmFrameDescriptor,
  plan: Extract<ImportPlan, { kind: "image" }>,
  usage: number,
): void {
  const { ctx } = frame;
  const { dev, device } = ctx;
  const handleType = frame.handleType;
  /** Each object's buffer imported once, for the plane images that share it without dedicated memory. */
  const shared = new Map<number, bigint>();
  const sharedMemory = (object: number, typeBits: number) => {
    let memory = shared.get(object);
    if (memory === undefined) {
      const obj = desc.objects[object]!;
      memory = importMemory(ctx, dupFd(obj.fd), obj.size, handleType, typeBits, null);
      shared.set(object, memory);
      handlesOf(frame).memories.push(memory);
    }
    return memory;
  };
  plan.images.forEach((img, i) => {
    const objects = img.memoryPlanes.map((p) => p.object);
    const what = `plane ${i} (${img.format})`;
    if (new Set(objects).size > 1) {
      // Memory planes in different objects (e.g. a compression plane in its own buffer): a disjoint
      // image, each memory plane bound to its object's buffer at 0, its offset in the layout.
      // Dedicated memory cannot back a disjoint image (VUID-VkMemoryDedicatedAllocateInfo-image-01797).
      const image = createPlaneImage(frame, img, i, 0, true, usage);
      const binds = img.memoryPlanes.map((p, k) => {
        const req = imageRequirements(ctx, image, k);
        const objectSize = desc.objects[p.object]!.size;
        if (req.size > objectSize)
          throw new DmabufImportError(
            "BAD_LAYOUT",
            `${what} memory plane ${k} needs ${req.size} bytes, but object ${p.object} holds ${objectSize}`,
          );
        return { memory: sharedMemory(p.object, req.typeBits), aspect: vk.ImageAspect.MEMORY_PLANE_0 << k };
      });
      const planeInfos = binds.map((b) =>
        pack(vk.VkBindImagePlaneMemoryInfo, { sType: vk.SType.BIND_IMAGE_PLANE_MEMORY_INFO, planeAspect: b.aspect }),
      );
      const infos = packArray(
        vk.VkBindImageMemoryInfo,
        binds.map((b, k) => ({
          sType: vk.SType.BIND_IMAGE_MEMORY_INFO,
          pNext: planeInfos[k]!,
          image,
          memory: b.memory,
          memoryOffset: 0,
        })),
      );
      checkVk(dev.vkBindImageMemory2(device, binds.length, infos), "vkBindImageMemory2 (disjoint)", what);
    } else {
      const object = objects[0]!;
      const objectSize = desc.objects[object]!.size;
      const start = Math.min(...img.memoryPlanes.map((p) => p.offset));
      let image = createPlaneImage(frame, img, i, start, false, usage);
      let req = imageRequirements(ctx, image);
      const base = layoutBase(handleType, start, objectSize, req);
      if (base !== start) {
        dev.vkDestroyImage(device, handlesOf(frame).planeImages.pop()!, null);
        image = createPlaneImage(frame, img, i, base, false, usage);
        req = imageRequirements(ctx, image);
      }
      const m = imageMemory(handleType, base, objectSize, req, what);
      // Dedicated memory: the object's fd is imported once for this image alone, as FFmpeg does.
      const memory = m.dedicated
        ? importMemory(ctx, dupFd(desc.objects[object]!.fd), m.allocationSize, handleType, req.typeBits, { image })
        : sharedMemory(object, req.typeBits);
      if (m.dedicated) handlesOf(frame).memories.push(memory);
      checkVk(
        dev.vkBindImageMemory2(
          device,
          1,
          pack(vk.VkBindImageMemoryInfo, {
            sType: vk.SType.BIND_IMAGE_MEMORY_INFO,
            image,
            memory,
            memoryOffset: m.bindOffset,
          }),
        ),
        "vkBindImageMemory2",
        what,
      );
    }
    const out = Buffer.alloc(8);
    const view = pack(vk.VkImageViewCreateInfo, {
      sType: vk.SType.IMAGE_VIEW_CREATE_INFO,
      pNext: plan.layout === "multi-planar" ? ctx.ycbcr.viewInfo(img.format) : null,
      image: frame.planeImages[i]!,
      viewType: 1,
      format: vk.VkFormat[img.format as vk.VkFormatName],
      components: [0, 0, 0, 0],
      subresourceRange: singleSubresource(vk.ImageAspect.COLOR),
    });
    checkVk(dev.vkCreateImageView(device, view, null, out), "vkCreateImageView", what);
    handlesOf(frame).planeViews.push(u64(out));
  });
}

/** Import a DRM PRIME frame into `ctx` as its plan says (made from the context's caps unless given). */
export function importDmabuf(
  ctx: VulkanContext,
  descriptor: DrmFrameDescriptor,
  options: ImportOptions = {},
): ImportedFrame {
  const given = parseDescriptor(descriptor);
  const handleType = options.handleType ?? "dma-buf";
  const uses = options.uses ?? DEFAULT_IMAGE_USES;
  if (
    options.producerNode &&
    ctx.info.drm?.render &&
    (options.producerNode[0] !== ctx.info.drm.render[0] || options.producerNode[1] !== ctx.info.drm.render[1])
  ) {
    throw new VaapiVkError(
      "WRONG_DEVICE",
      `the frame comes from DRM node ${options.producerNode.join(":")} but ${ctx.info.name} is ${ctx.info.drm.render.join(":")}; importing a dmabuf into another GPU is refused: create the VulkanContext with renderNode set to the decoder's node`,
    );
  }
  // An opaque fd names its exporter's allocation, not a kernel buffer: only dma_bufs and memfds are looked into.
  const { desc } = resolveObjects(given, handleType !== "opaque-fd");
  const plan = options.plan ?? planImport(desc, ctx.importCaps(handleType, uses), options.layout);
  const frame = new ImportedFrame(
    ctx,
    plan,
    desc.width,
    desc.height,
    pixelFormatOf(desc),
    handleType,
    options.syncTimeoutS,
  );
  try {
    for (const o of desc.objects) handlesOf(frame).syncFds.push(dupFd(o.fd));
    if (plan.kind === "buffer") importBuffers(frame, desc);
    else importImage(frame, desc, plan, imageUsageBits(uses));
    return frame;
  } catch (e) {
    frame[Symbol.dispose]();
    throw e;
  }
}
