// The high-level API: open a video, decode frame after frame, import each zero-copy into Vulkan
// and convert it on the GPU. One call (frameToRgba) for "RGBA of frame N"; the parts
// (VulkanContext, sources, importDmabuf, ImportCache, Converter) for those who compose their own.
import { existsSync } from "node:fs";
import { z } from "zod";
import type { FrameDescriptor } from "./descriptor";
import { DecodeError, InvalidArgumentError, UseAfterDisposeError } from "./errors";
import { Preview } from "./preview";
import { DecodedFrame, type DecodeSession, type StreamInfo } from "./sources/decoder";
import { avFields } from "./sources/libav";
import { LinearRing } from "./sources/linear";
import { openSoftwareSource } from "./sources/software";
import { DEFAULT_VAAPI_DEVICE, openVaapiSource } from "./sources/vaapi";
import { openVulkanSource, vulkanVideoMissing } from "./sources/vulkan";
import { ImportCache } from "./vulkan/cache";
import { VulkanContext } from "./vulkan/context";
import { type ConversionInfo, Converter, type OutputFormat } from "./vulkan/convert";
import { deviceNumbers } from "./vulkan/devices";
import type { GpuFrame } from "./vulkan/import";
import { LumaPass } from "./vulkan/luma";
import { type MemfdRoute, memfdRoute, routeHandleType, UdmabufWrapper } from "./vulkan/memfd";
import { GpuBuffer, readBack } from "./vulkan/memory";
import type { Submission } from "./vulkan/submission";
import { VulkanVideoImages } from "./vulkan/video-frames";

export const VideoOptionsSchema = z.strictObject({
  /**
   * auto: VAAPI when its render node exists, else Vulkan Video where the device decodes the stream's
   * codec (libav 7.1 on), else the software source (the embedded default). vulkan: libavcodec's
   * Vulkan hwaccel decoding on the Video's own Vulkan device (no import, no copy).
   */
  source: z.enum(["auto", "vaapi", "vulkan", "software"]).default("auto"),
  vaapiDevice: z.string().min(1).default(DEFAULT_VAAPI_DEVICE),
  /**
   * Stop at the first packet the decoder rejects (DECODE_FAILED). By default a damaged packet is
   * skipped, counted (stats.damageSkipped) and reported on the next frame (frame.damage), and
   * decoding goes on, as ffmpeg does.
   */
  strict: z.boolean().default(false),
  /**
   * Software decoding threads (frame and slice threading): 0, the default, lets libavcodec use one
   * per core; 1 decodes on one thread. VAAPI decodes on the GPU with one.
   */
  threads: z.number().int().min(0).max(64).default(0),
  /**
   * Frames decoded ahead on a thread of the library's own, while the caller imports and converts
   * (the pipeline's depth): next() takes a ready frame, and async iteration never blocks the event
   * loop. 0 decodes inside next() on the calling thread. The decoder's pool grows by as many.
   */
  decodeAhead: z.number().int().min(0).max(32).default(4),
  /** Bound on each stage (open, probe, each frame's decode); 0 disables it. */
  timeoutS: z.number().nonnegative().default(30),
  debug: z.boolean().default(false),
  /** Frames a caller may hold at once before next() refuses. */
  maxInFlight: z.number().int().min(1).max(64).default(4),
  /**
   * Imports kept ready at the least (the dmabuf ring). The import cache grows past it to the
   * decoder's pool size, so that every pooled surface stays imported and every frame after warm-up
   * is a cache hit.
   */
  dmabufRing: z.number().int().min(1).max(64).default(8),
  /**
   * Software source: hand each frame over with fresh fds, closed when the frame is disposed, as
   * VAAPI's av_hwframe_map does (runs the hardware path's fd lifetimes where no VAAPI device is).
   */
  freshFds: z.boolean().default(false),
  /** Khronos validation layer (default: VAAPI_VK_VALIDATION=1). */
  validation: z.boolean().optional(),
  /** Download each frame and copy it into a linear dmabuf (for implicit or unimportable modifiers): one CPU copy a frame, counted. */
  forceLinear: z.boolean().default(false),
  /** Card node for --force-linear's DRM dumb buffers (default: the first /dev/dri/card*). */
  drmDevice: z.string().min(1).optional(),
  /**
   * Chroma reconstruction: bilinear at the frame's chroma siting (the default, as libplacebo/mpv
   * render), or nearest (sample (x/2, y/2), bit-exact with libswscale's point scaler).
   */
  chroma: z.enum(["bilinear", "nearest"]).default("bilinear"),
  /**
   * A window to present the converted frames in (Preview.open): the Video's device is made able to
   * present to it (its surface's instance extensions, VK_KHR_swapchain), the window is sized to
   * the video, and preview.show(rgba, width, height) puts a result on screen with no CPU copy.
   */
  preview: z.custom<Preview>((v) => v instanceof Preview, "a Preview (Preview.open)").optional(),
  /** Vulkan device index or name (default: the render node's device, else VAAPI_VK_DEVICE, else the first that imports). */
  vulkanDevice: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
});
export type VideoOptions = z.input<typeof VideoOptionsSchema>;

export type SourceKind = "vaapi" | "vulkan" | "software";

export type FrameStats = {
  /** A fresh import (false: the import cache already held this dmabuf). */
  imported: boolean;
  cacheHit: boolean;
  /** Frame bytes the CPU copied between the decoder and Vulkan: 0 on every zero-copy path. */
  cpuBytesCopied: number;
};

export type VideoStats = {
  frames: number;
  imports: number;
  cacheHits: number;
  evictions: number;
  cpuBytesCopied: number;
  importMs: number;
  lookupMs: number;
  /** Surfaces in the decoder's pool (the import cache's capacity follows it). */
  poolSize: number;
  /** Exports the VAAPI driver failed at first and gave on a retry. */
  exportRetries: number;
  /** Damaged packets the decoder rejected and decoding went past (see the strict option). */
  damageSkipped: number;
  /** The vulkan source: pool images whose plane views were made (each once), and reads that found them made. */
  vulkanImages: number;
  vulkanImageHits: number;
};

export class Video implements Disposable {
  readonly ctx: VulkanContext;
  readonly source: SourceKind;
  /** Why this source was chosen, in words (printed by the examples). */
  sourceNote: string;
  readonly info: StreamInfo;
  readonly cache: ImportCache;
  readonly converter: Converter;
  private readonly session: DecodeSession;
  private readonly producerNode?: [number, number];
  /** How the software source's memfds reach Vulkan on this device. */
  readonly memfdRoute?: MemfdRoute | undefined;
  private readonly udmabufs?: UdmabufWrapper | undefined;
  /**
   * Linear dmabufs that frames are copied into: made at open with --force-linear, or on the first
   * frame an export quirk (lib/quirks.ts) sends through them. Its allocator says which of
   * drm-dumb, udmabuf, memfd was used.
   */
  linearRing?: LinearRing | undefined;
  /** The vulkan source's pool images as the converter reads them (plane views made once per image). */
  private readonly videoImages?: VulkanVideoImages | undefined;
  private lumaPass?: LumaPass;
  private readonly exportRetries: () => number = () => 0;
  private readonly ringSize: number;
  private handedOut = 0;
  private cpuBytes = 0;
  /** Set by seek(t): the pts of the frame shown at t; frames before it are dropped by next(). */
  private skipBeforePts?: bigint | undefined;
  private closed = false;

  static open(file: string, options: VideoOptions = {}): Video {
    if (typeof file !== "string" || !file)
      throw new InvalidArgumentError("video file", "give the path of a video file");
    const r = VideoOptionsSchema.safeParse(options);
    if (!r.success)
      throw new InvalidArgumentError(
        "video options",
        `${z.prettifyError(r.error)}\n(the options are: ${Object.keys(VideoOptionsSchema.shape).join(", ")})`,
      );
    return new Video(file, r.data);
  }

  private constructor(
    readonly file: string,
    opts: z.output<typeof VideoOptionsSchema>,
  ) {
    // The ring outlives every frame a caller may hold, so a held frame's buffer is never overwritten.
    this.linearRing = opts.forceLinear ? new LinearRing(opts.maxInFlight + 1, opts.drmDevice) : undefined;
    const decoderOptions = {
      file,
      timeoutS: opts.timeoutS,
      debug: opts.debug,
      maxInFlight: opts.maxInFlight,
      strict: opts.strict,
      decodeAhead: opts.decodeAhead,
      forceLinear: this.linearRing,
    };
    // Hardware decoding runs on the GPU; several CPU threads only add frames in flight there.
    let session: DecodeSession | undefined;
    let source: SourceKind = "software";
    let note: string;
    const useVaapi = opts.source === "vaapi" || (opts.source === "auto" && existsSync(opts.vaapiDevice));
    if (useVaapi) {
      try {
        const v = openVaapiSource({
          ...decoderOptions,
          threads: 1,
          vaapiDevice: opts.vaapiDevice,
          quirkRing: () => (this.linearRing ??= new LinearRing(opts.maxInFlight + 1, opts.drmDevice)),
          onExportQuirk: (vendor, quirk) => {
            this.sourceNote += `; ${vendor}: frames copied into linear dmabufs (one counted CPU copy each), because ${quirk.seen}`;
          },
        });
        session = v.session;
        source = "vaapi";
        this.exportRetries = v.exportRetries;
        note = `VAAPI on ${opts.vaapiDevice} (device made with ${v.method})`;
      } catch (e) {
        if (opts.source === "vaapi" || !(e instanceof DecodeError && e.code === "NO_VAAPI_DEVICE")) throw e;
        note = `VAAPI unavailable (${e.message})`;
      }
    } else {
      note =
        opts.source === "software"
          ? "software source (asked for)"
          : opts.source === "vulkan"
            ? "Vulkan Video (asked for)"
            : `no VAAPI device at ${opts.vaapiDevice}`;
    }
    let ctx: VulkanContext | undefined;
    try {
      // Vulkan Video decodes on the Video's own device: the context comes first, with a decode queue where it has one.
      const tryVulkan = !session && (opts.source === "vulkan" || opts.source === "auto");
      ctx = VulkanContext.create({
        validation: opts.validation,
        debug: opts.debug,
        device: opts.vulkanDevice,
        renderNode: source === "vaapi" && opts.vulkanDevice === undefined ? opts.vaapiDevice : undefined,
        videoDecode: tryVulkan,
        surfaceExtensions: opts.preview?.instanceExtensions ?? [],
      });
      // Whether libav and the device can decode through Vulkan at all is known before the file is
      // opened (a pipe read by a failed attempt would have lost its start).
      const vulkanMissing = tryVulkan ? vulkanVideoMissing(ctx) : undefined;
      if (tryVulkan && vulkanMissing && opts.source === "auto") note += `; no Vulkan Video (${vulkanMissing})`;
      else if (tryVulkan) {
        try {
          session = openVulkanSource({ ...decoderOptions, threads: 1, ctx }).session;
          source = "vulkan";
          note += `; Vulkan Video decoding on ${ctx.info.name}`;
        } catch (e) {
          if (opts.source === "vulkan" || !(e instanceof DecodeError && e.code === "NO_VULKAN_VIDEO")) throw e;
          note += `; no Vulkan Video (${e.message})`;
        }
      }
      if (!session) {
        session = openSoftwareSource({
          ...decoderOptions,
          threads: opts.threads,
          freshFds: opts.freshFds,
          copyRing: () => (this.linearRing ??= new LinearRing(opts.maxInFlight + 1, opts.drmDevice)),
        }).session;
        if (opts.source === "auto") note += ": using the embedded default, software decode into memfd dma_bufs";
      }
    } catch (e) {
      session?.[Symbol.dispose]();
      ctx?.[Symbol.dispose]();
      this.linearRing?.[Symbol.dispose]();
      throw e;
    }
    this.ctx = ctx;
    this.source = source;
    if (source === "vaapi") this.producerNode = deviceNumbers(opts.vaapiDevice);
    this.session = session;
    this.info = session.info;
    this.sourceNote = `${note}; Vulkan on ${this.ctx.info.name} (${this.ctx.info.driverName})`;
    if (this.source === "software" && !this.info.directRendering) {
      this.sourceNote += `; the ${this.info.decoder} decoder cannot write into the memfd pool (no AV_CODEC_CAP_DR1): each frame is copied once into a linear buffer, counted in cpuBytesCopied`;
    }
    this.ringSize = opts.dmabufRing;
    // What is made from here on is released here if a later step fails: the Video never disposes a half-built self.
    let udmabufs: UdmabufWrapper | undefined;
    let cache: ImportCache | undefined;
    let videoImages: VulkanVideoImages | undefined;
    try {
      // VAAPI surfaces are dma_bufs; the software source's memfds go in however the device takes them.
      this.memfdRoute = this.source === "software" ? memfdRoute(this.ctx) : undefined;
      if (this.memfdRoute === "udmabuf") udmabufs = new UdmabufWrapper();
      this.udmabufs = udmabufs;
      if (this.memfdRoute) this.sourceNote += `; frames enter Vulkan as ${this.memfdRoute}`;
      cache = new ImportCache(
        this.ctx,
        opts.dmabufRing,
        this.memfdRoute ? routeHandleType(this.memfdRoute) : "dma-buf",
        opts.timeoutS,
      );
      videoImages = source === "vulkan" ? new VulkanVideoImages(this.ctx, avFields()) : undefined;
      if (opts.preview) {
        opts.preview.attach(this.ctx);
        opts.preview.resize(this.info.width, this.info.height);
      }
    } catch (e) {
      videoImages?.[Symbol.dispose]();
      cache?.[Symbol.dispose]();
      udmabufs?.[Symbol.dispose]();
      session[Symbol.dispose]();
      this.ctx[Symbol.dispose]();
      this.linearRing?.[Symbol.dispose]();
      throw e;
    }
    this.cache = cache;
    this.videoImages = videoImages;
    this.converter = new Converter(this.ctx, { chroma: opts.chroma });
  }

  get disposed(): boolean {
    return this.closed;
  }

  /** USE_AFTER_DISPOSE once the Video is disposed. */
  private check(call: string): void {
    if (this.closed) throw new UseAfterDisposeError("Video", `Video.${call} on ${this.file}`);
  }

  /** The next decoded frame (dispose it when done), or null at the end. */
  next(): DecodedFrame | null {
    this.check("next");
    for (;;) {
      const f = this.session.next();
      if (f && this.skipped(f)) continue;
      if (f) this.handedOut++;
      return f;
    }
  }

  /** After seek(t): frames shown before t are released, not handed out. */
  private skipped(f: DecodedFrame): boolean {
    if (this.skipBeforePts === undefined) return false;
    if (f.pts !== undefined && f.pts < this.skipBeforePts) {
      f[Symbol.dispose]();
      return true;
    }
    this.skipBeforePts = undefined;
    return false;
  }

  /** As next(), letting the event loop run while the frame is not ready yet (timers fire, I/O completes). */
  async nextAsync(): Promise<DecodedFrame | null> {
    this.check("nextAsync");
    for (;;) {
      const f = await this.session.nextAsync();
      if (f && this.skipped(f)) continue;
      if (f) this.handedOut++;
      return f;
    }
  }

  /** Every remaining frame, in order, without blocking the event loop; dispose each (at most maxInFlight may be held at once). */
  async *[Symbol.asyncIterator](): AsyncGenerator<DecodedFrame> {
    for (let f = await this.nextAsync(); f; f = await this.nextAsync()) yield f;
  }

  /** Every remaining frame, in order (`for (const frame of video)`); dispose each. */
  *[Symbol.iterator](): Generator<DecodedFrame> {
    for (let f = this.next(); f; f = this.next()) yield f;
  }

  /** Frame `index` (0-based, in presentation order), as frameAt; kept for scripts written before frameAt. */
  seekFrame(index: number): DecodedFrame {
    this.check("seekFrame");
    return this.frameAt(index);
  }

  /**
   * Frame `index` (0-based, presentation order), in either direction: decoding goes on forward when
   * the frame lies ahead of the next one with no keyframe in between, else it seeks to the keyframe
   * at or before the frame and decodes forward from there (frames before it are released). next()
   * goes on after it. The first random access scans the file's packets once (no decoding) for the
   * frame list, as ffprobe sees it; a file that cannot be scanned twice (a pipe) goes forward only.
   */
  frameAt(index: number): DecodedFrame {
    this.check("frameAt");
    if (!Number.isSafeInteger(index) || index < 0)
      throw new InvalidArgumentError("frame index", `${index} is not a non-negative integer`);
    this.skipBeforePts = undefined;
    const pts = this.session.ptsOfFrame(index);
    if (pts === undefined && this.session.indexed) {
      throw new DecodeError(
        "EXHAUSTED",
        this.file,
        "seek",
        `has ${this.session.countFrames()} frame(s); frame ${index} does not exist (frames are numbered from 0)`,
      );
    }
    const next = this.session.nextIndex;
    const key = this.session.keyframeBefore(index);
    // Seek unless decoding forward reaches the frame with no keyframe to jump to on the way.
    if (pts !== undefined && !(index >= next && key !== undefined && key <= next)) this.session.seekToPts(pts);
    else if (pts === undefined && index < next) this.session.seekToPts(0n);
    for (;;) {
      const f = this.next();
      if (!f)
        throw new DecodeError(
          "EXHAUSTED",
          this.file,
          "decode",
          `has ${this.session.nextIndex} frame(s); frame ${index} does not exist (frames are numbered from 0)`,
        );
      // By pts where there is an index: a frame the decoder could not produce (damage) gives the next one shown.
      if (pts !== undefined ? f.pts !== undefined && f.pts >= pts : f.index >= index) return f;
      f[Symbol.dispose]();
    }
  }

  /** The frame shown at `timeS` seconds (the last one whose time is at or before it); EXHAUSTED past the end. */
  frameAtTime(timeS: number): DecodedFrame {
    this.check("frameAtTime");
    const index = this.indexAtTime(timeS);
    if (index === undefined)
      throw new DecodeError(
        "EXHAUSTED",
        this.file,
        "seek",
        `has no timestamps to find ${timeS} s by; use frameAt(index)`,
      );
    return this.frameAt(Math.max(0, index));
  }

  /**
   * Go to `timeS` seconds: the next frame next() (or the iterators) hands out is the one shown at
   * that time. Either direction; frames already decoded ahead are dropped, frames held stay valid.
   */
  seek(timeS: number): void {
    this.check("seek");
    const index = this.indexAtTime(timeS);
    if (index === undefined)
      throw new DecodeError("EXHAUSTED", this.file, "seek", `has no timestamps to seek by; use frameAt(index)`);
    const pts = this.session.ptsOfFrame(Math.max(0, index))!;
    this.session.seekToPts(pts);
    this.skipBeforePts = pts;
  }

  /** The index of the frame shown at `timeS`, -1 before the first; undefined without an index. Validates timeS. */
  private indexAtTime(timeS: number): number | undefined {
    if (typeof timeS !== "number" || !Number.isFinite(timeS) || timeS < 0)
      throw new InvalidArgumentError("time", `${timeS} is not a time in seconds (a finite number >= 0)`);
    const { num, den } = this.info.timeBase;
    if (!num || !den) return undefined;
    // The pts of time t, rounded down, with a tolerance of a millionth of a tick for the float.
    const pts = BigInt(Math.floor((timeS * den) / num + 1e-6));
    const index = this.session.frameShownAt(pts);
    if (index === undefined) return undefined;
    const count = this.session.countFrames();
    const last = this.session.ptsOfFrame(count - 1);
    const frameTicks = Number.isFinite(this.info.fps) ? den / num / this.info.fps : 0;
    if (last !== undefined && Number(pts) >= Number(last) + Math.max(1, frameTicks)) {
      throw new DecodeError(
        "EXHAUSTED",
        this.file,
        "seek",
        `${timeS} s is past the last frame (shown at ${((Number(last) * num) / den).toFixed(3)} s)`,
      );
    }
    return index;
  }

  /**
   * Frames by index, in the order asked: a list (`[0, 30, 60]`), or a range `{ start, stop, step }`
   * (stop excluded, as Python's range; stop defaults to the end). Yields each frame as frameAt
   * would give it; dispose each (at most maxInFlight may be held at once).
   */
  *frames(selection: number[] | { start?: number; stop?: number; step?: number }): Generator<DecodedFrame> {
    this.check("frames");
    let indices: number[];
    if (Array.isArray(selection)) indices = selection;
    else if (typeof selection === "object" && selection !== null) {
      const { start = 0, stop = this.session.countFrames(), step = 1 } = selection;
      if (![start, stop, step].every(Number.isSafeInteger) || start < 0 || step < 1) {
        throw new InvalidArgumentError(
          "frame range",
          `{ start: ${start}, stop: ${stop}, step: ${step} }: give integers with start >= 0 and step >= 1`,
        );
      }
      indices = [];
      for (let i = start; i < stop; i += step) indices.push(i);
    } else throw new InvalidArgumentError("frame selection", "give an array of frame indices or { start, stop, step }");
    for (const i of indices) yield this.frameAt(i);
  }

  /** Frames in the stream: exact after a scan of its packets (once, no decoding), as info.frameCount then says with frameCountSource "index". */
  countFrames(): number {
    this.check("countFrames");
    return this.session.countFrames();
  }

  /** Import a decoded frame (cached: the cache owns the import). */
  importFrame(frame: DecodedFrame | FrameDescriptor): { imported: GpuFrame; stats: FrameStats } {
    this.check("importFrame");
    if (frame instanceof DecodedFrame && frame.source !== this.session) {
      throw new InvalidArgumentError(
        "frame",
        `frame #${frame.index} was decoded by another Video; convert it with the Video it came from`,
      );
    }
    if (typeof frame !== "object" || frame === null)
      throw new InvalidArgumentError("frame", "give a frame from next() or a DRM frame descriptor");
    if (frame instanceof DecodedFrame && frame.vulkan && this.videoImages) {
      // Decoded on this very device: read where it is, nothing imported.
      const { width, height } = frame.descriptor;
      const { frame: gpuFrame, hit } = this.videoImages.frame(frame, frame.vulkan, width, height);
      return { imported: gpuFrame, stats: { imported: false, cacheHit: hit, cpuBytesCopied: 0 } };
    }
    const given = frame instanceof DecodedFrame ? frame.descriptor : frame;
    const desc = this.udmabufs ? this.udmabufs.wrap(given) : given;
    this.cache.capacity = Math.max(this.ringSize, this.session.poolSize);
    const { frame: imported, hit } = this.cache.get(desc, this.producerNode);
    return {
      imported,
      stats: {
        imported: !hit,
        cacheHit: hit,
        cpuBytesCopied: frame instanceof DecodedFrame ? frame.cpuBytesCopied : 0,
      },
    };
  }

  /** Import and convert to RGBA8 on the GPU, and wait; the returned buffer is the caller's to dispose. */
  toRgba(
    frame: DecodedFrame,
    target?: GpuBuffer,
    output: OutputFormat = "rgba8",
  ): {
    rgba: GpuBuffer;
    conversion: ConversionInfo;
    stats: FrameStats;
    importKind: GpuFrame["kind"];
    syncMode: GpuFrame["syncMode"];
  } {
    const { submission, rgba, info, stats, importKind, syncMode } = this.toRgbaAsync(frame, target, output);
    submission[Symbol.dispose]();
    return { rgba, conversion: info, stats, importKind, syncMode };
  }

  /**
   * As toRgba, without waiting for the GPU: decode the next frame while this one converts. Keep
   * `frame` and `target` until the returned submission is done, then dispose the submission.
   */
  toRgbaAsync(frame: DecodedFrame, target?: GpuBuffer, output: OutputFormat = "rgba8") {
    this.check("toRgba");
    if (!(frame instanceof DecodedFrame))
      throw new InvalidArgumentError("frame", "give a frame from next(), seekFrame() or the iterator");
    if (target !== undefined && !(target instanceof GpuBuffer))
      throw new InvalidArgumentError("conversion target", "give a GpuBuffer (converter.allocateRgba) or nothing");
    const { imported, stats } = this.importFrame(frame);
    const r = this.converter.toRgbaAsync(imported, frame.descriptor.color, target, output);
    this.cpuBytes += stats.cpuBytesCopied;
    return { ...r, stats, importKind: imported.kind, syncMode: imported.syncMode };
  }

  /**
   * Convert several frames of this Video to RGBA8, frames[i] into targets[i] (allocate them with
   * converter.allocateRgba), in one submission, without waiting: the submit is paid once for the
   * batch, and frames of one size go through one dispatch up to 8 at a time. Keep the frames and
   * targets until the submission is done, then dispose it.
   */
  toRgbaBatchAsync(
    frames: DecodedFrame[],
    targets: GpuBuffer[],
  ): { submission: Submission; conversion: ConversionInfo; stats: FrameStats[] } {
    this.check("toRgbaBatchAsync");
    if (!Array.isArray(frames) || !frames.length || !frames.every((f) => f instanceof DecodedFrame))
      throw new InvalidArgumentError("frames", "give a non-empty array of frames from next()");
    if (!Array.isArray(targets) || targets.length !== frames.length || !targets.every((t) => t instanceof GpuBuffer)) {
      throw new InvalidArgumentError(
        "conversion targets",
        `give one GpuBuffer (converter.allocateRgba) per frame: ${frames.length} frames, ${Array.isArray(targets) ? targets.length : 0} targets`,
      );
    }
    const imports = frames.map((f) => this.importFrame(f));
    const { submission, info } = this.converter.toRgbaBatchAsync(
      imports.map((i) => i.imported),
      frames[0]!.descriptor.color,
      targets,
    );
    for (const { stats } of imports) this.cpuBytes += stats.cpuBytesCopied;
    return { submission, conversion: info, stats: imports.map((i) => i.stats) };
  }

  /** The luma pass and diff mode on this video's device (made on first use). */
  get luma(): LumaPass {
    this.check("luma");
    return (this.lumaPass ??= new LumaPass(this.ctx));
  }

  /** Copy an RGBA result to the CPU (for output at the edge). */
  readRgba(rgba: GpuBuffer): Uint8Array {
    this.check("readRgba");
    if (!(rgba instanceof GpuBuffer))
      throw new InvalidArgumentError("RGBA buffer", "give the GpuBuffer toRgba returned");
    return readBack(this.ctx, rgba);
  }

  get stats(): VideoStats {
    const c = this.cache.stats;
    return {
      frames: this.handedOut,
      imports: c.imports,
      cacheHits: c.hits,
      evictions: c.evictions,
      cpuBytesCopied: this.cpuBytes,
      importMs: c.importMs,
      lookupMs: c.lookupMs,
      poolSize: this.session.poolSize,
      exportRetries: this.exportRetries(),
      damageSkipped: this.session.damageSkipped,
      vulkanImages: this.videoImages?.stats.images ?? 0,
      vulkanImageHits: this.videoImages?.stats.hits ?? 0,
    };
  }

  [Symbol.dispose](): void {
    if (this.closed) return;
    this.closed = true;
    this.lumaPass?.[Symbol.dispose]();
    this.converter[Symbol.dispose]();
    this.cache[Symbol.dispose]();
    this.videoImages?.[Symbol.dispose]();
    this.udmabufs?.[Symbol.dispose]();
    // The decoder goes before the device: a Vulkan Video decoder's objects live on it.
    this.session[Symbol.dispose]();
    this.ctx[Symbol.dispose]();
    this.linearRing?.[Symbol.dispose]();
  }
}

/** RGBA8 of frame `index` of `file`, converted on the GPU and read back once. */
export function frameToRgba(
  file: string,
  index = 0,
  options: VideoOptions = {},
): { width: number; height: number; rgba: Uint8Array; source: SourceKind; conversion: ConversionInfo } {
  if (!Number.isInteger(index) || index < 0)
    throw new InvalidArgumentError("frame index", `${index} is not a non-negative integer`);
  using video = Video.open(file, options);
  using frame = video.seekFrame(index);
  const { rgba, conversion } = video.toRgba(frame);
  using _ = rgba;
  const bytes = video.readRgba(rgba);
  video.ctx.checkValidation();
  return {
    width: frame.descriptor.width,
    height: frame.descriptor.height,
    rgba: bytes,
    source: video.source,
    conversion,
  };
}
