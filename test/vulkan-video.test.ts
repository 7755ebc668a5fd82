// The Vulkan Video source: libavcodec decodes on the Video's own Vulkan device (FFmpeg 7.1 on), and
// the converter reads the decoded images where they are. The oracle is libavcodec's software
// decode of the same file (the software source, on the same machine): luma byte for byte, RGBA
// identical, no byte copied, validation silent, fds flat.
import { describe, expect } from "bun:test";
import { type DecodedFrame, DecodeError, readLuma, Video, VulkanContext } from "vaapi-vk";
import { vulkanVideoMissing } from "../lib/sources/vulkan";
import { CLIPS, type ClipSpec, clip, clipsMissing } from "./support/clips";
import { openFds } from "./support/fds";
import { libavMissing, requires, vulkanMissing } from "./support/gate";

/** Why this machine cannot decode through Vulkan Video, or undefined. */
function vulkanVideoUnavailable(): string | undefined {
  const missing = libavMissing() ?? vulkanMissing() ?? clipsMissing();
  if (missing) return missing;
  using ctx = VulkanContext.create({ videoDecode: true });
  const why = vulkanVideoMissing(ctx);
  return why && `no Vulkan Video decoding here: ${why}`;
}

const unavailable = vulkanVideoUnavailable();
const withVulkanVideo = requires(unavailable);
const withoutVulkanVideo = requires(
  unavailable === undefined
    ? "this machine decodes through Vulkan Video"
    : (libavMissing() ?? vulkanMissing() ?? clipsMissing()),
);

/** Every frame's luma and RGBA through `video`. */
function lumaAndRgba(video: Video, each: (frame: DecodedFrame, luma: Uint8Array, rgba: Uint8Array) => void): number {
  let n = 0;
  for (const f of video) {
    using frame = f;
    const { imported, stats } = video.importFrame(frame);
    expect(stats.cpuBytesCopied).toBe(0);
    const luma = video.luma.toLuma(imported);
    using _luma = luma.buffer;
    const { rgba } = video.toRgba(frame);
    using _ = rgba;
    each(frame, readLuma(video.ctx, luma), video.readRgba(rgba));
    n++;
  }
  return n;
}

describe("Vulkan Video: decoded on the library's own device, read where it is", () => {
  const cases: [string, ClipSpec][] = [
    ["H.264 8-bit", CLIPS.h264],
    ["H.264 8-bit, long GOP with B-frames", CLIPS.h264LongGop],
    ["HEVC Main10", CLIPS.hevc10],
  ];
  for (const [name, spec] of cases) {
    withVulkanVideo(
      `${name}: every frame's luma equals libavcodec's software decode byte for byte, RGBA identical, nothing copied, fds flat`,
      () => {
        const file = clip(spec);
        const reference: { luma: Uint8Array; rgba: Uint8Array; pts: bigint | undefined }[] = [];
        {
          using software = Video.open(file, { source: "software" });
          lumaAndRgba(software, (frame, luma, rgba) => reference.push({ luma, rgba, pts: frame.pts }));
        }
        const before = openFds();
        {
          using video = Video.open(file, { source: "vulkan" });
          expect(video.source).toBe("vulkan");
          let i = 0;
          const frames = lumaAndRgba(video, (frame, luma, rgba) => {
            expect(frame.vulkan).toBeDefined();
            expect(frame.pts).toBe(reference[i]!.pts);
            expect(Buffer.from(luma).equals(Buffer.from(reference[i]!.luma))).toBe(true);
            expect(Buffer.from(rgba).equals(Buffer.from(reference[i]!.rgba))).toBe(true);
            i++;
          });
          expect(frames).toBe(reference.length);
          const s = video.stats;
          expect(s.cpuBytesCopied).toBe(0);
          expect(s.imports).toBe(0);
          // Each pool image gets its plane views once; later frames in it find them.
          expect(s.vulkanImages).toBeGreaterThan(0);
          expect(s.vulkanImages + s.vulkanImageHits).toBeGreaterThanOrEqual(frames);
          video.ctx.checkValidation();
          // libav's own calls are held apart: only the one known FFmpeg 7.1 image-creation finding may be there.
          for (const m of video.ctx.libavValidationErrors) expect(m).toContain("VUID-VkImageCreateInfo-pNext-06811");
          if (video.ctx.libavValidationErrors.length)
            console.log(
              `${name}: libav's decoder drew ${video.ctx.libavValidationErrors.length} validation error(s) of its own (VUID-VkImageCreateInfo-pNext-06811)`,
            );
        }
        expect(openFds()).toBe(before);
      },
    );
  }

  withVulkanVideo(
    "a batch of Vulkan Video frames converts to the bytes each gives alone, with decode-ahead off and on",
    () => {
      const file = clip(CLIPS.h264);
      for (const decodeAhead of [0, 4]) {
        using video = Video.open(file, { source: "vulkan", decodeAhead, maxInFlight: 8 });
        const frames = [video.next()!, video.next()!, video.next()!];
        try {
          const singles = frames.map((f) => {
            const { rgba } = video.toRgba(f);
            using _ = rgba;
            return video.readRgba(rgba);
          });
          const targets = frames.map((f) => video.converter.allocateRgba(f.descriptor.width, f.descriptor.height));
          try {
            const { submission } = video.toRgbaBatchAsync(frames, targets);
            submission.wait();
            submission[Symbol.dispose]();
            targets.forEach((t, i) => {
              expect(Buffer.from(video.readRgba(t)).equals(Buffer.from(singles[i]!))).toBe(true);
            });
          } finally {
            for (const t of targets) t[Symbol.dispose]();
          }
          expect(() => video.toRgbaBatchAsync([frames[0]!, frames[0]!], [])).toThrow();
        } finally {
          for (const f of frames) f[Symbol.dispose]();
        }
        video.ctx.checkValidation();
      }
    },
  );

  withVulkanVideo("seeking back and forth gives the frames the software source gives", () => {
    const file = clip(CLIPS.h264LongGop);
    using software = Video.open(file, { source: "software" });
    using video = Video.open(file, { source: "vulkan" });
    for (const index of [30, 3, 17, 0, 39]) {
      using a = software.frameAt(index);
      using b = video.frameAt(index);
      expect(b.pts).toBe(a.pts);
      const ra = software.toRgba(a).rgba;
      const rb = video.toRgba(b).rgba;
      using _a = ra;
      using _b = rb;
      expect(Buffer.from(video.readRgba(rb)).equals(Buffer.from(software.readRgba(ra)))).toBe(true);
    }
    video.ctx.checkValidation();
  });
});

describe("Vulkan Video where it cannot be had", () => {
  withoutVulkanVideo("source vulkan is NO_VULKAN_VIDEO saying why, auto falls back to software and says why", () => {
    const file = clip(CLIPS.h264);
    const before = openFds();
    let error: unknown;
    try {
      Video.open(file, { source: "vulkan" })[Symbol.dispose]();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).code).toBe("NO_VULKAN_VIDEO");
    expect((error as DecodeError).message).toMatch(/FFmpeg 7\.1|decode queue|Vulkan Video|lacks|built without Vulkan/);
    {
      using video = Video.open(file, { source: "auto", vaapiDevice: "/nonexistent/renderD128" });
      expect(video.source).toBe("software");
      expect(video.sourceNote).toContain("no Vulkan Video (");
    }
    expect(openFds()).toBe(before);
  });
});
