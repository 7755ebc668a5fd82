// bun run examples/stub.ts <video> [flags]   (--help lists them)
// Decode one frame, import it into Vulkan without a CPU copy, convert it to RGBA on the GPU, read
// the RGBA back once (the only CPU touch) and write a PNG.
import { writeFileSync } from "node:fs";
import { describeDescriptor, encodePng, ImportedFrame, modifierName, Video } from "vaapi-vk";
import { type CliSpec, cliInt, cliUsageError, cliWritable, parseCli, runCli } from "vaapi-vk/internals";

const spec = {
  command: "examples/stub.ts",
  positionals: "<video>",
  summary:
    "Decode one frame, import it into Vulkan without a CPU copy, convert it to RGBA on the GPU, read it back once and write a PNG.",
  flags: {
    out: { type: "string", value: "FILE", help: "the PNG to write", default: "frame.png" },
    frame: { type: "string", value: "N", help: "which frame (0 is the first)", default: "0" },
    source: {
      type: "string",
      value: "auto|vaapi|vulkan|software",
      help: "where frames come from: VAAPI where a render node exists, else Vulkan Video where the device decodes the codec, else software",
      default: "auto",
    },
    "vaapi-device": {
      type: "string",
      value: "PATH",
      help: "the DRM render node VAAPI decodes on",
      default: "/dev/dri/renderD128",
    },
    "timeout-s": {
      type: "string",
      value: "N",
      help: "bound on each stage (open, probe, a frame's decode); 0 for none",
      default: "30",
    },
    "force-linear": {
      type: "boolean",
      help: "copy each frame into a linear dmabuf (for drivers whose exports Vulkan cannot read)",
    },
    "drm-device": {
      type: "string",
      value: "PATH",
      help: "card node for --force-linear's dumb buffers (default: the first /dev/dri/card*)",
    },
    debug: { type: "boolean", help: "trace each stage and print the frame's descriptor" },
    validation: { type: "boolean", help: "Khronos validation layer on (also VAAPI_VK_VALIDATION=1)" },
  },
} satisfies CliSpec<Record<string, import("vaapi-vk/internals").CliFlag>>;

function main(): void {
  const { values, positionals } = parseCli(spec);
  if (positionals.length !== 1)
    cliUsageError(
      spec,
      positionals.length
        ? `one video, not ${positionals.length} (${positionals.join(", ")})`
        : "give the video to decode",
    );
  const source =
    (["auto", "vaapi", "vulkan", "software"] as const).find((k) => k === values.source) ??
    cliUsageError(spec, `--source ${values.source}: use auto, vaapi, vulkan or software`);
  const a = {
    video: positionals[0]!,
    out: values.out,
    frame: cliInt(spec, "frame", values.frame),
    source,
    timeoutS: cliInt(spec, "timeout-s", values["timeout-s"]),
    vaapiDevice: values["vaapi-device"],
    drmDevice: values["drm-device"],
  };
  cliWritable(spec, "out", a.out);
  const t: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    t[name] = now - t0;
    t0 = now;
  };
  using video = Video.open(a.video, {
    source: a.source,
    vaapiDevice: a.vaapiDevice,
    timeoutS: a.timeoutS,
    debug: values.debug,
    validation: values.validation || undefined,
    forceLinear: values["force-linear"],
    drmDevice: a.drmDevice,
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
  const importKind = !(imported instanceof ImportedFrame)
    ? `none: a ${imported.pixelFormat} image libav decoded on this device, read through plane views`
    : imported.kind === "image"
      ? `image with modifier ${modifierName(imported.plan.kind === "image" ? imported.plan.modifier : 0n)}`
      : `buffer (${imported.pixelFormat}, ${d.objects.length} object(s), ${modifierName(d.objects[0]!.modifier)})`;
  const sourceName = { vaapi: "VAAPI", vulkan: "Vulkan Video", software: "software" }[video.source];
  console.log(`source:        ${sourceName} — ${video.sourceNote}`);
  if (video.ctx.libavValidationErrors.length)
    console.log(
      `libav's own:   ${video.ctx.libavValidationErrors.length} validation error(s) from libav's Vulkan decoder (VUID-VkImageCreateInfo-pNext-06811), kept apart from this library's`,
    );
  console.log(`stream:        ${video.info.codec} ${video.info.width}x${video.info.height} ${video.info.pixelFormat}`);
  console.log(
    `frame:         #${a.frame}, ${width}x${height}, ${conversion.matrix} ${conversion.range} range, ${conversion.bitDepth}-bit`,
  );
  console.log(`import:        ${importKind}, sync ${imported.syncMode}`);
  console.log(
    `vulkan device: ${video.ctx.info.name} (${video.ctx.info.driverName}, Vulkan ${video.ctx.info.apiVersion})${video.ctx.validation ? ", validation on: 0 errors" : ""}`,
  );
  console.log(
    `timings (ms):  ${Object.entries(t)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(", ")}`,
  );
  if (video.linearRing) {
    const tried = video.linearRing.attempts.length ? ` (not: ${video.linearRing.attempts.join("; ")})` : "";
    console.log(`force-linear:  frames copied into linear dmabufs from ${video.linearRing.allocator}${tried}`);
  }
  console.log(
    `cpu bytes copied: ${stats.cpuBytesCopied}${stats.cpuBytesCopied === 0 ? " (zero-copy: decoder -> Vulkan; the RGBA readback for the PNG is the only CPU touch)" : " (--force-linear: one CPU copy of the frame)"}`,
  );
  console.log(`wrote ${a.out} (${width}x${height} RGBA)`);
}

await runCli(main);
