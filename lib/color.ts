// Colour: which matrix and range a frame uses, and the shader constants that implement them.
import type { ColorInfo } from "./descriptor";

export type Matrix = "BT.601" | "BT.709" | "BT.2020";
export type Range = "limited" | "full";

const KR_KB: Record<Matrix, [number, number]> = {
  "BT.601": [0.299, 0.114],
  "BT.709": [0.2126, 0.0722],
  "BT.2020": [0.2627, 0.0593],
};

/** AVColorSpace -> matrix; unspecified means BT.709 for HD and above (height >= 720), BT.601 below. */
export function matrixOf(color: Pick<ColorInfo, "colorspace">, height: number): Matrix {
  switch (color.colorspace) {
    case 1:
      return "BT.709";
    case 5:
    case 6:
      return "BT.601";
    case 9:
    case 10:
      return "BT.2020";
    default:
      return height >= 720 ? "BT.709" : "BT.601";
  }
}

/** How chroma is brought to every pixel: bilinear at the stream's siting (libplacebo's default), or the nearest sample. */
export type ChromaFilter = "bilinear" | "nearest";
/** Where 4:2:0 chroma samples sit against the luma grid (AVChromaLocation). */
export type ChromaSiting = "left" | "center" | "topleft" | "top" | "bottomleft" | "bottom";

const SITINGS: Record<number, ChromaSiting> = {
  1: "left",
  2: "center",
  3: "topleft",
  4: "top",
  5: "bottomleft",
  6: "bottom",
};

/** AVChromaLocation -> siting; unspecified means left (H.264/HEVC's default for 4:2:0, and libplacebo's). */
export const sitingOf = (color: Pick<ColorInfo, "chromaLocation">): ChromaSiting =>
  SITINGS[color.chromaLocation] ?? "left";

/**
 * Where chroma sample 0 sits from the top-left luma sample, in half luma pixels (x, y): left is
 * co-sited horizontally and between two rows vertically, center between both, top-left co-sited.
 */
export const SITING_OFFSETS: Record<ChromaSiting, [number, number]> = {
  left: [0, 1],
  center: [1, 1],
  topleft: [0, 0],
  top: [1, 0],
  bottomleft: [0, 2],
  bottom: [1, 2],
};

/** AVColorRange -> range; unspecified means limited (what video almost always is). */
export const rangeOf = (color: Pick<ColorInfo, "colorRange">): Range => (color.colorRange === 2 ? "full" : "limited");

export type ColorParams = {
  yOffset: number;
  yScale: number;
  cOffset: number;
  cScale: number;
  crR: number;
  cbG: number;
  crG: number;
  cbB: number;
};

/** Constants for shaders/color.glsl, for integer samples of `bitDepth` bits. */
export function colorParams(matrix: Matrix, range: Range, bitDepth: number): ColorParams {
  const [kr, kb] = KR_KB[matrix];
  const kg = 1 - kr - kb;
  const shift = 2 ** (bitDepth - 8);
  const max = 2 ** bitDepth - 1;
  const limited = range === "limited";
  return {
    yOffset: limited ? 16 * shift : 0,
    yScale: limited ? 1 / (219 * shift) : 1 / max,
    cOffset: 128 * shift,
    cScale: limited ? 1 / (224 * shift) : 1 / max,
    crR: 2 * (1 - kr),
    cbG: (-2 * kb * (1 - kb)) / kg,
    crG: (-2 * kr * (1 - kr)) / kg,
    cbB: 2 * (1 - kb),
  };
}

export const colorParamsArray = (p: ColorParams) => [
  p.yOffset,
  p.yScale,
  p.cOffset,
  p.cScale,
  p.crR,
  p.cbG,
  p.crG,
  p.cbB,
];
