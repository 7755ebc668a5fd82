// The import ring over a long run: imports equal the decoder's distinct surfaces, every frame's RGBA
// equals the single-frame path's, the cache follows the decoder's pool, and no fd is gained.
import { expect } from "bun:test";
import { createHash } from "node:crypto";
import { dmabufIdentity, frameToRgba, Video } from "vaapi-vk";
import { CLIPS, clip, clipsMissing } from "./support/clips";
import { openFds } from "./support/fds";
import { libavMissing, requires } from "./support/gate";

const withSource = requires(libavMissing() ?? clipsMissing());
const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function run(
  file: string,
  ring: number,
  freshFds = false,
): { digests: string[]; surfaces: number; stats: Video["stats"] } {
  using video = Video.open(file, { source: "software", dmabufRing: ring, validation: true, freshFds });
  const digests: string[] = [];
  const surfaces = new Set<string>();
  for (let f = video.next(); f; f = video.next()) {
    using frame = f;
    surfaces.add(dmabufIdentity(frame.descriptor.objects[0]!.fd));
    const { rgba, stats } = video.toRgba(frame);
    using _ = rgba;
    expect(stats.cpuBytesCopied).toBe(0);
    digests.push(digest(video.readRgba(rgba)));
  }
  video.ctx.checkValidation();
  return { digests, surfaces: surfaces.size, stats: video.stats };
}

withSource(
  "300 frames through a ring of 4: one import per distinct surface, the same RGBA as the single-frame path, no fd gained",
  () => {
    const file = clip(CLIPS.long300);
    const before = openFds();
    const r = run(file, 4);
    expect(r.stats.frames).toBe(300);
    // However many surfaces the decoder's threads cycle through (5 on 2 cores, 17 on 16), each is imported once.
    expect(r.stats.imports).toBe(r.surfaces);
    expect(r.stats.cacheHits).toBe(300 - r.surfaces);
    expect(r.stats.evictions).toBe(0);
    for (const i of [0, 1, 59, 60, 150, 299]) expect(digest(frameToRgba(file, i).rgba)).toBe(r.digests[i]!);
    expect(openFds()).toBe(before);
  },
);

withSource(
  "the cache follows the decoder's pool: with any ring, a B-frame clip imports each surface once and never evicts",
  () => {
    const file = clip(CLIPS.bframes);
    const before = openFds();
    const runs = [1, 4, 16].map((ring) => run(file, ring));
    for (const r of runs) {
      expect(r.stats.frames).toBe(150);
      expect(r.stats.imports).toBe(r.surfaces);
      expect(r.stats.cacheHits).toBe(150 - r.surfaces);
      expect(r.stats.evictions).toBe(0);
      expect(r.stats.poolSize).toBeGreaterThanOrEqual(r.surfaces);
      expect(r.digests).toEqual(runs[0]!.digests);
    }
    // A B-frame decoder holds more surfaces than a ring of 4 (the case that used to thrash).
    expect(runs[0]!.surfaces).toBeGreaterThan(4);
    expect(openFds()).toBe(before);
  },
);

withSource("pipelined conversions (the GPU works while the next frame decodes) give the same frames", () => {
  const file = clip(CLIPS.long300);
  const before = openFds();
  const waited = run(file, 4);
  {
    using video = Video.open(file, { source: "software", dmabufRing: 2, maxInFlight: 4, validation: true });
    const targets = [0, 1, 2].map(() => video.converter.allocateRgba(video.info.width, video.info.height));
    const queue: {
      frame: NonNullable<ReturnType<Video["next"]>>;
      submission: { wait(): void; [Symbol.dispose](): void };
      target: number;
    }[] = [];
    const digests: string[] = [];
    const retire = () => {
      const q = queue.shift()!;
      q.submission.wait();
      digests.push(digest(video.readRgba(targets[q.target]!)));
      q.submission[Symbol.dispose]();
      q.frame[Symbol.dispose]();
    };
    for (let f = video.next(), i = 0; f; f = video.next(), i++) {
      const { submission } = video.toRgbaAsync(f, targets[i % 3]!);
      queue.push({ frame: f, submission, target: i % 3 });
      while (queue.length > 2) retire();
    }
    while (queue.length) retire();
    for (const t of targets) t[Symbol.dispose]();
    expect(digests).toEqual(waited.digests);
    video.ctx.checkValidation();
  }
  expect(openFds()).toBe(before);
});
