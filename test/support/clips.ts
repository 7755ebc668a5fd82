// Test clips, generated once with the ffmpeg CLI into .cache/clips, and what the ffmpeg and ffprobe
// CLIs say of them (the oracles), kept in .cache/clips/refs: a machine without the CLIs (the GPU
// runner) reads both carried in .cache/clips.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

export const CLIP_DIR = join(import.meta.dir, "..", "..", ".cache", "clips");
const REFS = join(CLIP_DIR, "refs");

/** Why the ffmpeg CLI cannot run here. VAAPI_VK_TEST_NO_FFMPEG=1 acts as a machine without it (the GPU runner). */
export function ffmpegMissing(): string | undefined {
  if (process.env["VAAPI_VK_TEST_NO_FFMPEG"] === "1") return "no ffmpeg CLI (VAAPI_VK_TEST_NO_FFMPEG=1)";
  return spawnSync("ffmpeg", ["-version"]).status === 0 ? undefined : "no ffmpeg CLI on PATH (apt-get install ffmpeg)";
}

/** Why the CLIs' outputs can be had neither by running them nor from carried references, or undefined. */
export function referencesMissing(): string | undefined {
  const missing = ffmpegMissing();
  return missing && !existsSync(REFS)
    ? `${missing}, and .cache/clips/refs holds no references (run the suite once where ffmpeg is, and carry .cache/clips)`
    : undefined;
}

/**
 * What `tool` (ffmpeg or ffprobe) prints for `args` (`input` where the word INPUT stands): run
 * where the CLI is, and kept by the input's content and the arguments; read back where it is not.
 */
export function cliOutput(tool: "ffmpeg" | "ffprobe", input: string, args: string[]): Buffer {
  const key = createHash("sha256")
    .update(readFileSync(input))
    .update(JSON.stringify([tool, ...args]))
    .digest("hex")
    .slice(0, 24);
  // Gzipped: raw decodes are most of what the GPU runner gets carried, and its carry is bounded.
  const kept = join(REFS, `${basename(input)}.${tool}.${key}.gz`);
  if (ffmpegMissing()) {
    if (!existsSync(kept))
      throw new Error(`no ${tool} here and no carried reference for ${tool} ${args.join(" ")} on ${input} (${kept})`);
    return Buffer.from(Bun.gunzipSync(readFileSync(kept)));
  }
  const r = spawnSync(
    tool,
    args.map((a) => (a === "INPUT" ? input : a)),
    { maxBuffer: 1 << 30 },
  );
  if (r.status !== 0) throw new Error(`${tool} ${args.join(" ")} on ${input} failed: ${r.stderr}`);
  mkdirSync(REFS, { recursive: true });
  writeFileSync(kept, Bun.gzipSync(r.stdout));
  return r.stdout;
}

export type ClipSpec = {
  name: string;
  size: string;
  pixFmt: string;
  codec: string;
  frames: number;
  gop?: number;
  extra?: string[];
  source?: string;
};

export const CLIPS = {
  h264: { name: "h264_8bit_320x180.mp4", size: "320x180", pixFmt: "yuv420p", codec: "libx264", frames: 24, gop: 12 },
  h264LongGop: {
    name: "h264_8bit_longgop_256x144.mp4",
    size: "256x144",
    pixFmt: "yuv420p",
    codec: "libx264",
    frames: 40,
    gop: 250,
    extra: ["-bf", "3"],
  },
  hevc10: {
    name: "hevc_main10_320x180.mp4",
    size: "320x180",
    pixFmt: "yuv420p10le",
    codec: "libx265",
    frames: 16,
    gop: 8,
    extra: ["-x265-params", "log-level=error"],
  },
  odd: { name: "ffv1_odd_333x199.mkv", size: "333x199", pixFmt: "yuv420p", codec: "ffv1", frames: 6 },
  odd10: { name: "ffv1_odd10_161x91.mkv", size: "161x91", pixFmt: "yuv420p10le", codec: "ffv1", frames: 4 },
  fullRange: { name: "h264_fullrange_160x90.mp4", size: "160x90", pixFmt: "yuvj420p", codec: "libx264", frames: 4 },
  bt709: {
    name: "h264_bt709_250x142.mp4",
    size: "250x142",
    pixFmt: "yuv420p",
    codec: "libx264",
    frames: 3,
    extra: ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"],
  },
  bt2020: {
    name: "hevc_bt2020_10bit_192x108.mp4",
    size: "192x108",
    pixFmt: "yuv420p10le",
    codec: "libx265",
    frames: 3,
    extra: [
      "-colorspace",
      "bt2020nc",
      "-color_primaries",
      "bt2020",
      "-color_trc",
      "smpte2084",
      "-x265-params",
      "log-level=error",
    ],
  },
  fullRange10: {
    name: "ffv1_full10_130x74.mkv",
    size: "130x74",
    pixFmt: "yuv420p10le",
    codec: "ffv1",
    frames: 3,
    extra: ["-color_range", "pc"],
  },
  /** a64multi has an encoder and no decoder: a file whose codec cannot be decoded. */
  noDecoder: { name: "a64multi_encoder_only.nut", size: "320x200", pixFmt: "gray", codec: "a64multi", frames: 2 },
  /** 300 frames, one reference frame and no B-frames: the decoder cycles through few surfaces. */
  long300: {
    name: "h264_300_128x72.mp4",
    size: "128x72",
    pixFmt: "yuv420p",
    codec: "libx264",
    frames: 300,
    gop: 60,
    extra: ["-x264-params", "ref=1:bframes=0"],
  },
  /** 150 frames with B-frames and 3 references: the decoder cycles through several surfaces out of order. */
  bframes: {
    name: "h264_bframes_150_160x90.mp4",
    size: "160x90",
    pixFmt: "yuv420p",
    codec: "libx264",
    frames: 150,
    gop: 60,
    extra: ["-bf", "3", "-x264-params", "ref=3"],
  },
  /** Open GOPs (leading B-frames reference the GOP before) in Matroska (millisecond time base, its own seek index). */
  openGop: {
    name: "h264_opengop_160x90.mkv",
    size: "160x90",
    pixFmt: "yuv420p",
    codec: "libx264",
    frames: 90,
    gop: 24,
    extra: ["-bf", "3", "-x264-params", "open-gop=1:ref=3"],
  },
  /** AV1: libavcodec decodes it with libdav1d, which ignores get_buffer2 (no AV_CODEC_CAP_DR1). */
  av1: {
    name: "av1_160x90.mkv",
    size: "160x90",
    pixFmt: "yuv420p",
    codec: "libaom-av1",
    frames: 6,
    extra: ["-cpu-used", "8"],
  },
  static: {
    name: "h264_static_192x108.mp4",
    size: "192x108",
    pixFmt: "yuv420p",
    codec: "libx264",
    frames: 10,
    source: "color=c=0x3070a0:size=192x108:rate=30",
  },
} satisfies Record<string, ClipSpec>;

/** Why the test clips cannot be had: no ffmpeg CLI to make them and not all made already (a GPU runner gets them carried in .cache/clips). */
export function clipsMissing(): string | undefined {
  const made = Object.values(CLIPS).every((spec: ClipSpec) => existsSync(join(CLIP_DIR, spec.name)));
  return made
    ? undefined
    : ffmpegMissing() &&
        `${ffmpegMissing()}, and .cache/clips does not hold the test clips (make them where ffmpeg is, and carry .cache/clips)`;
}

/** The ffmpeg CLI's arguments up to its input: a lavfi source (testsrc2, sine, ...), quiet, overwriting. */
export const lavfiInput = (source: string) => ["-v", "error", "-y", "-f", "lavfi", "-i", source];

/** Path of the clip, generating it first if needed. */
export function clip(spec: ClipSpec): string {
  const path = join(CLIP_DIR, spec.name);
  if (existsSync(path)) return path;
  mkdirSync(CLIP_DIR, { recursive: true });
  const tmp = `${path}.tmp${spec.name.slice(spec.name.lastIndexOf("."))}`;
  const src = spec.source ?? `testsrc2=size=${spec.size}:rate=30`;
  const args = [
    ...lavfiInput(src),
    "-frames:v",
    String(spec.frames),
    "-c:v",
    spec.codec,
    "-pix_fmt",
    spec.pixFmt,
    ...(spec.gop ? ["-g", String(spec.gop)] : []),
    ...(spec.extra ?? []),
    tmp,
  ];
  const r = spawnSync("ffmpeg", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ffmpeg failed for ${spec.name}: ${r.stderr}`);
  renameSync(tmp, path);
  return path;
}

/** Every frame of `file` decoded by the ffmpeg CLI (libavcodec, no scaling) as raw planes. */
export function decodeRaw(file: string, pixFmt: string, outputOptions: string[] = []): Buffer {
  return cliOutput("ffmpeg", file, [
    "-v",
    "error",
    "-i",
    "INPUT",
    ...outputOptions,
    "-f",
    "rawvideo",
    "-pix_fmt",
    pixFmt,
    "-",
  ]);
}
