// A libavformat + libavcodec decode session shared by the sources: open, pick the best video
// stream, decode frame after frame with a stall timeout, and hand out disposable frames.
// A source customises only how the decoder is set up and how a decoded frame becomes a descriptor.
import { CString, type Pointer, ptr as ptrOf, read } from "bun:ffi";
import { existsSync, statSync } from "node:fs";
import {
  AV_CODEC_CAP_DR1,
  AV_LOG_QUIET,
  AV_NOPTS_VALUE,
  AV_PKT_DATA_DISPLAYMATRIX,
  AV_PKT_FLAG_KEY,
  AV_TIME_BASE,
  AVERROR_EAGAIN,
  AVERROR_EOF,
  AVERROR_EXIT,
  AVFMT_FLAG_CUSTOM_IO,
  AVIOInterruptCB,
  AVMEDIA_TYPE_VIDEO,
  AVSEEK_FLAG_BACKWARD,
  type AvFieldTable,
  FF_THREAD_FRAME,
  FF_THREAD_SLICE,
  libavcodec,
  libavformat,
  libavutil,
} from "../../ffi/libav";
import { errnoText, libc, O_CLOEXEC, O_NONBLOCK, O_RDONLY } from "../../ffi/libc";
import { describeDescriptor, type FrameDescriptor } from "../descriptor";
import {
  CCallError,
  DecodeError,
  type DecodeStage,
  StallTimeoutError,
  UseAfterDisposeError,
  VaapiVkError,
} from "../errors";
import type { PixelFormat } from "../plan";
import { reclaimer } from "../reclaim";
import { avErrorText, avFields, pixFmtName, ptrAt, shim, writeI32At, writePtrAt } from "./libav";

const AVERROR_STREAM_NOT_FOUND = -0x4d415453; // FFERRTAG(0xF8,'S','T','R')
const AVERROR_DECODER_NOT_FOUND = -0x434544f8; // FFERRTAG(0xF8,'D','E','C')
const AVERROR_INVALIDDATA = -0x41444e49; // FFERRTAG('I','N','D','A')

export type TraceStage = DecodeStage | "frame";

/** A frame libav decoded into a VkImage of the Video's own device (the vulkan source): AVFrame.data[0] is its AVVkFrame. */
export type VulkanFrameRef = {
  /** The AVVkFrame: its image, layout, access, timeline semaphore and value (libav's, read under its lock). */
  vkFrame: number;
  /** The AVHWFramesContext of the frame's pool (its hwctx holds lock_frame / unlock_frame). */
  framesCtx: number;
  /** The AVBufferRef of that frames context: a reference on it keeps its pool's images alive. */
  framesRef: number;
  pixelFormat: PixelFormat;
};

export type DecoderHooks = {
  /** Set up the codec context before avcodec_open2 (get_buffer2, hw device, ...). */
  configure(codecCtx: number, fields: AvFieldTable): void;
  /**
   * Describe a decoded frame; may return a mapped frame to keep alive with it, fds made for this
   * frame alone (closed when it is disposed), and the bytes the CPU copied to make it.
   */
  describe(frame: number): {
    descriptor: FrameDescriptor;
    keep?: number;
    fds?: number[];
    cpuBytesCopied?: number;
    vulkan?: VulkanFrameRef;
  };
  /** Surfaces in the decoder's pool now (the import cache keeps that many). */
  poolSize(): number;
  /** Pixel formats the decoder may output for this source (checked before decoding). */
  acceptsPixelFormat(format: number): boolean;
  /** Release what configure() set up, after the codec context is gone. */
  close(): void;
};

export type DecoderOptions = {
  file: string;
  timeoutS: number;
  debug: boolean;
  maxInFlight: number;
  /** Stop at the first packet the decoder rejects (DECODE_FAILED) rather than skip it, count it and go on. */
  strict?: boolean;
  /** Decoder threads (frame and slice threading); 0 lets libavcodec pick (one per core). Default 1. */
  threads?: number;
  /**
   * Frames decoded ahead on a thread of the shim's (c-shim vv_reader): demuxing and decoding go on
   * while the caller imports and converts, and next() only takes a ready frame. 0 decodes on the
   * caller's thread inside next(). Default 0.
   */
  decodeAhead?: number;
};

/**
 * A packet the decoder rejected (damage in the stream), skipped unless decoding is strict.
 * `packetPos`: the byte position of the packet being sent when the decoder said so; with frame
 * threads the damage may lie in one of the packets still decoding before it.
 */
export type DecodeDamage = { packetPos: number; stage: "send" | "receive"; error: string };

export type StreamInfo = {
  codec: string;
  width: number;
  height: number;
  pixelFormat: string;
  streamIndex: number;
  /** The libavcodec decoder that decodes it (libdav1d, h264, hevc, ...). */
  decoder: string;
  /** The decoder writes into the buffers the source hands it (AV_CODEC_CAP_DR1); without it, frames are copied. */
  directRendering: boolean;
  /** The stream's time base: a pts of 1 is num/den seconds. */
  timeBase: { num: number; den: number };
  /** Average frame rate (frames / duration, AVStream.avg_frame_rate); NaN when the container gives none. */
  fps: number;
  /** The lowest rate that represents every timestamp exactly (AVStream.r_frame_rate): 60 for 30 fps with field timing. */
  baseFps: number;
  /** Seconds of the stream's first pts (its start_time), 0 when unknown. */
  startS: number;
  /** Duration in seconds (the stream's, else the container's); NaN when neither says. */
  durationS: number;
  /** Frames in the stream: what the container says, else durationS × fps rounded; see frameCountSource. */
  frameCount: number;
  /** "container": the header's count (exact for mp4); "estimated": duration × fps; "index": counted by a scan (after random access). */
  frameCountSource: "container" | "estimated" | "index";
  /** Bits per sample (8 or 10 for the formats read). */
  bitDepth: number;
  /** The display matrix's rotation in degrees, as ffprobe reports it (av_display_rotation_get); 0 without one. The frames are not rotated. */
  rotation: number;
  /** The stream's colour tags as libavutil names them (matrix "bt709", range "tv"/"pc", ...; "unknown" when untagged). */
  color: { matrix: string; range: string; primaries: string; transfer: string; chromaLocation: string };
};

/** A stream's presentation order: every frame's pts, sorted, and its keyframes (pts and dts), from a demux-only scan. */
type FrameIndex = { pts: bigint[]; keyframes: { pts: bigint; dts: bigint }[] };

/** What a DecodedFrame owns: its AVFrames and the fds made for it alone; released once. */
type FrameHandles = { frames: number[]; fds: number[]; onRelease: () => void; released: boolean };

function releaseFrame(h: FrameHandles): void {
  if (h.released) return;
  h.released = true;
  const holder = new BigUint64Array(1);
  for (const f of h.frames) {
    holder[0] = BigInt(f);
    libavutil().av_frame_free(holder);
  }
  for (const fd of h.fds) libc().close(fd);
  h.onRelease();
}

const frameReclaimer = reclaimer<FrameHandles>("frames", releaseFrame);

/**
 * One decoded frame. Owns its AVFrames (and so its memfd or VA surface) and the fds made for it
 * alone (a VAAPI export's, or the software source's in fresh-fd mode): all released on dispose,
 * when its source is disposed, or (dropped without disposing) by the garbage collector. After
 * that its descriptor is gone: USE_AFTER_DISPOSE.
 */
export class DecodedFrame implements Disposable {
  private readonly h: FrameHandles;
  private readonly desc: FrameDescriptor;

  constructor(
    readonly index: number,
    descriptor: FrameDescriptor,
    handles: FrameHandles,
    /** The session that decoded it (a frame is used with its own Video). */
    readonly source: DecodeSession,
    /** Frame bytes the CPU copied between the decoder and this descriptor (--force-linear); 0 when zero-copy. */
    readonly cpuBytesCopied = 0,
    /** Damage the decoder skipped since the frame before this one (concealed where it could). */
    readonly damage: DecodeDamage[] = [],
    /** Presentation timestamp in the stream's time base (info.timeBase); undefined when the stream has none. */
    readonly pts?: bigint,
    /** Presentation time in seconds (pts × time base); NaN when the stream has no timestamps. */
    readonly timeS = Number.NaN,
    /** Where the frame is a VkImage libav decoded on the Video's device (the vulkan source): read it there, no import. */
    readonly vulkan?: VulkanFrameRef,
  ) {
    this.desc = descriptor;
    this.h = handles;
    frameReclaimer.register(this, handles, this);
  }

  /** Its DRM PRIME description: valid until the frame (or its source) is disposed. */
  get descriptor(): FrameDescriptor {
    if (this.h.released)
      throw new UseAfterDisposeError(
        "DecodedFrame",
        `frame #${this.index}`,
        "it was disposed (or its Video was), and its surface went back to the decoder",
      );
    return this.desc;
  }

  get disposed(): boolean {
    return this.h.released;
  }

  [Symbol.dispose](): void {
    frameReclaimer.unregister(this);
    releaseFrame(this.h);
  }
}

export class DecodeSession implements Disposable {
  readonly info: StreamInfo;
  private fmt = 0;
  /** Our AVIOContext over the file's fd (vv_input_open): owned here, freed after the format context. */
  private input = 0;
  private codec = 0;
  private packet = 0;
  private readonly deadline = new BigInt64Array(1);
  private readonly fields: AvFieldTable;
  private inFlight = 0;
  private decoded = 0;
  private draining = false;
  private finished = false;
  private closed = false;
  /** Frames handed out and still held by the caller: the session reclaims them when it is disposed. */
  private readonly held = new Set<FrameHandles>();
  /** Damage skipped since the last frame handed out, and in all. */
  private damage: DecodeDamage[] = [];
  private damageCount = 0;
  /** The decode-ahead thread (vv_reader), started by the first next(): owned here, freed on dispose. */
  private reader = 0;
  /** vv_reader_pop's output: [frame, damage_seq, state, fail_code, fail_stage, fail_pos]. */
  private readonly popOut = new BigInt64Array(6);
  /** Damage records of the reader already attributed to frames. */
  private damageSeen = 0;
  /** What ended decoding with an error: thrown again by every later next(). */
  private failure?: Error | undefined;
  /** The decode-ahead thread is running (stopped for a seek, started again by the next take). */
  private readerRunning = false;
  /** When nextAsync last let the event loop run (performance.now()). */
  private lastYield = 0;
  /** Presentation order, scanned on the first random access (indexTried: scanned, or found impossible). */
  private index?: FrameIndex;
  private indexTried = false;
  /** After a seek, frame numbers come from the index by pts. */
  private indexByPts = false;

  constructor(
    readonly options: DecoderOptions,
    private readonly hooks: DecoderHooks,
  ) {
    const { file } = options;
    this.fields = avFields();
    const fmtApi = libavformat();
    const codecApi = libavcodec();
    if (!options.debug) libavutil().av_log_set_level(AV_LOG_QUIET);
    if (!existsSync(file)) throw new DecodeError("FILE_NOT_FOUND", file, "open", "no such file; check the path");
    if (statSync(file).isDirectory())
      throw new DecodeError("NOT_A_VIDEO", file, "open", "is a directory, not a video file");
    try {
      this.trace("open");
      // Our own fd, non-blocking, read through an AVIOContext that polls up to the deadline: a
      // read that would block (a FIFO whose writer stalled) times out like every other stage.
      const fd = libc().open(Buffer.from(`${file}\0`), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) throw new DecodeError("NOT_A_VIDEO", file, "open", `cannot open it: ${errnoText()}`);
      this.input = shim().vv_input_open(fd, ptrOf(this.deadline)) as number;
      if (!this.input) {
        libc().close(fd);
        throw new DecodeError("DECODE_FAILED", file, "open", "could not allocate its input context");
      }
      const fmt = fmtApi.avformat_alloc_context() as number;
      setInterruptDeadline(fmt, this.fields, this.deadline);
      writePtrAt(fmt, this.fields.AVFormatContext.pb, this.input);
      writeI32At(
        fmt,
        this.fields.AVFormatContext.flags,
        read.i32(fmt as Pointer, this.fields.AVFormatContext.flags) | AVFMT_FLAG_CUSTOM_IO,
      );
      const holder = new BigUint64Array([BigInt(fmt)]);
      this.arm();
      const r = fmtApi.avformat_open_input(holder, Buffer.from(`${file}\0`), null, null);
      // On failure libavformat frees the context and clears the pointer.
      this.fmt = Number(holder[0]);
      // A read cut off at the deadline may surface as any error, or as a short header: the clock decides.
      if (this.expired()) throw new StallTimeoutError(this.options.file, "open", this.options.timeoutS);
      if (r < 0) this.fail("open", r);
      this.trace("probe");
      this.arm();
      const p = fmtApi.avformat_find_stream_info(this.fmt, null);
      if (this.expired()) throw new StallTimeoutError(this.options.file, "probe", this.options.timeoutS);
      if (p < 0) this.fail("probe", p);
      const decoder = new BigUint64Array(1);
      const index = fmtApi.av_find_best_stream(this.fmt, AVMEDIA_TYPE_VIDEO, -1, -1, decoder, 0);
      if (index === AVERROR_STREAM_NOT_FOUND)
        throw new DecodeError(
          "NOT_A_VIDEO",
          file,
          "probe",
          "has no video stream (audio-only, or not a media file); give a file with a video track",
        );
      if (index === AVERROR_DECODER_NOT_FOUND)
        throw new DecodeError(
          "NO_DECODER",
          file,
          "decoder",
          "its video codec has no decoder in this libavcodec; install a fuller FFmpeg build",
        );
      if (index < 0) this.fail("probe", index);
      const streams = ptrAt(this.fmt, this.fields.AVFormatContext.streams);
      const stream = ptrAt(streams, index * 8);
      const par = ptrAt(stream, this.fields.AVStream.codecpar);
      const F = this.fields.AVCodecParameters;
      const codecId = read.i32(par as Pointer, F.codec_id);
      const format = read.i32(par as Pointer, F.format);
      this.info = {
        codec: String(codecApi.avcodec_get_name(codecId)),
        width: read.i32(par as Pointer, F.width),
        height: read.i32(par as Pointer, F.height),
        pixelFormat: pixFmtName(format),
        streamIndex: index,
        decoder: String(new CString(ptrAt(Number(decoder[0]), this.fields.AVCodec.name) as Pointer)),
        directRendering:
          (read.i32(Number(decoder[0]) as Pointer, this.fields.AVCodec.capabilities) & AV_CODEC_CAP_DR1) !== 0,
        ...streamTiming(this.fmt, stream, par, this.fields, format),
      };
      if (!hooks.acceptsPixelFormat(format)) {
        throw new DecodeError(
          "UNSUPPORTED_FORMAT",
          file,
          "decoder",
          `the stream decodes to ${this.info.pixelFormat}; vaapi-vk reads 8-bit 4:2:0 (yuv420p/nv12) and 10-bit 4:2:0 (yuv420p10le/p010); re-encode to one of those (e.g. ffmpeg -pix_fmt yuv420p)`,
        );
      }
      this.trace("decoder");
      this.codec = codecApi.avcodec_alloc_context3(Number(decoder[0])) as number;
      const c = codecApi.avcodec_parameters_to_context(this.codec, par);
      if (c < 0) this.fail("decoder", c);
      hooks.configure(this.codec, this.fields);
      // Frame and slice threading: libavcodec decodes several frames at once, each thread calling
      // get_buffer2 (the shim's pool is mutex-guarded for that).
      writeI32At(this.codec, this.fields.AVCodecContext.thread_count, options.threads ?? 1);
      writeI32At(this.codec, this.fields.AVCodecContext.thread_type, FF_THREAD_FRAME | FF_THREAD_SLICE);
      const o = codecApi.avcodec_open2(this.codec, Number(decoder[0]), null);
      if (o < 0) this.fail("decoder", o);
      this.packet = codecApi.av_packet_alloc() as number;
    } catch (e) {
      this[Symbol.dispose]();
      throw e;
    }
  }

  private trace(stage: TraceStage, extra = ""): void {
    if (this.options.debug)
      console.error(`[decode] ${(performance.now() / 1000).toFixed(3)}s ${stage}${extra ? `: ${extra}` : ""}`);
  }

  /** Start the stall clock for one stage. */
  private arm(): void {
    this.deadline[0] =
      this.options.timeoutS > 0
        ? BigInt(shim().vv_monotonic_ns()) + BigInt(Math.round(this.options.timeoutS * 1e9))
        : 0n;
  }

  private expired(): boolean {
    return this.deadline[0]! > 0n && BigInt(shim().vv_monotonic_ns()) > this.deadline[0]!;
  }

  /** A packet the decoder rejected: skipped and counted, or (strict) the end of decoding. */
  private damaged(stage: DecodeDamage["stage"], packetPos: number, code: number): void {
    if (code === AVERROR_EXIT) throw new StallTimeoutError(this.options.file, "decode", this.options.timeoutS);
    if (this.options.strict) {
      throw new DecodeError(
        "DECODE_FAILED",
        this.options.file,
        "decode",
        `${avErrorText(code)} (${code}) at packet byte ${packetPos}; without strict decoding this packet is skipped and decoding goes on`,
      );
    }
    this.damage.push({ packetPos, stage, error: avErrorText(code) });
    this.trace("decode", `skipped damage at packet byte ${packetPos}: ${avErrorText(code)}`);
  }

  /** Packets the decoder rejected and decoding went past. */
  get damageSkipped(): number {
    return this.damageCount;
  }

  private fail(stage: DecodeStage, code: number): never {
    if (code === AVERROR_EXIT) throw new StallTimeoutError(this.options.file, stage, this.options.timeoutS);
    const text = avErrorText(code);
    if (stage === "open" || stage === "probe") {
      const hint = code === AVERROR_INVALIDDATA ? "is not a media file libavformat recognises, or is truncated" : text;
      throw new DecodeError("NOT_A_VIDEO", this.options.file, stage, `${hint} (${text}, ${code})`);
    }
    throw new DecodeError("DECODE_FAILED", this.options.file, stage, `${text} (${code})`);
  }

  /** Decode the next frame, or null at the end of the stream. With decode-ahead, take the next ready one (waiting for it). */
  next(): DecodedFrame | null {
    this.checkNext();
    if (!this.options.decodeAhead) {
      const frame = this.failing(() => this.decodeHere());
      return frame === null ? null : this.wrap(frame);
    }
    // The reader's own deadline ends a stalled stage; this bound only guards against a decoder that never returns.
    const waitNs = this.options.timeoutS > 0 ? BigInt(Math.round((this.options.timeoutS + 1) * 1e9)) : 1n << 62n;
    const frame = this.takeQueued(waitNs);
    if (frame === undefined) throw new StallTimeoutError(this.options.file, "decode", this.options.timeoutS);
    return frame === null ? null : this.wrap(frame);
  }

  /**
   * next() without blocking the event loop: it lets the loop run (timers, I/O) at least every
   * millisecond; with decode-ahead it waits for a frame a millisecond at a time, yielding in between;
   * without, it decodes on this thread after its turn.
   */
  async nextAsync(): Promise<DecodedFrame | null> {
    this.checkNext();
    // Frames that are always ready would never let timers run: give the loop a turn every millisecond.
    if (performance.now() - this.lastYield >= 1) {
      await yieldToEventLoop();
      this.lastYield = performance.now();
      this.checkNext();
    }
    if (!this.options.decodeAhead) {
      const frame = this.failing(() => this.decodeHere());
      return frame === null ? null : this.wrap(frame);
    }
    const deadline = this.options.timeoutS > 0 ? performance.now() + (this.options.timeoutS + 1) * 1000 : Infinity;
    for (;;) {
      const frame = this.takeQueued(1_000_000n);
      if (frame !== undefined) return frame === null ? null : this.wrap(frame);
      if (performance.now() > deadline) throw new StallTimeoutError(this.options.file, "decode", this.options.timeoutS);
      await yieldToEventLoop();
      this.lastYield = performance.now();
      this.checkNext();
    }
  }

  private checkNext(): void {
    if (this.closed) throw new UseAfterDisposeError("decode session", `${this.options.file}: next()`);
    if (this.failure) throw this.failure;
    if (this.inFlight >= this.options.maxInFlight) {
      throw new VaapiVkError(
        "TOO_MANY_FRAMES_IN_FLIGHT",
        `${this.options.file}: ${this.inFlight} frames are still held; dispose frames (\`using frame = ...\`) before asking for more, or raise maxInFlight`,
      );
    }
  }

  /** Run a decode step; an error that ends decoding is kept and thrown again by every later next(). */
  private failing<T>(step: () => T): T {
    try {
      return step();
    } catch (e) {
      this.failure = e as Error;
      throw e;
    }
  }

  /** A ready frame from the reader (started on first use): its AVFrame, null at the end, undefined if none came within waitNs. */
  private takeQueued(waitNs: bigint): number | null | undefined {
    if (this.finished) return null;
    const s = shim();
    if (!this.reader) {
      const timeoutNs = BigInt(Math.round(this.options.timeoutS * 1e9));
      this.reader = s.vv_reader_new(
        this.fmt,
        this.codec,
        this.packet,
        this.info.streamIndex,
        this.options.strict ? 1 : 0,
        this.options.decodeAhead!,
        ptrOf(this.deadline),
        timeoutNs,
      ) as number;
      if (!this.reader)
        throw new DecodeError(
          "DECODE_FAILED",
          this.options.file,
          "decode",
          "could not allocate the decode-ahead reader",
        );
    }
    if (!this.readerRunning) {
      const e = s.vv_reader_start(this.reader, this.draining ? 1 : 0);
      if (e !== 0)
        throw new CCallError(
          "pthread_create",
          e,
          `${libc().strerror(e)} (errno ${e})`,
          "starting the decode-ahead thread",
        );
      this.readerRunning = true;
    }
    const got = s.vv_reader_pop(this.reader, waitNs, ptrOf(this.popOut));
    if (got === 0) return undefined;
    if (got === 1) {
      this.collectDamage(Number(this.popOut[1]));
      return Number(this.popOut[0]);
    }
    this.collectDamage(this.damageSeenUpTo());
    this.finished = true;
    const [state, code, stage, pos] = [
      Number(this.popOut[2]),
      Number(this.popOut[3]),
      Number(this.popOut[4]),
      Number(this.popOut[5]),
    ];
    if (state === READER_EOF) return null;
    try {
      if (state !== READER_FAILED)
        throw new DecodeError("DECODE_FAILED", this.options.file, "decode", "the decode-ahead thread stopped");
      if (code === AVERROR_EXIT) throw new StallTimeoutError(this.options.file, "decode", this.options.timeoutS);
      if (stage === READER_STAGE_SEND || stage === READER_STAGE_RECEIVE) {
        if (this.options.strict) this.damaged(stage === READER_STAGE_SEND ? "send" : "receive", pos, code);
        this.fail("decode", code);
      }
      if (code === AVERROR_EAGAIN)
        throw new DecodeError(
          "DECODE_FAILED",
          this.options.file,
          "decode",
          "the decoder still wanted input after the end of the stream",
        );
      this.fail("decode", code);
    } catch (e) {
      this.failure = e as Error;
      throw e;
    }
  }

  /** The reader's damage count, for damage after the last frame. */
  private damageSeenUpTo(): number {
    let seq = this.damageSeen;
    const out = new BigInt64Array(3);
    while (shim().vv_reader_damage(this.reader, seq, ptrOf(out)) === 0) seq++;
    return seq;
  }

  /** Attribute the reader's damage records up to `seq` to the next frame handed out. */
  private collectDamage(seq: number): void {
    const out = new BigInt64Array(3);
    for (; this.damageSeen < seq; this.damageSeen++) {
      this.damageCount++;
      if (shim().vv_reader_damage(this.reader, this.damageSeen, ptrOf(out)) !== 0) continue; // overwritten: counted, not itemised
      const [pos, stage, code] = [Number(out[0]), Number(out[1]), Number(out[2])];
      this.damage.push({
        packetPos: pos,
        stage: stage === READER_STAGE_SEND ? "send" : "receive",
        error: avErrorText(code),
      });
      this.trace("decode", `skipped damage at packet byte ${pos}: ${avErrorText(code)}`);
    }
  }

  /** Decode one frame on this thread: its AVFrame, or null at the end of the stream. */
  private decodeHere(): number | null {
    if (this.finished) return null;
    const codecApi = libavcodec();
    const fmtApi = libavformat();
    const frame = libavutil().av_frame_alloc() as number;
    this.arm();
    let packetPos = -1;
    let receiveErrors = 0;
    try {
      for (;;) {
        const r = codecApi.avcodec_receive_frame(this.codec, frame);
        if (r === 0) return frame;
        if (r === AVERROR_EOF) {
          this.finished = true;
          freeFrame(frame);
          return null;
        }
        if (r !== AVERROR_EAGAIN) {
          // A decoder that keeps failing without taking input is broken, not damaged: stop.
          if (++receiveErrors > 16) this.fail("decode", r);
          this.damaged("receive", packetPos, r);
          this.damageCount++;
          continue;
        }
        if (this.expired()) throw new StallTimeoutError(this.options.file, "decode", this.options.timeoutS);
        if (this.draining) this.fail("decode", AVERROR_EOF);
        const rr = fmtApi.av_read_frame(this.fmt, this.packet);
        if (rr === AVERROR_EOF) {
          // A read cut off at the deadline can look like the end of the file.
          if (this.expired()) throw new StallTimeoutError(this.options.file, "decode", this.options.timeoutS);
          this.draining = true;
          codecApi.avcodec_send_packet(this.codec, null);
          continue;
        }
        if (rr < 0) {
          if (this.expired()) throw new StallTimeoutError(this.options.file, "decode", this.options.timeoutS);
          this.fail("decode", rr);
        }
        if (read.i32(this.packet as Pointer, this.fields.AVPacket.stream_index) === this.info.streamIndex) {
          packetPos = Number(read.i64(this.packet as Pointer, this.fields.AVPacket.pos));
          const s = codecApi.avcodec_send_packet(this.codec, this.packet);
          codecApi.av_packet_unref(this.packet);
          if (s < 0 && s !== AVERROR_EAGAIN) {
            this.damaged("send", packetPos, s);
            this.damageCount++;
          }
        } else {
          codecApi.av_packet_unref(this.packet);
        }
      }
    } catch (e) {
      freeFrame(frame);
      throw e;
    }
  }

  /** Hand a decoded AVFrame (now owned by the frame made here) to the caller. */
  private wrap(frame: number): DecodedFrame {
    try {
      this.trace("map");
      const { descriptor, keep, fds, cpuBytesCopied, vulkan } = this.hooks.describe(frame);
      if (this.options.debug) this.trace("frame", `#${this.decoded}\n${describeDescriptor(descriptor)}`);
      const F = this.fields.AVFrame;
      let pts: bigint | undefined = read.i64(frame as Pointer, F.pts);
      if (pts === AV_NOPTS_VALUE) pts = read.i64(frame as Pointer, F.best_effort_timestamp);
      if (pts === AV_NOPTS_VALUE) pts = undefined;
      const { num, den } = this.info.timeBase;
      const timeS = pts === undefined || !den ? Number.NaN : (Number(pts) * num) / den;
      const byPts = this.indexByPts && pts !== undefined ? lowerBound(this.index!.pts, pts) : -1;
      const index = byPts >= 0 && this.index!.pts[byPts] === pts ? byPts : this.decoded;
      this.decoded = index + 1;
      this.inFlight++;
      const handles: FrameHandles = {
        frames: keep ? [keep, frame] : [frame],
        fds: fds ?? [],
        released: false,
        onRelease: () => {
          this.inFlight--;
          this.held.delete(handles);
        },
      };
      this.held.add(handles);
      const damage = this.damage;
      this.damage = [];
      return new DecodedFrame(index, descriptor, handles, this, cpuBytesCopied, damage, pts, timeS, vulkan);
    } catch (e) {
      freeFrame(frame);
      throw e;
    }
  }

  /** Stop the decode-ahead thread and drop the frames it queued: the contexts are the caller's again. */
  private stopReader(): void {
    if (!this.reader || !this.readerRunning) return;
    shim().vv_reader_stop(this.reader);
    shim().vv_reader_clear(this.reader);
    this.readerRunning = false;
  }

  /**
   * Every frame's pts in presentation order and the keyframes, from a demux-only pass over the file
   * (no decoding) through a second input of its own, so decoding stays where it is; as ffprobe
   * lists them. Undefined when the stream has no timestamps to index by or the input cannot be
   * opened twice (a pipe): random access then decodes from the start.
   */
  private frameIndex(): FrameIndex | undefined {
    if (this.index || this.indexTried) return this.index;
    this.indexTried = true;
    // A second open of a FIFO or device would wait for a writer: only regular files are scanned.
    if (!statSync(this.options.file).isFile()) return undefined;
    const fmtApi = libavformat();
    const holder = new BigUint64Array([BigInt(fmtApi.avformat_alloc_context() as number)]);
    const deadline = new BigInt64Array([
      this.options.timeoutS > 0
        ? BigInt(shim().vv_monotonic_ns()) + BigInt(Math.round(this.options.timeoutS * 1e9))
        : 0n,
    ]);
    setInterruptDeadline(Number(holder[0]), this.fields, deadline);
    if (fmtApi.avformat_open_input(holder, Buffer.from(`${this.options.file}\0`), null, null) < 0) return undefined;
    const packet = libavcodec().av_packet_alloc() as number;
    const pts: bigint[] = [];
    const keyframes: FrameIndex["keyframes"] = [];
    const P = this.fields.AVPacket;
    let r = 0;
    try {
      while ((r = fmtApi.av_read_frame(Number(holder[0]), packet)) >= 0) {
        if (read.i32(packet as Pointer, P.stream_index) === this.info.streamIndex) {
          const p = read.i64(packet as Pointer, P.pts);
          const d = read.i64(packet as Pointer, P.dts);
          if (p !== AV_NOPTS_VALUE) pts.push(p);
          if (read.i32(packet as Pointer, P.flags) & AV_PKT_FLAG_KEY)
            keyframes.push({ pts: p, dts: d === AV_NOPTS_VALUE ? p : d });
        }
        libavcodec().av_packet_unref(packet);
      }
    } finally {
      libavcodec().av_packet_free(new BigUint64Array([BigInt(packet)]));
      fmtApi.avformat_close_input(holder);
    }
    if (r === AVERROR_EXIT) throw new StallTimeoutError(this.options.file, "seek", this.options.timeoutS);
    if (!pts.length || !keyframes.length || keyframes.some((k) => k.pts === AV_NOPTS_VALUE)) return undefined;
    pts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.index = { pts, keyframes };
    this.info.frameCount = pts.length;
    this.info.frameCountSource = "index";
    return this.index;
  }

  /** av_seek_frame to `ts` (stream time base, at or before), else to the first byte; DECODE_FAILED naming why when neither works. */
  private rewindInput(stream: number, ts: bigint): void {
    let r = libavformat().av_seek_frame(this.fmt, stream, ts, AVSEEK_FLAG_BACKWARD);
    if (r < 0 && ts <= 0n) r = libavformat().av_seek_frame(this.fmt, stream, 0n, AVSEEK_FLAG_BYTE);
    if (r < 0)
      throw new DecodeError(
        "DECODE_FAILED",
        this.options.file,
        "seek",
        `the input cannot seek (${avErrorText(r)}); random access needs a regular file`,
      );
  }

  /**
   * Position decoding so that the frames that follow start at a keyframe at or before the frame
   * shown at `pts` (stream time base): the caller decodes forward from there. Frames already
   * decoded ahead are dropped; frames the caller holds stay valid. Returns the index of the first
   * frame at or after `pts` (-1 past the end), or undefined when the stream has no index.
   */
  seekToPts(pts: bigint): number | undefined {
    if (this.closed) throw new UseAfterDisposeError("decode session", `${this.options.file}: seek`);
    // A FIFO or pipe goes forward only (libavformat may claim a seek inside its buffer and then lose the stream).
    if (!statSync(this.options.file).isFile()) {
      throw new DecodeError(
        "DECODE_FAILED",
        this.options.file,
        "seek",
        "the input cannot seek (a pipe or FIFO goes forward only); random access needs a regular file",
      );
    }
    const index = this.frameIndex();
    this.stopReader();
    let key: { pts: bigint; dts: bigint } | undefined;
    if (index) {
      // The last keyframe shown at or before pts: decoding from it reaches every frame after it,
      // the leading pictures of an open GOP included (they follow the next keyframe in decode order).
      for (const k of index.keyframes) if (k.pts <= pts && (!key || k.pts > key.pts)) key = k;
      key ??= index.keyframes[0];
    }
    // Seek by the keyframe's dts, at or before: lands on it whether the demuxer indexes by pts or dts.
    this.rewindInput(this.info.streamIndex, key ? key.dts : 0n);
    libavcodec().avcodec_flush_buffers(this.codec);
    this.finished = false;
    this.draining = false;
    this.failure = undefined;
    this.damage = [];
    this.indexByPts = !!index;
    if (!index) {
      this.decoded = 0;
      return undefined;
    }
    const at = lowerBound(index.pts, pts);
    this.decoded = index.pts.indexOf(key!.pts);
    return at < index.pts.length ? at : -1;
  }

  /** The pts of frame `i` in presentation order, from the index (scanned once); undefined without one or past the end. */
  ptsOfFrame(i: number): bigint | undefined {
    return this.frameIndex()?.pts[i];
  }

  /** Frames in the stream, counted exactly by a scan of its packets (once); the container's count or the estimate where it cannot scan. */
  countFrames(): number {
    return this.frameIndex()?.pts.length ?? this.info.frameCount;
  }

  /** Index of the first frame shown at or after `pts`; undefined without an index. */
  frameAtPts(pts: bigint): number | undefined {
    const index = this.frameIndex();
    return index ? lowerBound(index.pts, pts) : undefined;
  }

  /** Index of the last frame shown at or before `pts` (-1 before the first); undefined without an index. */
  frameShownAt(pts: bigint): number | undefined {
    const index = this.frameIndex();
    if (!index) return undefined;
    const i = lowerBound(index.pts, pts);
    return index.pts[i] === pts ? i : i - 1;
  }

  /** Index of the keyframe that decoding frame `i` starts from (the last keyframe shown at or before it); undefined without an index. */
  keyframeBefore(i: number): number | undefined {
    const index = this.frameIndex();
    const pts = index?.pts[i];
    if (!index || pts === undefined) return undefined;
    let key = index.keyframes[0]!.pts;
    for (const k of index.keyframes) if (k.pts <= pts && k.pts > key) key = k.pts;
    return lowerBound(index.pts, key);
  }

  /** The stream has a frame index (scanning it once): random access by pts and exact counts work. */
  get indexed(): boolean {
    return this.frameIndex() !== undefined;
  }

  /** The index of the next frame decoding will hand out. */
  get nextIndex(): number {
    return this.decoded;
  }

  get framesInFlight(): number {
    return this.inFlight;
  }

  /** Surfaces in the decoder's pool now. */
  get poolSize(): number {
    return this.hooks.poolSize();
  }

  get disposed(): boolean {
    return this.closed;
  }

  [Symbol.dispose](): void {
    if (this.closed) return;
    this.closed = true;
    // Frames still held go back first: their surfaces belong to the pool being closed.
    for (const h of [...this.held]) releaseFrame(h);
    // The reader first: it is the one calling into the codec and format contexts freed below.
    if (this.reader) shim().vv_reader_free(this.reader);
    this.readerRunning = false;
    if (this.packet) libavcodec().av_packet_free(new BigUint64Array([BigInt(this.packet)]));
    if (this.codec) libavcodec().avcodec_free_context(new BigUint64Array([BigInt(this.codec)]));
    if (this.fmt) libavformat().avformat_close_input(new BigUint64Array([BigInt(this.fmt)]));
    if (this.input) shim().vv_input_close(this.input);
    this.hooks.close();
  }
}

const AVSEEK_FLAG_BYTE = 2;

/** The first position in sorted `list` whose value is >= v. */
function lowerBound(list: bigint[], v: bigint): number {
  let lo = 0,
    hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const rational = (p: number, off: number) => ({
  num: read.i32(p as Pointer, off),
  den: read.i32(p as Pointer, off + 4),
});
const ratio = (r: { num: number; den: number }) => (r.num > 0 && r.den > 0 ? r.num / r.den : Number.NaN);

/** Time base, rates, duration, frame count, bit depth and colour tags of a stream, as its container and codec parameters say. */
function streamTiming(
  fmt: number,
  stream: number,
  par: number,
  fields: AvFieldTable,
  format: number,
): Omit<StreamInfo, "codec" | "width" | "height" | "pixelFormat" | "streamIndex" | "decoder" | "directRendering"> {
  const S = fields.AVStream,
    C = fields.AVCodecParameters,
    u = libavutil();
  const timeBase = rational(stream, S.time_base);
  const tb = ratio(timeBase);
  const fps = ratio(rational(stream, S.avg_frame_rate));
  const baseFps = ratio(rational(stream, S.r_frame_rate));
  const start = read.i64(stream as Pointer, S.start_time);
  const streamDuration = read.i64(stream as Pointer, S.duration);
  const formatDuration = read.i64(fmt as Pointer, fields.AVFormatContext.duration);
  const durationS =
    streamDuration !== AV_NOPTS_VALUE && streamDuration > 0n
      ? Number(streamDuration) * tb
      : formatDuration !== AV_NOPTS_VALUE && formatDuration > 0n
        ? Number(formatDuration) / AV_TIME_BASE
        : Number.NaN;
  const nbFrames = Number(read.i64(stream as Pointer, S.nb_frames));
  const estimate = Math.round(durationS * (Number.isFinite(fps) ? fps : baseFps));
  const name = (f: (v: number) => unknown, off: number) => String(f(read.i32(par as Pointer, off)) ?? "unknown");
  const rawBits = read.i32(par as Pointer, C.bits_per_raw_sample);
  // The display matrix: in the codec parameters' side data from libavformat 61 on, in the stream's before.
  const [list, count] =
    C.coded_side_data !== undefined && C.nb_coded_side_data !== undefined
      ? [ptrAt(par, C.coded_side_data), read.i32(par as Pointer, C.nb_coded_side_data)]
      : S.side_data !== undefined && S.nb_side_data !== undefined
        ? [ptrAt(stream, S.side_data), read.i32(stream as Pointer, S.nb_side_data)]
        : [0, 0];
  let rotation = 0;
  const D = fields.AVPacketSideData;
  for (let i = 0; list && i < count; i++) {
    const entry = list + i * D.sizeof;
    const data = ptrAt(entry, D.data);
    const size = D.sizeof === 16 ? read.i32(entry as Pointer, D.size) : Number(read.u64(entry as Pointer, D.size));
    if (read.i32(entry as Pointer, D.type) === AV_PKT_DATA_DISPLAYMATRIX && data && size >= 36) {
      const r = u.av_display_rotation_get(data);
      rotation = Number.isFinite(r) ? r + 0 : 0;
    }
  }
  return {
    rotation,
    timeBase,
    fps,
    baseFps,
    durationS,
    startS: start !== AV_NOPTS_VALUE ? Number(start) * tb : 0,
    frameCount: nbFrames > 0 ? nbFrames : Number.isFinite(estimate) ? estimate : 0,
    frameCountSource: nbFrames > 0 ? "container" : "estimated",
    bitDepth: rawBits > 0 ? rawBits : /10/.test(pixFmtName(format)) ? 10 : 8,
    color: {
      matrix: name(u.av_color_space_name, C.color_space),
      range: name(u.av_color_range_name, C.color_range),
      primaries: name(u.av_color_primaries_name, C.color_primaries),
      transfer: name(u.av_color_transfer_name, C.color_trc),
      chromaLocation: name(u.av_chroma_location_name, C.chroma_location),
    },
  };
}

/** Point a format context's interrupt callback at the shim's, reading the stall deadline `deadline[0]`. */
function setInterruptDeadline(fmt: number, fields: AvFieldTable, deadline: BigInt64Array): void {
  const cb = fields.AVFormatContext.interrupt_callback;
  writePtrAt(fmt, cb + AVIOInterruptCB.offsets.callback, Number(shim().vv_interrupt_ptr()));
  writePtrAt(fmt, cb + AVIOInterruptCB.offsets.opaque, ptrOf(deadline));
}

/** vv_reader states and stages (c-shim/shim.c). */
const READER_EOF = 1,
  READER_FAILED = 2;
const READER_STAGE_SEND = 0,
  READER_STAGE_RECEIVE = 1;

/** Let timers and I/O run before going on. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function freeFrame(frame: number): void {
  libavutil().av_frame_free(new BigUint64Array([BigInt(frame)]));
}
