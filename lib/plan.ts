// planImport: decide, without touching any driver, how a DRM PRIME frame becomes a Vulkan resource.
// Pure: no FFI, so it runs anywhere and every rule is unit-tested. Its inputs are checked at the
// door (a malformed descriptor or caps is INVALID_ARGUMENT, never a TypeError from deep inside).
import { z } from "zod";
import { type DrmFrameDescriptor, parseDescriptor } from "./descriptor";
import { DmabufImportError, InvalidArgumentError } from "./errors";
import {
  DRM_FORMAT,
  DRM_FORMAT_MOD_INVALID,
  DRM_FORMAT_MOD_LINEAR,
  fourccName,
  modifierAuxPlanes,
  modifierName,
} from "./formats";
import { checkTiling, type MemoryPlaneRole } from "./tiling";

export type { DrmFrameDescriptor };

/** What a driver says of one DRM modifier for one plane-image format, with the usage the import asks for. */
export type ModifierSupport = {
  modifier: bigint;
  /** drmFormatModifierPlaneCount: memory planes (colour plus compression planes) an image with it has. */
  memoryPlanes: number;
  /** vkGetPhysicalDeviceImageFormatProperties2's maxExtent for this format, modifier, usage and handle type. */
  maxExtent: { width: number; height: number };
  /** VK_FORMAT_FEATURE_DISJOINT_BIT: its memory planes may be bound to different memory. */
  disjoint: boolean;
};

const ModifierSupportSchema = z.object({
  modifier: z.bigint(),
  memoryPlanes: z.number().int(),
  maxExtent: z.object({ width: z.number(), height: z.number() }),
  disjoint: z.boolean(),
});
/** The shape of ImportCaps (checked at planImport's door: a plan is only as good as its caps). */
export const ImportCapsSchema = z.object({
  dmaBuf: z.boolean(),
  drmFormatModifier: z.boolean(),
  modifiers: z.record(z.string(), z.array(z.bigint())),
  planeModifiers: z.record(z.string(), z.array(ModifierSupportSchema)).optional(),
});

export type ImportCaps = {
  /** The external handle type the import uses (VK_EXT_external_memory_dma_buf for real dmabufs) is usable. */
  dmaBuf: boolean;
  /** VK_EXT_image_drm_format_modifier is usable. */
  drmFormatModifier: boolean;
  /** Vulkan format name without VK_FORMAT_ -> the DRM modifiers the device imports it with (a multi-planar format: those all its plane formats import). */
  modifiers: Record<string, bigint[]>;
  /**
   * Per plane-image format (R8_UNORM, R8G8_UNORM, ...): what the driver says of each modifier it
   * imports (VulkanContext.importCaps fills it). Without it the planner trusts `modifiers` alone.
   */
  planeModifiers?: Record<string, ModifierSupport[]>;
};

export type PlanePlan = { object: number; offset: number; pitch: number };

/** One VkImage of the image path: a colour plane, with its compression planes, under its own modifier. */
export type PlaneImagePlan = {
  /** Vulkan format name of this plane (R8_UNORM, R8G8_UNORM, R16_UNORM, R16G16_UNORM). */
  format: string;
  modifier: bigint;
  width: number;
  height: number;
  /** The colour plane, then its compression control plane and any clear-colour plane (drm_fourcc.h order). */
  memoryPlanes: PlanePlan[];
};

export type ImageLayoutChoice = "planes" | "multi-planar";

export type PixelFormat = "NV12" | "P010" | "R8" | "R16" | "GR88" | "GR1616" | "YUV420" | "YUV420_10";

export type ImportPlan =
  | {
      kind: "image";
      vkFormat: string;
      /** The first image's modifier (separate layers may carry their own: see `images`). */
      modifier: bigint;
      /** Memory planes lie in more than one object. */
      disjoint: boolean;
      /** Every memory plane, layer by layer. */
      planes: PlanePlan[];
      /**
       * "planes": one single-plane image per colour plane (`images`, one each). "multi-planar": the
       * whole frame as one image of `vkFormat` (`images` holds that one), read through a YCbCr sampler.
       */
      layout: ImageLayoutChoice;
      images: PlaneImagePlan[];
      /** Why this path, in words (planImport always says; a plan made by hand may not). */
      why?: string;
    }
  | { kind: "buffer"; pixelFormat: PixelFormat; planes: PlanePlan[]; why?: string };

type PlaneGeometry = { bytesPerElement: number; widthDiv: number; heightDiv: number; imageFormat?: string };

const R8 = "R8_UNORM",
  RG8 = "R8G8_UNORM",
  R16 = "R16_UNORM",
  RG16 = "R16G16_UNORM";
const luma8 = { bytesPerElement: 1, widthDiv: 1, heightDiv: 1, imageFormat: R8 };
const chroma8 = { bytesPerElement: 1, widthDiv: 2, heightDiv: 2, imageFormat: R8 };

/**
 * What each pixel format is made of: its colour planes (each imported as one single-plane image of
 * `imageFormat`) and the Vulkan format of the whole.
 */
export const PIXEL_FORMATS: Record<PixelFormat, { vkFormat?: string; planes: PlaneGeometry[]; bitDepth: number }> = {
  NV12: {
    vkFormat: "G8_B8R8_2PLANE_420_UNORM",
    bitDepth: 8,
    planes: [luma8, { bytesPerElement: 2, widthDiv: 2, heightDiv: 2, imageFormat: RG8 }],
  },
  P010: {
    vkFormat: "G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16",
    bitDepth: 10,
    planes: [
      { bytesPerElement: 2, widthDiv: 1, heightDiv: 1, imageFormat: R16 },
      { bytesPerElement: 4, widthDiv: 2, heightDiv: 2, imageFormat: RG16 },
    ],
  },
  YUV420: { vkFormat: "G8_B8_R8_3PLANE_420_UNORM", bitDepth: 8, planes: [luma8, chroma8, chroma8] },
  // No Vulkan format holds 10 bits in the low bits of 16, so this one is read as buffers.
  YUV420_10: {
    bitDepth: 10,
    planes: [
      { bytesPerElement: 2, widthDiv: 1, heightDiv: 1 },
      { bytesPerElement: 2, widthDiv: 2, heightDiv: 2 },
      { bytesPerElement: 2, widthDiv: 2, heightDiv: 2 },
    ],
  },
  R8: { vkFormat: R8, bitDepth: 8, planes: [luma8] },
  R16: { vkFormat: R16, bitDepth: 16, planes: [{ bytesPerElement: 2, widthDiv: 1, heightDiv: 1, imageFormat: R16 }] },
  GR88: { vkFormat: RG8, bitDepth: 8, planes: [{ bytesPerElement: 2, widthDiv: 1, heightDiv: 1, imageFormat: RG8 }] },
  GR1616: {
    vkFormat: RG16,
    bitDepth: 16,
    planes: [{ bytesPerElement: 4, widthDiv: 1, heightDiv: 1, imageFormat: RG16 }],
  },
};

/** Vulkan format -> the single-plane image formats its colour planes are imported as. */
export const PLANE_IMAGE_FORMATS: Record<string, string[]> = Object.fromEntries(
  Object.values(PIXEL_FORMATS).flatMap((f) =>
    f.vkFormat && f.planes.every((p) => p.imageFormat) ? [[f.vkFormat, f.planes.map((p) => p.imageFormat!)]] : [],
  ),
);

/** Layer arrangements that make each pixel format: composed (one layer) or separate layers. */
const ARRANGEMENTS: { layers: (keyof typeof DRM_FORMAT)[]; format: PixelFormat }[] = [
  { layers: ["NV12"], format: "NV12" },
  { layers: ["R8", "GR88"], format: "NV12" },
  { layers: ["P010"], format: "P010" },
  { layers: ["R16", "GR1616"], format: "P010" },
  { layers: ["YUV420"], format: "YUV420" },
  { layers: ["R8", "R8", "R8"], format: "YUV420" },
  { layers: ["S010"], format: "YUV420_10" },
  { layers: ["R16", "R16", "R16"], format: "YUV420_10" },
  { layers: ["R8"], format: "R8" },
  { layers: ["R16"], format: "R16" },
  { layers: ["GR88"], format: "GR88" },
  { layers: ["GR1616"], format: "GR1616" },
];

const bad = (msg: string) => new DmabufImportError("BAD_LAYOUT", msg);
const isInt = (n: number) => Number.isSafeInteger(n);

/** Which pixel format the layers describe. */
export function pixelFormatOf(desc: DrmFrameDescriptor): PixelFormat {
  const names = desc.layers.map((l) => fourccName(l.fourcc));
  const match = ARRANGEMENTS.find(
    (a) => a.layers.length === names.length && a.layers.every((n, i) => DRM_FORMAT[n] === desc.layers[i]!.fourcc),
  );
  if (!match) {
    throw new DmabufImportError(
      "UNSUPPORTED_FORMAT",
      `layers [${names.join(", ")}] are not a supported pixel format; supported: NV12 or R8+GR88 (8-bit 4:2:0), P010 or R16+GR1616 (10-bit 4:2:0), YUV420, S010, R8, R16, GR88, GR1616. ` +
        `Ask the decoder for NV12/P010 output (e.g. a 4:2:0 stream), or convert with the software source`,
    );
  }
  return match.format;
}

/** The modifier a layer's planes are laid out with (its first plane's object's). */
const layerModifier = (desc: DrmFrameDescriptor, layer: number): bigint =>
  desc.objects[desc.layers[layer]!.planes[0]!.object]!.modifier;

/**
 * How `desc` becomes a Vulkan resource on a device with `caps`. Plane images at offset 0 of their
 * buffer, or LINEAR, are imported one image per plane. A plane at an offset inside a tiled buffer
 * is not valid alone for every modifier (nvidia-vaapi-driver saw scrambled chroma from exactly
 * that): there the whole frame is imported as one multi-planar image with explicit per-plane
 * layouts where the driver lists the modifier for the multi-planar format, and one image per plane
 * only where it does not. `layout` forces one of the two where the device can do it.
 */
export function planImport(descriptor: DrmFrameDescriptor, caps: ImportCaps, layout?: ImageLayoutChoice): ImportPlan {
  const desc = parseDescriptor(descriptor);
  const c = ImportCapsSchema.safeParse(caps);
  if (!c.success)
    throw new InvalidArgumentError(
      "import caps",
      `${z.prettifyError(c.error)} (VulkanContext.importCaps() makes them)`,
    );
  if (layout !== undefined && layout !== "planes" && layout !== "multi-planar")
    throw new InvalidArgumentError("image layout", `${String(layout)}; use "planes" or "multi-planar"`);
  // 1. Structure: counts, indices, fds, sizes.
  const { width, height, objects, layers } = desc;
  if (!isInt(width) || !isInt(height) || width < 1 || height < 1)
    throw bad(`frame size ${width}x${height} is not a positive integer size`);
  if (objects.length < 1 || objects.length > 4) throw bad(`${objects.length} objects; a DRM PRIME frame has 1 to 4`);
  if (layers.length < 1 || layers.length > 4) throw bad(`${layers.length} layers; a DRM PRIME frame has 1 to 4`);
  objects.forEach((o, i) => {
    if (!isInt(o.fd) || o.fd < 0)
      throw bad(`object ${i} has fd ${o.fd}; a valid file descriptor is a non-negative integer`);
    if (!isInt(o.size) || o.size < 1)
      throw bad(`object ${i} has size ${o.size}; it must be a positive number of bytes`);
  });
  layers.forEach((l, li) => {
    if (l.planes.length < 1 || l.planes.length > 4)
      throw bad(`layer ${li} has ${l.planes.length} planes; a layer has 1 to 4`);
    l.planes.forEach((p, pi) => {
      if (!isInt(p.object) || p.object < 0 || p.object >= objects.length)
        throw bad(`layer ${li} plane ${pi} names object ${p.object}, but the frame has ${objects.length} object(s)`);
      if (!isInt(p.offset) || p.offset < 0) throw bad(`layer ${li} plane ${pi} has offset ${p.offset}`);
      if (!isInt(p.pitch) || p.pitch < 1) throw bad(`layer ${li} plane ${pi} has pitch ${p.pitch}`);
    });
    // A layer is one surface: its planes share one layout. Separate layers may each have their own.
    const m = layerModifier(desc, li);
    l.planes.forEach((p, pi) => {
      const pm = objects[p.object]!.modifier;
      if (pm !== m)
        throw bad(
          `layer ${li} plane ${pi} lies in object ${p.object} with modifier ${modifierName(pm)}, but the layer's first plane has ${modifierName(m)}; one layer has one layout`,
        );
    });
  });

  // 2. Format, and the images it makes: each colour plane with its compression planes (drm_fourcc.h
  //    orders a layer's colour planes first, then their compression planes, then a clear colour).
  const pixelFormat = pixelFormatOf(desc);
  const format = PIXEL_FORMATS[pixelFormat];
  const geometry = format.planes;
  const perLayerColour = geometry.length / layers.length;
  const colourPlanes: PlanePlan[] = [];
  const memoryPlanes: PlanePlan[] = [];
  const images: (PlaneImagePlan & { roles: MemoryPlaneRole[] })[] = [];
  layers.forEach((l, li) => {
    const modifier = layerModifier(desc, li);
    const aux = modifierAuxPlanes(modifier);
    const expected = perLayerColour * (1 + aux.perPlane) + aux.trailing;
    if (l.planes.length !== expected) {
      throw bad(
        `layer ${li} (${fourccName(l.fourcc)}) has ${l.planes.length} plane(s); with modifier ${modifierName(modifier)} it needs ${expected}`,
      );
    }
    const plan = (p: DrmFrameDescriptor["layers"][number]["planes"][number]): PlanePlan => ({
      object: p.object,
      offset: p.offset,
      pitch: p.pitch,
    });
    for (const p of l.planes) memoryPlanes.push(plan(p));
    const trailing = l.planes.slice(perLayerColour * (1 + aux.perPlane)).map(plan);
    for (let k = 0; k < perLayerColour; k++) {
      const g = geometry[li * perLayerColour + k]!;
      colourPlanes.push(plan(l.planes[k]!));
      const ccs = aux.perPlane ? [plan(l.planes[perLayerColour + k]!)] : [];
      images.push({
        format: g.imageFormat ?? "",
        modifier,
        width: Math.ceil(width / g.widthDiv),
        height: Math.ceil(height / g.heightDiv),
        memoryPlanes: [plan(l.planes[k]!), ...ccs, ...trailing],
        roles: [
          "main",
          ...ccs.map((): MemoryPlaneRole => "ccs"),
          ...trailing.map((): MemoryPlaneRole => "clear-color"),
        ],
      });
    }
  });

  // 3. Every colour plane's rows lie inside its object (4:2:0 chroma is ceil(w/2) x ceil(h/2)).
  colourPlanes.forEach((p, i) => {
    const g = geometry[i]!;
    const rowBytes = Math.ceil(width / g.widthDiv) * g.bytesPerElement;
    const rows = Math.ceil(height / g.heightDiv);
    if (p.pitch < rowBytes)
      throw bad(
        `plane ${i} pitch ${p.pitch} is below its row width of ${rowBytes} bytes (${pixelFormat} ${width}x${height})`,
      );
    const end = p.offset + p.pitch * (rows - 1) + rowBytes;
    const size = objects[p.object]!.size;
    if (end > size)
      throw bad(
        `plane ${i} ends at byte ${end} (offset ${p.offset} + ${rows} rows of pitch ${p.pitch}) but object ${p.object} holds ${size} bytes`,
      );
  });
  memoryPlanes.forEach((p, i) => {
    if (p.offset >= objects[p.object]!.size)
      throw bad(
        `memory plane ${i} starts at ${p.offset}, past the end of object ${p.object} (${objects[p.object]!.size} bytes)`,
      );
  });

  // 4. Pitches and offsets the tiling can have.
  images.forEach((img, i) => {
    checkTiling(
      img.modifier,
      img.memoryPlanes.map((p, k) => ({ ...p, role: img.roles[k]! })),
      geometry[i]!.bytesPerElement,
      `plane ${i}`,
    );
  });

  // 5. How to import it.
  if (!caps.dmaBuf) {
    throw new DmabufImportError(
      "NO_DMABUF_IMPORT",
      "this Vulkan device cannot import dma_buf memory (VK_EXT_external_memory_dma_buf is missing); use a Vulkan driver that has it (Mesa's RADV/ANV/lavapipe 23+), or the staging path",
    );
  }
  if (images.some((img) => img.modifier === DRM_FORMAT_MOD_INVALID)) {
    throw new DmabufImportError(
      "MODIFIER_UNSUPPORTED",
      "the frame has DRM_FORMAT_MOD_INVALID (an implicit, driver-private layout) that Vulkan cannot be told about; run with --force-linear to re-upload each frame into a linear dmabuf",
    );
  }
  const vkFormat = format.vkFormat;
  const whyNot = (img: PlaneImagePlan): string | undefined => {
    if (!caps.drmFormatModifier) return "the device has no VK_EXT_image_drm_format_modifier";
    if (!img.format) return `no Vulkan format holds ${pixelFormat}'s planes`;
    if (!caps.planeModifiers) {
      const listed = caps.modifiers[vkFormat ?? ""] ?? [];
      return listed.includes(img.modifier)
        ? undefined
        : `the device does not list ${modifierName(img.modifier)} for ${vkFormat} (it lists ${listed.map(modifierName).join(", ") || "none"})`;
    }
    const supports = caps.planeModifiers[img.format] ?? [];
    const s = supports.find((m) => m.modifier === img.modifier);
    if (!s)
      return `the device does not import ${img.format} with ${modifierName(img.modifier)} for this use (it does with ${supports.map((m) => modifierName(m.modifier)).join(", ") || "none"})`;
    if (s.memoryPlanes !== img.memoryPlanes.length) {
      return `the driver says ${img.format} with ${modifierName(img.modifier)} has ${s.memoryPlanes} memory plane(s), but the frame gives ${img.memoryPlanes.length}`;
    }
    if (img.width > s.maxExtent.width || img.height > s.maxExtent.height) {
      return `a ${img.width}x${img.height} ${img.format} plane is larger than the ${s.maxExtent.width}x${s.maxExtent.height} the driver allows with ${modifierName(img.modifier)}`;
    }
    if (new Set(img.memoryPlanes.map((p) => p.object)).size > 1 && !s.disjoint) {
      return `its memory planes lie in different objects, and ${img.format} with ${modifierName(img.modifier)} cannot be bound disjoint`;
    }
    return undefined;
  };
  const problems = images.map(whyNot);
  const refused = problems.findIndex((p) => p !== undefined);
  const modifiers = [...new Set(images.map((img) => img.modifier))];
  const disjoint = new Set(memoryPlanes.map((p) => p.object)).size > 1;
  const whole = wholeFrameImage(desc, images, vkFormat);
  const wholeProblem = whole ? whyNotWhole(whole) : "the frame is not a 4:2:0 frame of even size with one modifier";
  const planesSafe = images.every((img) => img.modifier === DRM_FORMAT_MOD_LINEAR || img.memoryPlanes[0]!.offset === 0);
  const byPlanes = refused < 0 && vkFormat && layout !== "multi-planar";
  if (byPlanes && (planesSafe || wholeProblem !== undefined || layout === "planes")) {
    const formats = [...new Set(images.map((img) => img.format))].join(" and ");
    const why = planesSafe
      ? `one image per colour plane (${formats} with ${modifiers.map(modifierName).join(" and ")}), each at the start of its buffer or linear`
      : `one image per colour plane (${formats} with ${modifiers.map(modifierName).join(" and ")}), a plane at an offset inside a tiled buffer imported alone: ${layout === "planes" ? "asked for" : `no whole-frame image (${wholeProblem})`}`;
    return {
      kind: "image",
      vkFormat,
      modifier: images[0]!.modifier,
      disjoint,
      planes: memoryPlanes,
      layout: "planes",
      images: images.map(({ roles: _, ...img }) => img),
      why,
    };
  }
  if (layout === "multi-planar" && (!whole || wholeProblem !== undefined)) {
    throw new DmabufImportError(
      "MODIFIER_UNSUPPORTED",
      `the frame cannot be imported as one multi-planar image: ${wholeProblem}`,
    );
  }
  if (whole && wholeProblem === undefined && layout !== "planes") {
    const why = `the whole frame as one ${whole.format} image with ${modifierName(whole.modifier)} and explicit per-plane layouts, read through a YCbCr sampler: ${layout === "multi-planar" ? "asked for" : "a plane lies at an offset inside a tiled buffer, which a single-plane image is not valid for with every modifier"}`;
    return {
      kind: "image",
      vkFormat: whole.format,
      modifier: whole.modifier,
      disjoint,
      planes: memoryPlanes,
      layout: "multi-planar",
      images: [whole],
      why,
    };
  }
  if (modifiers.every((m) => m === DRM_FORMAT_MOD_LINEAR)) {
    return {
      kind: "buffer",
      pixelFormat,
      planes: colourPlanes,
      why: `linear planes read as buffers: ${problems[Math.max(0, refused)] ?? `no Vulkan format holds ${pixelFormat}`}`,
    };
  }
  const which = Math.max(refused, 0);
  throw new DmabufImportError(
    "MODIFIER_UNSUPPORTED",
    `plane ${which} (${modifierName(images[which]!.modifier)}) cannot be imported as an image: ${problems[which] ?? wholeProblem}; a tiled surface read as a linear buffer gives garbage, so run with --force-linear for linear copies`,
  );

  /** Why the device cannot import `whole` as one multi-planar image read through a YCbCr sampler, or undefined. */
  function whyNotWhole(whole: PlaneImagePlan): string | undefined {
    const supports = caps.planeModifiers?.[whole.format];
    if (!supports) return `the device reads no ${whole.format} image through a YCbCr sampler`;
    const s = supports.find((m) => m.modifier === whole.modifier);
    if (!s) return `the device does not list ${modifierName(whole.modifier)} for ${whole.format} with midpoint chroma`;
    if (s.memoryPlanes !== whole.memoryPlanes.length)
      return `the driver says ${whole.format} with ${modifierName(whole.modifier)} has ${s.memoryPlanes} memory plane(s), the frame gives ${whole.memoryPlanes.length}`;
    if (whole.width > s.maxExtent.width || whole.height > s.maxExtent.height)
      return `${whole.width}x${whole.height} is larger than the ${s.maxExtent.width}x${s.maxExtent.height} the driver allows`;
    if (disjoint && !s.disjoint)
      return `its planes lie in different objects and ${whole.format} with ${modifierName(whole.modifier)} cannot be bound disjoint`;
    return undefined;
  }
}

/**
 * The frame as one multi-planar image: its colour planes in order, then their compression planes,
 * then a clear-colour plane (drm_fourcc.h's order for a multi-planar surface). Undefined where no
 * multi-planar format holds it: not 4:2:0 with a Vulkan format, an odd size (Vulkan's 4:2:0 formats
 * need even extents), or layers with different modifiers.
 */
function wholeFrameImage(
  desc: DrmFrameDescriptor,
  images: (PlaneImagePlan & { roles: MemoryPlaneRole[] })[],
  vkFormat: string | undefined,
): PlaneImagePlan | undefined {
  if (!vkFormat || images.length < 2 || desc.width % 2 || desc.height % 2) return undefined;
  const modifier = images[0]!.modifier;
  if (images.some((img) => img.modifier !== modifier)) return undefined;
  const ofRole = (role: MemoryPlaneRole) =>
    images.flatMap((img) => img.memoryPlanes.filter((_, k) => img.roles[k] === role));
  const clear = ofRole("clear-color");
  const memoryPlanes = [...ofRole("main"), ...ofRole("ccs"), ...clear.slice(0, 1)];
  return { format: vkFormat, modifier, width: desc.width, height: desc.height, memoryPlanes };
}

/**
 * The luma plane alone, as a single R8 (8-bit) or R16 (10-bit) layer over the same objects: what a
 * luma-only pass (diffs, analysis) imports. P010's R16 holds its 10 bits high, as P010 does; S010's
 * low. Plans as R8_UNORM / R16_UNORM.
 */
export function lumaOnly(desc: DrmFrameDescriptor): DrmFrameDescriptor {
  const format = pixelFormatOf(desc);
  if (format === "R8" || format === "R16") return desc;
  if (!["NV12", "P010", "YUV420", "YUV420_10"].includes(format))
    throw new DmabufImportError("UNSUPPORTED_FORMAT", `no luma plane to export from ${format}`);
  const aux = modifierAuxPlanes(layerModifier(desc, 0));
  const planes = desc.layers[0]!.planes;
  const perLayer = desc.layers.length === 1 ? PIXEL_FORMATS[format].planes.length : 1;
  const luma = [
    planes[0]!,
    ...(aux.perPlane ? [planes[perLayer]!] : []),
    ...planes.slice(perLayer * (1 + aux.perPlane)),
  ];
  return {
    ...desc,
    layers: [{ fourcc: PIXEL_FORMATS[format].bitDepth === 8 ? DRM_FORMAT.R8 : DRM_FORMAT.R16, planes: luma }],
  };
}
