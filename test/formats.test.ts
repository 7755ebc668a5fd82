// Names for humans: fourccs and modifiers as they appear in logs and errors; colour defaults.
import { expect, test } from "bun:test";
import {
  amdModifier,
  colorParams,
  DRM_FORMAT,
  fourccName,
  intelModifier,
  matrixOf,
  modifierName,
  modifierVendor,
  nvidiaBlockLinear2D,
  rangeOf,
} from "vaapi-vk";

test("fourcc names", () => {
  expect(fourccName(DRM_FORMAT.NV12)).toBe("NV12");
  expect(fourccName(DRM_FORMAT.GR1616)).toBe("GR1616");
  expect(fourccName(0x34325258)).toBe("'XR24' (0x34325258)");
});

test("modifier names decode the vendor and its fields", () => {
  expect(modifierName(0n)).toBe("LINEAR");
  expect(modifierName(0x00ffffffffffffffn)).toContain("INVALID");
  expect(modifierName(intelModifier("Y_TILED_GEN12_MC_CCS"))).toBe("INTEL Y_TILED_GEN12_MC_CCS (0x0100000000000007)");
  expect(modifierName(amdModifier({ tileVersion: 2, tile: 27, dcc: true }))).toMatch(/^AMD GFX10 swizzle 27 DCC/);
  expect(modifierName(nvidiaBlockLinear2D(0, 1, 2, 0x6, 4))).toMatch(
    /^NVIDIA BLOCK_LINEAR_2D \(log2 block height 4, page kind 0x6, gob 2/,
  );
  expect(modifierName(0x0300000000606015n)).toContain("log2 block height 5");
  expect(modifierVendor(0x0a00000000000001n)).toBe("AMLOGIC");
});

test("colour defaults: unspecified is BT.709 from 720 lines, BT.601 below; limited range", () => {
  expect(matrixOf({ colorspace: 2 }, 720)).toBe("BT.709");
  expect(matrixOf({ colorspace: 2 }, 576)).toBe("BT.601");
  expect(matrixOf({ colorspace: 9 }, 2160)).toBe("BT.2020");
  expect(rangeOf({ colorRange: 0 })).toBe("limited");
  expect(rangeOf({ colorRange: 2 })).toBe("full");
  // 10-bit limited range: black at 64, chroma zero at 512.
  expect(colorParams("BT.709", "limited", 10)).toMatchObject({ yOffset: 64, cOffset: 512 });
});
