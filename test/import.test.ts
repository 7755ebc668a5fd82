// Importing DRM PRIME frames into Vulkan: the buffer path on memfds (lavapipe here and in CI),
// the image path with explicit modifiers on opaque-fd memory (the NVIDIA GPU runner).
import { afterAll, describe, expect } from "bun:test";
import { closeSync, openSync, readFileSync } from "node:fs";
import {
  Converter,
  DmabufImportError,
  DRM_FORMAT,
  type DrmFrameDescriptor,
  dmabufIdentity,
  GpuBuffer,
  InvalidArgumentError,
  importDmabuf,
  LumaPass,
  readBack,
  readLuma,
  VulkanContext,
} from "vaapi-vk";
import { exportOpaqueFd, readBuffer } from "vaapi-vk/internals";
import { libc } from "../ffi/libc";
import { pack } from "../ffi/struct";
import * as vk from "../ffi/vulkan";
import { quirksOf } from "../lib/quirks";
import { openFds } from "./support/fds";
import { requires, vulkanMissing } from "./support/gate";
import { makeMemfd, pattern } from "./support/memfd";
import { maxAbsDiff, referenceRgba } from "./support/reference";

// The file's device, made where there is one: every test here needs it, and skips saying why where not.
const noVulkan = vulkanMissing();
const ctx = (noVulkan ? undefined : VulkanContext.create({ validation: true })) as VulkanContext;
afterAll(() => ctx?.[Symbol.dispose]());
/** Why a test cannot run: no device, else what `reason` says of this one. */
const unless = (reason: () => string | undefined) => requires(noVulkan ?? reason());
const withDevice = requires(noVulkan);

const withDmaBuf = unless(() =>
  ctx.importCaps("dma-buf").dmaBuf
    ? undefined
    : `${ctx.info.name} lacks VK_EXT_external_memory_dma_buf (lavapipe has it from Mesa 23)`,
);
const nv12 = (fd: number, size: number, w: number, h: number, pitch: number, modifier = 0n): DrmFrameDescriptor => ({
  width: w,
  height: h,
  objects: [{ fd, size, modifier }],
  layers: [
    {
      fourcc: DRM_FORMAT.NV12,
      planes: [
        { object: 0, offset: 0, pitch },
        { object: 0, offset: pitch * h, pitch },
      ],
    },
  ],
});

describe("buffer import of memfds as dma_bufs", () => {
  withDmaBuf("NV12 and P010 patterns read back exactly through Vulkan", () => {
    for (const fourcc of [DRM_FORMAT.NV12, DRM_FORMAT.P010]) {
      const bpp = fourcc === DRM_FORMAT.P010 ? 2 : 1;
      const w = 96,
        h = 54,
        pitch = 256 * bpp,
        size = 65536;
      const m = makeMemfd(size);
      const bytes = pattern(size, fourcc & 0xff);
      m.bytes.set(bytes);
      const desc = nv12(m.fd, size, w, h, pitch);
      desc.layers[0]!.fourcc = fourcc;
      using frame = importDmabuf(ctx, desc);
      expect(frame.kind).toBe("buffer");
      expect(frame.pixelFormat).toBe(fourcc === DRM_FORMAT.P010 ? "P010" : "NV12");
      expect(readBuffer(ctx, frame.buffers[0]!.buffer, size)).toEqual(bytes);
      m.close();
    }
    ctx.checkValidation();
  });

  withDmaBuf("the import aliases the memfd: a write after import is visible to Vulkan", () => {
    const m = makeMemfd(65536);
    using frame = importDmabuf(ctx, nv12(m.fd, 65536, 64, 32, 128));
    m.bytes.set(pattern(65536, 7));
    expect(readBuffer(ctx, frame.buffers[0]!.buffer, 65536)).toEqual(pattern(65536, 7));
    m.bytes.fill(0xab, 0, 4096);
    expect(readBuffer(ctx, frame.buffers[0]!.buffer, 4096)).toEqual(new Uint8Array(4096).fill(0xab));
    m.close();
    ctx.checkValidation();
  });

  withDmaBuf("1000 import/release cycles gain no fd", () => {
    const m = makeMemfd(65536);
    const before = openFds();
    for (let i = 0; i < 1000; i++) {
      using _frame = importDmabuf(ctx, nv12(m.fd, 65536, 64, 32, 128));
    }
    expect(openFds()).toBe(before);
    m.close();
    ctx.checkValidation();
  });

  for (const [w, h, shader] of [
    [77, 45, "scalar"],
    [96, 45, "vectorised"],
  ] as const)
    withDmaBuf(`a converted frame matches the reference conversion (${w}x${h}: ${shader} shader)`, () => {
      const pitch = 128,
        size = 65536;
      const m = makeMemfd(size);
      m.bytes.set(pattern(size, 3));
      using frame = importDmabuf(ctx, nv12(m.fd, size, w, h, pitch));
      // The reference takes chroma sample (x/2, y/2); bilinear chroma has its own (test/chroma.test.ts).
      using conv = new Converter(ctx, { chroma: "nearest" });
      const { rgba } = conv.toRgba(frame, {
        colorspace: 1,
        colorRange: 1,
        colorPrimaries: 1,
        colorTrc: 1,
        chromaLocation: 1,
      });
      using _ = rgba;
      const got = readBack(ctx, rgba);
      const b = m.bytes;
      const ref = referenceRgba(
        w,
        h,
        (x, y) => [
          b[y * pitch + x]!,
          b[pitch * h + (y >> 1) * pitch + (x >> 1) * 2]!,
          b[pitch * h + (y >> 1) * pitch + (x >> 1) * 2 + 1]!,
        ],
        "BT.709",
        "limited",
        8,
      );
      expect(maxAbsDiff(got, ref).max).toBeLessThanOrEqual(1);
      m.close();
      ctx.checkValidation();
    });
});

describe("bad descriptors are refused before the driver sees them, without leaks", () => {
  withDmaBuf("a closed fd is BAD_LAYOUT", () => {
    const m = makeMemfd(65536);
    m.close();
    const before = openFds();
    expect(() => importDmabuf(ctx, nv12(m.fd, 65536, 64, 32, 128))).toThrow(DmabufImportError);
    expect(openFds()).toBe(before);
  });
  withDevice("a plane outside its object is BAD_LAYOUT", () => {
    const m = makeMemfd(4096);
    expect(() => importDmabuf(ctx, nv12(m.fd, 4096, 64, 32, 128))).toThrow(/ends at byte/);
    m.close();
  });
  withDevice("a frame from another GPU's render node is refused", () => {
    // The check compares the producer's DRM node with the device's (VK_EXT_physical_device_drm).
    const info = ctx.info as { drm?: { render?: [number, number] } | undefined };
    const saved = info.drm;
    info.drm = { render: [226, 128] };
    try {
      expect(() => importDmabuf(ctx, nv12(0, 65536, 64, 32, 128), { producerNode: [226, 129] })).toThrow(/another GPU/);
    } finally {
      info.drm = saved;
    }
  });
  withDevice("a malformed descriptor is an InvalidArgumentError", () => {
    expect(() => importDmabuf(ctx, { width: "64" } as unknown as DrmFrameDescriptor)).toThrow(InvalidArgumentError);
  });
  withDmaBuf("an fd that is not a buffer of the claimed size is BAD_LAYOUT before the driver sees it", () => {
    // /dev/null holds 0 bytes: lseek(SEEK_END) says so, and no driver call is made.
    const fd = openSync("/dev/null", "r");
    const before = openFds();
    expect(() => importDmabuf(ctx, nv12(fd, 65536, 64, 32, 128))).toThrow(
      /claims 65536 bytes but its buffer \(fd \d+\) holds 0/,
    );
    expect(openFds()).toBe(before);
    closeSync(fd);
  });
});

describe("what the kernel says of the fds (real sizes, shared buffers, sync through the import's own fds)", () => {
  withDmaBuf("an object of size 0 takes its buffer's real size (Mesa's AMD VA driver exports so)", () => {
    const m = makeMemfd(65536);
    m.bytes.set(pattern(65536, 3));
    using frame = importDmabuf(ctx, nv12(m.fd, 0, 64, 32, 128));
    expect(frame.buffers[0]!.size).toBe(65536);
    expect(readBuffer(ctx, frame.buffers[0]!.buffer, 65536)).toEqual(pattern(65536, 3));
    m.close();
    ctx.checkValidation();
  });
  withDmaBuf("a descriptor claiming more than its buffer holds is BAD_LAYOUT, no fd gained", () => {
    const m = makeMemfd(65536);
    const before = openFds();
    expect(() => importDmabuf(ctx, nv12(m.fd, 131072, 64, 32, 128))).toThrow(DmabufImportError);
    expect(() => importDmabuf(ctx, nv12(m.fd, 131072, 64, 32, 128))).toThrow(/holds 65536/);
    expect(openFds()).toBe(before);
    m.close();
  });
  withDmaBuf("two fd numbers of one buffer are one object, imported once", () => {
    const m = makeMemfd(65536);
    m.bytes.set(pattern(65536, 4));
    const second = dupSync(m.fd);
    const desc = nv12(m.fd, 65536, 64, 32, 128);
    desc.objects.push({ fd: second, size: 65536, modifier: 0n });
    desc.layers[0]!.planes[1]!.object = 1;
    using frame = importDmabuf(ctx, desc);
    expect(frame.buffers).toHaveLength(1);
    expect(frame.planes.map((p) => p.object)).toEqual([0, 0]);
    expect(readBuffer(ctx, frame.buffers[0]!.buffer, 65536)).toEqual(pattern(65536, 4));
    closeSync(second);
    m.close();
    ctx.checkValidation();
  });
  withDmaBuf("the caller may close its fds after importing: the import waits on the producer through its own", () => {
    const m = makeMemfd(65536);
    const given = dupSync(m.fd);
    const before = openFds();
    {
      using frame = importDmabuf(ctx, nv12(given, 65536, 64, 32, 128), { syncTimeoutS: 2 });
      closeSync(given);
      expect(frame.syncFds.map(dmabufIdentity)).toEqual([dmabufIdentity(m.fd)]);
      frame.submitReading(() => {});
      expect(frame.syncMode).toBe("poll");
    }
    expect(openFds()).toBe(before - 1);
    m.close();
    ctx.checkValidation();
  });
});

/** A second fd number for the same file, as a producer that exports twice hands over. */
const dupSync = (fd: number): number => libc().dup(fd);

const withImageImport = unless(() => {
  const caps = ctx.importCaps("opaque-fd");
  if (!caps.drmFormatModifier)
    return `${ctx.info.name} has no VK_EXT_image_drm_format_modifier (the GPU runner has it; lavapipe does not)`;
  if (!(caps.modifiers["G8_B8R8_2PLANE_420_UNORM"] ?? []).includes(0n))
    return `${ctx.info.name} cannot import LINEAR NV12 images from opaque fds`;
  return undefined;
});

describe("image import with explicit DRM modifiers (opaque-fd memory from a second Vulkan allocation)", () => {
  const w = 128,
    h = 64,
    pitch = 256;
  const src = pattern(pitch * h * 2, 9);
  const sample =
    (b: Uint8Array, chromaAt: number) =>
    (x: number, y: number): [number, number, number] => [
      b[y * pitch + x]!,
      b[chromaAt + (y >> 1) * pitch + (x >> 1) * 2]!,
      b[chromaAt + (y >> 1) * pitch + (x >> 1) * 2 + 1]!,
    ];
  const color = { colorspace: 1, colorRange: 1, colorPrimaries: 1, colorTrc: 1, chromaLocation: 1 };

  withImageImport("NV12, one object: image path converts like the reference and like the buffer path", () => {
    const mem = exportOpaqueFd(ctx, src);
    const desc = nv12(mem.fd, mem.size, w, h, pitch);
    using conv = new Converter(ctx, { chroma: "nearest" });
    using image = importDmabuf(ctx, desc, { handleType: "opaque-fd" });
    expect(image.kind).toBe("image");
    const { rgba } = conv.toRgba(image, color);
    using _a = rgba;
    const viaImage = readBack(ctx, rgba);
    expect(
      maxAbsDiff(viaImage, referenceRgba(w, h, sample(src, pitch * h), "BT.709", "limited", 8)).max,
    ).toBeLessThanOrEqual(1);
    using buffer = importDmabuf(ctx, desc, {
      handleType: "opaque-fd",
      plan: { kind: "buffer", pixelFormat: "NV12", planes: desc.layers[0]!.planes },
    });
    const { rgba: rgbaB } = conv.toRgba(buffer, color);
    using _b = rgbaB;
    expect(readBack(ctx, rgbaB)).toEqual(viaImage);
    closeSync(mem.fd);
    mem.free();
    ctx.checkValidation();
  });

  withImageImport("NV12, two objects: a disjoint image", () => {
    const luma = exportOpaqueFd(ctx, src.subarray(0, pitch * h));
    const chroma = exportOpaqueFd(ctx, src.subarray(pitch * h));
    const desc: DrmFrameDescriptor = {
      width: w,
      height: h,
      objects: [
        { fd: luma.fd, size: luma.size, modifier: 0n },
        { fd: chroma.fd, size: chroma.size, modifier: 0n },
      ],
      layers: [
        { fourcc: DRM_FORMAT.R8, planes: [{ object: 0, offset: 0, pitch }] },
        { fourcc: DRM_FORMAT.GR88, planes: [{ object: 1, offset: 0, pitch }] },
      ],
    };
    using frame = importDmabuf(ctx, desc, { handleType: "opaque-fd" });
    expect(frame.plan).toMatchObject({ kind: "image", disjoint: true });
    using conv = new Converter(ctx, { chroma: "nearest" });
    const { rgba } = conv.toRgba(frame, color);
    using _ = rgba;
    expect(
      maxAbsDiff(readBack(ctx, rgba), referenceRgba(w, h, sample(src, pitch * h), "BT.709", "limited", 8)).max,
    ).toBeLessThanOrEqual(1);
    for (const m of [luma, chroma]) {
      closeSync(m.fd);
      m.free();
    }
    ctx.checkValidation();
  });

  const withWholeFrame = unless(() =>
    quirksOf(ctx.info.driverName).some((q) => q.effect === "no-multi-planar-import")
      ? `the ${ctx.info.driverName} driver reads wrong bytes from multi-planar DRM-modifier images (lib/quirks.ts), so none are imported there`
      : (ctx.importCaps("opaque-fd").planeModifiers?.["G8_B8R8_2PLANE_420_UNORM"] ?? []).some((m) => m.modifier === 0n)
        ? undefined
        : `${ctx.info.name} does not read LINEAR G8_B8R8_2PLANE_420_UNORM images through a YCbCr sampler (needs samplerYcbcrConversion and midpoint chroma)`,
  );

  withWholeFrame(
    "NV12 as one multi-planar image read through a YCbCr sampler: the same RGBA and luma as plane images and buffers",
    () => {
      const mem = exportOpaqueFd(ctx, src);
      const desc = nv12(mem.fd, mem.size, w, h, pitch);
      using conv = new Converter(ctx, { chroma: "nearest" });
      using luma = new LumaPass(ctx);
      const results = (["multi-planar", "planes"] as const).map((layout) => {
        using frame = importDmabuf(ctx, desc, { handleType: "opaque-fd", layout });
        expect(frame.plan).toMatchObject({ kind: "image", layout });
        const { rgba } = conv.toRgba(frame, color);
        using _ = rgba;
        const l = luma.toLuma(frame);
        const lumaBytes = readLuma(ctx, l);
        l.buffer[Symbol.dispose]();
        return { rgba: readBack(ctx, rgba), luma: lumaBytes };
      });
      expect(results[0]!.rgba).toEqual(results[1]!.rgba);
      expect(results[0]!.luma).toEqual(results[1]!.luma);
      expect(
        maxAbsDiff(results[0]!.rgba, referenceRgba(w, h, sample(src, pitch * h), "BT.709", "limited", 8)).max,
      ).toBeLessThanOrEqual(1);
      closeSync(mem.fd);
      mem.free();
      ctx.checkValidation();
    },
  );

  withImageImport("single-plane R8 and RG8 images hold the exported bytes", () => {
    for (const [fourcc, bpp] of [
      [DRM_FORMAT.R8, 1],
      [DRM_FORMAT.GR88, 2],
    ] as const) {
      const mem = exportOpaqueFd(ctx, src);
      const desc: DrmFrameDescriptor = {
        width: w,
        height: h,
        objects: [{ fd: mem.fd, size: mem.size, modifier: 0n }],
        layers: [{ fourcc, planes: [{ object: 0, offset: 0, pitch }] }],
      };
      // Copying the image out needs TRANSFER_SRC, which the import asks for only when told.
      using frame = importDmabuf(ctx, desc, { handleType: "opaque-fd", uses: ["sampled", "transfer-src"] });
      expect(frame.kind).toBe("image");
      const rows = w * bpp;
      using host = new GpuBuffer(ctx, rows * h, vk.BufferUsage.TRANSFER_DST, "host");
      ctx.submitAndWait((cmd) => {
        frame.recordAcquire(cmd);
        const region = pack(vk.VkBufferImageCopy, {
          bufferOffset: 0,
          bufferRowLength: 0,
          bufferImageHeight: 0,
          imageSubresource: { aspectMask: vk.ImageAspect.COLOR, mipLevel: 0, baseArrayLayer: 0, layerCount: 1 },
          imageOffset: [0, 0, 0],
          imageExtent: [w, h, 1],
        });
        ctx.dev.vkCmdCopyImageToBuffer(cmd, frame.planeImages[0]!, vk.ImageLayout.GENERAL, host.buffer, 1, region);
      });
      const got = host.bytes() as Uint8Array;
      const want = new Uint8Array(rows * h);
      for (let y = 0; y < h; y++) want.set(src.subarray(y * pitch, y * pitch + rows), y * rows);
      expect(got.slice(0, rows * h)).toEqual(want);
      closeSync(mem.fd);
      mem.free();
    }
    ctx.checkValidation();
  });
});

describe("host-pointer import (VK_EXT_external_memory_host) of a memfd's pages", () => {
  const withHost = unless(() =>
    ctx.has("VK_EXT_external_memory_host") ? undefined : `${ctx.info.name} lacks VK_EXT_external_memory_host`,
  );
  /** Mappings of one memfd (by inode): other tests' mappings come and go with garbage collection. */
  const mappingsOf = (fd: number) => {
    const ino = dmabufIdentity(fd).split(":")[1]!;
    return readFileSync("/proc/self/maps", "utf8")
      .split("\n")
      .filter((l) => l.split(/\s+/)[4] === ino).length;
  };
  withHost("reads the memfd exactly, aliases it, and unmaps on release", () => {
    const m = makeMemfd(65536);
    m.bytes.set(pattern(65536, 5));
    const maps = mappingsOf(m.fd);
    const fds = openFds();
    {
      using frame = importDmabuf(ctx, nv12(m.fd, 65536, 64, 32, 128), { handleType: "host" });
      expect(frame.kind).toBe("buffer");
      expect(readBuffer(ctx, frame.buffers[0]!.buffer, 65536)).toEqual(pattern(65536, 5));
      m.bytes.fill(0x5a, 0, 1024);
      expect(readBuffer(ctx, frame.buffers[0]!.buffer, 1024)).toEqual(new Uint8Array(1024).fill(0x5a));
      expect(mappingsOf(m.fd)).toBe(maps + 1);
    }
    expect(mappingsOf(m.fd)).toBe(maps);
    expect(openFds()).toBe(fds);
    m.close();
    ctx.checkValidation();
  });
});
