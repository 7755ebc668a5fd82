// Luma pass and diff mode: luma equals the decoded Y plane (top 8 bits for 10-bit), the diff's sum
// and histogram equal the CPU's, and identical frames diff to all zero.
import { expect } from "bun:test";
import { type FrameDescriptor, heatMap, readBack, Video } from "vaapi-vk";
import { CLIPS, clip, clipsMissing } from "./support/clips";
import { libavMissing, requires } from "./support/gate";

const withSource = requires(libavMissing() ?? clipsMissing());

/** The decoded Y plane as 8-bit rows of rowWords*4 bytes, read from the frame's memfd. */
function cpuLuma(d: FrameDescriptor, rowWords: number, tenBit: boolean): Uint8Array {
  const mem = Bun.mmap(`/proc/self/fd/${d.objects[0]!.fd}`, { shared: true });
  const p = d.layers[0]!.planes[0]!;
  const out = new Uint8Array(rowWords * 4 * d.height);
  for (let y = 0; y < d.height; y++)
    for (let x = 0; x < d.width; x++) {
      out[y * rowWords * 4 + x] = tenBit
        ? ((mem[p.offset + y * p.pitch + 2 * x]! | (mem[p.offset + y * p.pitch + 2 * x + 1]! << 8)) & 0x3ff) >> 2
        : mem[p.offset + y * p.pitch + x]!;
    }
  return out;
}

for (const [name, spec, tenBit] of [
  ["8-bit, odd width", CLIPS.odd, false],
  ["10-bit", CLIPS.hevc10, true],
] as const) {
  withSource(`luma and diff match the CPU (${name})`, () => {
    using video = Video.open(clip(spec), { source: "software", validation: true });
    using f0 = video.next()!;
    using f1 = video.next()!;
    const l0 = video.luma.toLuma(video.importFrame(f0).imported);
    using _0 = l0.buffer;
    const l1 = video.luma.toLuma(video.importFrame(f1).imported);
    using _1 = l1.buffer;
    const c0 = cpuLuma(f0.descriptor, l0.rowWords, tenBit),
      c1 = cpuLuma(f1.descriptor, l1.rowWords, tenBit);
    expect(Buffer.from(readBack(video.ctx, l0.buffer)).equals(Buffer.from(c0))).toBe(true);
    const d = video.luma.diff(l0, l1);
    using _d = d.diff.buffer;
    let sum = 0;
    const histogram = new Uint32Array(256);
    const diffBytes = readBack(video.ctx, d.diff.buffer);
    for (let y = 0; y < l0.height; y++)
      for (let x = 0; x < l0.width; x++) {
        const i = y * l0.rowWords * 4 + x,
          v = Math.abs(c0[i]! - c1[i]!);
        expect(diffBytes[i]).toBe(v);
        sum += v;
        histogram[v]!++;
      }
    expect(d.sum).toBe(sum);
    expect(d.histogram).toEqual(histogram);
    // The preview's heat map, made on the GPU, is the CPU's heatMap of the same diff byte for byte.
    using heat = video.luma.heatMap(d.diff);
    expect(
      Buffer.from(readBack(video.ctx, heat)).equals(Buffer.from(heatMap(diffBytes, l0.width, l0.height, l0.rowWords))),
    ).toBe(true);
    video.ctx.checkValidation();
  });
}

withSource("identical frames diff to all zero; a static clip after its first frame too", () => {
  using video = Video.open(clip(CLIPS.static), { source: "software", validation: true });
  using first = video.next()!;
  const a = video.luma.toLuma(video.importFrame(first).imported);
  using _a = a.buffer;
  const same = video.luma.diff(a, a);
  using _s = same.diff.buffer;
  expect(same.sum).toBe(0);
  expect(same.histogram[0]).toBe(a.width * a.height);
  let previous = a;
  const held = [];
  for (let f = video.next(); f; f = video.next()) {
    using frame = f;
    const l = video.luma.toLuma(video.importFrame(frame).imported);
    held.push(l.buffer);
    const d = video.luma.diff(previous, l);
    using _d = d.diff.buffer;
    expect(d.sum).toBe(0);
    previous = l;
  }
  for (const b of held) b[Symbol.dispose]();
  video.ctx.checkValidation();
});
