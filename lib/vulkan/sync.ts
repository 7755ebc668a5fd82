// Waiting for the producer before reading a dmabuf. Explicit sync where the kernel offers it
// (DMA_BUF_IOCTL_EXPORT_SYNC_FILE, Linux 6.0+: the buffer's pending writes as a sync_file, turned
// into a Vulkan wait semaphore through VK_KHR_external_semaphore_fd). Where it does not (an older
// kernel, a driver without the extension, a memfd), the buffers are polled until readable, as
// wlroots does for foreign dmabufs: "implicit" never means waiting on nothing. A memfd written by
// the CPU is readable at once. Memory exported by Vulkan or CUDA (opaque fds) carries no fences at
// all: its exporter synchronises explicitly before handing it over.
import { DMA_BUF_IOCTL_EXPORT_SYNC_FILE, DMA_BUF_SYNC_READ, dma_buf_export_sync_file } from "../../ffi/drm";
import { errnoText, libc, POLLIN, POLLNVAL, PollFd } from "../../ffi/libc";
import { pack, packArray, unpack } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { CCallError, SyncTimeoutError, VaapiVkError } from "../errors";
import { checkVk, type HandleType, type VulkanContext } from "./context";

/**
 * How a read waited for its producer: on exported fences (GPU-side), by polling the buffers
 * (CPU-side), not at all because the exporter (Vulkan, CUDA) synchronises explicitly, or on the
 * timeline semaphore of a frame libav decoded on this device (Vulkan Video).
 */
export type SyncMode = "sync-file" | "poll" | "exporter" | "timeline";

/** A binary semaphore of `ctx`'s device (the caller destroys it). */
export function createSemaphore(ctx: VulkanContext): bigint {
  const out = Buffer.alloc(8);
  checkVk(
    ctx.dev.vkCreateSemaphore(
      ctx.device,
      pack(vk.VkSemaphoreCreateInfo, { sType: vk.SType.SEMAPHORE_CREATE_INFO }),
      null,
      out,
    ),
    "vkCreateSemaphore",
  );
  return out.readBigUInt64LE(0);
}

/** Each fd's pending writes as a sync_file imported into a wait semaphore; null where any fd cannot export. */
function exportSyncFiles(ctx: VulkanContext, fds: readonly number[]): bigint[] | null {
  if (!ctx.has("VK_KHR_external_semaphore_fd") || !ctx.dev.vkImportSemaphoreFdKHR) return null;
  const semaphores: bigint[] = [];
  const fail = () => {
    for (const s of semaphores) ctx.dev.vkDestroySemaphore(ctx.device, s, null);
    return null;
  };
  for (const fd of fds) {
    const arg = pack(dma_buf_export_sync_file, { flags: DMA_BUF_SYNC_READ, fd: -1 });
    if (libc().ioctl(fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, arg) !== 0) return fail();
    const syncFd = arg.readInt32LE(dma_buf_export_sync_file.offsets.fd);
    let semaphore: bigint;
    try {
      semaphore = createSemaphore(ctx);
    } catch (e) {
      libc().close(syncFd);
      fail();
      throw e;
    }
    semaphores.push(semaphore);
    const imp = pack(vk.VkImportSemaphoreFdInfoKHR, {
      sType: vk.SType.IMPORT_SEMAPHORE_FD_INFO_KHR,
      semaphore,
      flags: vk.SEMAPHORE_IMPORT_TEMPORARY,
      handleType: vk.EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD,
      fd: syncFd,
    });
    if (ctx.dev.vkImportSemaphoreFdKHR(ctx.device, imp) !== 0) {
      // Vulkan took no ownership: close the sync_file and fall back.
      libc().close(syncFd);
      return fail();
    }
  }
  return semaphores;
}

/** Poll the buffers until each is readable (its producer's writes are done), or `timeoutS` passes. */
export function pollReadable(fds: readonly number[], timeoutS: number): void {
  const deadline = performance.now() + timeoutS * 1000;
  let waiting = fds;
  while (waiting.length) {
    const set = packArray(
      PollFd,
      waiting.map((fd) => ({ fd, events: POLLIN, revents: 0 })),
    );
    const left = Math.max(0, Math.ceil(deadline - performance.now()));
    const n = libc().poll(set, waiting.length, timeoutS > 0 ? left : -1);
    if (n < 0) throw new CCallError("poll", n, errnoText(), "waiting for the frame's producer");
    const states = waiting.map((_, i) => unpack(PollFd, set, i).revents as number);
    const closed = waiting.find((_, i) => states[i]! & POLLNVAL);
    if (closed !== undefined)
      throw new VaapiVkError(
        "SYNC_FAILED",
        `fd ${closed} of the frame is not open: the import's own dups were closed under it`,
      );
    waiting = waiting.filter((_, i) => !(states[i]! & POLLIN));
    if (waiting.length && timeoutS > 0 && performance.now() >= deadline) throw new SyncTimeoutError(timeoutS, waiting);
  }
}

/**
 * Wait for the producer of the buffers `fds` name: semaphores for the GPU to wait on, or a CPU-side
 * poll. `exportRefused`: these fds already refused a sync_file export (a memfd, an older kernel:
 * that does not change), so go straight to polling rather than ask the kernel again every frame.
 */
export function waitForProducer(
  ctx: VulkanContext,
  handleType: HandleType,
  fds: readonly number[],
  timeoutS: number,
  exportRefused = false,
): { semaphores: bigint[]; mode: SyncMode } {
  if (handleType === "opaque-fd") return { semaphores: [], mode: "exporter" };
  const semaphores = exportRefused ? null : exportSyncFiles(ctx, fds);
  if (semaphores) return { semaphores, mode: "sync-file" };
  pollReadable(fds, timeoutS);
  return { semaphores: [], mode: "poll" };
}
