// Waiting for the producer before reading a dmabuf. Explicit sync where the kernel offers it
// (DMA_BUF_IOCTL_EXPORT_SYNC_FILE, Linux 6.0+, turned into a Vulkan semaphore through
// VK_KHR_external_semaphore_fd); otherwise implicit sync, which the kernel and the Vulkan driver
// do for dma_bufs on their own (and which a memfd, written by the CPU before it is handed over,
// does not need).
import { dma_buf_export_sync_file, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, DMA_BUF_SYNC_READ } from "../../ffi/drm";
import { libc } from "../../ffi/libc";
import { pack } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { checkVk, type VulkanContext } from "./context";

export type SyncMode = "sync-file" | "implicit";

/** Export each object's pending-write fences as sync_files and import them as wait semaphores. */
export function acquireSyncFile(ctx: VulkanContext, fds: number[]): { semaphores: bigint[]; mode: SyncMode } {
  if (!ctx.has("VK_KHR_external_semaphore_fd") || !ctx.dev.vkImportSemaphoreFdKHR) return { semaphores: [], mode: "implicit" };
  const semaphores: bigint[] = [];
  for (const fd of new Set(fds)) {
    const arg = pack(dma_buf_export_sync_file, { flags: DMA_BUF_SYNC_READ, fd: -1 });
    if (libc().ioctl(fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, arg) !== 0) {
      for (const s of semaphores) ctx.dev.vkDestroySemaphore(ctx.device, s, null);
      return { semaphores: [], mode: "implicit" };
    }
    const syncFd = arg.readInt32LE(dma_buf_export_sync_file.offsets.fd);
    const out = Buffer.alloc(8);
    checkVk(ctx.dev.vkCreateSemaphore(ctx.device, pack(vk.VkSemaphoreCreateInfo, { sType: vk.SType.SEMAPHORE_CREATE_INFO }), null, out), "vkCreateSemaphore");
    const semaphore = out.readBigUInt64LE(0);
    semaphores.push(semaphore);
    const imp = pack(vk.VkImportSemaphoreFdInfoKHR, {
      sType: vk.SType.IMPORT_SEMAPHORE_FD_INFO_KHR, semaphore, flags: vk.SEMAPHORE_IMPORT_TEMPORARY,
      handleType: vk.EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD, fd: syncFd,
    });
    const r = ctx.dev.vkImportSemaphoreFdKHR(ctx.device, imp);
    if (r !== 0) {
      // Vulkan took no ownership: close the sync_file and fall back.
      libc().close(syncFd);
      for (const s of semaphores) ctx.dev.vkDestroySemaphore(ctx.device, s, null);
      return { semaphores: [], mode: "implicit" };
    }
  }
  return { semaphores, mode: "sync-file" };
}
