// How the software source's memfds reach Vulkan: the route is decided by asking the driver, and
// the pool's memfds are sealed so /dev/udmabuf can wrap them for drivers that want real dma_bufs.
import { afterAll, beforeAll, expect } from "bun:test";
import { existsSync } from "node:fs";
import { DmabufImportError, memfdRoute, UdmabufWrapper, Video, VulkanContext } from "vaapi-vk";
import { sealedMemfd } from "vaapi-vk/internals";
import { libc } from "../ffi/libc";
import { CLIPS, clip, clipsMissing } from "./support/clips";
import { openFds } from "./support/fds";
import { libavMissing, requires, vulkanMissing } from "./support/gate";

// The file's device, made before its tests where there is one (they skip, saying why, where not).
const withVulkan = requires(vulkanMissing());
let ctx: VulkanContext;
beforeAll(() => {
  if (!vulkanMissing()) ctx = VulkanContext.create({ validation: true });
});
afterAll(() => ctx?.[Symbol.dispose]());
const F_GET_SEALS = 1034,
  F_SEAL_SHRINK = 2;

withVulkan("the route is what the driver says, on every device", () => {
  const dmaBuf = ctx.has("VK_EXT_external_memory_dma_buf");
  const host = ctx.has("VK_EXT_external_memory_host");
  let route: ReturnType<typeof memfdRoute> | undefined;
  try {
    route = memfdRoute(ctx);
  } catch (e) {
    // Refused only where no route exists, saying so.
    expect(e).toBeInstanceOf(DmabufImportError);
    expect((e as DmabufImportError).code).toBe("NO_DMABUF_IMPORT");
    expect(host).toBe(false);
    return;
  }
  // The dma_buf routes need dma_buf import; udmabuf needs the node; the host route is the fallback.
  if (route === "memfd-dma-buf" || route === "udmabuf") expect(dmaBuf).toBe(true);
  if (route === "udmabuf") expect(existsSync("/dev/udmabuf")).toBe(true);
  if (route === "host-pointer") expect([host, dmaBuf && existsSync("/dev/udmabuf")]).toEqual([true, false]);
  // lavapipe takes a memfd as a dma_buf; a device without dma_buf import (NVIDIA) takes host pointers.
  if (dmaBuf && ctx.info.driverName === "llvmpipe") expect(route).toBe("memfd-dma-buf");
  if (!dmaBuf) expect(route).toBe("host-pointer");
});

requires(libavMissing() ?? clipsMissing())(
  "the frame pool's memfds are sealed against shrinking, and the route is reported",
  () => {
    using video = Video.open(clip(CLIPS.h264), { source: "software" });
    using frame = video.next()!;
    expect(libc().fcntl(frame.descriptor.objects[0]!.fd, F_GET_SEALS, 0) & F_SEAL_SHRINK).toBe(F_SEAL_SHRINK);
    expect(video.sourceNote).toContain(`frames enter Vulkan as ${video.memfdRoute}`);
  },
);

requires(existsSync("/dev/udmabuf") ? undefined : "no /dev/udmabuf here (kernel without CONFIG_UDMABUF)")(
  "udmabuf wraps a sealed memfd once, and closes it once",
  () => {
    const fd = sealedMemfd(65536);
    const before = openFds();
    {
      using wrapper = new UdmabufWrapper();
      const desc = { width: 64, height: 32, objects: [{ fd, size: 65536, modifier: 0n }], layers: [] };
      const a = wrapper.wrap(desc),
        b = wrapper.wrap(desc);
      expect(a.objects[0]!.fd).toBe(b.objects[0]!.fd);
      expect(a.objects[0]!.fd).not.toBe(fd);
    }
    expect(openFds()).toBe(before);
    libc().close(fd);
  },
);

withVulkan("without /dev/udmabuf the wrapper fails with a typed error and leaks nothing", () => {
  const fd = sealedMemfd(65536);
  const before = openFds();
  using wrapper = new UdmabufWrapper("/nonexistent/udmabuf");
  expect(() =>
    wrapper.wrap({ width: 64, height: 32, objects: [{ fd, size: 65536, modifier: 0n }], layers: [] }),
  ).toThrow(DmabufImportError);
  expect(openFds()).toBe(before);
  libc().close(fd);
});
