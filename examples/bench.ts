// bun run examples/bench.ts <video> [flags]   (--help lists them)
// Measures, side by side in one run on the same frames:
//   zero-copy   decode -> import (cached) -> convert on the GPU, no CPU copy
//   staging     decode -> CPU copy into a host-visible staging buffer -> vkCmdCopyBuffer -> convert
// plus a fresh import vs a cached lookup of the same dmabuf, and the conversion vs a plain GPU
// buffer copy of the same bytes (read + written). Timings are wall clock per frame.
// --diff adds the luma pass and a diff against the previous frame to the zero-copy path (mean
// difference per frame reported); --out-dir writes every Nth frame's RGBA (and diff heat map) as PNG.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BufferUsage,
  bytesPerPixel,
  type DecodedFrame,
  dmabufIdentity,
  encodePng,
  GpuBuffer,
  heatMap,
  importDmabuf,
  type LumaFrame,
  PIXEL_FORMATS,
  Preview,
  pixelFormatOf,
  readBack,
  type Submission,
  VaapiVkError,
  Video,
  VulkanContext,
} from "vaapi-vk";
import { type CliFlag, type CliSpec, cliInt, cliUsageError, copyBuffer, parseCli, runCli } from "vaapi-vk/internals";

const spec = {
  command: "examples/bench.ts",
  positionals: "<video>",
  summary:
    "Zero-copy against staging, side by side on the same frames, with import and conversion costs and CPU bytes copied.",
  flags: {
    frames: {
      type: "string",
      value: "N",
      help: "frames timed per path and round (the clip starts over at its end)",
      default: "120",
    },
    "dmabuf-ring": {
      type: "string",
      value: "N",
      help: "imports kept ready at the least (the cache grows to the decoder's pool)",
      default: "8",
    },
    reps: { type: "string", value: "N", help: "repetitions of the import and conversion timings", default: "20" },
    source: { type: "string", value: "auto|vaapi|vulkan|software", help: "where frames come from", default: "auto" },
    "vaapi-dmabuf": { type: "boolean", help: "the VAAPI source (as --source vaapi)" },
    json: { type: "boolean", help: "one JSON line instead of the table" },
    "dmabuf-debug": { type: "boolean", help: "a line per frame: import or cache hit, and the dmabuf" },
    diff: { type: "boolean", help: "add the luma pass and a diff against the previous frame" },
    "out-dir": { type: "string", value: "DIR", help: "write every Nth frame's RGBA (and diff heat map) as PNG here" },
    every: { type: "string", value: "N", help: "with --out-dir, every how many frames", default: "30" },
    threads: { type: "string", value: "N", help: "software decoding threads; 0: one per core", default: "0" },
    batch: { type: "string", value: "N", help: "zero-copy: frames converted per submission (1 to 8)", default: "1" },
    rounds: {
      type: "string",
      value: "N",
      help: "timed rounds per path, alternating between paths (the median is reported)",
      default: "3",
    },
    warmup: { type: "string", value: "N", help: "untimed frames through each path first", default: "30" },
    "decode-ahead": {
      type: "string",
      value: "N",
      help: "frames decoded ahead on the library's decode thread; 0: decode inside next()",
      default: "4",
    },
    preview: {
      type: "boolean",
      help: "instead: show the converted frames in a window (space pauses, f fits/1:1, q or Escape quits), then the fps with and without it",
    },
    "preview-speed": {
      type: "string",
      value: "source|max",
      help: "with --preview: at the clip's frame rate, or as fast as it goes",
      default: "source",
    },
    streams: {
      type: "string",
      value: "N,N,...",
      help: "instead: N Videos of the clip decoding and converting at once (each its own decode session), aggregate fps for each N",
    },
  },
} satisfies CliSpec<Record<string, CliFlag>>;
const { values, positionals } = parseCli(spec);

type Args = {
  video: string;
  frames: number;
  ring: number;
  reps: number;
  source: "auto" | "vaapi" | "vulkan" | "software";
  outDir?: string | undefined;
  every: number;
  threads: number;
  decodeAhead: number;
  rounds: number;
  warmup: number;
  batch: number;
  streams?: number[] | undefined;
};

function parseArgs(): Args {
  if (positionals.length !== 1)
    cliUsageError(spec, positionals.length ? `one video, not ${positionals.length}` : "give the video to benchmark");
  const source = values["vaapi-dmabuf"]
    ? "vaapi"
    : ((["auto", "vaapi", "vulkan", "software"] as const).find((k) => k === values.source) ??
      cliUsageError(spec, `--source ${values.source}: use auto, vaapi, vulkan or software`));
  return {
    video: positionals[0]!,
    frames: cliInt(spec, "frames", values.frames, 1),
    ring: cliInt(spec, "dmabuf-ring", values["dmabuf-ring"], 1, 64),
    reps: cliInt(spec, "reps", values.reps, 1),
    source,
    outDir: values["out-dir"],
    every: cliInt(spec, "every", values.every, 1),
    threads: cliInt(spec, "threads", values.threads, 0, 64),
    decodeAhead: cliInt(spec, "decode-ahead", values["decode-ahead"], 0, 32),
    rounds: cliInt(spec, "rounds", values.rounds, 1, 99),
    batch: cliInt(spec, "batch", values.batch, 1, 8),
    warmup: cliInt(spec, "warmup", values.warmup, 0),
    streams: values.streams?.split(",").map((n) => cliInt(spec, "streams", n, 1, 16)),
  };
}

type PassResult = {
  frames: number;
  seconds: number;
  decodeMs: number;
  uploadMs: number;
  importMs: number;
  convertMs: number;
  cpuBytesCopied: number;
};
const now = () => performance.now();

function planeBytes(frame: DecodedFrame): number {
  const d = frame.descriptor;
  return PIXEL_FORMATS[frame.vulkan?.pixelFormat ?? pixelFormatOf(d)].planes.reduce(
    (n, g) => n + Math.ceil(d.width / g.widthDiv) * g.bytesPerElement * Math.ceil(d.height / g.heightDiv),
    0,
  );
}

type InFlight = { frames: DecodedFrame[]; submission: Submission };

/** The next frame, the clip starting over at its end: a pass runs as many frames as asked of any clip. */
function nextLooping(video: Video): DecodedFrame {
  const frame = video.next();
  if (frame) return frame;
  video.seek(0);
  const first = video.next();
  if (!first) throw new VaapiVkError("EXHAUSTED", `${video.file} has no frames`);
  return first;
}
const DEPTH = 2; // frames converting on the GPU while the next one decodes

/** After an error: wait for what is still converting and release it. */
function abandon(queue: InFlight[]): void {
  for (const q of queue) {
    q.submission[Symbol.dispose]();
    for (const f of q.frames) f[Symbol.dispose]();
  }
}

/** Wait for the oldest conversion and release its frame. */
function retire(queue: InFlight[], r: PassResult): void {
  const old = queue.shift()!;
  const t = now();
  old.submission.wait();
  r.convertMs += now() - t;
  old.submission[Symbol.dispose]();
  for (const f of old.frames) f[Symbol.dispose]();
}

/** A zero-copy pass's counters, all zero. */
function zeroCopyResult(): PassResult & { importKind: string; submitMs: number; diffMs: number; meanDiff: number[] } {
  return {
    frames: 0,
    seconds: 0,
    decodeMs: 0,
    uploadMs: 0,
    importMs: 0,
    convertMs: 0,
    submitMs: 0,
    diffMs: 0,
    cpuBytesCopied: 0,
    importKind: "",
    meanDiff: [],
  };
}

/**
 * The zero-copy path converting `batch` frames per submission (Video.toRgbaBatchAsync): the same
 * decode and imports, the submit and its bookkeeping paid once a batch.
 */
function zeroCopyBatchPass(video: Video, batch: number, frames: number): ReturnType<typeof zeroCopyResult> {
  const r = zeroCopyResult();
  const targets: GpuBuffer[][] = [];
  const queue: InFlight[] = [];
  const start = now();
  try {
    for (let i = 0; r.frames < frames; i++) {
      let t = now();
      const group: DecodedFrame[] = [];
      while (group.length < batch && r.frames + group.length < frames) group.push(nextLooping(video));
      r.decodeMs += now() - t;
      // A batch is one size: the clip starting over mid-batch keeps its size.
      t = now();
      const d = group[0]!.descriptor;
      const slot = (targets[i % (DEPTH + 1)] ??= []);
      while (slot.length < group.length) slot.push(video.converter.allocateRgba(d.width, d.height));
      const { submission, stats } = video.toRgbaBatchAsync(group, slot.slice(0, group.length));
      r.submitMs += now() - t;
      r.convertMs += now() - t;
      r.importKind = video.cache.handleType;
      queue.push({ frames: group, submission });
      r.cpuBytesCopied += stats.reduce((n, s) => n + s.cpuBytesCopied, 0);
      r.frames += group.length;
      while (queue.length > DEPTH) retire(queue, r);
    }
    while (queue.length) retire(queue, r);
  } finally {
    abandon(queue);
    for (const t of targets.flat()) t[Symbol.dispose]();
  }
  r.seconds = (now() - start) / 1000;
  return r;
}

function zeroCopyPass(video: Video, a: Args, frames: number): ReturnType<typeof zeroCopyResult> {
  const r = zeroCopyResult();
  const targets: GpuBuffer[] = [];
  const queue: InFlight[] = [];
  // --diff and --out-dir read each result at once, so they wait for every frame.
  const depth = values.diff || a.outDir ? 0 : DEPTH;
  let previous: LumaFrame | undefined;
  const start = now();
  try {
    for (let i = 0; i < frames; i++) {
      let t = now();
      const frame = nextLooping(video);
      r.decodeMs += now() - t;
      t = now();
      const { imported, stats } = video.importFrame(frame);
      r.importMs += now() - t;
      r.importKind = imported.kind;
      if (values["dmabuf-debug"]) {
        const o = frame.descriptor.objects[0]!;
        console.error(
          `[dmabuf] frame ${frame.index}: ${stats.cacheHit ? "hit" : "import"} ${dmabufIdentity(o.fd)} (${imported.kind}), cache ${video.cache.size}/${video.cache.capacity} (pool ${video.stats.poolSize}), evictions ${video.cache.stats.evictions}`,
        );
      }
      t = now();
      const target = (targets[i % (DEPTH + 1)] ??= video.converter.allocateRgba(
        frame.descriptor.width,
        frame.descriptor.height,
      ));
      const { submission } = video.converter.toRgbaAsync(imported, frame.descriptor.color, target);
      r.submitMs += now() - t;
      r.convertMs += now() - t;
      queue.push({ frames: [frame], submission });
      r.cpuBytesCopied += stats.cpuBytesCopied;
      r.frames++;
      if (depth === 0) {
        submission.wait();
        const write = a.outDir !== undefined && frame.index % a.every === 0;
        if (write)
          writeFileSync(
            join(a.outDir!, `frame-${String(frame.index).padStart(5, "0")}.png`),
            encodePng(video.readRgba(target), frame.descriptor.width, frame.descriptor.height),
          );
        if (values.diff) {
          t = now();
          const luma = video.luma.toLuma(imported);
          if (previous) {
            const d = video.luma.diff(previous, luma);
            using _ = d.diff.buffer;
            r.meanDiff.push(d.mean);
            if (write)
              writeFileSync(
                join(a.outDir!, `diff-${String(frame.index).padStart(5, "0")}.png`),
                encodePng(
                  heatMap(readBack(video.ctx, d.diff.buffer), luma.width, luma.height, luma.rowWords),
                  luma.width,
                  luma.height,
                ),
              );
            previous.buffer[Symbol.dispose]();
          }
          previous = luma;
          r.diffMs += now() - t;
        }
      }
      while (queue.length > depth) retire(queue, r);
    }
    while (queue.length) retire(queue, r);
  } finally {
    abandon(queue);
    previous?.buffer[Symbol.dispose]();
    for (const t of targets) t[Symbol.dispose]();
  }
  r.seconds = (now() - start) / 1000;
  return r;
}

/**
 * The classic path: the CPU copies each frame into a staging buffer and the GPU copies it to device
 * memory (waited), then the conversion is pipelined against the next decode as in the zero-copy pass.
 */
function stagingPass(video: Video, frames: number): PassResult {
  const { ctx, converter } = video;
  const r = { frames: 0, seconds: 0, decodeMs: 0, uploadMs: 0, importMs: 0, convertMs: 0, cpuBytesCopied: 0 };
  const slots: { staging: GpuBuffer; device: GpuBuffer; rgba: GpuBuffer }[] = [];
  // One CPU mapping per pooled memfd (they come back frame after frame), so the pass times the copy, not mmap.
  const mappings = new Map<number, Uint8Array>();
  const queue: InFlight[] = [];
  const start = now();
  try {
    for (let i = 0; i < frames; i++) {
      let t = now();
      const frame = nextLooping(video);
      r.decodeMs += now() - t;
      t = now();
      const d = frame.descriptor;
      const format = pixelFormatOf(d);
      const geometry = PIXEL_FORMATS[format].planes;
      const size = d.objects[0]!.size;
      const slot = (slots[i % (DEPTH + 1)] ??= {
        staging: new GpuBuffer(ctx, size, BufferUsage.TRANSFER_SRC, "host"),
        device: new GpuBuffer(ctx, size, BufferUsage.TRANSFER_DST | BufferUsage.STORAGE, "device"),
        rgba: converter.allocateRgba(d.width, d.height),
      });
      // What a download-then-upload pipeline does: the CPU touches every row of every plane.
      const fd = d.objects[0]!.fd;
      let src = mappings.get(fd);
      if (!src || src.byteLength < size) mappings.set(fd, (src = Bun.mmap(`/proc/self/fd/${fd}`, { shared: true })));
      const dst = slot.staging.bytes();
      d.layers[0]!.planes.forEach((p, k) => {
        const rowBytes = Math.ceil(d.width / geometry[k]!.widthDiv) * geometry[k]!.bytesPerElement;
        for (let y = 0; y < Math.ceil(d.height / geometry[k]!.heightDiv); y++)
          dst.set(src.subarray(p.offset + y * p.pitch, p.offset + y * p.pitch + rowBytes), p.offset + y * p.pitch);
      });
      r.cpuBytesCopied += planeBytes(frame);
      copyBuffer(ctx, slot.staging.buffer, slot.device.buffer, size);
      r.uploadMs += now() - t;
      t = now();
      const { submission } = converter.toRgbaFromBuffersAsync(
        [slot.device.buffer],
        d.layers[0]!.planes,
        format,
        d.width,
        d.height,
        d.color,
        slot.rgba,
      );
      r.convertMs += now() - t;
      queue.push({ frames: [frame], submission });
      r.frames++;
      while (queue.length > DEPTH) retire(queue, r);
    }
    while (queue.length) retire(queue, r);
  } finally {
    abandon(queue);
    for (const s of slots) for (const b of [s.staging, s.device, s.rgba]) b[Symbol.dispose]();
  }
  r.seconds = (now() - start) / 1000;
  return r;
}

/** A fresh import + release of one frame vs a cache lookup of the same dmabuf, `reps` times each. */
function importCosts(video: Video, reps: number): { freshMs: number; cachedMs: number } {
  using frame = nextLooping(video);
  video.importFrame(frame);
  // Vulkan Video frames are never imported: only the lookup of their plane views is timed.
  if (frame.vulkan) {
    const t = now();
    for (let i = 0; i < reps; i++) video.importFrame(frame);
    return { freshMs: Number.NaN, cachedMs: (now() - t) / reps };
  }
  let t = now();
  for (let i = 0; i < reps; i++) {
    using _ = importDmabuf(video.ctx, frame.descriptor, { handleType: video.cache.handleType });
  }
  const freshMs = (now() - t) / reps;
  t = now();
  for (let i = 0; i < reps; i++) video.importFrame(frame);
  return { freshMs, cachedMs: (now() - t) / reps };
}

/** The conversion vs vkCmdCopyBuffer moving the same bytes (frame read + RGBA written), `reps` times each. */
function convertVsCopy(video: Video, reps: number): { convertMs: number; copyMs: number; bytes: number } {
  using frame = nextLooping(video);
  const { imported } = video.importFrame(frame);
  const d = frame.descriptor;
  using target = video.converter.allocateRgba(d.width, d.height);
  const bytes = planeBytes(frame) + d.width * d.height * bytesPerPixel("rgba8");
  video.converter.toRgba(imported, d.color, target);
  let t = now();
  for (let i = 0; i < reps; i++) video.converter.toRgba(imported, d.color, target);
  const convertMs = (now() - t) / reps;
  // A copy that reads and writes bytes/2 each moves the same total.
  const half = Math.ceil(bytes / 2 / 4) * 4;
  using a = new GpuBuffer(video.ctx, half, BufferUsage.TRANSFER_SRC, "device");
  using b = new GpuBuffer(video.ctx, half, BufferUsage.TRANSFER_DST, "device");
  const copy = () => copyBuffer(video.ctx, a.buffer, b.buffer, half);
  copy();
  t = now();
  for (let i = 0; i < reps; i++) copy();
  return { convertMs, copyMs: (now() - t) / reps, bytes };
}

/** The ceiling: the decoder alone into the same pool (decode-ahead as set), each frame released at once, nothing else. */
function decoderOnlyPass(video: Video, frames: number): { frames: number; seconds: number } {
  const start = now();
  for (let n = 0; n < frames; n++) nextLooping(video)[Symbol.dispose]();
  return { frames, seconds: (now() - start) / 1000 };
}

const fps = (r: { frames: number; seconds: number }) => r.frames / r.seconds;

/** A progress line on stderr: rewritten in place on a terminal, one line each otherwise (never with --json on a terminal). */
function progress(line: string): void {
  if (process.stderr.isTTY) {
    if (!values.json) process.stderr.write(`\r${line}   `);
  } else process.stderr.write(`${line}\n`);
}

/** The median of the rounds by fps (the rounds alternate between paths, so all see the same machine state). */
function median<T extends { frames: number; seconds: number }>(runs: T[]): T {
  return [...runs].sort((x, y) => x.frames / x.seconds - y.frames / y.seconds)[Math.floor(runs.length / 2)]!;
}

/**
 * `n` Videos of one clip at once, each frame converted into its stream's own target (two in flight
 * per stream), round-robin from the one JS thread: the decoders run on their decode-ahead threads
 * and the GPU's engines. Aggregate fps of the decoders alone, then of the whole pipeline.
 */
function streamsPass(
  a: Args,
  n: number,
): { decoderFps: number; pipelineFps: number; decodeQueues: number; deviceMiBOpen: number | undefined } {
  const videos = Array.from({ length: n }, () =>
    Video.open(a.video, { source: a.source, maxInFlight: 4, decodeAhead: a.decodeAhead, threads: a.threads }),
  );
  try {
    for (const v of videos) decoderOnlyPass(v, Math.max(a.warmup, 1));
    let start = now();
    for (let i = 0; i < a.frames; i++) for (const v of videos) nextLooping(v)[Symbol.dispose]();
    const decoderFps = (a.frames * n) / ((now() - start) / 1000);
    const targets = videos.map((v) => [0, 1].map(() => v.converter.allocateRgba(v.info.width, v.info.height)));
    const inFlight: (InFlight | undefined)[][] = videos.map(() => [undefined, undefined]);
    const settle = (f?: InFlight) => {
      if (!f) return;
      f.submission.wait();
      f.submission[Symbol.dispose]();
      for (const fr of f.frames) fr[Symbol.dispose]();
    };
    try {
      start = now();
      for (let i = 0; i < a.frames; i++) {
        videos.forEach((v, k) => {
          settle(inFlight[k]![i % 2]);
          const frame = nextLooping(v);
          const { submission } = v.toRgbaAsync(frame, targets[k]![i % 2]!);
          inFlight[k]![i % 2] = { frames: [frame], submission };
        });
      }
      for (const slots of inFlight) for (const f of slots) settle(f);
      const inUse = videos[0]!.ctx.deviceMemoryInUse();
      return {
        decoderFps,
        pipelineFps: (a.frames * n) / ((now() - start) / 1000),
        decodeQueues: videos[0]!.ctx.videoDecode?.queues ?? 0,
        deviceMiBOpen: inUse === undefined ? undefined : inUse / 2 ** 20,
      };
    } finally {
      for (const ts of targets) for (const t of ts) t[Symbol.dispose]();
    }
  } finally {
    for (const v of videos) v[Symbol.dispose]();
  }
}

function streamsTable(a: Args): void {
  // The process's fds and device memory before each pass and after it closes its Videos: flat when nothing leaks.
  using probe = VulkanContext.create();
  const deviceMiB = () => {
    const bytes = probe.deviceMemoryInUse();
    return bytes === undefined ? undefined : bytes / 2 ** 20;
  };
  const rows = a.streams!.map((n) => {
    const fdsBefore = openFdCount(),
      deviceMiBBefore = deviceMiB();
    const r = streamsPass(a, n);
    const row = { streams: n, ...r, fdsBefore, fdsAfter: openFdCount(), deviceMiBBefore, deviceMiBAfter: deviceMiB() };
    progress(`${n} stream(s): decoder ${r.decoderFps.toFixed(1)} fps, pipeline ${r.pipelineFps.toFixed(1)} fps`);
    return row;
  });
  const one = rows.find((r) => r.streams === 1);
  if (values.json) {
    console.log(JSON.stringify({ file: a.video, source: a.source, streams: rows }));
    return;
  }
  const queues = rows[0]?.decodeQueues;
  console.log(
    `${a.video}: ${a.frames} frames per stream, source ${a.source}${queues ? `, ${queues} decode queue(s) per device` : ""}`,
  );
  const mib = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(0));
  console.log(
    "streams  decoder fps  pipeline fps  pipeline / (N x one stream's)  fds before/after  device MiB before/open/after",
  );
  for (const r of rows) {
    const ratio = one ? (r.pipelineFps / (r.streams * one.pipelineFps)).toFixed(2) : "-";
    console.log(
      `${String(r.streams).padStart(7)}  ${r.decoderFps.toFixed(1).padStart(11)}  ${r.pipelineFps.toFixed(1).padStart(12)}  ${ratio.padStart(29)}  ${`${r.fdsBefore}/${r.fdsAfter}`.padStart(16)}  ${`${mib(r.deviceMiBBefore)}/${mib(r.deviceMiBOpen)}/${mib(r.deviceMiBAfter)}`.padStart(28)}`,
    );
  }
}

/** This process's open fds. */
const openFdCount = () => readdirSync("/proc/self/fd").length;

/**
 * The preview: `a.frames` frames converted and presented in a window (the clip looping), paced to
 * the source's frame rate unless --preview-speed max, the title carrying fps, imports and cache
 * hits and CPU bytes copied; then, with the window open, the same frames converted without being
 * shown, for what presenting costs. Closing the window (or q) ends it.
 */
function previewRun(a: Args): void {
  using preview = Preview.open(`vaapi-vk: ${a.video}`);
  using video = Video.open(a.video, { source: a.source, preview, decodeAhead: a.decodeAhead, threads: a.threads });
  const { width, height } = video.info;
  const targets = [0, 1].map(() => video.converter.allocateRgba(width, height));
  // --diff: the frame and, beside it, the heat map of |luma - previous luma|, all on the GPU.
  if (values.diff) preview.resize(2 * width, height);
  using heat = video.converter.allocateRgba(width, height);
  let previous: LumaFrame | undefined;
  const beside = (frame: DecodedFrame): GpuBuffer | undefined => {
    if (!values.diff) return undefined;
    const luma = video.luma.toLuma(video.importFrame(frame).imported);
    // The first frame against itself: a black map.
    const d = video.luma.diff(previous ?? luma, luma);
    using _ = d.diff.buffer;
    video.luma.heatMap(d.diff, heat);
    previous?.buffer[Symbol.dispose]();
    previous = luma;
    return heat;
  };
  const paced = values["preview-speed"] !== "max";
  const frameS = Number.isFinite(video.info.fps) && video.info.fps > 0 ? 1 / video.info.fps : 1 / 30;
  try {
    const pass = (show: boolean) => {
      let shown = 0;
      const start = now();
      let titled = start;
      while (shown < a.frames) {
        const state = preview.poll();
        if (state.quit) break;
        if (show && state.paused) {
          Bun.sleepSync(10);
          continue;
        }
        using frame = nextLooping(video);
        const target = targets[shown % 2]!;
        using conversion = video.toRgbaAsync(frame, target).submission;
        if (show) preview.show(target, width, height, beside(frame));
        conversion.wait();
        shown++;
        if (show && paced) {
          const due = start + shown * frameS * 1000;
          if (due > now()) Bun.sleepSync(due - now());
        }
        if (show && now() - titled > 500) {
          titled = now();
          const s = video.stats;
          preview.title = `vaapi-vk ${video.source}: ${((shown * 1000) / (now() - start)).toFixed(1)} fps, imports ${s.imports}, hits ${s.cacheHits}, CPU bytes copied ${s.cpuBytesCopied}`;
        }
      }
      return { frames: shown, seconds: (now() - start) / 1000 };
    };
    const shown = pass(true);
    const hidden = preview.state.quit ? undefined : pass(false);
    video.ctx.checkValidation();
    const s = video.stats;
    console.log(
      `${a.video}: ${width}x${height}, ${video.source} source, presented on ${video.ctx.info.name}; ${shown.frames} frames shown at ${fps(shown).toFixed(1)} fps (${paced ? "paced to the source" : "as fast as it goes"})` +
        (hidden ? `; the same without presenting: ${fps(hidden).toFixed(1)} fps` : "") +
        `; CPU bytes copied: ${s.cpuBytesCopied} (the frames reach the window through a GPU copy and blit)`,
    );
  } finally {
    previous?.buffer[Symbol.dispose]();
    for (const t of targets) t[Symbol.dispose]();
  }
}

function main(): void {
  const a = parseArgs();
  if (values.preview) {
    if (!["source", "max"].includes(values["preview-speed"]))
      cliUsageError(spec, `--preview-speed ${values["preview-speed"]}: use source or max`);
    previewRun(a);
    return;
  }
  if (a.streams) {
    streamsTable(a);
    return;
  }
  if (a.outDir) mkdirSync(a.outDir, { recursive: true });
  const open = (source = a.source) =>
    Video.open(a.video, {
      source,
      dmabufRing: a.ring,
      maxInFlight: (DEPTH + 1) * a.batch + 1,
      threads: a.threads,
      decodeAhead: a.decodeAhead,
    });
  if (a.batch > 1 && (values.diff || a.outDir))
    cliUsageError(
      spec,
      "--batch converts several frames a submission; --diff and --out-dir read each frame's result, so use them with --batch 1",
    );
  const zeroPass = (video: Video, frames: number) =>
    a.batch > 1 ? zeroCopyBatchPass(video, a.batch, frames) : zeroCopyPass(video, a, frames);
  // The staging path copies memfds on the CPU: with Vulkan Video it is the software source's (decode, download, upload).
  const stagingSource = a.source === "vulkan" ? "software" : a.source;
  // Each timed pass has a Video of its own, opened and warmed up (pools filled, imports cached,
  // pipelines and decoder threads made) untimed and closed after it, so that no other decoder
  // exists while it runs (with three open at once, NVIDIA's 4K Vulkan Video decode fell from 182
  // to 100 fps after the first round); the passes alternate round by round.
  const warmup = Math.max(a.warmup, 1);
  const rounds = {
    decoder: [] as ReturnType<typeof decoderOnlyPass>[],
    zero: [] as ReturnType<typeof zeroCopyPass>[],
    staging: [] as PassResult[],
  };
  let zeroStats: Video["stats"] | undefined;
  for (let round = 0; round < a.rounds; round++) {
    {
      using video = open();
      decoderOnlyPass(video, warmup);
      rounds.decoder.push(decoderOnlyPass(video, a.frames));
    }
    {
      using video = open();
      zeroPass(video, warmup);
      rounds.zero.push(zeroPass(video, a.frames));
      zeroStats = video.stats;
    }
    {
      using video = open(stagingSource);
      stagingPass(video, warmup);
      rounds.staging.push(stagingPass(video, a.frames));
    }
    progress(
      `round ${round + 1}/${a.rounds}: decoder ${fps(rounds.decoder.at(-1)!).toFixed(1)} fps, zero-copy ${fps(rounds.zero.at(-1)!).toFixed(1)}, staging ${fps(rounds.staging.at(-1)!).toFixed(1)}`,
    );
  }
  const decoder = median(rounds.decoder),
    zero = median(rounds.zero),
    staging = median(rounds.staging);
  // The import and conversion timings, on a Video of their own, once its decode-ahead thread has
  // refilled its queue (its decoding would otherwise share the GPU with the timed conversions:
  // 0.98 against 0.11 ms a 1080p Vulkan Video conversion on the H100).
  using zeroVideo = open();
  zeroPass(zeroVideo, warmup);
  Bun.sleepSync(200);
  const s = zeroStats!;
  const info = {
    path: zeroVideo.source,
    device: zeroVideo.ctx.info.name,
    width: zeroVideo.info.width,
    height: zeroVideo.info.height,
    pixelFormat: zeroVideo.info.pixelFormat,
    cacheHits: s.cacheHits,
    imports: s.imports,
    evictions: s.evictions,
    poolSize: s.poolSize,
  };
  const imports = importCosts(zeroVideo, a.reps);
  const conv = convertVsCopy(zeroVideo, a.reps);
  if (process.stderr.isTTY && !values.json) process.stderr.write("\n");
  const per = (r: PassResult, ms: number) => ms / Math.max(1, r.frames);
  // The JavaScript side of a frame: importing (a cache lookup) and recording + submitting its conversion.
  const jsMsPerFrame = per(zero, zero.importMs + zero.submitMs);
  const result = {
    file: a.video,
    path: info.path,
    device: info.device,
    importKind: zero.importKind,
    width: info.width,
    height: info.height,
    pixelFormat: info.pixelFormat,
    frames: zero.frames,
    seconds: zero.seconds,
    fps: fps(zero),
    imports: info.imports,
    cacheHits: info.cacheHits,
    evictions: info.evictions,
    ring: a.ring,
    poolSize: info.poolSize,
    cpuBytesCopied: zero.cpuBytesCopied,
    threads: a.threads,
    decodeAhead: a.decodeAhead,
    batch: a.batch,
    decoderOnlyFps: fps(decoder),
    pipelineVsDecoder: fps(zero) / fps(decoder),
    jsMsPerFrame,
    staging: {
      frames: staging.frames,
      seconds: staging.seconds,
      fps: fps(staging),
      cpuBytesCopied: staging.cpuBytesCopied,
    },
    diff: values.diff ? { msPerFrame: per(zero, zero.diffMs), meanDiffPerFrame: zero.meanDiff } : undefined,
    perFrameMs: {
      zeroCopy: {
        decode: per(zero, zero.decodeMs),
        import: per(zero, zero.importMs),
        convert: per(zero, zero.convertMs),
      },
      staging: {
        decode: per(staging, staging.decodeMs),
        upload: per(staging, staging.uploadMs),
        convert: per(staging, staging.convertMs),
      },
    },
    importMs: imports,
    convertVsCopy: conv,
    ratios: {
      zeroCopyVsStagingFps: fps(zero) / fps(staging),
      stagingVsDecoder: fps(staging) / fps(decoder),
      freshVsCachedImport: imports.freshMs / imports.cachedMs,
      convertVsCopyTime: conv.convertMs / conv.copyMs,
      cpuBytesPerFrame: {
        zeroCopy: zero.cpuBytesCopied / Math.max(1, zero.frames),
        staging: staging.cpuBytesCopied / Math.max(1, staging.frames),
      },
    },
  };
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  const f = (n: number, d = 2) => n.toFixed(d);
  console.log(
    `${a.video}: ${info.width}x${info.height} ${info.pixelFormat}, ${info.path} source, ${zero.importKind} import, on ${info.device}`,
  );
  console.log(
    `path       frames  decode ms/f  upload ms/f  import ms/f  convert ms/f  end-to-end fps  CPU bytes/frame   (convert: submit + wait, pipelined ${DEPTH} deep)`,
  );
  console.log(
    `zero-copy  ${String(zero.frames).padStart(6)}  ${f(per(zero, zero.decodeMs)).padStart(11)}  ${"-".padStart(11)}  ${f(per(zero, zero.importMs)).padStart(11)}  ${f(per(zero, zero.convertMs)).padStart(12)}  ${f(fps(zero), 1).padStart(14)}  ${String(result.ratios.cpuBytesPerFrame.zeroCopy).padStart(15)}`,
  );
  console.log(
    `staging    ${String(staging.frames).padStart(6)}  ${f(per(staging, staging.decodeMs)).padStart(11)}  ${f(per(staging, staging.uploadMs)).padStart(11)}  ${"-".padStart(11)}  ${f(per(staging, staging.convertMs)).padStart(12)}  ${f(fps(staging), 1).padStart(14)}  ${String(result.ratios.cpuBytesPerFrame.staging).padStart(15)}`,
  );
  if (values.diff)
    console.log(
      `diff: ${f(per(zero, zero.diffMs))} ms/frame (luma + diff), mean |difference| per frame: ${zero.meanDiff.map((m) => f(m)).join(" ")}`,
    );
  console.log(
    `decoder alone: ${f(fps(decoder), 1)} fps (${a.threads || "auto"} threads, ${a.decodeAhead} decoded ahead); pipeline/decoder ${f(result.pipelineVsDecoder)}, staging/decoder ${f(result.ratios.stagingVsDecoder)}; JavaScript ${f(jsMsPerFrame, 3)} ms a frame`,
  );
  console.log(
    `imports: ${info.imports} fresh, ${info.cacheHits} cache hits, ${info.evictions} evictions (ring ${a.ring}; the cache follows the decoder's pool of ${info.poolSize})`,
  );
  if (values.diff || a.outDir)
    console.log(
      "note: the zero-copy pass also ran --diff/--out-dir work, so its fps is not comparable with staging's; run without them for the ratio",
    );
  console.log(
    `ratios: zero-copy/staging fps ${f(result.ratios.zeroCopyVsStagingFps)}x; fresh/cached import ${f(imports.freshMs, 3)}/${f(imports.cachedMs, 4)} ms = ${f(result.ratios.freshVsCachedImport, 0)}x; ` +
      `convert/copy of the same ${(conv.bytes / 1e6).toFixed(2)} MB ${f(conv.convertMs, 3)}/${f(conv.copyMs, 3)} ms = ${f(result.ratios.convertVsCopyTime)}x`,
  );
}

await runCli(main);
