// A libavformat + libavcodec decode session shared by the sources: open, pick the best video
// stream, decode frame after frame with a stall timeout, and hand out disposable frames.
// A source customises only how the decoder is set up and how a decoded frame becomes a descriptor.
import { CString, ptr as ptrOf, read, type Pointer } from "bun:ffi";
import { existsSync, statSync } from "node:fs";
import { AV_CODEC_CAP_DR1, FF_THREAD_FRAME, FF_THREAD_SLICE, AVERROR_EAGAIN, AVERROR_EOF, AVERROR_EXIT, AVFMT_FLAG_CUSTOM_IO, AVMEDIA_TYPE_VIDEO, AV_LOG_QUIET, libavcodec, libavformat, libavutil, type AvFieldTable } from "../../ffi/libav";
import { errnoText, libc, O_CLOEXEC, O_NONBLOCK, O_RDONLY } from "../../ffi/libc";
import { describeDescriptor, type FrameDescriptor } from "../descriptor";
import { DecodeError, StallTimeoutError, UseAfterDisposeError, VaapiVkError, type DecodeStage } from "../errors";
import { reclaimer } from "../reclaim";
import { avErrorText, avFields, pixFmtName, ptrAt, shim, writeI32At, writePtrAt } from "./libav";

const AVERROR_STREAM_NOT_FOUND = -0x4d415453; // FFERRTAG(0xF8,'S','T','R')
const AVERROR_DECODER_NOT_FOUND = -0x434544f8; // FFERRTAG(0xF8,'D','E','C')
const AVERROR_INVALIDDATA = -0x41444e49; // FFERRTAG('I','N','D','A')

export type TraceStage = DecodeStage | "frame";

export type DecoderHooks = {
  /** Set up the codec context before avcodec_open2 (get_buffer2, hw device, ...). */
  configure(codecCtx: number, fields: AvFieldTable): void;
  /**
   * Describe a decoded frame; may return a mapped frame to keep alive with it, fds made for this
   * frame alone (closed when it is disposed), and the bytes the CPU copied to make it.
   */
  describe(frame: number): { descriptor: FrameDescriptor; keep?: number; fds?: number[]; cpuBytesCopied?: number };
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
};

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
  ) {
    this.desc = descriptor;
    this.h = handles;
    frameReclaimer.register(this, handles, this);
  }

  /** Its DRM PRIME description: valid until the frame (or its source) is disposed. */
  get descriptor(): FrameDescriptor {
    if (this.h.released) throw new UseAfterDisposeError("DecodedFrame", `frame #${this.index}`, "it was disposed (or its Video was), and its surface went back to the decoder");
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
  /** Frames handed out and not yet released: the session reclaims them when it is disposed. */
  private readonly held = new Set<FrameHandles>();
  /** Damage skipped since the last frame handed out, and in all. */
  private damage: DecodeDamage[] = [];
  private damageCount = 0;

  constructor(readonly options: DecoderOptions, private readonly hooks: DecoderHooks) {
    const { file } = options;
    this.fields = avFields();
    const fmtApi = libavformat();
    const codecApi = libavcodec();
    if (!options.debug) libavutil().av_log_set_level(AV_LOG_QUIET);
    if (!existsSync(file)) throw new DecodeError("FILE_NOT_FOUND", file, "open", "no such file; check the path");
    if (statSync(file).isDirectory()) throw new DecodeError("NOT_A_VIDEO", file, "open", "is a directory, not a video file");
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
      const cb = this.fields.AVFormatContext.interrupt_callback;
      writePtrAt(fmt, cb, Number(shim().vv_interrupt_ptr()));
      writePtrAt(fmt, cb + 8, ptrOf(this.deadline));
      writePtrAt(fmt, this.fields.AVFormatContext.pb, this.input);
      writeI32At(fmt, this.fields.AVFormatContext.flags, read.i32(fmt as Pointer, this.fields.AVFormatContext.flags) | AVFMT_FLAG_CUSTOM_IO);
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
      if (index === AVERROR_STREAM_NOT_FOUND) throw new DecodeError("NOT_A_VIDEO", file, "probe", "has no video stream (audio-only, or not a media file); give a file with a video track");
      if (index === AVERROR_DECODER_NOT_FOUND) throw new DecodeError("NO_DECODER", file, "decoder", "its video codec has no decoder in this libavcodec; install a fuller FFmpeg build");
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
        directRendering: (read.i32(Number(decoder[0]) as Pointer, this.fields.AVCodec.capabilities) & AV_CODEC_CAP_DR1) !== 0,
      };
      if (!hooks.acceptsPixelFormat(format)) {
        throw new DecodeError("UNSUPPORTED_FORMAT", file, "decoder",
          `the stream decodes to ${this.info.pixelFormat}; vaapi-vk reads 8-bit 4:2:0 (yuv420p/nv12) and 10-bit 4:2:0 (yuv420p10le/p010); re-encode to one of those (e.g. ffmpeg -pix_fmt yuv420p)`);
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
    if (this.options.debug) console.error(`[decode] ${(performance.now() / 1000).toFixed(3)}s ${stage}${extra ? `: ${extra}` : ""}`);
  }

  /** Start the stall clock for one stage. */
  private arm(): void {
    this.deadline[0] = this.options.timeoutS > 0 ? BigInt(shim().vv_monotonic_ns()) + BigInt(Math.round(this.options.timeoutS * 1e9)) : 0n;
  }

  private expired(): boolean {
    return this.deadline[0]! > 0n && BigInt(shim().vv_monotonic_ns()) > this.deadline[0]!;
  }

  /** A packet the decoder rejected: skipped and counted, or (strict) the end of decoding. */
  private damaged(stage: DecodeDamage["stage"], packetPos: number, code: number): void {
    if (code === AVERROR_EXIT) throw new StallTimeoutError(this.options.file, "decode", this.options.timeoutS);
    if (this.options.strict) {
      throw new DecodeError("DECODE_FAILED", this.options.file, "decode", `${avErrorText(code)} (${code}) at packet byte ${packetPos}; without strict decoding this packet is skipped and decoding goes on`);
    }
    this.damage.push({ packetPos, stage, error: avErrorText(code) });
    this.damageCount++;
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

  /** Decode the next frame, or null at the end of the stream. */
  next(): DecodedFrame | null {
    if (this.closed) throw new UseAfterDisposeError("decode session", `${this.options.file}: next()`);
    if (this.finished) return null;
    if (this.inFlight >= this.options.maxInFlight) {
      throw new VaapiVkError("TOO_MANY_FRAMES_IN_FLIGHT", `${this.options.file}: ${this.inFlight} frames are still held; dispose frames (\`using frame = ...\`) before asking for more, or raise maxInFlight`);
    }
    const codecApi = libavcodec();
    const fmtApi = libavformat();
    const frame = libavutil().av_frame_alloc() as number;
    this.arm();
    let packetPos = -1;
    let receiveErrors = 0;
    try {
      for (;;) {
        const r = codecApi.avcodec_receive_frame(this.codec, frame);
        if (r === 0) break;
        if (r === AVERROR_EOF) {
          this.finished = true;
          freeFrame(frame);
          return null;
        }
        if (r !== AVERROR_EAGAIN) {
          // A decoder that keeps failing without taking input is broken, not damaged: stop.
          if (++receiveErrors > 16) this.fail("decode", r);
          this.damaged("receive", packetPos, r);
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
          if (s < 0 && s !== AVERROR_EAGAIN) this.damaged("send", packetPos, s);
        } else {
          codecApi.av_packet_unref(this.packet);
        }
      }
      this.trace("map");
      const { descriptor, keep, fds, cpuBytesCopied } = this.hooks.describe(frame);
      if (this.options.debug) this.trace("frame", `#${this.decoded}\n${describeDescriptor(descriptor)}`);
      const index = this.decoded++;
      this.inFlight++;
      const handles: FrameHandles = {
        frames: keep ? [keep, frame] : [frame], fds: fds ?? [], released: false,
        onRelease: () => {
          this.inFlight--;
          this.held.delete(handles);
        },
      };
      this.held.add(handles);
      const damage = this.damage;
      this.damage = [];
      return new DecodedFrame(index, descriptor, handles, this, cpuBytesCopied, damage);
    } catch (e) {
      freeFrame(frame);
      throw e;
    }
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
    if (this.packet) libavcodec().av_packet_free(new BigUint64Array([BigInt(this.packet)]));
    if (this.codec) libavcodec().avcodec_free_context(new BigUint64Array([BigInt(this.codec)]));
    if (this.fmt) libavformat().avformat_close_input(new BigUint64Array([BigInt(this.fmt)]));
    if (this.input) shim().vv_input_close(this.input);
    this.hooks.close();
  }
}

function freeFrame(frame: number): void {
  libavutil().av_frame_free(new BigUint64Array([BigInt(frame)]));
}

