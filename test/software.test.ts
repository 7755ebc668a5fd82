// The software source: libavcodec decodes straight into memfds; each frame's planes must equal
// what libavcodec gives the ffmpeg CLI for the same file, bit for bit.
import { describe, expect } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createVaapiDevice,
  type DecodedFrame,
  DecodeError,
  type FrameDescriptor,
  openSoftwareSource,
  pixelFormatOf,
  StallTimeoutError,
  Video,
} from "vaapi-vk";
import { avFields } from "../lib/sources/libav";
import {
  CLIP_DIR,
  CLIPS,
  type ClipSpec,
  cliOutput,
  clip,
  clipsMissing,
  decodeRaw,
  ffmpegMissing,
  lavfiInput,
  referencesMissing,
} from "./support/clips";
import { openFds } from "./support/fds";
import { libavLacks, libavMissing, requires } from "./support/gate";
import { packedPlanes } from "./support/planes";

const withLibav = requires(libavMissing());
const withFfmpeg = requires(libavMissing() ?? ffmpegMissing());
// The clips (made here, or carried in .cache/clips), and the CLIs' outputs about them (run here, or carried).
const withClips = requires(libavMissing() ?? clipsMissing());
const withReferences = requires(libavMissing() ?? referencesMissing() ?? clipsMissing());

function decodeAll(file: string, onFrame: (d: FrameDescriptor, i: number) => void, maxInFlight = 4) {
  const { session, poolStats } = openSoftwareSource({ file, timeoutS: 30, debug: false, maxInFlight });
  try {
    let n = 0;
    for (let f = session.next(); f; f = session.next()) {
      using frame = f;
      onFrame(frame.descriptor, n++);
    }
    return { frames: n, pool: poolStats(), info: session.info };
  } finally {
    session[Symbol.dispose]();
  }
}

describe("decoded planes equal libavcodec's", () => {
  const cases: [string, ClipSpec, string][] = [
    ["H.264 8-bit", CLIPS.h264, "yuv420p"],
    ["H.264 8-bit, long GOP with B-frames", CLIPS.h264LongGop, "yuv420p"],
    ["HEVC Main10", CLIPS.hevc10, "yuv420p10le"],
    ["odd size 333x199 (FFV1)", CLIPS.odd, "yuv420p"],
    ["odd size 10-bit 161x91 (FFV1)", CLIPS.odd10, "yuv420p10le"],
  ];
  for (const [name, spec, rawFmt] of cases) {
    withReferences(name, () => {
      const file = clip(spec);
      const raw = decodeRaw(file, rawFmt);
      const before = openFds();
      let offset = 0;
      const { frames, pool } = decodeAll(file, (d) => {
        expect(d.objects).toHaveLength(1);
        expect(d.objects[0]!.modifier).toBe(0n);
        const planes = packedPlanes(d);
        expect(planes.equals(raw.subarray(offset, offset + planes.length))).toBe(true);
        offset += planes.length;
      });
      expect(frames).toBe(spec.frames);
      expect(offset).toBe(raw.length);
      // Frame buffers are recycled: far fewer memfds than frames.
      expect(pool.allocated).toBeLessThan(frames);
      expect(pool.failed).toBe(0);
      expect(openFds()).toBe(before);
    });
  }
  withClips("8-bit frames are 3-plane YUV420, 10-bit frames S010, both linear", () => {
    decodeAll(clip(CLIPS.h264), (d, i) => {
      if (i === 0) expect(pixelFormatOf(d)).toBe("YUV420");
    });
    decodeAll(clip(CLIPS.hevc10), (d, i) => {
      if (i === 0) expect(pixelFormatOf(d)).toBe("YUV420_10");
    });
  });
  withClips("colour fields come through: full-range JPEG-style 4:2:0", () => {
    decodeAll(clip(CLIPS.fullRange), (d, i) => {
      if (i === 0) expect(d.color.colorRange).toBe(2);
    });
  });
});

describe("bad input: typed errors naming the file and stage, no fd leaks", () => {
  const expectDecodeError = (file: string, code: DecodeError["code"], stage: DecodeError["stage"]) => {
    const before = openFds();
    let err: unknown;
    try {
      openSoftwareSource({ file, timeoutS: 10, debug: false, maxInFlight: 4 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).code).toBe(code);
    expect((err as DecodeError).stage).toBe(stage);
    expect((err as Error).message).toContain(file);
    expect(openFds()).toBe(before);
  };
  withLibav("a missing file", () => expectDecodeError("/nonexistent/clip.mp4", "FILE_NOT_FOUND", "open"));
  withLibav("a file that is not a video", () => {
    const f = join(CLIP_DIR, "not-a-video.mp4");
    mkdirSync(CLIP_DIR, { recursive: true });
    writeFileSync(f, "this is plain text, not a media file\n".repeat(50));
    expectDecodeError(f, "NOT_A_VIDEO", "open");
  });
  withClips("a file truncated inside its header", () => {
    const f = join(CLIP_DIR, "truncated-header.mp4");
    writeFileSync(f, readFileSync(clip(CLIPS.h264)).subarray(0, 200));
    expectDecodeError(f, "NOT_A_VIDEO", "open");
  });
  withClips("a file truncated inside its frames decodes what is there and ends, without a hang or leak", () => {
    const f = join(CLIP_DIR, "truncated-data.mkv");
    writeFileSync(f, readFileSync(clip(CLIPS.odd)).subarray(0, Math.floor(readFileSync(clip(CLIPS.odd)).length * 0.6)));
    const before = openFds();
    let frames = 0;
    try {
      decodeAll(f, () => frames++);
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
    }
    expect(frames).toBeLessThan(CLIPS.odd.frames);
    expect(openFds()).toBe(before);
  });
  requires(libavMissing() ?? (existsSync(join(CLIP_DIR, "audio-only.m4a")) ? undefined : ffmpegMissing()))(
    "an audio-only file",
    () => {
      const f = join(CLIP_DIR, "audio-only.m4a");
      if (!existsSync(f))
        require("node:child_process").spawnSync("ffmpeg", [
          ...lavfiInput("sine=frequency=440:duration=0.5"),
          "-c:a",
          "aac",
          f,
        ]);
      expectDecodeError(f, "NOT_A_VIDEO", "probe");
    },
  );
  requires(libavLacks([], ["nut"]) ?? clipsMissing())("a file whose codec has no decoder", () =>
    expectDecodeError(clip(CLIPS.noDecoder), "NO_DECODER", "decoder"),
  );
  withLibav("the VAAPI device on a node that is no DRM device falls back to libva-drm and fails cleanly", () => {
    const before = openFds();
    let err: unknown;
    try {
      createVaapiDevice("clip.mp4", "/dev/null", avFields());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).code).toBe("NO_VAAPI_DEVICE");
    expect((err as Error).message).toMatch(/vaGetDisplayDRM|vaInitialize|av_hwdevice_ctx_init/);
    expect(openFds()).toBe(before);
  });
  withClips("frames come as an async iterator of disposables", async () => {
    using video = Video.open(clip(CLIPS.h264), { source: "software", maxInFlight: 2 });
    let n = 0;
    for await (const f of video) {
      using frame = f;
      expect(frame.index).toBe(n++);
    }
    expect(n).toBe(CLIPS.h264.frames);
  });
  withClips("a stage that does not finish within timeoutS raises StallTimeoutError", () => {
    const before = openFds();
    expect(() => openSoftwareSource({ file: clip(CLIPS.h264), timeoutS: 1e-9, debug: false, maxInFlight: 4 })).toThrow(
      StallTimeoutError,
    );
    expect(openFds()).toBe(before);
  });
  withClips("holding more frames than maxInFlight is refused, not a hang", () => {
    const { session } = openSoftwareSource({ file: clip(CLIPS.h264), timeoutS: 10, debug: false, maxInFlight: 2 });
    const a = session.next()!,
      b = session.next()!;
    expect(() => session.next()).toThrow(/frames are still held/);
    a[Symbol.dispose]();
    using c = session.next()!;
    expect(c.index).toBe(2);
    b[Symbol.dispose]();
    session[Symbol.dispose]();
  });
});

describe("damaged streams decode what ffmpeg decodes", () => {
  /** The H.264 clip with the NAL length prefixes of two packets overwritten: the decoder rejects those two. */
  const damagedClip = (): { file: string; positions: number[] } => {
    const src = clip(CLIPS.h264);
    const all = cliOutput("ffprobe", src, ["-v", "quiet", "-show_packets", "-select_streams", "v", "INPUT"])
      .toString()
      .split("\n")
      .filter((l) => l.startsWith("pos="))
      .map((l) => Number(l.slice(4)));
    const positions = [all[5]!, all[14]!];
    const bytes = readFileSync(src);
    for (const p of positions) bytes.fill(0xff, p, p + 4);
    mkdirSync(CLIP_DIR, { recursive: true });
    const file = join(CLIP_DIR, "h264_damaged_two_packets.mp4");
    writeFileSync(file, bytes);
    return { file, positions };
  };
  const ffmpegFrames = (file: string) =>
    decodeRaw(file, "yuv420p", ["-fps_mode", "passthrough"]).length / (320 * 180 * 1.5);

  withReferences(
    "two rejected packets are skipped, counted and reported on the next frame with their positions; the rest decodes",
    () => {
      const { file, positions } = damagedClip();
      const fds = openFds();
      // One decoder thread: the decoder rejects each packet as it is sent. With frame threads it says
      // so a few packets later (the damage lies in one of the packets still decoding): same count.
      // The same on the caller's thread and on the decode-ahead thread.
      for (const [threads, decodeAhead] of [
        [1, 0],
        [1, 4],
        [0, 4],
      ] as const) {
        using video = Video.open(file, { source: "software", validation: true, threads, decodeAhead });
        const damage: number[] = [];
        let frames = 0;
        for (let f = video.next(); f; f = video.next()) {
          using frame = f;
          damage.push(...frame.damage.map((d) => d.packetPos));
          const { rgba } = video.toRgba(frame);
          rgba[Symbol.dispose]();
          frames++;
        }
        expect(frames).toBe(ffmpegFrames(file));
        expect(frames).toBeGreaterThan(20);
        expect(video.stats.damageSkipped).toBe(2);
        if (threads === 1) expect(damage).toEqual(positions);
        video.ctx.checkValidation();
      }
      expect(openFds()).toBe(fds);
    },
  );
  withReferences("seekFrame and frameToRgba go past the damage; strict decoding stops at it, naming the packet", () => {
    const { file, positions } = damagedClip();
    {
      using video = Video.open(file, { source: "software" });
      using frame = video.seekFrame(18);
      expect(frame.index).toBe(18);
    }
    for (const decodeAhead of [0, 4]) {
      using strict = Video.open(file, { source: "software", strict: true, threads: 1, decodeAhead });
      let err: unknown;
      let frames = 0;
      try {
        for (let f = strict.next(); f; f = strict.next()) {
          f[Symbol.dispose]();
          frames++;
        }
      } catch (e) {
        err = e;
      }
      expect(frames).toBeGreaterThan(0);
      expect((err as DecodeError).code).toBe("DECODE_FAILED");
      expect((err as Error).message).toContain(`packet byte ${positions[0]}`);
      // It stays failed: the next call says the same, it does not go on past the damage.
      expect(() => strict.next()).toThrow((err as Error).message);
    }
  });
});

describe("a read that blocks times out on time (the input is polled up to the deadline)", () => {
  const fifo = () => {
    const dir = mkdtempSync(join(tmpdir(), "vaapi-vk-fifo-"));
    const path = join(dir, "stalled.ts");
    if (Bun.spawnSync(["mkfifo", path]).exitCode !== 0) throw new Error("mkfifo failed");
    return { path, done: () => rmSync(dir, { recursive: true, force: true }) };
  };
  withClips("a FIFO whose writer never writes: StallTimeoutError at open after timeoutS, no fd kept", async () => {
    const { path, done } = fifo();
    const fds = openFds();
    const writer = Bun.spawn(["sh", "-c", `sleep 30 > '${path}'`]);
    await Bun.sleep(100);
    const t0 = performance.now();
    let err: unknown;
    try {
      Video.open(path, { source: "software", timeoutS: 1 });
    } catch (e) {
      err = e;
    }
    const s = (performance.now() - t0) / 1000;
    writer.kill();
    await writer.exited;
    expect(err).toBeInstanceOf(StallTimeoutError);
    expect((err as StallTimeoutError).stage).toBe("open");
    expect(s).toBeGreaterThanOrEqual(0.9);
    expect(s).toBeLessThan(4);
    expect(openFds()).toBe(fds);
    done();
  });
  withFfmpeg(
    "a FIFO whose writer stalls mid-stream: the frames written decode, then StallTimeoutError at decode",
    async () => {
      const { path, done } = fifo();
      // 10 s of video: probing reads its first 5 s, then decoding runs into the stall.
      const ts = Bun.spawnSync([
        "ffmpeg",
        "-v",
        "error",
        "-i",
        clip(CLIPS.long300),
        "-c",
        "copy",
        "-f",
        "mpegts",
        "-",
      ]).stdout;
      const half = ts.subarray(0, Math.floor(ts.length * 0.8));
      const part = `${path}.part`;
      writeFileSync(part, half);
      // The writer keeps the FIFO open (fd 3) after writing 80% of the stream, as a stalled producer does.
      const writer = Bun.spawn(["sh", "-c", `exec 3> '${path}'; cat '${part}' >&3; sleep 30`]);
      const t0 = performance.now();
      let frames = 0;
      let err: unknown;
      try {
        using video = Video.open(path, { source: "software", timeoutS: 1 });
        for (let f = video.next(); f; f = video.next()) {
          f[Symbol.dispose]();
          frames++;
        }
      } catch (e) {
        err = e;
      }
      writer.kill();
      await writer.exited;
      expect(err).toBeInstanceOf(StallTimeoutError);
      expect((err as StallTimeoutError).stage).toBe("decode");
      expect(frames).toBeGreaterThan(0);
      expect((performance.now() - t0) / 1000).toBeLessThan(6);
      done();
    },
    20_000,
  );
});

describe("decoders that cannot write into the pool", () => {
  requires(libavLacks(["libdav1d"], ["matroska"]) ?? referencesMissing() ?? clipsMissing())(
    "AV1 through libdav1d (no AV_CODEC_CAP_DR1): said at open, each frame copied once (counted), planes equal to ffmpeg's",
    () => {
      const file = clip(CLIPS.av1);
      const fds = openFds();
      {
        using video = Video.open(file, { source: "software", validation: true });
        expect(video.info.directRendering).toBe(false);
        expect(video.sourceNote).toContain(`the ${video.info.decoder} decoder cannot write into the memfd pool`);
        const want = decodeRaw(file, "yuv420p");
        const frameBytes = 160 * 90 * 1.5;
        let n = 0;
        for (let f = video.next(); f; f = video.next()) {
          using frame = f;
          expect(frame.cpuBytesCopied).toBe(frameBytes);
          expect(packedPlanes(frame.descriptor)).toEqual(want.subarray(n * frameBytes, (n + 1) * frameBytes));
          const { rgba, stats } = video.toRgba(frame);
          rgba[Symbol.dispose]();
          expect(stats.cpuBytesCopied).toBe(frameBytes);
          n++;
        }
        expect(n).toBe(CLIPS.av1.frames);
        expect(video.stats.cpuBytesCopied).toBe(n * frameBytes);
        video.ctx.checkValidation();
      }
      expect(openFds()).toBe(fds);
    },
  );
});

describe("decoder threads", () => {
  const planesOf = (file: string, threads: number, decodeAhead = 0) => {
    const out: { index: number; pts: bigint | undefined; digest: string }[] = [];
    using video = Video.open(file, { source: "software", threads, decodeAhead, validation: false, maxInFlight: 2 });
    for (let f = video.next(); f; f = video.next()) {
      using frame = f;
      out.push({
        index: frame.index,
        pts: frame.descriptor.pts,
        digest: Bun.hash(packedPlanes(frame.descriptor)).toString(16),
      });
    }
    return { frames: out, pool: video.stats.poolSize };
  };
  withLibav(
    "frames come out in order and identical with 1 and 8 threads (get_buffer2 called from every thread), no fd gained",
    () => {
      for (const spec of [CLIPS.h264LongGop, CLIPS.hevc10, CLIPS.long300]) {
        const file = clip(spec);
        const fds = openFds();
        const one = planesOf(file, 1);
        const many = planesOf(file, 8);
        const ahead = planesOf(file, 8, 8);
        expect(many.frames).toEqual(one.frames);
        expect(ahead.frames).toEqual(one.frames);
        expect(one.frames.map((f) => f.index)).toEqual(one.frames.map((_, i) => i));
        // Frame threads hold more frames at once: the pool (and so the import cache) grows with them.
        expect(many.pool).toBeGreaterThanOrEqual(one.pool);
        expect(openFds()).toBe(fds);
      }
    },
  );
});

describe("decode-ahead: a thread of the library's decodes while the caller works", () => {
  withLibav("async iteration lets timers fire between frames; sync iteration gives the same frames", async () => {
    const file = clip(CLIPS.long300);
    const fds = openFds();
    for (const decodeAhead of [0, 4]) {
      const digests: string[] = [];
      {
        using video = Video.open(file, { source: "software", decodeAhead, validation: false });
        for (const f of video) {
          using frame = f;
          digests.push(Bun.hash(packedPlanes(frame.descriptor)).toString(16));
        }
      }
      using video = Video.open(file, { source: "software", decodeAhead, validation: false });
      let timerFiredAt = -1;
      let frames = 0;
      let ticks = 0;
      setTimeout(() => (timerFiredAt = frames), 0);
      const interval = setInterval(() => ticks++, 5);
      const start = performance.now();
      for await (const f of video) {
        using frame = f;
        expect(Bun.hash(packedPlanes(frame.descriptor)).toString(16)).toBe(digests[frames]!);
        frames++;
      }
      const elapsed = performance.now() - start;
      clearInterval(interval);
      expect(frames).toBe(CLIPS.long300.frames);
      // A loop that never yielded would run the timer only after its last frame, and the interval never.
      expect(timerFiredAt).toBeGreaterThanOrEqual(0);
      expect(timerFiredAt).toBeLessThan(frames);
      expect(ticks).toBeGreaterThanOrEqual(Math.floor(elapsed / 5 / 4));
    }
    expect(openFds()).toBe(fds);
  });
  withLibav(
    "disposing while the thread decodes (mid-stream, mid-wait) stops it: no hang, no fd or frame left",
    async () => {
      const file = clip(CLIPS.long300);
      const fds = openFds();
      for (let i = 0; i < 12; i++) {
        const video = Video.open(file, {
          source: "software",
          decodeAhead: 1 + (i % 8),
          threads: i % 3,
          validation: false,
        });
        const held = [video.next()!, video.next()!];
        if (i % 2) {
          // Disposed while an async wait is pending: that wait ends in USE_AFTER_DISPOSE, never a crash.
          for (const f of held) f[Symbol.dispose]();
          // A consumer slower than the decoder: the stream is far from its end when the Video goes.
          const pending = (async () => {
            for (let f = await video.nextAsync(); f; f = await video.nextAsync()) {
              f[Symbol.dispose]();
              await Bun.sleep(1);
            }
          })();
          await Bun.sleep(i);
          video[Symbol.dispose]();
          expect(pending).rejects.toMatchObject({ code: "USE_AFTER_DISPOSE" });
          await pending.catch(() => {});
        } else {
          video[Symbol.dispose]();
          expect(held.every((f) => f.disposed)).toBe(true);
        }
      }
      expect(openFds()).toBe(fds);
    },
  );
  withLibav("the pool holds what the caller and the thread hold, and no more", () => {
    const file = clip(CLIPS.long300);
    for (const decodeAhead of [1, 8]) {
      using video = Video.open(file, {
        source: "software",
        decodeAhead,
        threads: 1,
        maxInFlight: 2,
        validation: false,
      });
      const a = video.next()!;
      const b = video.next()!;
      // The caller holds 2 while the thread fills its queue.
      Bun.sleepSync(200);
      const full = video.stats.poolSize;
      // The caller's 2, the thread's queue, and the references the decoder keeps.
      expect(full).toBeGreaterThanOrEqual(2 + decodeAhead);
      expect(full).toBeLessThanOrEqual(2 + decodeAhead + 1 + 4);
      expect([a.index, b.index]).toEqual([0, 1]);
      a[Symbol.dispose]();
      b[Symbol.dispose]();
      for (let f = video.next(); f; f = video.next()) f[Symbol.dispose]();
      expect(video.stats.poolSize).toBe(full);
    }
  });
});

describe("batches: several frames converted in one submission", () => {
  withLibav(
    "toRgbaBatchAsync gives each frame the bytes toRgba gives it (8- and 10-bit), validation silent, fds flat",
    () => {
      const fds = openFds();
      for (const spec of [CLIPS.bframes, CLIPS.hevc10]) {
        const file = clip(spec);
        const single: string[] = [];
        {
          using video = Video.open(file, { source: "software", validation: true });
          for (const f of video) {
            using frame = f;
            const { rgba } = video.toRgba(frame);
            using _ = rgba;
            single.push(Bun.hash(video.readRgba(rgba)).toString(16));
          }
        }
        using video = Video.open(file, { source: "software", validation: true, maxInFlight: 8 });
        const { width, height } = video.info;
        const targets = Array.from({ length: 5 }, () => video.converter.allocateRgba(width, height));
        const batched: string[] = [];
        try {
          for (;;) {
            const group: DecodedFrame[] = [];
            for (let f = group.length < 5 ? video.next() : null; f; f = group.length < 5 ? video.next() : null)
              group.push(f);
            if (!group.length) break;
            const { submission, stats } = video.toRgbaBatchAsync(group, targets.slice(0, group.length));
            submission[Symbol.dispose]();
            expect(stats.every((s) => s.cpuBytesCopied === 0)).toBe(true);
            for (let i = 0; i < group.length; i++) batched.push(Bun.hash(video.readRgba(targets[i]!)).toString(16));
            for (const f of group) f[Symbol.dispose]();
            if (group.length < 5) break;
          }
          expect(batched).toEqual(single);
          expect(() => video.toRgbaBatchAsync([], [])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
          video.ctx.checkValidation();
        } finally {
          for (const t of targets) t[Symbol.dispose]();
        }
      }
      expect(openFds()).toBe(fds);
    },
  );
});
