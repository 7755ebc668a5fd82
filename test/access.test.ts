// Random access, time and metadata, held to ffprobe's frame list and the ffmpeg CLI's decode of
// the same file: frameAt in any order, seek by time, frameAtTime, ranges, on B-frame and open-GOP
// clips, with the decode-ahead thread on and off.
import { describe, expect } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DecodeError, type FrameDescriptor, Video } from "vaapi-vk";
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
import { libavMissing, requires } from "./support/gate";
import { packedPlanes } from "./support/planes";

const withFfmpeg = requires(libavMissing() ?? ffmpegMissing());
// The ffmpeg/ffprobe CLIs' outputs, run here or carried (test/support/clips.ts cliOutput), and the clips.
const withReferences = requires(libavMissing() ?? referencesMissing() ?? clipsMissing());

/** ffprobe's view: every frame's pts in presentation order, the time base, rates and duration. */
function probe(file: string) {
  const out = cliOutput("ffprobe", file, [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_entries",
    "stream=time_base,avg_frame_rate,r_frame_rate,nb_frames,duration:frame=pts",
    "-of",
    "json",
    "INPUT",
  ]);
  const j = JSON.parse(out.toString()) as {
    streams: {
      time_base: string;
      avg_frame_rate: string;
      r_frame_rate: string;
      nb_frames?: string;
      duration?: string;
    }[];
    frames: { pts: number }[];
  };
  const [num, den] = j.streams[0]!.time_base.split("/").map(Number) as [number, number];
  const rate = (s: string) => {
    const [a, b] = s.split("/").map(Number) as [number, number];
    return a / b;
  };
  return {
    pts: j.frames.map((f) => BigInt(f.pts)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    timeBase: { num, den },
    fps: rate(j.streams[0]!.avg_frame_rate),
    baseFps: rate(j.streams[0]!.r_frame_rate),
    nbFrames: j.streams[0]!.nb_frames ? Number(j.streams[0]!.nb_frames) : undefined,
    durationS: j.streams[0]!.duration ? Number(j.streams[0]!.duration) : undefined,
  };
}

const CASES: [string, ClipSpec][] = [
  ["B-frames, mp4", CLIPS.bframes],
  ["open GOPs, Matroska", CLIPS.openGop],
  ["long GOP with B-frames", CLIPS.h264LongGop],
];

describe("random access against ffprobe's frame list and ffmpeg's decode", () => {
  for (const [name, spec] of CASES) {
    withReferences(`${name}: info, frameAt in any order, seek, frameAtTime, ranges; decode-ahead on and off`, () => {
      const file = clip(spec);
      const p = probe(file);
      const frameBytes = (spec.size.split("x").map(Number) as [number, number]).reduce((w, h) => w * h) * 1.5;
      const raw = decodeRaw(file, "yuv420p");
      const want = (i: number) => raw.subarray(i * frameBytes, (i + 1) * frameBytes);
      expect(p.pts.length).toBe(raw.length / frameBytes);
      const fds = openFds();
      for (const decodeAhead of [0, 4]) {
        using video = Video.open(file, { source: "software", decodeAhead, validation: false, maxInFlight: 2 });
        const info = video.info;
        expect(info.timeBase).toEqual(p.timeBase);
        expect(info.fps).toBeCloseTo(p.fps, 6);
        expect(info.baseFps).toBeCloseTo(p.baseFps, 6);
        if (p.durationS !== undefined) expect(info.durationS).toBeCloseTo(p.durationS, 3);
        if (p.nbFrames !== undefined)
          expect([info.frameCount, info.frameCountSource]).toEqual([p.nbFrames, "container"]);
        expect(info.bitDepth).toBe(8);
        // Sequential: every frame's index, pts and time as ffprobe lists them.
        {
          using first = video.next()!;
          expect([first.index, first.pts, first.timeS]).toEqual([
            0,
            p.pts[0]!,
            (Number(p.pts[0]) * p.timeBase.num) / p.timeBase.den,
          ]);
        }
        const n = p.pts.length;
        // Backwards, forwards, across GOPs, the last and the first: planes equal ffmpeg's frame i.
        const gop = Math.min(spec.gop ?? 12, n - 1);
        const order = [
          Math.floor(n / 2),
          3,
          n - 1,
          0,
          Math.floor(n / 2) + 1,
          Math.floor(n / 3),
          1,
          n - 2,
          gop,
          gop - 1,
        ];
        for (const i of order) {
          using f = video.frameAt(i);
          expect([f.index, f.pts]).toEqual([i, p.pts[i]!]);
          expect(packedPlanes(f.descriptor).equals(want(i))).toBe(true);
        }
        expect([video.countFrames(), video.info.frameCount, video.info.frameCountSource]).toEqual([n, n, "index"]);
        // next() goes on after frameAt.
        {
          using a = video.frameAt(5);
          a[Symbol.dispose]();
          using b = video.next()!;
          expect(b.index).toBe(6);
          expect(packedPlanes(b.descriptor).equals(want(6))).toBe(true);
        }
        // seek(t): the next frame is the one shown at t (between two frames: the earlier).
        const tOf = (i: number) => (Number(p.pts[i]) * p.timeBase.num) / p.timeBase.den;
        for (const i of [n - 3, 2, Math.floor(n / 2)]) {
          video.seek((tOf(i) + tOf(i + 1)) / 2);
          using f = video.next()!;
          expect(f.index).toBe(i);
          expect(packedPlanes(f.descriptor).equals(want(i))).toBe(true);
          expect(f.timeS).toBeCloseTo(tOf(i), 9);
          using g = video.next()!;
          expect(g.index).toBe(i + 1);
        }
        {
          using f = video.frameAtTime(tOf(7));
          expect(f.index).toBe(7);
        }
        // Ranges and lists, in the order asked.
        const taken = (frames: Iterable<{ index: number; descriptor: FrameDescriptor } & Disposable>) => {
          const out: [number, boolean][] = [];
          for (const f of frames) {
            using frame = f;
            out.push([frame.index, packedPlanes(frame.descriptor).equals(want(frame.index))]);
          }
          return out;
        };
        expect(taken(video.frames({ start: 2, stop: 20, step: 6 }))).toEqual([
          [2, true],
          [8, true],
          [14, true],
        ]);
        expect(taken(video.frames([9, 1, 9]))).toEqual([
          [9, true],
          [1, true],
          [9, true],
        ]);
        // Past the end and bad input: typed errors, and the Video goes on working.
        expect(() => video.frameAt(n)).toThrow(DecodeError);
        expect(() => video.frameAt(n)).toThrow(`has ${n} frame(s)`);
        expect(() => video.frameAtTime(tOf(n - 1) + 10)).toThrow("past the last frame");
        for (const bad of [-1, 1.5, Number.NaN])
          expect(() => video.frameAt(bad)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
        for (const bad of [-0.5, Number.NaN, Infinity])
          expect(() => video.seek(bad)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
        expect(() => [...video.frames({ start: 0, step: 0 })]).toThrow(
          expect.objectContaining({ code: "INVALID_ARGUMENT" }),
        );
        using last = video.frameAt(n - 1);
        expect(packedPlanes(last.descriptor).equals(want(n - 1))).toBe(true);
      }
      expect(openFds()).toBe(fds);
    });
  }
  withFfmpeg("a pipe goes forward only: going back says it cannot seek, at once, and forward still works", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vaapi-vk-fifo-"));
    const fifo = join(dir, "clip.ts");
    try {
      expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
      // An MPEG-TS stream (it needs no seeking to open) of a few MB, encoded into the FIFO as it is read:
      // once 100 frames are read, its start has left every buffer.
      const writer = Bun.spawn([
        "ffmpeg",
        ...lavfiInput("testsrc2=size=640x360:rate=30"),
        "-frames:v",
        "150",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-f",
        "mpegts",
        fifo,
      ]);
      {
        using video = Video.open(fifo, { source: "software", validation: false, timeoutS: 10 });
        for (let i = 0; i < 100; i++) video.next()![Symbol.dispose]();
        const t = performance.now();
        expect(() => video.frameAt(0)).toThrow(
          expect.objectContaining({ code: "DECODE_FAILED", message: expect.stringContaining("cannot seek") }),
        );
        expect(performance.now() - t).toBeLessThan(2000);
        // Forward still works (frames are counted on from where decoding is).
        using next = video.next();
        expect(next).not.toBeNull();
      }
      writer.kill();
      await writer.exited;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  withReferences(
    "info carries the stream's colour tags, bit depth and display rotation, as ffprobe reports them",
    () => {
      {
        using video = Video.open(clip(CLIPS.bt2020), { source: "software", validation: false });
        expect(video.info.color).toEqual({
          matrix: "bt2020nc",
          range: "tv",
          primaries: "bt2020",
          transfer: "smpte2084",
          chromaLocation: "left",
        });
        expect(video.info.bitDepth).toBe(10);
        expect(video.info.rotation).toBe(0);
      }
      const rotated = join(CLIP_DIR, "h264_rotate90_320x180.mp4");
      if (!existsSync(rotated)) {
        const r = spawnSync("ffmpeg", [
          "-v",
          "error",
          "-y",
          "-i",
          clip(CLIPS.h264),
          "-c",
          "copy",
          "-metadata:s:v:0",
          "rotate=90",
          rotated,
        ]);
        if (r.status !== 0) throw new Error(`ffmpeg could not tag the rotation: ${r.stderr}`);
      }
      const probed = cliOutput("ffprobe", rotated, [
        "-v",
        "error",
        "-show_entries",
        "stream_side_data=rotation",
        "-of",
        "csv=p=0",
        "INPUT",
      ]);
      using video = Video.open(rotated, { source: "software", validation: false });
      expect(video.info.rotation).toBe(Number(probed.toString().trim()));
      expect(Math.abs(video.info.rotation)).toBe(90);
    },
  );
});
