// bun run examples/convert_speed.ts [flags]   (--help lists them)
// The NV12/P010 -> RGBA conversion against the memory roofline, in GPU time (timestamp queries),
// many conversions back to back, each of one frame, then of `--batch` frames: bytes moved per
// conversion (frames read + RGBA written), GB/s, and the ratio to a compute-shader copy and to
// vkCmdCopyBuffer moving the same bytes, measured in the same run. Each conversion is dispatched
// as the converter measured fastest (workgroup, and one dispatch for a batch or one a frame);
// --candidates prints what it measured for every shape.
// Needs no decoder: frames are patterns in memory the device imports (a memfd as dma_buf, else a
// Vulkan export as opaque fd), through every import kind the device has.
import { closeSync } from "node:fs";
import {
  Converter,
  DRM_FORMAT,
  type DrmFrameDescriptor,
  type HandleType,
  type ImportPlan,
  importDmabuf,
  MAX_BATCH,
  memfdRoute,
  VulkanContext,
} from "vaapi-vk";
import {
  type CliFlag,
  type CliSpec,
  cliInt,
  cliUsageError,
  copyRoofline,
  dispatchTable,
  exportOpaqueFd,
  gpuTimeNs,
  parseCli,
  runCli,
  sealedMemfd,
} from "vaapi-vk/internals";

const spec = {
  command: "examples/convert_speed.ts",
  positionals: "",
  summary: "The NV12/P010 -> RGBA conversion against the memory roofline, in GPU time.",
  flags: {
    reps: { type: "string", value: "N", help: "conversions back to back per measurement", default: "50" },
    sizes: { type: "string", value: "WxH,...", help: "frame sizes", default: "1920x1080,3840x2160" },
    batch: { type: "string", value: "B", help: `frames a batched dispatch converts (1 to ${MAX_BATCH})`, default: "4" },
    chroma: {
      type: "string",
      value: "bilinear|nearest|both",
      help: "chroma reconstruction to measure (both: a row each, side by side)",
      default: "both",
    },
    candidates: { type: "boolean", help: "also print every dispatch shape the converter measured, in ns a frame" },
  },
} satisfies CliSpec<Record<string, CliFlag>>;
const { values } = parseCli(spec);

await runCli(() => {
  if (!/^\d+x\d+(,\d+x\d+)*$/.test(values.sizes))
    cliUsageError(spec, `--sizes ${values.sizes}: give sizes like 1920x1080,3840x2160`);
  const a = {
    reps: cliInt(spec, "reps", values.reps, 1),
    sizes: values.sizes,
    batch: cliInt(spec, "batch", values.batch, 1, MAX_BATCH),
    chroma:
      values.chroma === "both"
        ? (["bilinear", "nearest"] as const)
        : [
            (["bilinear", "nearest"] as const).find((c) => c === values.chroma) ??
              cliUsageError(spec, `--chroma ${values.chroma}: use bilinear, nearest or both`),
          ],
  };
  using ctx = VulkanContext.create();
  using bilinear = new Converter(ctx);
  using nearest = new Converter(ctx, { chroma: "nearest" });
  const converters = { bilinear, nearest };
  const color = { colorspace: 1, colorRange: 1, colorPrimaries: 1, colorTrc: 1, chromaLocation: 1 };
  const route = (() => {
    try {
      return memfdRoute(ctx);
    } catch {
      return undefined;
    }
  })();
  console.log(
    `${ctx.info.name} (${ctx.info.driverName}): ${a.reps} conversions back to back per measurement, GPU timestamps`,
  );
  console.log(
    "size        format  chroma    path    frames  dispatch           MB moved  convert GB/s  shader-copy GB/s  vkCmdCopyBuffer GB/s  convert/shader-copy  convert/vkCmdCopyBuffer",
  );

  /** A frame's bytes in memory the device imports: its own (a GPU's decoder writes there) where it exports memory, else a memfd. */
  const patternFrame = (bytes: number): { fd: number; size: number; handleType: HandleType; release: () => void } => {
    const fill = (b: Uint8Array) => {
      for (let i = 0; i < b.length; i++) b[i] = (i * 2654435761) >>> 24;
    };
    if (!ctx.dev.vkGetMemoryFdKHR && (route === "memfd-dma-buf" || route === "host-pointer")) {
      const size = Math.ceil(bytes / 4096) * 4096;
      const fd = sealedMemfd(size);
      fill(Bun.mmap(`/proc/self/fd/${fd}`, { shared: true }));
      return { fd, size, handleType: route === "host-pointer" ? "host" : "dma-buf", release: () => closeSync(fd) };
    }
    const data = new Uint8Array(bytes);
    fill(data);
    const mem = exportOpaqueFd(ctx, data);
    return {
      fd: mem.fd,
      size: mem.size,
      handleType: "opaque-fd",
      release: () => {
        closeSync(mem.fd);
        mem.free();
      },
    };
  };
  for (const size of a.sizes.split(",")) {
    const [w, h] = size.split("x").map(Number) as [number, number];
    for (const fmt of ["NV12", "P010"] as const) {
      const bps = fmt === "NV12" ? 1 : 2;
      const pitch = Math.ceil((w * bps) / 256) * 256;
      const bytes = pitch * h + pitch * Math.ceil(h / 2);
      const desc = (fd: number, objSize: number): DrmFrameDescriptor => ({
        width: w,
        height: h,
        objects: [{ fd, size: objSize, modifier: 0n }],
        layers: [
          {
            fourcc: fmt === "NV12" ? DRM_FORMAT.NV12 : DRM_FORMAT.P010,
            planes: [
              { object: 0, offset: 0, pitch },
              { object: 0, offset: pitch * h, pitch },
            ],
          },
        ],
      });
      const frames = Array.from({ length: a.batch }, () => patternFrame(bytes));
      try {
        const { handleType } = frames[0]!;
        const plans: [string, ImportPlan | undefined][] = [
          ["buffer", { kind: "buffer", pixelFormat: fmt, planes: desc(0, bytes).layers[0]!.planes }],
        ];
        const vkFormat = fmt === "NV12" ? "G8_B8R8_2PLANE_420_UNORM" : "G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16";
        if ((ctx.importCaps(handleType).modifiers[vkFormat] ?? []).includes(0n)) plans.push(["image", undefined]);
        const perFrame = w * h * bps + 2 * Math.ceil(w / 2) * Math.ceil(h / 2) * bps + w * h * 4;
        for (const batch of new Set([1, a.batch])) {
          // The yardsticks move what one dispatch moves: `batch` frames read and written.
          const moved = perFrame * batch;
          const roof = copyRoofline(ctx, moved, a.reps);
          for (const [name, plan] of plans)
            for (const chroma of a.chroma) {
              const conv = converters[chroma];
              const imported = frames
                .slice(0, batch)
                .map((f) => importDmabuf(ctx, desc(f.fd, f.size), { handleType, plan }));
              const targets = imported.map(() => conv.allocateRgba(w, h));
              try {
                const { record, info } = conv.recordToRgbaBatch(imported, color, targets);
                const ns = gpuTimeNs(ctx, a.reps, record, (cmd) => {
                  for (const f of imported) f.recordAcquire(cmd);
                });
                const { workgroup, batched, how } = info.dispatch;
                const shape = `${workgroup.join("x")} ${batch === 1 ? "" : batched ? "one" : "each"}${how === "measured" ? "" : ` (${how})`}`;
                console.log(
                  `${size.padEnd(10)}  ${fmt.padEnd(6)}  ${chroma.padEnd(8)}  ${name.padEnd(6)}  ${String(batch).padStart(6)}  ${shape.padEnd(17)}  ${(moved / 1e6).toFixed(2).padStart(8)}  ${(moved / ns).toFixed(1).padStart(12)}  ${(moved / roof.shaderCopyNs).toFixed(1).padStart(16)}  ${(moved / roof.cmdCopyNs).toFixed(1).padStart(20)}  ${((roof.shaderCopyNs / ns) * 100).toFixed(0).padStart(18)}%  ${((roof.cmdCopyNs / ns) * 100).toFixed(0).padStart(22)}%`,
                );
              } finally {
                for (const t of targets) t[Symbol.dispose]();
                for (const f of imported) f[Symbol.dispose]();
              }
            }
        }
      } finally {
        for (const f of frames) f.release();
      }
    }
  }
  if (values.candidates) {
    console.log("\nWhat the converter measured (GPU ns a frame; the fastest starred):");
    for (const [key, choice] of dispatchTable(ctx))
      console.log(
        `${key.padEnd(36)}  ${(choice.candidates ?? [])
          .map((c) => {
            const best = c.shape.workgroup === choice.workgroup && c.shape.batched === choice.batched ? "*" : "";
            return `${c.shape.workgroup.join("x")}${c.shape.batched ? " one" : ""} ${c.nsPerFrame.toFixed(0)}${best}`;
          })
          .join(", ")}`,
      );
  }
});
