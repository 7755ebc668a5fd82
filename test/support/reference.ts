// CPU reference of the GPU conversion (float64, the same formula as shaders/color.glsl), for
// checking paths where libswscale cannot be the oracle (patterns with no video file behind them).
import { colorParams, type Matrix, type Range } from "vaapi-vk";

export type Sampler = (x: number, y: number) => [number, number, number];

export function referenceRgba(
  width: number,
  height: number,
  sample: Sampler,
  matrix: Matrix,
  range: Range,
  bitDepth: number,
): Uint8Array {
  const c = colorParams(matrix, range, bitDepth);
  const out = new Uint8Array(width * height * 4);
  const q = (v: number) => Math.floor(Math.min(1, Math.max(0, v)) * 255 + 0.5);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [Y, Cb, Cr] = sample(x, y);
      const l = (Y - c.yOffset) * c.yScale,
        cb = (Cb - c.cOffset) * c.cScale,
        cr = (Cr - c.cOffset) * c.cScale;
      out.set([q(l + c.crR * cr), q(l + c.cbG * cb + c.crG * cr), q(l + c.cbB * cb), 255], (y * width + x) * 4);
    }
  }
  return out;
}

export function maxAbsDiff(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0,
    sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}
