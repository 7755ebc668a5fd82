// How a device takes the software source's memfds: as dma_bufs (lavapipe accepts a memfd), as
// real dma_bufs made by /dev/udmabuf (RADV, ANV and other drivers that want one), or as a host
// pointer to their pages (VK_EXT_external_memory_host, e.g. NVIDIA). All three alias the decoder's
// pages: no copy.
import { existsSync } from "node:fs";
import { UDMABUF_CREATE, UDMABUF_FLAGS_CLOEXEC, udmabuf_create } from "../../ffi/drm";
import { F_ADD_SEALS, F_SEAL_SHRINK, libc, MFD_ALLOW_SEALING, MFD_CLOEXEC, O_CLOEXEC, O_RDWR } from "../../ffi/libc";
import { pack, unpackField } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import type { DrmFrameDescriptor } from "../descriptor";
import { DmabufImportError } from "../errors";
import type { HandleType, VulkanContext } from "./context";
import { dmabufIdentity } from "./objects";

export type MemfdRoute = "memfd-dma-buf" | "udmabuf" | "host-pointer";

/** Whether the device's dma_buf import takes a memfd (asked of the driver with a one-page memfd). */
function acceptsMemfdAsDmabuf(ctx: VulkanContext): boolean {
  if (!ctx.has("VK_EXT_external_memory_dma_buf") || !ctx.dev.vkGetMemoryFdPropertiesKHR) return false;
  const fd = libc().memfd_create(Buffer.from("vaapi-vk-probe\0"), MFD_CLOEXEC);
  try {
    libc().ftruncate(fd, 4096);
    const props = pack(vk.VkMemoryFdPropertiesKHR, { sType: vk.SType.MEMORY_FD_PROPERTIES_KHR });
    return (
      ctx.dev.vkGetMemoryFdPropertiesKHR(ctx.device, vk.ExternalMemoryHandleType.DMA_BUF, fd, props) === 0 &&
      unpackField(vk.VkMemoryFdPropertiesKHR, props, "memoryTypeBits") !== 0
    );
  } finally {
    libc().close(fd);
  }
}

/** The route memfds take into this device, or NO_DMABUF_IMPORT with what would make one work. */
export function memfdRoute(ctx: VulkanContext, udmabufNode = "/dev/udmabuf"): MemfdRoute {
  if (acceptsMemfdAsDmabuf(ctx)) return "memfd-dma-buf";
  if (ctx.has("VK_EXT_external_memory_dma_buf") && existsSync(udmabufNode)) return "udmabuf";
  if (ctx.has("VK_EXT_external_memory_host")) return "host-pointer";
  throw new DmabufImportError(
    "NO_DMABUF_IMPORT",
    `${ctx.info.name} takes memfds neither as dma_bufs nor as host pointers, and ${udmabufNode} is missing: load the udmabuf module (modprobe udmabuf) or use a driver with VK_EXT_external_memory_host`,
  );
}

export const routeHandleType = (r: MemfdRoute): HandleType => (r === "host-pointer" ? "host" : "dma-buf");

/** Turns memfds into udmabufs, once per memfd (pooled memfds come back, and so do their udmabufs). */
export class UdmabufWrapper implements Disposable {
  private readonly byIdentity = new Map<string, number>();

  constructor(readonly node = "/dev/udmabuf") {}

  /** `desc` with each object's memfd replaced by a udmabuf over the same pages. */
  wrap(desc: DrmFrameDescriptor): DrmFrameDescriptor {
    return { ...desc, objects: desc.objects.map((o) => ({ ...o, fd: this.udmabufOf(o.fd, o.size) })) };
  }

  private udmabufOf(memfd: number, size: number): number {
    const id = dmabufIdentity(memfd);
    const known = this.byIdentity.get(id);
    if (known !== undefined) return known;
    const dev = libc().open(Buffer.from(`${this.node}\0`), O_RDWR | O_CLOEXEC);
    if (dev < 0) throw new DmabufImportError("NO_DMABUF_IMPORT", `cannot open ${this.node}`);
    try {
      const fd = libc().ioctl(
        dev,
        UDMABUF_CREATE,
        pack(udmabuf_create, { memfd, flags: UDMABUF_FLAGS_CLOEXEC, offset: 0, size }),
      );
      if (fd < 0)
        throw new DmabufImportError(
          "BAD_LAYOUT",
          `UDMABUF_CREATE over fd ${memfd} (${size} bytes) failed: the memfd must be sealed against shrinking and its size page-aligned`,
        );
      this.byIdentity.set(id, fd);
      return fd;
    } finally {
      libc().close(dev);
    }
  }

  [Symbol.dispose](): void {
    for (const fd of this.byIdentity.values()) libc().close(fd);
    this.byIdentity.clear();
  }
}

/** A sealed memfd, as the frame pool makes them (for tests and callers with their own pools). */
export function sealedMemfd(size: number): number {
  const fd = libc().memfd_create(Buffer.from("vaapi-vk-frame\0"), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0 || libc().ftruncate(fd, size) !== 0 || libc().fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) !== 0) {
    if (fd >= 0) libc().close(fd);
    throw new DmabufImportError("BAD_LAYOUT", "could not make a sealed memfd");
  }
  return fd;
}
