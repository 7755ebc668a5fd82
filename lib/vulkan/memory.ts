// Plain Vulkan buffers the library owns (outputs, staging), with host mapping where possible.
import { type Pointer, toArrayBuffer } from "bun:ffi";
import { pack, unpack } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { InvalidArgumentError, UseAfterDisposeError } from "../errors";
import { reclaimer } from "../reclaim";
import { checkVk, type VulkanContext } from "./context";
import { singleSubresource } from "./planes";
import { type HeldByGpuWork, releaseAfterWork, type Submission, trackWork } from "./submission";

/** What the driver asks of memory for a buffer or an image (VkMemoryRequirements2 and whether it wants it dedicated). */
export type MemoryRequirements = { size: number; alignment: number; typeBits: number; dedicated: boolean };

function memoryRequirements(ctx: VulkanContext, info: Buffer, which: "buffer" | "image"): MemoryRequirements {
  const dedicated = pack(vk.VkMemoryDedicatedRequirements, { sType: vk.SType.MEMORY_DEDICATED_REQUIREMENTS });
  const req = pack(vk.VkMemoryRequirements2, { sType: vk.SType.MEMORY_REQUIREMENTS_2, pNext: dedicated });
  if (which === "buffer") ctx.dev.vkGetBufferMemoryRequirements2(ctx.device, info, req);
  else ctx.dev.vkGetImageMemoryRequirements2(ctx.device, info, req);
  const r = unpack(vk.VkMemoryRequirements2, req).memoryRequirements;
  const d = unpack(vk.VkMemoryDedicatedRequirements, dedicated);
  return {
    size: Number(r.size),
    alignment: Number(r.alignment),
    typeBits: r.memoryTypeBits,
    dedicated: Boolean(d.prefersDedicatedAllocation || d.requiresDedicatedAllocation),
  };
}

export const bufferRequirements = (ctx: VulkanContext, buffer: bigint): MemoryRequirements =>
  memoryRequirements(
    ctx,
    pack(vk.VkBufferMemoryRequirementsInfo2, { sType: vk.SType.BUFFER_MEMORY_REQUIREMENTS_INFO_2, buffer }),
    "buffer",
  );

/** An image's, or one memory plane's of a disjoint image. */
export function imageRequirements(ctx: VulkanContext, image: bigint, memoryPlane?: number): MemoryRequirements {
  const plane =
    memoryPlane === undefined
      ? null
      : pack(vk.VkImagePlaneMemoryRequirementsInfo, {
          sType: vk.SType.IMAGE_PLANE_MEMORY_REQUIREMENTS_INFO,
          planeAspect: vk.ImageAspect.MEMORY_PLANE_0 << memoryPlane,
        });
  return memoryRequirements(
    ctx,
    pack(vk.VkImageMemoryRequirementsInfo2, { sType: vk.SType.IMAGE_MEMORY_REQUIREMENTS_INFO_2, pNext: plane, image }),
    "image",
  );
}

/** What a GpuBuffer owns: its buffer and memory (and mapping), and the GPU work still using it. */
type BufferHandles = HeldByGpuWork & { buffer: bigint; memory: bigint; mapped: number };

/** Wait for the work still using the buffer, then free it and let go of the device. */
function releaseBuffer(h: BufferHandles): void {
  releaseAfterWork(h, () => {
    const { dev, device } = h.ctx;
    if (h.mapped) dev.vkUnmapMemory(device, h.memory);
    if (h.buffer) dev.vkDestroyBuffer(device, h.buffer, null);
    if (h.memory) dev.vkFreeMemory(device, h.memory, null);
  });
}

const bufferReclaimer = reclaimer<BufferHandles>("gpuBuffers", releaseBuffer);

/**
 * A Vulkan buffer the library made (conversion outputs, staging), with host mapping where
 * possible. Owns its buffer and memory, and holds its VulkanContext until disposed: it stays
 * valid after the Video that made it is disposed. Disposing it while GPU work still writes it
 * waits for that work first; dropped without disposing, the garbage collector reclaims it.
 */
export class GpuBuffer implements Disposable {
  readonly hostVisible: boolean;
  private readonly h: BufferHandles;

  constructor(
    readonly ctx: VulkanContext,
    readonly size: number,
    usage: number,
    memory: "device" | "host",
  ) {
    if (!Number.isSafeInteger(size) || size < 1)
      throw new InvalidArgumentError("GPU buffer size", `${size} is not a positive number of bytes`);
    ctx.retain("GpuBuffer");
    const h: BufferHandles = { ctx, buffer: 0n, memory: 0n, mapped: 0, pending: [], released: false };
    this.h = h;
    const { dev, device } = ctx;
    const out = Buffer.alloc(8);
    try {
      checkVk(
        dev.vkCreateBuffer(
          device,
          pack(vk.VkBufferCreateInfo, { sType: vk.SType.BUFFER_CREATE_INFO, size, usage, sharingMode: 0 }),
          null,
          out,
        ),
        "vkCreateBuffer",
      );
      h.buffer = out.readBigUInt64LE(0);
      const { size: reqSize, typeBits: bits } = bufferRequirements(ctx, h.buffer);
      const type =
        memory === "host"
          ? ctx.findMemoryType(
              bits,
              vk.MemoryProperty.HOST_VISIBLE | vk.MemoryProperty.HOST_COHERENT,
              vk.MemoryProperty.HOST_CACHED,
            )
          : ctx.findMemoryType(bits, vk.MemoryProperty.DEVICE_LOCAL);
      this.hostVisible =
        (ctx.memoryTypeFlags(type) & (vk.MemoryProperty.HOST_VISIBLE | vk.MemoryProperty.HOST_COHERENT)) ===
        (vk.MemoryProperty.HOST_VISIBLE | vk.MemoryProperty.HOST_COHERENT);
      checkVk(
        dev.vkAllocateMemory(
          device,
          pack(vk.VkMemoryAllocateInfo, {
            sType: vk.SType.MEMORY_ALLOCATE_INFO,
            allocationSize: reqSize,
            memoryTypeIndex: type,
          }),
          null,
          out,
        ),
        "vkAllocateMemory",
      );
      h.memory = out.readBigUInt64LE(0);
      checkVk(
        dev.vkBindBufferMemory2(
          device,
          1,
          pack(vk.VkBindBufferMemoryInfo, {
            sType: vk.SType.BIND_BUFFER_MEMORY_INFO,
            buffer: h.buffer,
            memory: h.memory,
            memoryOffset: 0,
          }),
        ),
        "vkBindBufferMemory2",
      );
    } catch (e) {
      releaseBuffer(h);
      throw e;
    }
    bufferReclaimer.register(this, h, this);
  }

  /** The VkBuffer; USE_AFTER_DISPOSE once disposed. */
  get buffer(): bigint {
    if (this.h.released) throw new UseAfterDisposeError("GpuBuffer", "GpuBuffer.buffer");
    return this.h.buffer;
  }

  get disposed(): boolean {
    return this.h.released;
  }

  /** Note GPU work that uses this buffer: disposing it waits for that work first. */
  track(submission: Submission): void {
    trackWork(this.h, submission);
  }

  /** The buffer's bytes, mapped (host-visible memory only). */
  bytes(): Uint8Array {
    const h = this.h;
    if (h.released) throw new UseAfterDisposeError("GpuBuffer", "GpuBuffer.bytes");
    if (!this.hostVisible)
      throw new InvalidArgumentError(
        "GpuBuffer.bytes",
        "the buffer is in device-local memory the CPU cannot map; read it with readBack(ctx, buffer)",
      );
    for (const s of h.pending) s.wait();
    if (!h.mapped) {
      const out = Buffer.alloc(8);
      checkVk(h.ctx.dev.vkMapMemory(h.ctx.device, h.memory, 0, vk.VK_WHOLE_SIZE, 0, out), "vkMapMemory");
      h.mapped = Number(out.readBigUInt64LE(0));
    }
    return new Uint8Array(toArrayBuffer(h.mapped as Pointer, 0, this.size));
  }

  [Symbol.dispose](): void {
    bufferReclaimer.unregister(this);
    releaseBuffer(this.h);
  }
}

/** Make a compute shader's writes to `buffer` visible to later shaders, copies and the host. */
export function recordWriteBarrier(ctx: VulkanContext, cmd: number, buffer: bigint): void {
  const barrier = pack(vk.VkBufferMemoryBarrier, {
    sType: vk.SType.BUFFER_MEMORY_BARRIER,
    srcAccessMask: vk.Access.SHADER_WRITE,
    dstAccessMask: vk.Access.HOST_READ | vk.Access.TRANSFER_READ | vk.Access.SHADER_READ,
    srcQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED,
    dstQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED,
    buffer,
    offset: 0,
    size: vk.VK_WHOLE_SIZE,
  });
  ctx.dev.vkCmdPipelineBarrier(
    cmd,
    vk.PipelineStage.COMPUTE_SHADER,
    vk.PipelineStage.HOST | vk.PipelineStage.TRANSFER | vk.PipelineStage.COMPUTE_SHADER,
    0,
    0,
    null,
    1,
    barrier,
    0,
    null,
  );
}

/** Make compute writes visible to the next compute dispatch, or (`toHost`) to copies and the host. */
export function recordComputeBarrier(ctx: VulkanContext, cmd: number, toHost = false): void {
  const barrier = pack(vk.VkMemoryBarrier, {
    sType: vk.SType.MEMORY_BARRIER,
    srcAccessMask: vk.Access.SHADER_WRITE,
    dstAccessMask: toHost
      ? vk.Access.HOST_READ | vk.Access.TRANSFER_READ
      : vk.Access.SHADER_READ | vk.Access.SHADER_WRITE,
  });
  ctx.dev.vkCmdPipelineBarrier(
    cmd,
    vk.PipelineStage.COMPUTE_SHADER,
    toHost ? vk.PipelineStage.HOST | vk.PipelineStage.TRANSFER : vk.PipelineStage.COMPUTE_SHADER,
    0,
    1,
    barrier,
    0,
    null,
    0,
    null,
  );
}

/**
 * A 2D image in device-local memory, optimal tiling (the preview's staging images, the
 * converter's scratch planes when it measures dispatch shapes). Owns its image and memory, and
 * holds its VulkanContext until disposed; the caller waits for the GPU work using it first.
 */
export class DeviceImage implements Disposable {
  readonly image: bigint;
  readonly memory: bigint;
  /** A view of the whole image in its format, where asked for (the image must then be sampled or stored). */
  readonly view: bigint = 0n;
  private released = false;

  constructor(
    readonly ctx: VulkanContext,
    format: vk.VkFormatName,
    readonly width: number,
    readonly height: number,
    usage: number,
    withView = false,
  ) {
    // Held first, so that a context disposed meanwhile is refused before anything is made.
    ctx.retain("DeviceImage");
    const { dev, device } = ctx;
    const out = Buffer.alloc(8);
    let image = 0n,
      memory = 0n;
    try {
      checkVk(
        dev.vkCreateImage(
          device,
          pack(vk.VkImageCreateInfo, {
            sType: vk.SType.IMAGE_CREATE_INFO,
            imageType: 1,
            format: vk.VkFormat[format],
            extent: [width, height, 1],
            mipLevels: 1,
            arrayLayers: 1,
            samples: 1,
            tiling: 0 /* OPTIMAL */,
            usage,
            initialLayout: vk.ImageLayout.UNDEFINED,
          }),
          null,
          out,
        ),
        "vkCreateImage",
        `${format} ${width}x${height}`,
      );
      image = out.readBigUInt64LE(0);
      const r = imageRequirements(ctx, image);
      checkVk(
        dev.vkAllocateMemory(
          device,
          pack(vk.VkMemoryAllocateInfo, {
            sType: vk.SType.MEMORY_ALLOCATE_INFO,
            allocationSize: r.size,
            memoryTypeIndex: ctx.findMemoryType(r.typeBits, vk.MemoryProperty.DEVICE_LOCAL),
          }),
          null,
          out,
        ),
        "vkAllocateMemory",
      );
      memory = out.readBigUInt64LE(0);
      checkVk(
        dev.vkBindImageMemory2(
          device,
          1,
          pack(vk.VkBindImageMemoryInfo, { sType: vk.SType.BIND_IMAGE_MEMORY_INFO, image, memory, memoryOffset: 0 }),
        ),
        "vkBindImageMemory2",
      );
      if (withView) {
        checkVk(
          dev.vkCreateImageView(
            device,
            pack(vk.VkImageViewCreateInfo, {
              sType: vk.SType.IMAGE_VIEW_CREATE_INFO,
              image,
              viewType: 1 /* 2D */,
              format: vk.VkFormat[format],
              subresourceRange: singleSubresource(vk.ImageAspect.COLOR),
            }),
            null,
            out,
          ),
          "vkCreateImageView",
        );
        this.view = out.readBigUInt64LE(0);
      }
    } catch (e) {
      if (image) dev.vkDestroyImage(device, image, null);
      if (memory) dev.vkFreeMemory(device, memory, null);
      ctx.release();
      throw e;
    }
    this.image = image;
    this.memory = memory;
  }

  [Symbol.dispose](): void {
    if (this.released) return;
    this.released = true;
    if (this.view) this.ctx.dev.vkDestroyImageView(this.ctx.device, this.view, null);
    this.ctx.dev.vkDestroyImage(this.ctx.device, this.image, null);
    this.ctx.dev.vkFreeMemory(this.ctx.device, this.memory, null);
    this.ctx.release();
  }
}

/** Copy `size` bytes between two buffers of `ctx` on the GPU, and wait. */
export function copyBuffer(ctx: VulkanContext, src: bigint, dst: bigint, size: number): void {
  ctx.submitAndWait((cmd) =>
    ctx.dev.vkCmdCopyBuffer(cmd, src, dst, 1, pack(vk.VkBufferCopy, { srcOffset: 0, dstOffset: 0, size })),
  );
}

export const BufferUsage = vk.BufferUsage;

/** Copy `size` bytes of any buffer of `ctx` (imported ones too) to the CPU through a host buffer. */
export function readBuffer(ctx: VulkanContext, buffer: bigint, size: number): Uint8Array {
  using staging = new GpuBuffer(ctx, size, vk.BufferUsage.TRANSFER_DST, "host");
  ctx.submitAndWait((cmd) => {
    ctx.dev.vkCmdCopyBuffer(
      cmd,
      buffer,
      staging.buffer,
      1,
      pack(vk.VkBufferCopy, { srcOffset: 0, dstOffset: 0, size }),
    );
    const barrier = pack(vk.VkBufferMemoryBarrier, {
      sType: vk.SType.BUFFER_MEMORY_BARRIER,
      srcAccessMask: vk.Access.TRANSFER_WRITE,
      dstAccessMask: vk.Access.HOST_READ,
      srcQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED,
      dstQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED,
      buffer: staging.buffer,
      offset: 0,
      size: vk.VK_WHOLE_SIZE,
    });
    ctx.dev.vkCmdPipelineBarrier(
      cmd,
      vk.PipelineStage.TRANSFER,
      vk.PipelineStage.HOST,
      0,
      0,
      null,
      1,
      barrier,
      0,
      null,
    );
  });
  return staging.bytes().slice(0, size);
}

/** Copy a device buffer's first `size` bytes to the CPU (the one CPU touch, at the edge). */
export function readBack(ctx: VulkanContext, src: GpuBuffer, size = src.size): Uint8Array {
  if (src.ctx !== ctx)
    throw new InvalidArgumentError("readBack", "the buffer belongs to another VulkanContext than the one given");
  if (!Number.isSafeInteger(size) || size < 0 || size > src.size)
    throw new InvalidArgumentError("readBack size", `${size} is not between 0 and the buffer's ${src.size} bytes`);
  // One queue: the copy runs after the work still writing the buffer (which ends with its write barrier).
  return src.hostVisible ? src.bytes().slice(0, size) : readBuffer(ctx, src.buffer, size);
}
