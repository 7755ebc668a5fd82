// What a tiled layout can look like: every modifier the library names puts rules on the pitch and
// the plane offsets (a tile is a unit of memory; a plane starts on one and a row of tiles is a
// whole number of tiles wide). A descriptor that breaks them is refused before any driver call:
// a driver handed such a layout reads the wrong bytes (scrambled chroma) or faults.
// Pure: no FFI. Rules from drm_fourcc.h's descriptions of each modifier, and from how the
// drivers lay surfaces out (Intel: 4 KiB tiles; AMD: 64/256 KiB swizzle blocks; NVIDIA: 512-byte GOBs).
import { DmabufImportError } from "./errors";
import { DRM_FORMAT_MOD_LINEAR, modifierName, modifierVendor } from "./formats";

/** What a memory plane holds: pixels, a compression control surface, or a clear colour. */
export type MemoryPlaneRole = "main" | "ccs" | "clear-color";

export type TiledPlane = { offset: number; pitch: number; role: MemoryPlaneRole };

/** Byte alignment a modifier needs of a plane's pitch and offset (1 where it sets none). */
export type TilingRule = { pitch: number; offset: number; why: string };

const KiB = 1024;

/** Intel modifiers by id: the main surface's rule, and the CCS plane's where there is one. */
function intelRule(id: number, role: MemoryPlaneRole): TilingRule | undefined {
  if (role === "clear-color") return { pitch: 1, offset: 64, why: "the clear-colour plane is a 64-byte block" };
  const gen9Ccs = id === 4 || id === 5;
  const gen12Ccs = [6, 7, 8, 13, 14, 15].includes(id);
  if (role === "ccs") {
    if (gen9Ccs)
      return { pitch: 128, offset: 4 * KiB, why: "a gen9 CCS plane is Y-tiled (128-byte x 32-row 4 KiB tiles)" };
    if (gen12Ccs) return { pitch: 64, offset: 64, why: "a gen12 CCS plane is linear in 64-byte cache lines" };
    return undefined;
  }
  if (id === 1) return { pitch: 512, offset: 4 * KiB, why: "X tiles are 512 bytes x 8 rows (4 KiB)" };
  if (gen12Ccs)
    return {
      pitch: 512,
      offset: 4 * KiB,
      why: "a CCS cache line covers 4 tiles in a row, so the pitch is 4 tile widths (512 bytes); planes start on a 4 KiB tile",
    };
  if (id >= 2 && id <= 17) return { pitch: 128, offset: 4 * KiB, why: "Y/Yf/4 tiles are 128 bytes x 32 rows (4 KiB)" };
  return undefined;
}

/** AMD swizzle block size in bytes, from the modifier's tile version and swizzle mode. */
function amdBlockBytes(modifier: bigint): number | undefined {
  const tileVersion = Number(modifier & 0xffn);
  const tile = Number((modifier >> 8n) & 0x1fn);
  if (tileVersion === 5) return ({ 1: 256, 2: 4 * KiB, 3: 64 * KiB, 4: 256 * KiB } as Record<number, number>)[tile]; // GFX12
  if ([9, 10, 25, 26, 27].includes(tile)) return 64 * KiB;
  if (tile === 31) return 256 * KiB; // GFX11 256K_R_X
  return undefined;
}

/** The rule `modifier` puts on a memory plane of `bytesPerElement`-byte pixels, or undefined where the library knows none. */
export function tilingRule(modifier: bigint, role: MemoryPlaneRole, bytesPerElement: number): TilingRule | undefined {
  if (modifier === DRM_FORMAT_MOD_LINEAR) return undefined;
  const vendor = modifierVendor(modifier);
  const low = modifier & 0xffffffffffffffn;
  if (vendor === "INTEL") return intelRule(Number(low), role);
  if (vendor === "AMD" && role === "main") {
    const block = amdBlockBytes(low);
    if (!block) return undefined;
    // A 2D swizzle block is as wide as it is tall in elements (the width takes the odd power of two).
    const elements = block / bytesPerElement;
    const width = bytesPerElement * 2 ** Math.ceil(Math.log2(elements) / 2);
    return {
      pitch: width,
      offset: block,
      why: `a ${block / KiB} KiB swizzle block of ${bytesPerElement}-byte pixels is ${width} bytes wide`,
    };
  }
  if (vendor === "NVIDIA" && role === "main" && (low & 0x10n) !== 0n) {
    return { pitch: 64, offset: 512, why: "block-linear surfaces are made of 64-byte x 8-row GOBs (512 bytes)" };
  }
  return undefined;
}

/** Refuse (BAD_LAYOUT) a plane whose pitch or offset the modifier's tiling cannot have. */
export function checkTiling(modifier: bigint, planes: TiledPlane[], bytesPerElement: number, what: string): void {
  planes.forEach((p, i) => {
    const rule = tilingRule(modifier, p.role, bytesPerElement);
    if (!rule) return;
    const where = `${what} memory plane ${i} (${p.role})`;
    if (p.pitch % rule.pitch !== 0) {
      throw new DmabufImportError(
        "BAD_LAYOUT",
        `${where} has pitch ${p.pitch}, not a multiple of ${rule.pitch} bytes as ${modifierName(modifier)} needs (${rule.why}); the exporter described the surface wrongly: try --force-linear`,
      );
    }
    if (p.offset % rule.offset !== 0) {
      throw new DmabufImportError(
        "BAD_LAYOUT",
        `${where} starts at byte ${p.offset}, not a multiple of ${rule.offset} as ${modifierName(modifier)} needs (${rule.why}); the exporter described the surface wrongly: try --force-linear`,
      );
    }
  });
}
