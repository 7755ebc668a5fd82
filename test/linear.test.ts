// --force-linear: linear dmabuf allocators (DRM dumb buffer, udmabuf, memfd) and the copy path,
// run here through the software source; the CPU copy is counted.
import { expect, test } from "bun:test";
import { allocateLinear, firstCardNode, Video } from "vaapi-vk";
import { CLIPS, clip, clipsMissing } from "./support/clips";
import { openFds } from "./support/fds";
import { libavMissing, requires } from "./support/gate";

const withSource = requires(libavMissing() ?? clipsMissing());

test("the allocator chain falls through cleanly to what this machine has, saying why", () => {
  const before = openFds();
  {
    const { buffer, attempts } = allocateLinear(100_000, { drmDevice: "/dev/null" });
    using _ = buffer;
    expect(buffer.size).toBe(102_400);
    expect(attempts[0]).toMatch(/^drm-dumb: DRM_IOCTL_MODE_CREATE_DUMB on \/dev\/null failed/);
    if (!require("node:fs").existsSync("/dev/udmabuf")) {
      expect(buffer.allocator).toBe("memfd");
      expect(attempts[1]).toMatch(/^udmabuf: no \/dev\/udmabuf/);
    }
    buffer.bytes.fill(7, 0, 16);
    expect(buffer.bytes[15]).toBe(7);
  }
  if (!firstCardNode()) {
    const { buffer, attempts } = allocateLinear(4096);
    using _ = buffer;
    expect(attempts[0]).toBe("drm-dumb: no /dev/dri/card* node");
  }
  expect(openFds()).toBe(before);
});

for (const [name, spec, bytesPerFrame] of [
  ["8-bit", CLIPS.odd, (w: number, h: number) => w * h + 2 * Math.ceil(w / 2) * Math.ceil(h / 2)],
  ["10-bit", CLIPS.hevc10, (w: number, h: number) => 2 * (w * h + 2 * Math.ceil(w / 2) * Math.ceil(h / 2))],
] as const) {
  withSource(`force-linear (${name}): same RGBA as zero-copy, one counted CPU copy a frame, no fd gained`, () => {
    const file = clip(spec);
    const before = openFds();
    {
      using direct = Video.open(file, { source: "software" });
      using linear = Video.open(file, { source: "software", forceLinear: true, validation: true });
      let frames = 0;
      for (let a = direct.next(), b = linear.next(); a && b; a = direct.next(), b = linear.next()) {
        using fa = a;
        using fb = b;
        const ra = direct.toRgba(fa),
          rb = linear.toRgba(fb);
        using _a = ra.rgba;
        using _b = rb.rgba;
        expect(ra.stats.cpuBytesCopied).toBe(0);
        expect(rb.stats.cpuBytesCopied).toBe(bytesPerFrame(fb.descriptor.width, fb.descriptor.height));
        expect(Buffer.from(linear.readRgba(rb.rgba)).equals(Buffer.from(direct.readRgba(ra.rgba)))).toBe(true);
        frames++;
      }
      expect(frames).toBe(spec.frames);
      expect(linear.linearRing!.allocator).toBeDefined();
      // The ring's buffers come back round, so their imports are reused.
      expect(linear.stats.imports).toBeLessThanOrEqual(5);
      expect(linear.stats.cpuBytesCopied).toBe(frames * bytesPerFrame(direct.info.width, direct.info.height));
      linear.ctx.checkValidation();
    }
    expect(openFds()).toBe(before);
  });
}
