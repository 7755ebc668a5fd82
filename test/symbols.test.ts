// The symbol stream: the contract's reader, the CPU reference encoder/decoder, and the GPU kernels
// (zero-writer and triadic path) bit for bit against the CPU.
import { afterAll, describe, expect, test } from "bun:test";
import {
  ACTION_SKIP,
  BufferUsage,
  decodeFrameCpu,
  encodeFrameCpu,
  GpuBuffer,
  type LumaFrame,
  readFrame,
  readLuma,
  type StreamOptions,
  SymbolEncoder,
  type SymbolFrame,
  SymbolStreamError,
  streamStats,
  Video,
  VulkanContext,
} from "vaapi-vk";
import { CLIPS, clip, clipsMissing } from "./support/clips";
import { libavMissing, requires } from "./support/gate";

/** Frames that move: a gradient sliding by `n` plus sparse noise, and sometimes a jump that clamps. */
function syntheticLuma(w: number, h: number, n: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const noise = (x * 7919 + y * 104729 + n * 31) % 97 < 3 ? 60 : 0;
      out[y * w + x] = (x * 2 + y + n * 3 + noise + (n === 2 && x < w / 4 ? 120 : 0)) & 0xff;
    }
  return out;
}

const clampedBy = (o: StreamOptions, cur: Uint8Array, prev: Uint8Array | null) => {
  const m = (3 ** o.planes - 1) / 2;
  return cur.reduce((n, v, i) => n + (Math.abs(v - (prev ? prev[i]! : 0)) > m ? 1 : 0), 0);
};

describe("CPU reference", () => {
  const o: StreamOptions = { width: 61, height: 37, block: 16, planes: 4, channels: 1 };
  test("round trip: exact wherever the residual fits, clamped pixels counted", () => {
    let prev: Uint8Array | null = null;
    for (let n = 0; n < 5; n++) {
      const cur = syntheticLuma(o.width, o.height, n);
      const frame = encodeFrameCpu(o, cur, prev, n);
      const rebuilt = decodeFrameCpu(frame, prev);
      const m = (3 ** o.planes - 1) / 2;
      let mismatches = 0;
      for (let i = 0; i < cur.length; i++) {
        const fits = Math.abs(cur[i]! - (prev ? prev[i]! : 0)) <= m;
        if (fits) expect(rebuilt[i]).toBe(cur[i]!);
        else mismatches++;
      }
      expect(readFrame(frame).header.clampedPixels).toBe(mismatches);
      expect(mismatches).toBe(clampedBy(o, cur, prev));
      prev = cur;
    }
  });
  test("a static frame is all SKIP and all-zero digits", () => {
    const cur = syntheticLuma(o.width, o.height, 1);
    const s = streamStats(encodeFrameCpu(o, cur, cur, 1));
    expect(s.skipRatio).toBe(1);
    expect(s.histogram.minus + s.histogram.plus).toBe(0);
    expect(s.bytes).toBeLessThan(s.rawLumaBytes * 4);
  });
});

describe("the reader refuses malformed streams", () => {
  const o: StreamOptions = { width: 33, height: 17, block: 8, planes: 3, channels: 1 };
  const good = () => encodeFrameCpu(o, syntheticLuma(33, 17, 1), syntheticLuma(33, 17, 0), 1);
  const u32 = (b: Uint8Array) => new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  const cases: [string, (f: SymbolFrame) => void, RegExp][] = [
    [
      "bad magic",
      (f) => {
        u32(f.header)[0] = 0;
      },
      /magic/,
    ],
    [
      "unknown version",
      (f) => {
        u32(f.header)[1] = 9;
      },
      /version/,
    ],
    [
      "block count disagrees with the size",
      (f) => {
        u32(f.header)[7] = 1;
      },
      /blocks/,
    ],
    [
      "plane size disagrees",
      (f) => {
        u32(f.header)[9] = 4;
      },
      /bytes a plane/,
    ],
    [
      "a trit byte above 242",
      (f) => {
        f.trits[0] = 243;
      },
      /242/,
    ],
    [
      "a padding trit that is not 1",
      (f) => {
        f.trits[Math.ceil((33 * 17) / 5) - 1] = 0;
      },
      /padding/,
    ],
    [
      "an unknown action",
      (f) => {
        u32(f.blocks)[0] = 7;
      },
      /action/,
    ],
    [
      "a SKIP block that carries digits",
      (f) => {
        const b = u32(f.blocks);
        const i = b.findIndex((v, k) => k % 4 === 0 && v === 1);
        b[i] = ACTION_SKIP;
      },
      /SKIP|CODE blocks/,
    ],
    [
      "header counters that disagree",
      (f) => {
        u32(f.header)[13]! += 1;
      },
      /nonzero digits/,
    ],
    [
      "truncated trits",
      (f) => {
        f.trits = f.trits.subarray(0, 10);
      },
      /trit buffer/,
    ],
    [
      "channels 2 (defined, not implemented)",
      (f) => {
        u32(f.header)[6] = 2;
      },
      /channels 2/,
    ],
  ];
  test("the unmodified stream reads", () => {
    expect(readFrame(good()).header.width).toBe(33);
  });
  for (const [name, spoil, message] of cases) {
    test(name, () => {
      const f = good();
      spoil(f);
      expect(() => readFrame(f)).toThrow(SymbolStreamError);
      expect(() => readFrame(f)).toThrow(message);
    });
  }
});

describe("GPU kernels against the CPU reference", () => {
  const ctx = VulkanContext.create({ validation: true });
  afterAll(() => ctx[Symbol.dispose]());
  const upload = (bytes: Uint8Array, w: number, h: number): LumaFrame => {
    const rowWords = Math.ceil(w / 4);
    const buffer = new GpuBuffer(ctx, rowWords * 4 * h, BufferUsage.STORAGE | BufferUsage.TRANSFER_SRC, "host");
    const dst = buffer.bytes();
    for (let y = 0; y < h; y++) dst.set(bytes.subarray(y * w, (y + 1) * w), y * rowWords * 4);
    return { buffer, width: w, height: h, rowWords };
  };
  const same = (a: SymbolFrame, b: SymbolFrame) => {
    expect(Buffer.from(a.header).equals(Buffer.from(b.header))).toBe(true);
    expect(Buffer.from(a.blocks).equals(Buffer.from(b.blocks))).toBe(true);
    expect(Buffer.from(a.trits).equals(Buffer.from(b.trits))).toBe(true);
  };

  test("the zero-writer's stream validates: every block SKIP, every digit zero", () => {
    const o: StreamOptions = { width: 64, height: 48, block: 16, planes: 4, channels: 1 };
    using enc = new SymbolEncoder(ctx, o);
    enc.writeZero(7);
    const f = enc.read();
    const zero = new Uint8Array(64 * 48);
    same(f, encodeFrameCpu(o, zero, zero, 7));
    expect(streamStats(f).skipRatio).toBe(1);
    ctx.checkValidation();
  });

  for (const o of [
    { width: 333, height: 199, block: 16, planes: 4, channels: 1 },
    { width: 64, height: 36, block: 8, planes: 1, channels: 1 },
    { width: 100, height: 50, block: 32, planes: 5, channels: 1 },
  ] satisfies StreamOptions[]) {
    test(`triadic ${o.width}x${o.height}, block ${o.block}, ${o.planes} planes: bit for bit the CPU's stream`, () => {
      using enc = new SymbolEncoder(ctx, o);
      let prev: LumaFrame | null = null,
        prevBytes: Uint8Array | null = null;
      const held: LumaFrame[] = [];
      for (let n = 0; n < 4; n++) {
        const bytes = syntheticLuma(o.width, o.height, n);
        const cur = upload(bytes, o.width, o.height);
        held.push(cur);
        enc.encode(cur, prev, n);
        same(enc.read(), encodeFrameCpu(o, bytes, prevBytes, n));
        prev = cur;
        prevBytes = bytes;
      }
      for (const l of held) l.buffer[Symbol.dispose]();
      ctx.checkValidation();
    });
  }
});

const withSource = requires(libavMissing() ?? clipsMissing());

for (const [name, spec] of [
  ["moving clip", CLIPS.odd],
  ["static clip", CLIPS.static],
] as const) {
  withSource(`decoded ${name}: GPU stream equals the CPU's, the CPU decoder rebuilds the luma, clamps counted`, () => {
    using video = Video.open(clip(spec), { source: "software", validation: true });
    const o: StreamOptions = { width: video.info.width, height: video.info.height, block: 16, planes: 4, channels: 1 };
    using enc = new SymbolEncoder(video.ctx, o);
    let prev: LumaFrame | undefined,
      prevBytes: Uint8Array | null = null;
    let clamped = 0;
    for (let f = video.next(); f; f = video.next()) {
      using frame = f;
      const luma = video.luma.toLuma(video.importFrame(frame).imported);
      const bytes = readLuma(video.ctx, luma);
      enc.encode(luma, prev ?? null, frame.index);
      const stream = enc.read();
      expect(
        Buffer.from(stream.trits).equals(Buffer.from(encodeFrameCpu(o, bytes, prevBytes, frame.index).trits)),
      ).toBe(true);
      const rebuilt = decodeFrameCpu(stream, prevBytes);
      const s = streamStats(stream);
      clamped += s.clampedPixels;
      let wrong = 0;
      for (let i = 0; i < bytes.length; i++) if (rebuilt[i] !== bytes[i]) wrong++;
      expect(wrong).toBe(s.clampedPixels);
      if (spec === CLIPS.static && frame.index > 0) expect(s.skipRatio).toBe(1);
      prev?.buffer[Symbol.dispose]();
      prev = luma;
      prevBytes = bytes;
    }
    prev?.buffer[Symbol.dispose]();
    console.log(`${name}: ${clamped} pixels clamped over ${spec.frames} frames`);
    video.ctx.checkValidation();
  });
}
