// planImport: pure rules, with descriptors shaped as real drivers export them.
import { describe, expect, test } from "bun:test";
import {
  amdModifier,
  DmabufImportError,
  DRM_FORMAT,
  DRM_FORMAT_MOD_INVALID,
  DRM_FORMAT_MOD_LINEAR,
  type DrmFrameDescriptor,
  type ImportCaps,
  intelModifier,
  lumaOnly,
  type ModifierSupport,
  nvidiaBlockLinear2D,
  planImport,
} from "vaapi-vk";
import { imageMemory, layoutBase } from "../lib/vulkan/import";
import type { MemoryRequirements } from "../lib/vulkan/memory";

const Y_TILED = intelModifier("Y_TILED");
const TILE4 = intelModifier("4_TILED");
const MC_CCS = intelModifier("Y_TILED_GEN12_MC_CCS");
const AMD_GFX10 = amdModifier({ tileVersion: 2, tile: 27, pipeXorBits: 3 });
const NV_BL = nvidiaBlockLinear2D(0, 1, 2, 0xfe, 4);

const allCaps = (mods: bigint[]): ImportCaps => ({
  dmaBuf: true,
  drmFormatModifier: true,
  modifiers: {
    G8_B8R8_2PLANE_420_UNORM: mods,
    G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16: mods,
    R16_UNORM: mods,
    R8_UNORM: mods,
  },
});
const bufferOnly: ImportCaps = { dmaBuf: true, drmFormatModifier: false, modifiers: {} };

// Intel iHD, 1920x1080 NV12, Y-tiled: one object, composed layer (vaExportSurfaceHandle COMPOSED_LAYERS).
const intelComposed = (modifier = Y_TILED): DrmFrameDescriptor => ({
  width: 1920,
  height: 1080,
  objects: [{ fd: 10, size: 3_342_336, modifier }],
  layers: [
    {
      fourcc: DRM_FORMAT.NV12,
      planes: [
        { object: 0, offset: 0, pitch: 2048 },
        { object: 0, offset: 2048 * 1088, pitch: 2048 },
      ],
    },
  ],
});
// The same surface with SEPARATE_LAYERS, as FFmpeg's av_hwframe_map asks for: R8 + GR88.
const intelSeparate = (modifier = Y_TILED): DrmFrameDescriptor => ({
  width: 1920,
  height: 1080,
  objects: [{ fd: 10, size: 3_342_336, modifier }],
  layers: [
    { fourcc: DRM_FORMAT.R8, planes: [{ object: 0, offset: 0, pitch: 2048 }] },
    { fourcc: DRM_FORMAT.GR88, planes: [{ object: 0, offset: 2048 * 1088, pitch: 2048 }] },
  ],
});
// Intel iHD, Gen12 media compression: Y, UV, then the CCS of each (pitch: 64 bytes per 4 Y tiles, a row per tile row).
const MC_CCS_AT = 2048 * 1088 + 2048 * 544;
const intelMcCcs = (): DrmFrameDescriptor => ({
  width: 1920,
  height: 1080,
  objects: [{ fd: 10, size: MC_CCS_AT + 256 * 51 + 1024, modifier: MC_CCS }],
  layers: [
    {
      fourcc: DRM_FORMAT.NV12,
      planes: [
        { object: 0, offset: 0, pitch: 2048 },
        { object: 0, offset: 2048 * 1088, pitch: 2048 },
        { object: 0, offset: MC_CCS_AT, pitch: 256 },
        { object: 0, offset: MC_CCS_AT + 256 * 34, pitch: 256 },
      ],
    },
  ],
});
// AMD radeonsi (Mesa VA), 1920x1080 P010 separate layers, one object, GFX10 swizzle.
const amdP010: DrmFrameDescriptor = {
  width: 1920,
  height: 1080,
  objects: [{ fd: 11, size: 4096 * 1088 + 4096 * 544, modifier: AMD_GFX10 }],
  layers: [
    { fourcc: DRM_FORMAT.R16, planes: [{ object: 0, offset: 0, pitch: 4096 }] },
    { fourcc: DRM_FORMAT.GR1616, planes: [{ object: 0, offset: 4096 * 1088, pitch: 4096 }] },
  ],
};
// nvidia-vaapi-driver: two objects (one per plane), block-linear.
const nvidiaTwoObjects: DrmFrameDescriptor = {
  width: 1920,
  height: 1080,
  objects: [
    { fd: 12, size: 2_228_224, modifier: NV_BL },
    { fd: 13, size: 1_114_112, modifier: NV_BL },
  ],
  layers: [
    { fourcc: DRM_FORMAT.R8, planes: [{ object: 0, offset: 0, pitch: 2048 }] },
    { fourcc: DRM_FORMAT.GR88, planes: [{ object: 1, offset: 0, pitch: 2048 }] },
  ],
};
// A linear NV12 frame (a memfd from the software source, or a linear VA surface), odd size.
const linearNV12 = (w = 333, h = 199, pitch = 384): DrmFrameDescriptor => ({
  width: w,
  height: h,
  // Exactly as large as the last chroma row's end.
  objects: [
    {
      fd: 20,
      size: pitch * h + pitch * (Math.ceil(h / 2) - 1) + 2 * Math.ceil(w / 2),
      modifier: DRM_FORMAT_MOD_LINEAR,
    },
  ],
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

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DmabufImportError);
    return (e as DmabufImportError).code;
  }
  return "no error";
}

describe("image plans", () => {
  test("Intel composed and separate layers plan the same two-plane image", () => {
    const a = planImport(intelComposed(), allCaps([Y_TILED]));
    const b = planImport(intelSeparate(), allCaps([Y_TILED]));
    expect(a).toMatchObject({
      kind: "image",
      vkFormat: "G8_B8R8_2PLANE_420_UNORM",
      modifier: Y_TILED,
      disjoint: false,
      planes: [
        { object: 0, offset: 0, pitch: 2048 },
        { object: 0, offset: 2228224, pitch: 2048 },
      ],
    });
    expect(a.kind === "image" && a.images).toEqual([
      {
        format: "R8_UNORM",
        modifier: Y_TILED,
        width: 1920,
        height: 1080,
        memoryPlanes: [{ object: 0, offset: 0, pitch: 2048 }],
      },
      {
        format: "R8G8_UNORM",
        modifier: Y_TILED,
        width: 960,
        height: 540,
        memoryPlanes: [{ object: 0, offset: 2228224, pitch: 2048 }],
      },
    ]);
    expect(b).toEqual(a);
  });
  test("Intel 4-tiled (DG2/MTL)", () => {
    expect(planImport(intelComposed(TILE4), allCaps([TILE4]))).toMatchObject({ kind: "image", modifier: TILE4 });
  });
  test("Intel Gen12 media-compressed: colour planes then CCS planes, each image with its own CCS", () => {
    const p = planImport(intelMcCcs(), allCaps([MC_CCS]));
    expect(p.kind).toBe("image");
    expect(p.planes).toHaveLength(4);
    expect(p.kind === "image" && p.images.map((img) => img.memoryPlanes)).toEqual([
      [
        { object: 0, offset: 0, pitch: 2048 },
        { object: 0, offset: MC_CCS_AT, pitch: 256 },
      ],
      [
        { object: 0, offset: 2048 * 1088, pitch: 2048 },
        { object: 0, offset: MC_CCS_AT + 256 * 34, pitch: 256 },
      ],
    ]);
    // Without the CCS planes the layout is incomplete.
    expect(code(() => planImport(intelComposed(MC_CCS), allCaps([MC_CCS])))).toBe("BAD_LAYOUT");
  });
  test("AMD P010 from R16 + GR1616 plans the 10-bit two-plane format", () => {
    expect(planImport(amdP010, allCaps([AMD_GFX10]))).toMatchObject({
      kind: "image",
      vkFormat: "G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16",
      disjoint: false,
    });
  });
  test("nvidia-vaapi-driver: two objects make a disjoint image", () => {
    const p = planImport(nvidiaTwoObjects, allCaps([NV_BL]));
    expect(p).toMatchObject({
      kind: "image",
      disjoint: true,
      planes: [
        { object: 0, offset: 0, pitch: 2048 },
        { object: 1, offset: 0, pitch: 2048 },
      ],
    });
  });
  test("a single R16 layer plans R16_UNORM", () => {
    const d: DrmFrameDescriptor = {
      width: 640,
      height: 480,
      objects: [{ fd: 3, size: 1280 * 480, modifier: 0n }],
      layers: [{ fourcc: DRM_FORMAT.R16, planes: [{ object: 0, offset: 0, pitch: 1280 }] }],
    };
    expect(planImport(d, allCaps([0n]))).toMatchObject({ kind: "image", vkFormat: "R16_UNORM" });
    expect(planImport(d, bufferOnly)).toMatchObject({
      kind: "buffer",
      pixelFormat: "R16",
      planes: [{ object: 0, offset: 0, pitch: 1280 }],
    });
  });
  test("linear with LINEAR listed for the format is imported as an image", () => {
    expect(planImport(linearNV12(), allCaps([0n]))).toMatchObject({ kind: "image", modifier: 0n });
  });
});

describe("buffer plans", () => {
  test("linear NV12 without modifier support is a buffer plan, odd sizes round chroma up", () => {
    expect(planImport(linearNV12(), bufferOnly)).toMatchObject({
      kind: "buffer",
      pixelFormat: "NV12",
      planes: [
        { object: 0, offset: 0, pitch: 384 },
        { object: 0, offset: 384 * 199, pitch: 384 },
      ],
    });
  });
  test("linear P010, and the software source's 3-plane layouts", () => {
    const p010: DrmFrameDescriptor = {
      width: 64,
      height: 32,
      objects: [{ fd: 3, size: 8192, modifier: 0n }],
      layers: [
        {
          fourcc: DRM_FORMAT.P010,
          planes: [
            { object: 0, offset: 0, pitch: 128 },
            { object: 0, offset: 4096, pitch: 128 },
          ],
        },
      ],
    };
    expect(planImport(p010, bufferOnly)).toMatchObject({ kind: "buffer", pixelFormat: "P010" });
    const yuv: DrmFrameDescriptor = {
      width: 65,
      height: 33,
      objects: [{ fd: 3, size: 16384, modifier: 0n }],
      layers: [
        {
          fourcc: DRM_FORMAT.YUV420,
          planes: [
            { object: 0, offset: 0, pitch: 128 },
            { object: 0, offset: 8192, pitch: 64 },
            { object: 0, offset: 12288, pitch: 64 },
          ],
        },
      ],
    };
    expect(planImport(yuv, bufferOnly)).toMatchObject({ kind: "buffer", pixelFormat: "YUV420" });
    const s010 = {
      ...yuv,
      layers: [
        {
          ...yuv.layers[0]!,
          fourcc: DRM_FORMAT.S010,
          planes: [
            { object: 0, offset: 0, pitch: 256 },
            { object: 0, offset: 8448, pitch: 128 },
            { object: 0, offset: 12800, pitch: 128 },
          ],
        },
      ],
      objects: [{ fd: 3, size: 16384, modifier: 0n }],
    };
    expect(planImport(s010, bufferOnly)).toMatchObject({ kind: "buffer", pixelFormat: "YUV420_10" });
  });
});

describe("refusals", () => {
  test("no dma_buf import", () => {
    expect(code(() => planImport(linearNV12(), { ...bufferOnly, dmaBuf: false }))).toBe("NO_DMABUF_IMPORT");
  });
  test("a tiled modifier the device lacks is MODIFIER_UNSUPPORTED, never a buffer", () => {
    expect(code(() => planImport(intelComposed(), bufferOnly))).toBe("MODIFIER_UNSUPPORTED");
    expect(code(() => planImport(intelComposed(), allCaps([TILE4])))).toBe("MODIFIER_UNSUPPORTED");
    expect(code(() => planImport(nvidiaTwoObjects, bufferOnly))).toBe("MODIFIER_UNSUPPORTED");
  });
  test("an implicit modifier points to --force-linear", () => {
    const d = intelComposed(DRM_FORMAT_MOD_INVALID);
    expect(code(() => planImport(d, allCaps([Y_TILED])))).toBe("MODIFIER_UNSUPPORTED");
    expect(() => planImport(d, allCaps([Y_TILED]))).toThrow(/--force-linear/);
  });
  test("unknown fourccs and arrangements", () => {
    const d = linearNV12();
    d.layers[0]!.fourcc = 0x34325258; // XR24
    expect(code(() => planImport(d, bufferOnly))).toBe("UNSUPPORTED_FORMAT");
    const swapped = intelSeparate();
    swapped.layers.reverse();
    expect(code(() => planImport(swapped, allCaps([Y_TILED])))).toBe("UNSUPPORTED_FORMAT");
  });
});

describe("BAD_LAYOUT", () => {
  const cases: [string, (d: DrmFrameDescriptor) => void][] = [
    [
      "zero width",
      (d) => {
        d.width = 0;
      },
    ],
    [
      "fractional height",
      (d) => {
        d.height = 10.5;
      },
    ],
    [
      "no objects",
      (d) => {
        d.objects = [];
      },
    ],
    [
      "five objects",
      (d) => {
        d.objects = Array(5).fill(d.objects[0]);
      },
    ],
    [
      "no layers",
      (d) => {
        d.layers = [];
      },
    ],
    [
      "five layers",
      (d) => {
        d.layers = Array(5).fill(d.layers[0]);
      },
    ],
    [
      "negative fd",
      (d) => {
        d.objects[0]!.fd = -1;
      },
    ],
    [
      "zero object size",
      (d) => {
        d.objects[0]!.size = 0;
      },
    ],
    [
      "object index out of range",
      (d) => {
        d.layers[0]!.planes[1]!.object = 1;
      },
    ],
    [
      "negative object index",
      (d) => {
        d.layers[0]!.planes[0]!.object = -1;
      },
    ],
    [
      "negative offset",
      (d) => {
        d.layers[0]!.planes[1]!.offset = -4;
      },
    ],
    [
      "zero pitch",
      (d) => {
        d.layers[0]!.planes[0]!.pitch = 0;
      },
    ],
    [
      "pitch below row width",
      (d) => {
        d.layers[0]!.planes[0]!.pitch = 332;
      },
    ],
    [
      "chroma pitch below row width (ceil(w/2)*2)",
      (d) => {
        d.layers[0]!.planes[1]!.pitch = 333;
      },
    ],
    [
      "luma plane past the object end",
      (d) => {
        d.objects[0]!.size = 384 * 198;
      },
    ],
    [
      "chroma plane past the object end",
      (d) => {
        d.objects[0]!.size -= 1;
      },
    ],
    [
      "chroma offset past the end",
      (d) => {
        d.layers[0]!.planes[1]!.offset = 10_000_000;
      },
    ],
    [
      "a layer with one plane too few",
      (d) => {
        d.layers[0]!.planes.pop();
      },
    ],
    [
      "a layer with five planes",
      (d) => {
        d.layers[0]!.planes = Array(5).fill(d.layers[0]!.planes[0]);
      },
    ],
    [
      "one layer's planes in objects of different modifiers",
      (d) => {
        d.objects.push({ fd: 21, size: 1 << 20, modifier: Y_TILED });
        d.layers[0]!.planes[1] = { object: 1, offset: 0, pitch: 384 };
      },
    ],
  ];
  for (const [name, mutate] of cases) {
    test(name, () => {
      const d = linearNV12();
      mutate(d);
      expect(code(() => planImport(d, bufferOnly))).toBe("BAD_LAYOUT");
      expect(code(() => planImport(d, allCaps([0n])))).toBe("BAD_LAYOUT");
    });
  }
  test("the exact end of the object is allowed", () => {
    expect(planImport(linearNV12(), bufferOnly).kind).toBe("buffer");
  });
});

describe("luma-only export", () => {
  test("NV12 and separate-layer P010 give their luma plane as R8 / R16", () => {
    const l = lumaOnly(intelComposed());
    expect(l.layers).toEqual([{ fourcc: DRM_FORMAT.R8, planes: [{ object: 0, offset: 0, pitch: 2048 }] }]);
    expect(planImport(l, allCaps([Y_TILED]))).toMatchObject({ kind: "image", vkFormat: "R8_UNORM" });
    const p = lumaOnly(amdP010);
    expect(p.layers[0]!.fourcc).toBe(DRM_FORMAT.R16);
    expect(planImport(p, allCaps([AMD_GFX10]))).toMatchObject({ kind: "image", vkFormat: "R16_UNORM" });
    expect(planImport(lumaOnly(linearNV12()), bufferOnly)).toMatchObject({ kind: "buffer", pixelFormat: "R8" });
  });
  test("compression planes stay with their luma plane", () => {
    expect(lumaOnly(intelMcCcs()).layers[0]!.planes).toEqual([
      { object: 0, offset: 0, pitch: 2048 },
      { object: 0, offset: MC_CCS_AT, pitch: 256 },
    ]);
  });
});

describe("layouts a modifier cannot have (BAD_LAYOUT before any driver call)", () => {
  test("Intel Y-tiled: a chroma plane at an odd byte, a pitch that is not whole tiles", () => {
    const odd = intelComposed();
    odd.layers[0]!.planes[1]!.offset += 1;
    expect(code(() => planImport(odd, allCaps([Y_TILED])))).toBe("BAD_LAYOUT");
    expect(() => planImport(odd, allCaps([Y_TILED]))).toThrow(/4096.*Y_TILED|Y_TILED.*4 KiB/);
    const pitch = intelComposed();
    for (const p of pitch.layers[0]!.planes) p.pitch = 1930;
    expect(code(() => planImport(pitch, allCaps([Y_TILED])))).toBe("BAD_LAYOUT");
    expect(() => planImport(pitch, allCaps([Y_TILED]))).toThrow(/pitch 1930, not a multiple of 128/);
  });
  test("Intel X-tiled needs 512-byte rows of tiles, Gen12 CCS 4 tile widths, its CCS plane whole cache lines", () => {
    const x = intelComposed(intelModifier("X_TILED"));
    expect(planImport(x, allCaps([intelModifier("X_TILED")])).kind).toBe("image");
    for (const p of x.layers[0]!.planes) p.pitch = 2176; // a multiple of 128, not of 512
    expect(code(() => planImport(x, allCaps([intelModifier("X_TILED")])))).toBe("BAD_LAYOUT");
    const ccs = intelMcCcs();
    ccs.layers[0]!.planes[2]!.offset += 32;
    expect(code(() => planImport(ccs, allCaps([MC_CCS])))).toBe("BAD_LAYOUT");
    const narrow = intelMcCcs();
    for (const p of narrow.layers[0]!.planes.slice(0, 2)) p.pitch = 2176;
    expect(code(() => planImport(narrow, allCaps([MC_CCS])))).toBe("BAD_LAYOUT");
  });
  test("AMD 64 KiB swizzle: planes start on a block, pitch in whole block widths (512 bytes of 16-bit pixels)", () => {
    const offset = structuredClone(amdP010);
    offset.layers[1]!.planes[0]!.offset -= 4096;
    expect(code(() => planImport(offset, allCaps([AMD_GFX10])))).toBe("BAD_LAYOUT");
    const pitch = structuredClone(amdP010);
    for (const l of pitch.layers) l.planes[0]!.pitch = 3840 + 128;
    expect(code(() => planImport(pitch, allCaps([AMD_GFX10])))).toBe("BAD_LAYOUT");
  });
  test("NVIDIA block-linear: 64-byte GOB rows, planes on a GOB", () => {
    const d = structuredClone(nvidiaTwoObjects);
    d.layers[1]!.planes[0]!.offset = 256;
    expect(code(() => planImport(d, allCaps([NV_BL])))).toBe("BAD_LAYOUT");
    const p = structuredClone(nvidiaTwoObjects);
    p.layers[0]!.planes[0]!.pitch = 1952;
    expect(code(() => planImport(p, allCaps([NV_BL])))).toBe("BAD_LAYOUT");
  });
  test("LINEAR sets no tiling rule", () => {
    expect(planImport(linearNV12(333, 199, 334), bufferOnly).kind).toBe("buffer");
  });
});

describe("what the driver says of each modifier (planeModifiers)", () => {
  const support = (modifier: bigint, memoryPlanes = 1, extent = 16384, disjoint = true): ModifierSupport => ({
    modifier,
    memoryPlanes,
    maxExtent: { width: extent, height: extent },
    disjoint,
  });
  const caps = (supports: Record<string, ModifierSupport[]>): ImportCaps => ({
    dmaBuf: true,
    drmFormatModifier: true,
    modifiers: {},
    planeModifiers: supports,
  });
  test("plane images are planned from the per-plane lists", () => {
    const p = planImport(intelSeparate(), caps({ R8_UNORM: [support(Y_TILED)], R8G8_UNORM: [support(Y_TILED)] }));
    expect(p).toMatchObject({ kind: "image", why: expect.stringContaining("R8_UNORM and R8G8_UNORM") });
    expect(
      code(() => planImport(intelSeparate(), caps({ R8_UNORM: [support(Y_TILED)], R8G8_UNORM: [support(TILE4)] }))),
    ).toBe("MODIFIER_UNSUPPORTED");
  });
  test("a memory-plane count that differs from the driver's is MODIFIER_UNSUPPORTED, never an invalid create", () => {
    const d = intelMcCcs();
    expect(planImport(d, caps({ R8_UNORM: [support(MC_CCS, 2)], R8G8_UNORM: [support(MC_CCS, 2)] })).kind).toBe(
      "image",
    );
    expect(() => planImport(d, caps({ R8_UNORM: [support(MC_CCS, 3)], R8G8_UNORM: [support(MC_CCS, 3)] }))).toThrow(
      /has 3 memory plane\(s\), but the frame gives 2/,
    );
  });
  test("a frame larger than the modifier's max extent is MODIFIER_UNSUPPORTED with the limit", () => {
    const small = caps({ R16_UNORM: [support(AMD_GFX10, 1, 1024)], R16G16_UNORM: [support(AMD_GFX10, 1, 1024)] });
    expect(code(() => planImport(amdP010, small))).toBe("MODIFIER_UNSUPPORTED");
    expect(() => planImport(amdP010, small)).toThrow(/1920x1080 R16_UNORM plane is larger than the 1024x1024/);
  });
  test("separate layers with different modifiers each import with their own (Firefox's VA frames)", () => {
    const d = intelSeparate();
    d.objects.push({ fd: 11, size: 3_342_336, modifier: TILE4 });
    d.layers[1]!.planes[0]!.object = 1;
    const p = planImport(d, caps({ R8_UNORM: [support(Y_TILED)], R8G8_UNORM: [support(TILE4)] }));
    expect(p.kind === "image" && p.images.map((img) => img.modifier)).toEqual([Y_TILED, TILE4]);
  });
  test("memory planes in different objects need a modifier that binds disjoint", () => {
    const d = intelMcCcs();
    d.objects.push({ fd: 12, size: 65536, modifier: MC_CCS });
    d.layers[0]!.planes[2] = { object: 1, offset: 0, pitch: 256 };
    d.layers[0]!.planes[3] = { object: 1, offset: 256 * 34, pitch: 256 };
    expect(planImport(d, caps({ R8_UNORM: [support(MC_CCS, 2)], R8G8_UNORM: [support(MC_CCS, 2)] }))).toMatchObject({
      kind: "image",
      disjoint: true,
    });
    const noDisjoint = caps({
      R8_UNORM: [support(MC_CCS, 2, 16384, false)],
      R8G8_UNORM: [support(MC_CCS, 2, 16384, false)],
    });
    expect(() => planImport(d, noDisjoint)).toThrow(/cannot be bound disjoint/);
  });
  test("linear frames the image path refuses fall back to buffers, and say why", () => {
    const p = planImport(linearNV12(), caps({ R8_UNORM: [support(0n, 1, 64)], R8G8_UNORM: [support(0n, 1, 64)] }));
    expect(p).toMatchObject({ kind: "buffer", why: expect.stringContaining("larger than the 64x64") });
  });
});

describe("where an imported plane image's memory comes from", () => {
  const req = (size: number, dedicated: boolean, alignment = 4096): MemoryRequirements => ({
    size,
    alignment,
    typeBits: 1,
    dedicated,
  });
  const object = 3_342_336,
    chroma = 2048 * 1088;
  test("RADV asks for dedicated dmabuf memory: sized to the image, bound at 0, the offset in the layout", () => {
    const r = req(chroma + 2048 * 544, true);
    expect(layoutBase("dma-buf", chroma, object, r)).toBe(0);
    expect(imageMemory("dma-buf", 0, object, r, "chroma")).toEqual({
      dedicated: true,
      allocationSize: r.size,
      bindOffset: 0,
    });
  });
  test("without dedicated memory one import of the object serves every plane, bound at the plane's offset", () => {
    const r = req(2048 * 544, false);
    expect(layoutBase("dma-buf", chroma, object, r)).toBe(chroma);
    expect(imageMemory("dma-buf", chroma, object, r, "chroma")).toEqual({
      dedicated: false,
      allocationSize: object,
      bindOffset: chroma,
    });
  });
  test("an opaque fd is never imported dedicated (it was not exported so)", () => {
    const r = req(2048 * 544, true);
    expect(layoutBase("opaque-fd", chroma, object, r)).toBe(chroma);
    expect(imageMemory("opaque-fd", chroma, object, r, "chroma").dedicated).toBe(false);
  });
  test("an offset off the image's alignment goes into the layout; an image larger than its buffer is BAD_LAYOUT", () => {
    expect(layoutBase("dma-buf", 1000, object, req(4096, false))).toBe(0);
    expect(code(() => imageMemory("dma-buf", 0, 4096, req(8192, true), "luma"))).toBe("BAD_LAYOUT");
  });
});

describe("one image per plane, or the whole frame as one multi-planar image (read through a YCbCr sampler)", () => {
  const support = (modifier: bigint, memoryPlanes: number): ModifierSupport => ({
    modifier,
    memoryPlanes,
    maxExtent: { width: 16384, height: 16384 },
    disjoint: true,
  });
  const caps = (perPlane: bigint[], whole: ModifierSupport[]): ImportCaps => ({
    dmaBuf: true,
    drmFormatModifier: true,
    modifiers: {},
    planeModifiers: {
      R8_UNORM: perPlane.map((m) => support(m, 1)),
      R8G8_UNORM: perPlane.map((m) => support(m, 1)),
      G8_B8R8_2PLANE_420_UNORM: whole,
    },
  });
  test("a chroma plane at an offset inside a tiled buffer: one two-plane image where the driver lists the modifier for it", () => {
    const p = planImport(intelComposed(), caps([Y_TILED], [support(Y_TILED, 2)]));
    expect(p).toMatchObject({
      kind: "image",
      layout: "multi-planar",
      vkFormat: "G8_B8R8_2PLANE_420_UNORM",
      why: expect.stringContaining("offset inside a tiled buffer"),
    });
    expect(p.kind === "image" && p.images).toEqual([
      {
        format: "G8_B8R8_2PLANE_420_UNORM",
        modifier: Y_TILED,
        width: 1920,
        height: 1080,
        memoryPlanes: [
          { object: 0, offset: 0, pitch: 2048 },
          { object: 0, offset: 2048 * 1088, pitch: 2048 },
        ],
      },
    ]);
    expect(planImport(intelSeparate(), caps([Y_TILED], [support(Y_TILED, 2)]))).toEqual(p);
  });
  test("where it does not, one image per plane, and the plan says the chroma plane is imported alone", () => {
    expect(planImport(intelComposed(), caps([Y_TILED], []))).toMatchObject({
      layout: "planes",
      why: expect.stringContaining("imported alone"),
    });
  });
  test("planes at the start of their own buffers, or linear, stay one image per plane", () => {
    expect(planImport(nvidiaTwoObjects, { ...caps([NV_BL], [support(NV_BL, 2)]) })).toMatchObject({
      layout: "planes",
      why: expect.stringContaining("start of its buffer or linear"),
    });
    expect(planImport(linearNV12(334, 200, 384), caps([0n], [support(0n, 2)]))).toMatchObject({ layout: "planes" });
  });
  test("compression planes follow the colour planes in the whole-frame image", () => {
    const p = planImport(intelMcCcs(), caps([], [support(MC_CCS, 4)]));
    expect(p.kind === "image" && p.images[0]!.memoryPlanes).toEqual([
      { object: 0, offset: 0, pitch: 2048 },
      { object: 0, offset: 2048 * 1088, pitch: 2048 },
      { object: 0, offset: MC_CCS_AT, pitch: 256 },
      { object: 0, offset: MC_CCS_AT + 256 * 34, pitch: 256 },
    ]);
  });
  test("odd sizes have no 4:2:0 multi-planar image; a forced layout the device cannot do is MODIFIER_UNSUPPORTED", () => {
    expect(planImport(linearNV12(), caps([0n], [support(0n, 2)]))).toMatchObject({ layout: "planes" });
    expect(code(() => planImport(linearNV12(), caps([0n], [support(0n, 2)]), "multi-planar"))).toBe(
      "MODIFIER_UNSUPPORTED",
    );
    expect(planImport(linearNV12(334, 200, 384), caps([0n], [support(0n, 2)]), "multi-planar")).toMatchObject({
      layout: "multi-planar",
      why: expect.stringContaining("asked for"),
    });
    expect(code(() => planImport(linearNV12(334, 200, 384), caps([0n], []), "multi-planar"))).toBe(
      "MODIFIER_UNSUPPORTED",
    );
  });
});
