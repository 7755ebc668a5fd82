// bun run examples/stub.ts <video> [--out frame.png] [--frame N] [--vaapi-device PATH] [--timeout-s N]
//                                  [--source auto|vaapi|software] [--force-linear] [--drm-device PATH] [--debug] [--validation]
// Decode one frame, import it into Vulkan without a CPU copy, convert it to RGBA on the GPU, read
// the RGBA back once (the only CPU touch) and write a PNG.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { describeDescriptor, encodePng, modifierName, runCli, Video } from "vaapi-vk";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: "string", default: "frame.png" },
    frame: { type: "string", default: "0" },
    "vaapi-device": { type: "string" },
    "timeout-s": { type: "string", default: "30" },
    source: { type: "string", default: "auto" },
    debug: { type: "boolean", default: false },
    "force-linear": { type: "boolean", default: false },
    "drm-device": { type: "string" },
    validation: { type: "boolean", default: false },
  },
});

const Args = z.object({
  video: z.string({ error: "usage: bun run examples/stub.ts <video> [--out frame.png] [--frame N]" }),
  out: z.string(),
  frame: z.coerce.number().int().nonnegative(),
  vaapiDevice: z.string().optional(),
  timeoutS: z.coerce.number().nonnegative(),
  source: z.enum(["auto", "vaapi", "software"]),
  drmDevice: z.string().optional(),
});

function main(): void {
  const parsed = Args.safeParse({ video: positionals[0], out: values.out, frame: values.frame, vaapiDevice: values["vaapi-device"], timeoutS: values["timeout-s"], source: values.source, drmDevice: values["drm-device"] });
  if (!parsed.success) {
    console.error(z.prettifyError(parsed.error));
    process.exit(2);
  }
  const a = parsed.data;
  const t: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    t[name] = now - t0;
    t0 = now;
  };
  using video = Video.open(a.video, {
    source: a.source, vaapiDevice: a.vaapiDevice, timeoutS: a.timeoutS, debug: values.debug, validation: values.validation || undefined,
    forceLinear: values["force-linear"], drmDevice: a.drmDevice,
  });
  lap("open");
  using frame = video.seekFrame(a.frame);
  lap("decode");
  if (values.debug) console.error(`[stub] frame ${a.frame} descriptor:\n${describeDescriptor(frame.descriptor)}`);
  const { imported, stats } = video.importFrame(frame);
  lap("import");
  const { rgba, info: conversion } = video.converter.toRgba(imported, frame.descriptor.color);
  using _rgba = rgba;
  lap("convert");
  const bytes = video.readRgba(rgba);
  lap("readback");
  const { width, height } = frame.descriptor;
  writeFileSync(a.out, encodePng(bytes, width, height));
  lap("png");
  video.ctx.checkValidation();

  const d = frame.descriptor;
  const importKind = imported.kind === "image" ? `image with modifier ${modifierName(imported.plan.kind === "image" ? imported.plan.modifier : 0n)}` : `buffer (${imported.pixelFormat}, ${d.objects.length} object(s), ${modifierName(d.objects[0]!.modifier)})`;
  console.log(`source:        ${video.source === "vaapi" ? "VAAPI" : "software"} — ${video.sourceNote}`);
  console.log(`stream:        ${video.info.codec} ${video.info.width}x${video.info.height} ${video.info.pixelFormat}`);
  console.log(`frame:         #${a.frame}, ${width}x${height}, ${conversion.matrix} ${conversion.range} range, ${conversion.bitDepth}-bit`);
  console.log(`import:        ${importKind}, sync ${imported.syncMode}`);
  console.log(`vulkan device: ${video.ctx.info.name} (${video.ctx.info.driverName}, Vulkan ${video.ctx.info.apiVersion})${video.ctx.validation ? ", validation on: 0 errors" : ""}`);
  console.log(`timings (ms):  ${Object.entries(t).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")}`);
  if (video.linearRing) {
    const tried = video.linearRing.attempts.length ? ` (not: ${video.linearRing.attempts.join("; ")})` : "";
    console.log(`force-linear:  frames copied into linear dmabufs from ${video.linearRing.allocator}${tried}`);
  }
  console.log(`cpu bytes copied: ${stats.cpuBytesCopied}${stats.cpuBytesCopied === 0 ? " (zero-copy: decoder -> Vulkan; the RGBA readback for the PNG is the only CPU touch)" : " (--force-linear: one CPU copy of the frame)"}`);
  console.log(`wrote ${a.out} (${width}x${height} RGBA)`);
}

await runCli(main);
