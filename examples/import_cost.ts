// bun run examples/import_cost.ts [flags]   (--help lists them)
// A fresh import + release of one NV12 frame against a cache lookup of the same frame, on every
// route this device has: dma-buf (memfd), host pointer (memfd pages), opaque fd (a Vulkan export,
// as an image with an explicit LINEAR modifier where the device supports it, else as buffers).
// Needs no decoder, so it runs on GPU machines without libav.
import { closeSync } from "node:fs";
import {
  DRM_FORMAT,
  type DrmFrameDescriptor,
  type HandleType,
  ImportCache,
  importDmabuf,
  memfdRoute,
  VulkanContext,
} from "vaapi-vk";
import { type CliFlag, type CliSpec, cliInt, exportOpaqueFd, parseCli, runCli, sealedMemfd } from "vaapi-vk/internals";

const spec = {
  command: "examples/import_cost.ts",
  positionals: "",
  summary: "A fresh import of one NV12 frame against a cache lookup of it, on every route this device has.",
  flags: {
    width: { type: "string", value: "W", help: "frame width", default: "1920" },
    height: { type: "string", value: "H", help: "frame height", default: "1080" },
    reps: { type: "string", value: "N", help: "repetitions", default: "200" },
  },
} satisfies CliSpec<Record<string, CliFlag>>;
const { values } = parseCli(spec);

await runCli(() => {
  const a = {
    width: cliInt(spec, "width", values.width, 2, 16384),
    height: cliInt(spec, "height", values.height, 2, 16384),
    reps: cliInt(spec, "reps", values.reps, 1),
  };
  using ctx = VulkanContext.create();
  const pitch = Math.ceil(a.width / 256) * 256;
  const bytes = pitch * a.height + pitch * Math.ceil(a.height / 2);
  const describe = (fd: number, size: number): DrmFrameDescriptor => ({
    width: a.width,
    height: a.height,
    objects: [{ fd, size, modifier: 0n }],
    layers: [
      {
        fourcc: DRM_FORMAT.NV12,
        planes: [
          { object: 0, offset: 0, pitch },
          { object: 0, offset: pitch * a.height, pitch },
        ],
      },
    ],
  });
  const measure = (name: string, desc: DrmFrameDescriptor, handleType: HandleType) => {
    let t = performance.now();
    let kind = "";
    for (let i = 0; i < a.reps; i++) {
      using f = importDmabuf(ctx, desc, { handleType });
      kind = f.kind;
    }
    const fresh = (performance.now() - t) / a.reps;
    using cache = new ImportCache(ctx, 4, handleType);
    cache.get(desc);
    t = performance.now();
    for (let i = 0; i < a.reps; i++) cache.get(desc);
    const cached = (performance.now() - t) / a.reps;
    console.log(
      `${name.padEnd(34)} ${kind.padEnd(6)} fresh ${fresh.toFixed(3)} ms  cached ${cached.toFixed(4)} ms  = ${(fresh / cached).toFixed(0)}x`,
    );
  };
  console.log(`${ctx.info.name}: ${a.width}x${a.height} NV12, ${a.reps} reps`);
  const size = Math.ceil(bytes / 4096) * 4096;
  const fd = sealedMemfd(size);
  try {
    const route = (() => {
      try {
        return memfdRoute(ctx);
      } catch {
        return undefined;
      }
    })();
    if (route === "memfd-dma-buf") measure("memfd as dma-buf", describe(fd, size), "dma-buf");
    if (ctx.has("VK_EXT_external_memory_host")) measure("memfd pages as host pointer", describe(fd, size), "host");
  } finally {
    closeSync(fd);
  }
  if (ctx.dev.vkGetMemoryFdKHR) {
    const mem = exportOpaqueFd(ctx, new Uint8Array(bytes));
    try {
      measure("Vulkan export as opaque fd", describe(mem.fd, mem.size), "opaque-fd");
    } finally {
      closeSync(mem.fd);
      mem.free();
    }
  }
});
