// Plain Vulkan buffers the library owns (outputs, staging), with host mapping where possible.
import { toArrayBuffer, type Pointer } from "bun:ffi";
import { pack } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { checkVk, type VulkanContext } from "./context";

export class GpuBuffer implements Disposable {
  readonly buffer: bigint;
  readonly memory: bigint;
  readonly hostVisible: boolean;
  private mapped = 0;
  private released = false;

  constructor(readonly ctx: VulkanContext, readonly size: number, usage: number, memory: "device" | "host") {
    const { dev, device } = ctx;
    const out = Buffer.alloc(8);
    checkVk(dev.vkCreateBuffer(device, pack(vk.VkBufferCreateInfo, { sType: vk.SType.BUFFER_CREATE_INFO, size, usage, sharingMode: 0 }), null, out), "vkCreateBuffer");
    this.buffer = out.readBigUInt64LE(0);
    try {
      const req = pack(vk.VkMemoryRequirements2, { sType: vk.SType.MEMORY_REQUIREMENTS_2 });
      dev.vkGetBufferMemoryRequirements2(device, pack(vk.VkBufferMemoryRequirementsInfo2, { sType: vk.SType.BUFFER_MEMORY_REQUIREMENTS_INFO_2, buffer: this.buffer }), req);
      const off = vk.VkMemoryRequirements2.offsets.memoryRequirements;
      const reqSize = req.readBigUInt64LE(off);
      const bits = req.readUInt32LE(off + vk.VkMemoryRequirements.offsets.memoryTypeBits);
      const type = memory === "host"
        ? ctx.findMemoryType(bits, vk.MemoryProperty.HOST_VISIBLE | vk.MemoryProperty.HOST_COHERENT, vk.MemoryProperty.HOST_CACHED)
        : ctx.findMemoryType(bits, vk.MemoryProperty.DEVICE_LOCAL);
      this.hostVisible = (ctx.memoryTypeFlags(type) & (vk.MemoryProperty.HOST_VISIBLE | vk.MemoryProperty.HOST_COHERENT)) === (vk.MemoryProperty.HOST_VISIBLE | vk.MemoryProperty.HOST_COHERENT);
      checkVk(dev.vkAllocateMemory(device, pack(vk.VkMemoryAllocateInfo, { sType: vk.SType.MEMORY_ALLOCATE_INFO, allocationSize: reqSize, memoryTypeIndex: type }), null, out), "vkAllocateMemory");
      this.memory = out.readBigUInt64LE(0);
      checkVk(dev.vkBindBufferMemory2(device, 1, pack(vk.VkBindBufferMemoryInfo, { sType: vk.SType.BIND_BUFFER_MEMORY_INFO, buffer: this.buffer, memory: this.memory, memoryOffset: 0 })), "vkBindBufferMemory2");
    } catch (e) {
      this[Symbol.dispose]();
      throw e;
    }
  }

  /** The buffer's bytes, mapped (host-visible memory only). */
  bytes(): Uint8Array {
    if (!this.hostVisible) throw new Error("buffer is not host-visible; copy it into a host buffer first");
    if (!this.mapped) {
      const out = Buffer.alloc(8);
      checkVk(this.ctx.dev.vkMapMemory(this.ctx.device, this.memory, 0, vk.VK_WHOLE_SIZE, 0, out), "vkMapMemory");
      this.mapped = Number(out.readBigUInt64LE(0));
    }
    return new Uint8Array(toArrayBuffer(this.mapped as Pointer, 0, this.size));
  }

  [Symbol.dispose](): void {
    if (this.released) return;
    this.released = true;
    const { dev, device } = this.ctx;
    if (this.mapped) dev.vkUnmapMemory(device, this.memory);
    if (this.buffer) dev.vkDestroyBuffer(device, this.buffer, null);
    if (this.memory) dev.vkFreeMemory(device, this.memory, null);
  }
}

/** Make a compute shader's writes to `buffer` visible to later shaders, copies and the host. */
export function recordWriteBarrier(ctx: VulkanContext, cmd: number, buffer: bigint): void {
  const barrier = pack(vk.VkBufferMemoryBarrier, {
    sType: vk.SType.BUFFER_MEMORY_BARRIER, srcAccessMask: vk.Access.SHADER_WRITE, dstAccessMask: vk.Access.HOST_READ | vk.Access.TRANSFER_READ | vk.Access.SHADER_READ,
    srcQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED, dstQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED, buffer, offset: 0, size: vk.VK_WHOLE_SIZE,
  });
  ctx.dev.vkCmdPipelineBarrier(cmd, vk.PipelineStage.COMPUTE_SHADER, vk.PipelineStage.HOST | vk.PipelineStage.TRANSFER | vk.PipelineStage.COMPUTE_SHADER, 0, 0, null, 1, barrier, 0, null);
}

/** Make compute writes visible to the next compute dispatch, or (`toHost`) to copies and the host. */
export function recordComputeBarrier(ctx: VulkanContext, cmd: number, toHost = false): void {
  const barrier = pack(vk.VkMemoryBarrier, {
    sType: vk.SType.MEMORY_BARRIER, srcAccessMask: vk.Access.SHADER_WRITE,
    dstAccessMask: toHost ? vk.Access.HOST_READ | vk.Access.TRANSFER_READ : vk.Access.SHADER_READ | vk.Access.SHADER_WRITE,
  });
  ctx.dev.vkCmdPipelineBarrier(cmd, vk.PipelineStage.COMPUTE_SHADER, toHost ? vk.PipelineStage.HOST | vk.PipelineStage.TRANSFER : vk.PipelineStage.COMPUTE_SHADER, 0, 1, barrier, 0, null, 0, null);
}

/** Copy `size` bytes between two buffers of `ctx` on the GPU, and wait. */
export function copyBuffer(ctx: VulkanContext, src: bigint, dst: bigint, size: number): void {
  ctx.submitAndWait((cmd) => ctx.dev.vkCmdCopyBuffer(cmd, src, dst, 1, pack(vk.VkBufferCopy, { srcOffset: 0, dstOffset: 0, size })));
}

export const BufferUsage = vk.BufferUsage;

/** Copy `size` bytes of any buffer of `ctx` (imported ones too) to the CPU through a host buffer. */
export function readBuffer(ctx: VulkanContext, buffer: bigint, size: number): Uint8Array {
  using staging = new GpuBuffer(ctx, size, vk.BufferUsage.TRANSFER_DST, "host");
  ctx.submitAndWait((cmd) => {
    ctx.dev.vkCmdCopyBuffer(cmd, buffer, staging.buffer, 1, pack(vk.VkBufferCopy, { srcOffset: 0, dstOffset: 0, size }));
    const barrier = pack(vk.VkBufferMemoryBarrier, {
      sType: vk.SType.BUFFER_MEMORY_BARRIER, srcAccessMask: vk.Access.TRANSFER_WRITE, dstAccessMask: vk.Access.HOST_READ,
      srcQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED, dstQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED, buffer: staging.buffer, offset: 0, size: vk.VK_WHOLE_SIZE,
    });
    ctx.dev.vkCmdPipelineBarrier(cmd, vk.PipelineStage.TRANSFER, vk.PipelineStage.HOST, 0, 0, null, 1, barrier, 0, null);
  });
  return staging.bytes().slice(0, size);
}

/** Copy a device buffer's first `size` bytes to the CPU (the one CPU touch, at the edge). */
export function readBack(ctx: VulkanContext, src: GpuBuffer, size = src.size): Uint8Array {
  return src.hostVisible ? src.bytes().slice(0, size) : readBuffer(ctx, src.buffer, size);
}
