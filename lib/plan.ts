// planImport: decide, without touching any driver, how a DRM PRIME frame becomes a Vulkan resource.
// Pure: no FFI, so it runs anywhere and every rule is unit-tested.
import type { DrmFrameDescriptor } from "./descriptor";
import { DmabufImportError } from "./errors";
import { DRM_FORMAT, DRM_FORMAT_MOD_INVALID, DRM_FORMAT_MOD_LINEAR, fourccName, modifierAuxPlanes, modifierName } from "./formats";

export type { DrmFrameDescriptor };

export type ImportCaps = {
  /** The external handle type the import uses (VK_EXT_external_memory_dma_buf for real dmabufs) is usable. */
  dmaBuf: boolean;
  /** VK_EXT_image_drm_format_modifier is usable. */
  drmFormatModifier: boolean;
  /** Vulkan format name without VK_FORMAT_ -> the DRM modifiers the device supports for it. */
  modifiers: Record<string, bigint[]>;
};

export type PlanePlan = { object: number; offset: number; pitch: number };

export type PixelFormat = "NV12" | "P010" | "R8" | "R16" | "GR88" | "GR1616" | "YUV420" | "YUV420_10";

export type ImportPlan =
  | { kind: "image"; vkFormat: string; modifier: bigint; disjoint: boolean; planes: PlanePlan[] }
  | { kind: "buffer"; pixelFormat: PixelFormat; planes: PlanePlan[] };

type PlaneGeometry = { bytesPerElement: number; widthDiv: number; heightDiv: number };

/** What each pixel format is made of: its colour planes and the Vulkan format of the whole. */
export const PIXEL_FORMATS: Record<PixelFormat, { vkFormat?: string; planes: PlaneGeometry[]; bitDepth: number }> = {
  NV12: { vkFormat: "G8_B8R8_2PLANE_420_UNORM", bitDepth: 8, planes: [{ bytesPerElement: 1, widthDiv: 1, heightDiv: 1 }, { bytesPerElement: 2, widthDiv: 2, heightDiv: 2 }] },
  P010: { vkFormat: "G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16", bitDepth: 10, planes: [{ bytesPerElement: 2, widthDiv: 1, heightDiv: 1 }, { bytesPerElement: 4, widthDiv: 2, heightDiv: 2 }] },
  YUV420: { vkFormat: "G8_B8_R8_3PLANE_420_UNORM", bitDepth: 8, planes: [{ bytesPerElement: 1, widthDiv: 1, heightDiv: 1 }, { bytesPerElement: 1, widthDiv: 2, heightDiv: 2 }, { bytesPerElement: 1, widthDiv: 2, heightDiv: 2 }] },
  // No Vulkan format holds 10 bits in the low bits of 16, so this one is read as buffers.
  YUV420_10: { bitDepth: 10, planes: [{ bytesPerElement: 2, widthDiv: 1, heightDiv: 1 }, { bytesPerElement: 2, widthDiv: 2, heightDiv: 2 }, { bytesPerElement: 2, widthDiv: 2, heightDiv: 2 }] },
  R8: { vkFormat: "R8_UNORM", bitDepth: 8, planes: [{ bytesPerElement: 1, widthDiv: 1, heightDiv: 1 }] },
  R16: { vkFormat: "R16_UNORM", bitDepth: 16, planes: [{ bytesPerElement: 2, widthDiv: 1, heightDiv: 1 }] },
  GR88: { vkFormat: "R8G8_UNORM", bitDepth: 8, planes: [{ bytesPerElement: 2, widthDiv: 1, heightDiv: 1 }] },
  GR1616: { vkFormat: "R16G16_UNORM", bitDepth: 16, planes: [{ bytesPerElement: 4, widthDiv: 1, heightDiv: 1 }] },
};

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
  const match = ARRANGEMENTS.find((a) => a.layers.length === names.length && a.layers.every((n, i) => DRM_FORMAT[n] === desc.layers[i]!.fourcc));
  if (!match) {
    throw new DmabufImportError(
      "UNSUPPORTED_FORMAT",
      `layers [${names.join(", ")}] are not a supported pixel format; supported: NV12 or R8+GR88 (8-bit 4:2:0), P010 or R16+GR1616 (10-bit 4:2:0), YUV420, S010, R8, R16, GR88, GR1616. ` +
        `Ask the decoder for NV12/P010 output (e.g. a 4:2:0 stream), or convert with the software source`,
    );
  }
  return match.format;
}

export function planImport(desc: DrmFrameDescriptor, caps: ImportCaps): ImportPlan {
  // 1. Structure: counts, indices, fds, sizes.
  const { width, height, objects, layers } = desc;
  if (!isInt(width) || !isInt(height) || width < 1 || height < 1) throw bad(`frame size ${width}x${height} is not a positive integer size`);
  if (objects.length < 1 || objects.length > 4) throw bad(`${objects.length} objects; a DRM PRIME frame has 1 to 4`);
  if (layers.length < 1 || layers.length > 4) throw bad(`${layers.length} layers; a DRM PRIME frame has 1 to 4`);
  objects.forEach((o, i) => {
    if (!isInt(o.fd) || o.fd < 0) throw bad(`object ${i} has fd ${o.fd}; a valid file descriptor is a non-negative integer`);
    if (!isInt(o.size) || o.size < 1) throw bad(`object ${i} has size ${o.size}; it must be a positive number of bytes`);
  });
  const modifier = objects[0]!.modifier;
  objects.forEach((o, i) => {
    if (o.modifier !== modifier) throw bad(`object ${i} has modifier ${modifierName(o.modifier)} but object 0 has ${modifierName(modifier)}; all objects of a frame share one layout`);
  });
  layers.forEach((l, li) => {
    if (l.planes.length < 1 || l.planes.length > 4) throw bad(`layer ${li} has ${l.planes.length} planes; a layer has 1 to 4`);
    l.planes.forEach((p, pi) => {
      if (!isInt(p.object) || p.object < 0 || p.object >= objects.length) throw bad(`layer ${li} plane ${pi} names object ${p.object}, but the frame has ${objects.length} object(s)`);
      if (!isInt(p.offset) || p.offset < 0) throw bad(`layer ${li} plane ${pi} has offset ${p.offset}`);
      if (!isInt(p.pitch) || p.pitch < 1) throw bad(`layer ${li} plane ${pi} has pitch ${p.pitch}`);
    });
  });

  // 2. Format, and the planes it needs (colour planes plus any compression planes of the modifier).
  const pixelFormat = pixelFormatOf(desc);
  const geometry = PIXEL_FORMATS[pixelFormat].planes;
  const aux = modifierAuxPlanes(modifier);
  const colourPlanes: PlanePlan[] = [];
  const memoryPlanes: PlanePlan[] = [];
  const perLayerColour = geometry.length / layers.length;
  layers.forEach((l, li) => {
    const expected = perLayerColour * (1 + aux.perPlane) + (li === layers.length - 1 ? aux.trailing : 0);
    if (l.planes.length !== expected) {
      throw bad(`layer ${li} (${fourccName(l.fourcc)}) has ${l.planes.length} plane(s); with modifier ${modifierName(modifier)} it needs ${expected}`);
    }
    // drm_fourcc.h orders a layer's colour planes first, then their compression planes.
    l.planes.forEach((p, pi) => {
      memoryPlanes.push({ object: p.object, offset: p.offset, pitch: p.pitch });
      if (pi < perLayerColour) colourPlanes.push({ object: p.object, offset: p.offset, pitch: p.pitch });
    });
  });

  // 3. Every colour plane's rows lie inside its object (4:2:0 chroma is ceil(w/2) x ceil(h/2)).
  colourPlanes.forEach((p, i) => {
    const g = geometry[i]!;
    const rowBytes = Math.ceil(width / g.widthDiv) * g.bytesPerElement;
    const rows = Math.ceil(height / g.heightDiv);
    if (p.pitch < rowBytes) throw bad(`plane ${i} pitch ${p.pitch} is below its row width of ${rowBytes} bytes (${pixelFormat} ${width}x${height})`);
    const end = p.offset + p.pitch * (rows - 1) + rowBytes;
    const size = objects[p.object]!.size;
    if (end > size) throw bad(`plane ${i} ends at byte ${end} (offset ${p.offset} + ${rows} rows of pitch ${p.pitch}) but object ${p.object} holds ${size} bytes`);
  });
  memoryPlanes.forEach((p, i) => {
    if (p.offset >= objects[p.object]!.size) throw bad(`memory plane ${i} starts at ${p.offset}, past the end of object ${p.object} (${objects[p.object]!.size} bytes)`);
  });

  // 4. How to import it.
  if (!caps.dmaBuf) {
    throw new DmabufImportError("NO_DMABUF_IMPORT", "this Vulkan device cannot import dma_buf memory (VK_EXT_external_memory_dma_buf is missing); use a Vulkan driver that has it (Mesa's RADV/ANV/lavapipe 23+), or the staging path");
  }
  if (modifier === DRM_FORMAT_MOD_INVALID) {
    throw new DmabufImportError("MODIFIER_UNSUPPORTED", "the frame has DRM_FORMAT_MOD_INVALID (an implicit, driver-private layout) that Vulkan cannot be told about; run with --force-linear to re-upload each frame into a linear dmabuf");
  }
  const vkFormat = PIXEL_FORMATS[pixelFormat].vkFormat;
  if (caps.drmFormatModifier && vkFormat && (caps.modifiers[vkFormat] ?? []).includes(modifier)) {
    const disjoint = new Set(memoryPlanes.map((p) => p.object)).size > 1;
    return { kind: "image", vkFormat, modifier, disjoint, planes: memoryPlanes };
  }
  if (modifier === DRM_FORMAT_MOD_LINEAR) return { kind: "buffer", pixelFormat, planes: colourPlanes };
  const why = !caps.drmFormatModifier
    ? "the device has no VK_EXT_image_drm_format_modifier"
    : `the device does not list it for ${vkFormat ?? pixelFormat} (it lists ${(caps.modifiers[vkFormat ?? ""] ?? []).map(modifierName).join(", ") || "none"})`;
  throw new DmabufImportError(
    "MODIFIER_UNSUPPORTED",
    `modifier ${modifierName(modifier)} cannot be imported as an image: ${why}; a tiled surface read as a linear buffer gives garbage, so run with --force-linear for linear copies`,
  );
}

/**
 * The luma plane alone, as a single R8 (8-bit) or R16 (10-bit) layer over the same objects: what a
 * luma-only pass (diffs, analysis) imports. P010's R16 holds its 10 bits high, as P010 does; S010's
 * low. Plans as R8_UNORM / R16_UNORM.
 */
export function lumaOnly(desc: DrmFrameDescriptor): DrmFrameDescriptor {
  const format = pixelFormatOf(desc);
  if (format === "R8" || format === "R16") return desc;
  if (!["NV12", "P010", "YUV420", "YUV420_10"].includes(format)) throw new DmabufImportError("UNSUPPORTED_FORMAT", `no luma plane to export from ${format}`);
  const aux = modifierAuxPlanes(desc.objects[0]!.modifier);
  const planes = desc.layers[0]!.planes;
  const perLayer = desc.layers.length === 1 ? PIXEL_FORMATS[format].planes.length : 1;
  const luma = [planes[0]!, ...(aux.perPlane ? [planes[perLayer]!] : [])];
  return { ...desc, layers: [{ fourcc: PIXEL_FORMATS[format].bitDepth === 8 ? DRM_FORMAT.R8 : DRM_FORMAT.R16, planes: luma }] };
}
