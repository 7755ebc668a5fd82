// importDmabuf: run an ImportPlan. No frame byte is touched by the CPU: Vulkan memory is imported
// from (a dup of) each object's fd and aliases the producer's pages.
//
// fd ownership: the caller's fds stay the caller's. Each import dup()s the fd it hands Vulkan;
// after a successful vkAllocateMemory Vulkan owns that dup (it is closed by vkFreeMemory); when
// the allocation fails the importer closes the dup itself.
import { libc, MAP_FAILED, MAP_SHARED, PROT_READ, PROT_WRITE } from "../../ffi/libc";
import { pack, packArray } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { parseDescriptor, type DrmFrameDescriptor } from "../descriptor";
import { DmabufImportError, VaapiVkError } from "../errors";
import { modifierAuxPlanes } from "../formats";
import { PIXEL_FORMATS, pixelFormatOf, planImport, type ImportPlan, type PixelFormat, type PlanePlan } from "../plan";
import { checkVk, handleTypeBit, type HandleType, type Submission, type VulkanContext } from "./context";
import { IMAGE_USAGE, PLANE_IMAGE_FORMATS } from "./planes";
import { acquireSyncFile, type SyncMode } from "./sync";

export type ImportOptions = {
  /** dma-buf for real dmabufs; opaque-fd for memory exported by another Vulkan/CUDA allocation. */
  handleType?: HandleType;
  /** A plan made earlier (planImport); made here from the context's caps otherwise. */
  plan?: ImportPlan;
  /** The DRM render node (major, minor) the frame's producer used: importing into another GPU is refused. */
  producerNode?: [number, number];
};

export type ImportedBuffer = { buffer: bigint; size: number };

/** A frame living in Vulkan. Disposing releases every Vulkan object (and so the dup'd fds) once. */
export class ImportedFrame implements Disposable {
  readonly buffers: ImportedBuffer[] = [];
  readonly memories: bigint[] = [];
  /** Host-pointer imports: the mappings of the objects' fds, unmapped after the memory is freed. */
  readonly hostMappings: { address: number; size: number }[] = [];
  /** Image path: one image (and one storage view) per colour plane. */
  readonly planeImages: bigint[] = [];
  readonly planeViews: bigint[] = [];
  /** Whether the images still need their first layout transition (recorded by the first user). */
  needsTransition = false;
  syncMode: SyncMode = "implicit";
  private released = false;

  constructor(
    readonly ctx: VulkanContext,
    readonly plan: ImportPlan,
    readonly width: number,
    readonly height: number,
    readonly pixelFormat: PixelFormat,
    readonly objectFds: number[],
    readonly handleType: HandleType,
  ) {}

  get kind(): "image" | "buffer" {
    return this.plan.kind;
  }

  /** Colour planes: where each lives (buffer path: object index into `buffers`). */
  get planes(): PlanePlan[] {
    return this.plan.kind === "buffer" ? this.plan.planes : this.plan.planes.slice(0, PIXEL_FORMATS[this.pixelFormat].planes.length);
  }

  get bitDepth(): number {
    return PIXEL_FORMATS[this.pixelFormat].bitDepth;
  }

  /** Semaphores to wait on before reading, when the producer's fences were exported as sync_files. */
  acquireWaitSemaphores(): bigint[] {
    const { semaphores, mode } = acquireSyncFile(this.ctx, this.objectFds);
    this.syncMode = mode;
    return semaphores;
  }

  /** Submit GPU work that reads this frame: waits for the producer, hands the frame over, records `record`, and waits. */
  submitReading(record: (cmd: number) => void): void {
    using submission = this.submitReadingAsync(record);
    submission.wait();
  }

  /** As submitReading, without waiting: the caller keeps the frame (and its producer's buffer) until the Submission is done. */
  submitReadingAsync(record: (cmd: number) => void): Submission {
    const semaphores = this.acquireWaitSemaphores();
    return this.ctx.submit((cmd) => {
      this.recordAcquire(cmd);
      record(cmd);
    }, semaphores, () => {
      for (const s of semaphores) this.ctx.dev.vkDestroySemaphore(this.ctx.device, s, null);
    });
  }

  /** Record the barrier that hands the frame from its producer (a foreign queue) to ours. */
  recordAcquire(cmd: number): void {
    const ctx = this.ctx;
    const src = ctx.has("VK_EXT_queue_family_foreign") ? vk.QUEUE_FAMILY_FOREIGN_EXT : vk.QUEUE_FAMILY_EXTERNAL;
    if (this.kind === "image") {
      const barriers = packArray(vk.VkImageMemoryBarrier, this.planeImages.map((image) => ({
        sType: vk.SType.IMAGE_MEMORY_BARRIER, srcAccessMask: 0, dstAccessMask: vk.Access.SHADER_READ | vk.Access.TRANSFER_READ,
        // The first use moves the images out of UNDEFINED; imported memory keeps its bytes (the producer wrote them).
        oldLayout: this.needsTransition ? vk.ImageLayout.UNDEFINED : vk.ImageLayout.GENERAL, newLayout: vk.ImageLayout.GENERAL,
        srcQueueFamilyIndex: src, dstQueueFamilyIndex: ctx.queueFamily, image,
        subresourceRange: { aspectMask: vk.ImageAspect.COLOR, baseMipLevel: 0, levelCount: 1, baseArrayLayer: 0, layerCount: 1 },
      })));
      ctx.dev.vkCmdPipelineBarrier(cmd, vk.PipelineStage.TOP_OF_PIPE, vk.PipelineStage.COMPUTE_SHADER | vk.PipelineStage.TRANSFER, 0, 0, null, 0, null, this.planeImages.length, barriers);
      this.needsTransition = false;
      return;
    }
    const barriers = packArray(vk.VkBufferMemoryBarrier, this.buffers.map((b) => ({
      sType: vk.SType.BUFFER_MEMORY_BARRIER, srcAccessMask: 0, dstAccessMask: vk.Access.SHADER_READ,
      srcQueueFamilyIndex: src, dstQueueFamilyIndex: ctx.queueFamily, buffer: b.buffer, offset: 0, size: vk.VK_WHOLE_SIZE,
    })));
    ctx.dev.vkCmdPipelineBarrier(cmd, vk.PipelineStage.TOP_OF_PIPE, vk.PipelineStage.COMPUTE_SHADER, 0, 0, null, this.buffers.length, barriers, 0, null);
  }

  [Symbol.dispose](): void {
    if (this.released) return;
    this.released = true;
    const { dev, device } = this.ctx;
    for (const v of this.planeViews) dev.vkDestroyImageView(device, v, null);
    for (const i of this.planeImages) dev.vkDestroyImage(device, i, null);
    for (const b of this.buffers) dev.vkDestroyBuffer(device, b.buffer, null);
    for (const m of this.memories) dev.vkFreeMemory(device, m, null);
    for (const m of this.hostMappings) libc().munmap(m.address, m.size);
  }
}

const u64 = (b: Buffer) => b.readBigUInt64LE(0);

function dupFd(fd: number): number {
  const d = libc().dup(fd);
  if (d < 0) throw new DmabufImportError("BAD_LAYOUT", `dup(${fd}) failed: the descriptor's fd ${fd} is not open in this process`);
  return d;
}

/** Import one object's memory. Takes ownership of `fd` (closes it if the import fails). */
function importMemory(ctx: VulkanContext, fd: number, size: number, handleType: HandleType, typeBits: number, dedicated: { image?: bigint; buffer?: bigint } | null): bigint {
  const { dev, device } = ctx;
  try {
    let bits = typeBits;
    if (handleType === "dma-buf") {
      const props = pack(vk.VkMemoryFdPropertiesKHR, { sType: vk.SType.MEMORY_FD_PROPERTIES_KHR });
      checkVk(dev.vkGetMemoryFdPropertiesKHR!(device, handleTypeBit(handleType), fd, props), "vkGetMemoryFdPropertiesKHR", "the fd is not a dma_buf this driver can import");
      bits &= props.readUInt32LE(16);
    }
    if (!bits) throw new DmabufImportError("NO_DMABUF_IMPORT", `no memory type of ${ctx.info.name} can hold this imported object`);
    const memoryTypeIndex = ctx.findMemoryType(bits, 0, vk.MemoryProperty.DEVICE_LOCAL);
    const ded = dedicated ? pack(vk.VkMemoryDedicatedAllocateInfo, { sType: vk.SType.MEMORY_DEDICATED_ALLOCATE_INFO, image: dedicated.image ?? 0n, buffer: dedicated.buffer ?? 0n }) : null;
    const imp = pack(vk.VkImportMemoryFdInfoKHR, { sType: vk.SType.IMPORT_MEMORY_FD_INFO_KHR, pNext: ded, handleType: handleTypeBit(handleType), fd });
    const info = pack(vk.VkMemoryAllocateInfo, { sType: vk.SType.MEMORY_ALLOCATE_INFO, pNext: imp, allocationSize: size, memoryTypeIndex });
    const out = Buffer.alloc(8);
    checkVk(dev.vkAllocateMemory(device, info, null, out), "vkAllocateMemory (import)", `importing a ${handleType} fd of ${size} bytes`);
    return u64(out);
  } catch (e) {
    libc().close(fd);
    throw e;
  }
}

/** Map the object's fd and import the mapping (VK_EXT_external_memory_host): the pages are the fd's own, no copy. */
function importHostMapping(frame: ImportedFrame, fd: number, size: number, typeBits: number): bigint {
  const { ctx } = frame;
  if (size % 4096 !== 0) throw new DmabufImportError("BAD_LAYOUT", `a host-pointer import needs a page-multiple object size; this one is ${size} bytes`);
  const address = libc().mmap(null, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) as number;
  if (!address || address >= Number(MAP_FAILED >> 1n)) throw new DmabufImportError("BAD_LAYOUT", `mmap of fd ${fd} (${size} bytes) for a host-pointer import failed`);
  frame.hostMappings.push({ address, size });
  const props = pack(vk.VkMemoryHostPointerPropertiesEXT, { sType: vk.SType.MEMORY_HOST_POINTER_PROPERTIES_EXT });
  checkVk(ctx.dev.vkGetMemoryHostPointerPropertiesEXT!(ctx.device, vk.ExternalMemoryHandleType.HOST_ALLOCATION, address, props), "vkGetMemoryHostPointerPropertiesEXT");
  const bits = typeBits & props.readUInt32LE(vk.VkMemoryHostPointerPropertiesEXT.offsets.memoryTypeBits);
  if (!bits) throw new DmabufImportError("NO_DMABUF_IMPORT", `no memory type of ${ctx.info.name} can hold an imported host pointer for this buffer`);
  const imp = pack(vk.VkImportMemoryHostPointerInfoEXT, { sType: vk.SType.IMPORT_MEMORY_HOST_POINTER_INFO_EXT, handleType: vk.ExternalMemoryHandleType.HOST_ALLOCATION, pHostPointer: address });
  const info = pack(vk.VkMemoryAllocateInfo, { sType: vk.SType.MEMORY_ALLOCATE_INFO, pNext: imp, allocationSize: size, memoryTypeIndex: ctx.findMemoryType(bits, 0) });
  const out = Buffer.alloc(8);
  checkVk(ctx.dev.vkAllocateMemory(ctx.device, info, null, out), "vkAllocateMemory (host pointer import)");
  return u64(out);
}

function memoryRequirements(ctx: VulkanContext, info: Buffer, which: "buffer" | "image") {
  const dedicated = pack(vk.VkMemoryDedicatedRequirements, { sType: vk.SType.MEMORY_DEDICATED_REQUIREMENTS });
  const req = pack(vk.VkMemoryRequirements2, { sType: vk.SType.MEMORY_REQUIREMENTS_2, pNext: dedicated });
  if (which === "buffer") ctx.dev.vkGetBufferMemoryRequirements2(ctx.device, info, req);
  else ctx.dev.vkGetImageMemoryRequirements2(ctx.device, info, req);
  const off = vk.VkMemoryRequirements2.offsets.memoryRequirements;
  return {
    size: Number(req.readBigUInt64LE(off)),
    alignment: Number(req.readBigUInt64LE(off + vk.VkMemoryRequirements.offsets.alignment)),
    typeBits: req.readUInt32LE(off + vk.VkMemoryRequirements.offsets.memoryTypeBits),
    dedicated: dedicated.readUInt32LE(16) !== 0 || dedicated.readUInt32LE(20) !== 0,
  };
}

function importBuffers(frame: ImportedFrame, desc: DrmFrameDescriptor): void {
  const { ctx } = frame;
  const { dev, device } = ctx;
  const out = Buffer.alloc(8);
  const handle = handleTypeBit(frame.handleType);
  desc.objects.forEach((obj) => {
    const ext = pack(vk.VkExternalMemoryBufferCreateInfo, { sType: vk.SType.EXTERNAL_MEMORY_BUFFER_CREATE_INFO, handleTypes: handle });
    const info = pack(vk.VkBufferCreateInfo, {
      sType: vk.SType.BUFFER_CREATE_INFO, pNext: ext, size: obj.size,
      usage: vk.BufferUsage.STORAGE | vk.BufferUsage.TRANSFER_SRC, sharingMode: 0,
    });
    checkVk(dev.vkCreateBuffer(device, info, null, out), "vkCreateBuffer");
    const buffer = u64(out);
    frame.buffers.push({ buffer, size: obj.size });
    const req = memoryRequirements(ctx, pack(vk.VkBufferMemoryRequirementsInfo2, { sType: vk.SType.BUFFER_MEMORY_REQUIREMENTS_INFO_2, buffer }), "buffer");
    if (req.size > obj.size) throw new DmabufImportError("BAD_LAYOUT", `${ctx.info.name} needs ${req.size} bytes for a buffer over this object, which holds ${obj.size}`);
    const memory = frame.handleType === "host"
      ? importHostMapping(frame, obj.fd, obj.size, req.typeBits)
      : importMemory(ctx, dupFd(obj.fd), obj.size, frame.handleType, req.typeBits, req.dedicated ? { buffer } : null);
    frame.memories.push(memory);
    const bind = pack(vk.VkBindBufferMemoryInfo, { sType: vk.SType.BIND_BUFFER_MEMORY_INFO, buffer, memory, memoryOffset: 0 });
    checkVk(dev.vkBindBufferMemory2(device, 1, bind), "vkBindBufferMemory2");
  });
}

/** The memory planes of each colour plane: the plane itself, then its compression planes (drm_fourcc.h order). */
function memoryPlanesPerColourPlane(desc: DrmFrameDescriptor, colourPlanes: number): PlanePlan[][] {
  const perLayer = colourPlanes / desc.layers.length;
  const aux = modifierAuxPlanes(desc.objects[0]!.modifier);
  return desc.layers.flatMap((l) => Array.from({ length: perLayer }, (_, k) => [
    l.planes[k]!,
    ...(aux.perPlane ? [l.planes[perLayer + k]!] : []),
    ...l.planes.slice(perLayer * (1 + aux.perPlane)),
  ]));
}

function importImage(frame: ImportedFrame, desc: DrmFrameDescriptor, plan: Extract<ImportPlan, { kind: "image" }>): void {
  const { ctx } = frame;
  const { dev, device } = ctx;
  const out = Buffer.alloc(8);
  const formats = PLANE_IMAGE_FORMATS[plan.vkFormat];
  if (!formats) throw new DmabufImportError("UNSUPPORTED_FORMAT", `no image import for ${plan.vkFormat}`);
  const geometry = PIXEL_FORMATS[frame.pixelFormat].planes;
  const memoryOf = new Map<number, bigint>();
  const perPlane = memoryPlanesPerColourPlane(desc, formats.length);
  perPlane.forEach((memPlanes, i) => {
    const g = geometry[i]!;
    const width = Math.ceil(desc.width / g.widthDiv), height = Math.ceil(desc.height / g.heightDiv);
    const object = memPlanes[0]!.object;
    const obj = desc.objects[object]!;
    // A plane's offset can be said two ways: in the explicit layout (bound at 0), or as the bind
    // offset (layout at 0). NVIDIA's driver honours only the second for single-plane images, so it
    // is used whenever the offset meets the image's alignment; the layout carries it otherwise.
    const create = (base: number) => {
      const layouts = packArray(vk.VkSubresourceLayout, memPlanes.map((p) => ({ offset: p.offset - base, size: 0, rowPitch: p.pitch, arrayPitch: 0, depthPitch: 0 })));
      const explicit = pack(vk.VkImageDrmFormatModifierExplicitCreateInfoEXT, {
        sType: vk.SType.IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT, drmFormatModifier: plan.modifier,
        drmFormatModifierPlaneCount: memPlanes.length, pPlaneLayouts: layouts,
      });
      const ext = pack(vk.VkExternalMemoryImageCreateInfo, { sType: vk.SType.EXTERNAL_MEMORY_IMAGE_CREATE_INFO, pNext: explicit, handleTypes: handleTypeBit(frame.handleType) });
      const info = pack(vk.VkImageCreateInfo, {
        sType: vk.SType.IMAGE_CREATE_INFO, pNext: ext, imageType: 1, format: vk.VkFormat[formats[i]!], extent: [width, height, 1],
        mipLevels: 1, arrayLayers: 1, samples: 1, tiling: vk.ImageTiling.DRM_FORMAT_MODIFIER_EXT,
        usage: IMAGE_USAGE, sharingMode: 0, initialLayout: vk.ImageLayout.UNDEFINED,
      });
      checkVk(dev.vkCreateImage(device, info, null, out), "vkCreateImage (DRM format modifier)", `plane ${i} as ${formats[i]} ${width}x${height}, modifier 0x${plan.modifier.toString(16)}`);
      const image = u64(out);
      frame.planeImages.push(image);
      return { image, req: memoryRequirements(ctx, pack(vk.VkImageMemoryRequirementsInfo2, { sType: vk.SType.IMAGE_MEMORY_REQUIREMENTS_INFO_2, image }), "image") };
    };
    const start = Math.min(...memPlanes.map((p) => p.offset));
    let { image, req } = create(start);
    let bindOffset = start;
    if (start % req.alignment !== 0 || start + req.size > obj.size) {
      dev.vkDestroyImage(device, frame.planeImages.pop()!, null);
      ({ image, req } = create(0));
      bindOffset = 0;
    }
    frame.needsTransition = true;
    if (bindOffset + req.size > obj.size) throw new DmabufImportError("BAD_LAYOUT", `${ctx.info.name} needs ${req.size} bytes for plane ${i} from byte ${bindOffset}, but object ${object} holds ${obj.size}`);
    let memory = memoryOf.get(object);
    if (memory === undefined) {
      // Memory shared by several plane images cannot be dedicated to one of them.
      const shared = perPlane.filter((m) => m[0]!.object === object).length > 1;
      memory = importMemory(ctx, dupFd(obj.fd), obj.size, frame.handleType, req.typeBits, req.dedicated && !shared ? { image } : null);
      memoryOf.set(object, memory);
      frame.memories.push(memory);
    }
    checkVk(dev.vkBindImageMemory2(device, 1, pack(vk.VkBindImageMemoryInfo, { sType: vk.SType.BIND_IMAGE_MEMORY_INFO, image, memory, memoryOffset: bindOffset })), "vkBindImageMemory2");
    const view = pack(vk.VkImageViewCreateInfo, {
      sType: vk.SType.IMAGE_VIEW_CREATE_INFO, image, viewType: 1, format: vk.VkFormat[formats[i]!], components: [0, 0, 0, 0],
      subresourceRange: { aspectMask: vk.ImageAspect.COLOR, baseMipLevel: 0, levelCount: 1, baseArrayLayer: 0, layerCount: 1 },
    });
    checkVk(dev.vkCreateImageView(device, view, null, out), "vkCreateImageView", `plane ${i} as ${formats[i]}`);
    frame.planeViews.push(u64(out));
  });
}

/** Import a DRM PRIME frame into `ctx` as its plan says (made from the context's caps unless given). */
export function importDmabuf(ctx: VulkanContext, descriptor: DrmFrameDescriptor, options: ImportOptions = {}): ImportedFrame {
  const desc = parseDescriptor(descriptor);
  const handleType = options.handleType ?? "dma-buf";
  if (options.producerNode && ctx.info.drm?.render && (options.producerNode[0] !== ctx.info.drm.render[0] || options.producerNode[1] !== ctx.info.drm.render[1])) {
    throw new VaapiVkError(
      "WRONG_DEVICE",
      `the frame comes from DRM node ${options.producerNode.join(":")} but ${ctx.info.name} is ${ctx.info.drm.render.join(":")}; importing a dmabuf into another GPU is refused: create the VulkanContext with renderNode set to the decoder's node`,
    );
  }
  const plan = options.plan ?? planImport(desc, ctx.importCaps(handleType));
  const frame = new ImportedFrame(ctx, plan, desc.width, desc.height, pixelFormatOf(desc), desc.objects.map((o) => o.fd), handleType);
  try {
    if (plan.kind === "buffer") importBuffers(frame, desc);
    else importImage(frame, desc, plan);
    return frame;
  } catch (e) {
    frame[Symbol.dispose]();
    throw e;
  }
}
