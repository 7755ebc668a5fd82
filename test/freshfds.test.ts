// The software source handing frames over as VAAPI's av_hwframe_map does: fresh fds for the same
// pooled surface every frame, closed when the frame is disposed, their numbers reused by the next
// frames. The cache, sync and lifetime rules of the hardware path run through it.
import { expect } from "bun:test";
import { createHash } from "node:crypto";
import { dmabufIdentity, ImportedFrame, Video } from "vaapi-vk";
import { CLIPS, clip, clipsMissing } from "./support/clips";
import { openFds } from "./support/fds";
import { libavMissing, requires } from "./support/gate";

const withSource = requires(libavMissing() ?? clipsMissing());
const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function decodeAll(file: string, freshFds: boolean) {
  using video = Video.open(file, { source: "software", validation: true, freshFds });
  const digests: string[] = [];
  /** fd number -> the buffers it named over the run. */
  const named = new Map<number, Set<string>>();
  const syncModes = new Set<string>();
  let syncMatches = 0;
  for (let f = video.next(); f; f = video.next()) {
    using frame = f;
    const fd = frame.descriptor.objects[0]!.fd;
    const id = dmabufIdentity(fd);
    named.set(fd, (named.get(fd) ?? new Set()).add(id));
    const { imported } = video.importFrame(frame);
    if (!(imported instanceof ImportedFrame)) throw new Error("the software source's frames are imports");
    // The import waits on the producer through its own dups, which name this frame's buffer
    // whatever fd numbers the frame that made the import had (closed long ago on a hit).
    if (imported.syncFds.every((s, i) => dmabufIdentity(s) === dmabufIdentity(frame.descriptor.objects[i]!.fd)))
      syncMatches++;
    const { rgba, stats, syncMode } = video.toRgba(frame);
    using _ = rgba;
    expect(stats.cpuBytesCopied).toBe(0);
    syncModes.add(syncMode);
    digests.push(digest(video.readRgba(rgba)));
  }
  video.ctx.checkValidation();
  return { digests, named, syncModes, syncMatches, stats: video.stats };
}

withSource(
  "300 frames with fresh fds per frame: one import per surface, every hit synced through the import's own fds, the same RGBA, no fd gained",
  () => {
    const file = clip(CLIPS.long300);
    const before = openFds();
    const pooled = decodeAll(file, false);
    const fresh = decodeAll(file, true);
    expect(fresh.digests).toEqual(pooled.digests);
    expect(fresh.stats.frames).toBe(300);
    expect(fresh.stats.imports).toBe(pooled.stats.imports);
    // Each frame is looked up twice (importFrame, then toRgba): every lookup but the first of each surface hits.
    expect(fresh.stats.cacheHits).toBe(2 * 300 - fresh.stats.imports);
    expect(fresh.stats.evictions).toBe(0);
    expect(fresh.syncMatches).toBe(300);
    // memfds cannot export sync_files: every read waited by polling, never on nothing.
    expect([...fresh.syncModes]).toEqual(["poll"]);
    // The hazard is real in this mode: one fd number named different surfaces over the run.
    expect([...fresh.named.values()].some((ids) => ids.size > 1)).toBe(true);
    expect(openFds()).toBe(before);
  },
);

withSource(
  "B-frames with fresh fds: frames held out of order keep their own fds, and the output matches the pooled source",
  () => {
    const file = clip(CLIPS.bframes);
    const before = openFds();
    expect(decodeAll(file, true).digests).toEqual(decodeAll(file, false).digests);
    expect(openFds()).toBe(before);
  },
);
