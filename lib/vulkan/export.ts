// Memory this device exports as an OPAQUE_FD: what another API (CUDA, another Vulkan instance)
// shares with the library, and how tests stand in for such a producer.
import { pack } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { checkVk, type VulkanContext } from "./context";
import { bufferRequirements, GpuBuffer } from "./memory";

/**
 * A second Vulkan allocation exported as an OPAQUE_FD, filled with `bytes`: stands in for memory
 * a producer (another API, CUDA) shares. The importer must use the same memory type and size;
 * both pick the first DEVICE_LOCAL type allowed, as importDmabuf does.
 */
export function exportOpaqueFd(ctx: VulkanContext, bytes: Uint8Array): { fd: number; size: number; free(): void } {
  const { dev, device } = ctx;
  // 2 MiB granules: NVIDIA asks more of an image than its bytes (a 128x64 NV12 image needs 128 KiB).
  const size = Math.ceil(bytes.length / 2097152) * 2097152;
  const out = Buffer.alloc(8);
  const ext = pack(vk.VkExternalMemoryBufferCreateInfo, {
    sType: vk.SType.EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
    handleTypes: vk.ExternalMemoryHandleType.OPAQUE_FD,
  });
  checkVk(
    dev.vkCreateBuffer(
      device,
      pack(vk.VkBufferCreateInfo, {
        sType: vk.SType.BUFFER_CREATE_INFO,
        pNext: ext,
        size,
        usage: vk.BufferUsage.TRANSFER_DST,
        sharingMode: 0,
      }),
      null,
      out,
    ),
    "vkCreateBuffer",
  );
  const buffer = out.readBigUInt64LE(0);
  const type = ctx.findMemoryType(bufferRequirements(ctx, buffer).typeBits, 0, vk.MemoryProperty.DEVICE_LOCAL);
  const exp = pack(vk.VkExportMemoryAllocateInfo, {
    sType: vk.SType.EXPORT_MEMORY_ALLOCATE_INFO,
    handleTypes: vk.ExternalMemoryHandleType.OPAQUE_FD,
  });
  checkVk(
    dev.vkAllocateMemory(
      device,
      pack(vk.VkMemoryAllocateInfo, {
        sType: vk.SType.MEMORY_ALLOCATE_INFO,
        pNext: exp,
        allocationSize: size,
        memoryTypeIndex: type,
      }),
      null,
      out,
    ),
    "vkAllocateMemory (export)",
  );
  const memory = out.readBigUInt64LE(0);
  checkVk(
    dev.vkBindBufferMemory2(
      device,
      1,
      pack(vk.VkBindBufferMemoryInfo, { sType: vk.SType.BIND_BUFFER_MEMORY_INFO, buffer, memory, memoryOffset: 0 }),
    ),
    "vkBindBufferMemory2",
  );
  using staging = new GpuBuffer(ctx, size, vk.BufferUsage.TRANSFER_SRC, "host");
  staging.bytes().set(bytes);
  ctx.submitAndWait((cmd) =>
    dev.vkCmdCopyBuffer(cmd, staging.buffer, buffer, 1, pack(vk.VkBufferCopy, { srcOffset: 0, dstOffset: 0, size })),
  );
  checkVk(
    dev.vkGetMemoryFdKHR!(
      device,
      pack(vk.VkMemoryGetFdInfoKHR, {
        sType: vk.SType.MEMORY_GET_FD_INFO_KHR,
        memory,
        handleType: vk.ExternalMemoryHandleType.OPAQUE_FD,
      }),
      out,
    ),
    "vkGetMemoryFdKHR",
  );
  const fd = out.readInt32LE(0);
  return {
    fd,
    size,
    free() {
      dev.vkDestroyBuffer(device, buffer, null);
      dev.vkFreeMemory(device, memory, null);
    },
  };
}
