// bun run examples/convert_speed.ts [--reps 50] [--sizes 1920x1080,3840x2160]
// The NV12/P010 -> RGBA conversion against the memory roofline, in GPU time (timestamp queries),
// many frames back to back: bytes moved per frame (frame read + RGBA written), GB/s, and the ratio
// to a compute-shader copy and to vkCmdCopyBuffer moving the same bytes, measured in the same run.
// Needs no decoder: frames are patterns in memory the device imports (a memfd as dma_buf, else a
// Vulkan export as opaque fd), through every import kind the device has.
import { closeSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import {
  copyRoofline, DRM_FORMAT, exportOpaqueFd, gpuTimeNs, importDmabuf, memfdRoute, runCli, sealedMemfd, VulkanContext, Converter,
  type DrmFrameDescriptor, type HandleType, type ImportPlan,
} from "vaapi-vk";

const { values } = parseArgs({ options: { reps: { type: "string", default: "50" }, sizes: { type: "string", default: "1920x1080,3840x2160" } } });

await runCli(() => {
  const a = z.object({ reps: z.coerce.number().int().positive(), sizes: z.string().regex(/^\d+x\d+(,\d+x\d+)*$/) }).parse(values);
  using ctx = VulkanContext.create();
  using conv = new Converter(ctx);
  const color = { colorspace: 1, colorRange: 1, colorPrimaries: 1, colorTrc: 1, chromaLocation: 1 };
  const route = (() => { try { return memfdRoute(ctx); } catch { return undefined; } })();
  console.log(`${ctx.info.name} (${ctx.info.driverName}): ${a.reps} conversions back to back per measurement, GPU timestamps`);
  console.log("size        format  path    MB/frame  convert GB/s  shader-copy GB/s  vkCmdCopyBuffer GB/s  convert/shader-copy  convert/vkCmdCopyBuffer");
  for (const size of a.sizes.split(",")) {
    const [w, h] = size.split("x").map(Number) as [number, number];
    for (const fmt of ["NV12", "P010"] as const) {
      const bps = fmt === "NV12" ? 1 : 2;
      const pitch = Math.ceil((w * bps) / 256) * 256;
      const bytes = pitch * h + pitch * Math.ceil(h / 2);
      const fill = (b: Uint8Array) => { for (let i = 0; i < b.length; i++) b[i] = (i * 2654435761) >>> 24; };
      let fd: number, objSize: number, handleType: HandleType, release: () => void;
      // Frames in device memory where the device exports it (a GPU's decoder writes there), else a memfd.
      if (!ctx.dev.vkGetMemoryFdKHR && (route === "memfd-dma-buf" || route === "host-pointer")) {
        objSize = Math.ceil(bytes / 4096) * 4096;
        fd = sealedMemfd(objSize);
        fill(Bun.mmap(`/proc/self/fd/${fd}`, { shared: true }));
        handleType = route === "host-pointer" ? "host" : "dma-buf";
        const f = fd;
        release = () => closeSync(f);
      } else {
        const data = new Uint8Array(bytes);
        fill(data);
        const mem = exportOpaqueFd(ctx, data);
        fd = mem.fd; objSize = mem.size; handleType = "opaque-fd";
        release = () => { closeSync(mem.fd); mem.free(); };
      }
      const desc: DrmFrameDescriptor = {
        width: w, height: h, objects: [{ fd, size: objSize, modifier: 0n }],
        layers: [{ fourcc: fmt === "NV12" ? DRM_FORMAT.NV12 : DRM_FORMAT.P010, planes: [{ object: 0, offset: 0, pitch }, { object: 0, offset: pitch * h, pitch }] }],
      };
      const moved = w * h * bps + 2 * Math.ceil(w / 2) * Math.ceil(h / 2) * bps + w * h * 4;
      const roof = copyRoofline(ctx, moved, a.reps);
      const plans: [string, ImportPlan | undefined][] = [["buffer", { kind: "buffer", pixelFormat: fmt, planes: desc.layers[0]!.planes }]];
      const caps = ctx.importCaps(handleType);
      const vkFormat = fmt === "NV12" ? "G8_B8R8_2PLANE_420_UNORM" : "G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16";
      if ((caps.modifiers[vkFormat] ?? []).includes(0n)) plans.push(["image", undefined]);
      try {
        for (const [name, plan] of plans) {
          using frame = importDmabuf(ctx, desc, { handleType, plan });
          using target = conv.allocateRgba(w, h);
          const record = conv.recordToRgba(frame, color, target);
          const ns = gpuTimeNs(ctx, a.reps, record, (cmd) => frame.recordAcquire(cmd));
          const gbs = (n: number) => moved / n;
          console.log(`${size.padEnd(10)}  ${fmt.padEnd(6)}  ${name.padEnd(6)}  ${(moved / 1e6).toFixed(2).padStart(8)}  ${gbs(ns).toFixed(1).padStart(12)}  ${gbs(roof.shaderCopyNs).toFixed(1).padStart(16)}  ${gbs(roof.cmdCopyNs).toFixed(1).padStart(20)}  ${(roof.shaderCopyNs / ns * 100).toFixed(0).padStart(18)}%  ${(roof.cmdCopyNs / ns * 100).toFixed(0).padStart(22)}%`);
        }
      } finally {
        release();
      }
    }
  }
});
