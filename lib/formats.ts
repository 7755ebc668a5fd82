// DRM fourccs and format modifiers: values from drm_fourcc.h, names for humans.
import { InvalidArgumentError } from "./errors";

export const fourcc = (s: string): number =>
  (s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24)) >>> 0;

export const DRM_FORMAT = {
  NV12: fourcc("NV12"),
  P010: fourcc("P010"),
  R8: fourcc("R8  "),
  GR88: fourcc("GR88"),
  R16: fourcc("R16 "),
  GR1616: fourcc("GR32"),
  YUV420: fourcc("YU12"),
  /** 3-plane 4:2:0, 10 bits in the low bits of 16 (x:Y 6:10 little endian): libav's yuv420p10le. */
  S010: fourcc("S010"),
} as const;

export function fourccName(code: number): string {
  for (const [name, v] of Object.entries(DRM_FORMAT)) if (v === code) return name;
  const chars = [0, 8, 16, 24].map((s) => (code >>> s) & 0xff);
  return chars.every((c) => c >= 0x20 && c < 0x7f)
    ? `'${String.fromCharCode(...chars)}' (0x${code.toString(16)})`
    : `0x${code.toString(16)}`;
}

export const DRM_FORMAT_MOD_LINEAR = 0n;
export const DRM_FORMAT_MOD_INVALID = 0x00ffffffffffffffn;

const VENDORS = [
  "NONE",
  "INTEL",
  "AMD",
  "NVIDIA",
  "SAMSUNG",
  "QCOM",
  "VIVANTE",
  "BROADCOM",
  "ARM",
  "ALLWINNER",
  "AMLOGIC",
];
export const modifierVendor = (m: bigint): string => VENDORS[Number(m >> 56n)] ?? `vendor ${Number(m >> 56n)}`;

const INTEL_MODIFIERS: Record<number, string> = {
  1: "X_TILED",
  2: "Y_TILED",
  3: "Yf_TILED",
  4: "Y_TILED_CCS",
  5: "Yf_TILED_CCS",
  6: "Y_TILED_GEN12_RC_CCS",
  7: "Y_TILED_GEN12_MC_CCS",
  8: "Y_TILED_GEN12_RC_CCS_CC",
  9: "4_TILED",
  10: "4_TILED_DG2_RC_CCS",
  11: "4_TILED_DG2_MC_CCS",
  12: "4_TILED_DG2_RC_CCS_CC",
  13: "4_TILED_MTL_RC_CCS",
  14: "4_TILED_MTL_MC_CCS",
  15: "4_TILED_MTL_RC_CCS_CC",
  16: "4_TILED_LNL_CCS",
  17: "4_TILED_BMG_CCS",
};

export const intelModifier = (name: string): bigint => {
  const id = Object.entries(INTEL_MODIFIERS).find(([, n]) => n === name)?.[0];
  if (!id)
    throw new InvalidArgumentError(
      "Intel modifier",
      `${name} is not one of ${Object.values(INTEL_MODIFIERS).join(", ")}`,
    );
  return (1n << 56n) | BigInt(id);
};

/** NVIDIA 16Bx2 block-linear (DRM_FORMAT_MOD_NVIDIA_BLOCK_LINEAR_2D). */
export const nvidiaBlockLinear2D = (c: number, s: number, g: number, k: number, h: number): bigint =>
  (3n << 56n) |
  BigInt(0x10 | (h & 0xf) | ((k & 0xff) << 12) | ((g & 0x3) << 20) | ((s & 0x1) << 22) | ((c & 0x7) << 23));

/** AMD modifier from its fields (AMD_FMT_MOD_SET in drm_fourcc.h). */
export const amdModifier = (f: {
  tileVersion: number;
  tile: number;
  dcc?: boolean;
  pipeXorBits?: number;
  bankXorBits?: number;
  packers?: number;
}): bigint =>
  (2n << 56n) |
  BigInt(f.tileVersion & 0xff) |
  (BigInt(f.tile & 0x1f) << 8n) |
  (BigInt(f.dcc ? 1 : 0) << 13n) |
  (BigInt(f.pipeXorBits ?? 0) << 21n) |
  (BigInt(f.bankXorBits ?? 0) << 24n) |
  (BigInt(f.packers ?? 0) << 27n);

/** How many extra memory planes a modifier carries per colour plane (compression control surfaces), and at the end. */
export function modifierAuxPlanes(m: bigint): { perPlane: number; trailing: number } {
  if (m >> 56n !== 1n) return { perPlane: 0, trailing: 0 };
  const id = Number(m & 0xffffffffffffffn);
  const separateCcs = [4, 5, 6, 7, 8, 13, 14, 15].includes(id);
  const clearColor = [8, 12, 15].includes(id);
  return { perPlane: separateCcs ? 1 : 0, trailing: clearColor ? 1 : 0 };
}

export function modifierName(m: bigint): string {
  if (m === DRM_FORMAT_MOD_LINEAR) return "LINEAR";
  if (m === DRM_FORMAT_MOD_INVALID) return "INVALID (implicit layout)";
  const vendor = modifierVendor(m);
  const low = m & 0xffffffffffffffn;
  const hex = `0x${m.toString(16).padStart(16, "0")}`;
  if (vendor === "INTEL") return `INTEL ${INTEL_MODIFIERS[Number(low)] ?? `modifier ${low}`} (${hex})`;
  if (vendor === "NVIDIA" && (low & 0x10n) !== 0n) {
    const h = Number(low & 0xfn),
      k = Number((low >> 12n) & 0xffn),
      g = Number((low >> 20n) & 3n),
      c = Number((low >> 23n) & 7n);
    return `NVIDIA BLOCK_LINEAR_2D (log2 block height ${h}, page kind 0x${k.toString(16)}, gob ${g}, compression ${c}) (${hex})`;
  }
  if (vendor === "AMD") {
    const tileVersion = Number(low & 0xffn),
      tile = Number((low >> 8n) & 0x1fn),
      dcc = (low >> 13n) & 1n;
    const gfx = ["", "GFX9", "GFX10", "GFX10_RBPLUS", "GFX11", "GFX12"][tileVersion] ?? `tile version ${tileVersion}`;
    return `AMD ${gfx} swizzle ${tile}${dcc ? " DCC" : ""} (${hex})`;
  }
  return `${vendor} ${hex}`;
}
