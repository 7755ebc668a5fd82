// Chroma reconstruction one pixel at a time (the per-pixel shaders: odd widths, 3-plane frames,
// RGBA16). The including shader defines `vec2 chromaSample(ivec2 c)`: the (Cb, Cr) codes of
// chroma sample c (c inside the chroma plane).
#include "chroma.glsl"

// Where pixel p's chroma comes from: the first of its two samples each way, and the weight of the second.
ivec2 chromaQuarter(ivec2 p) { return 2 * p - ivec2((pc.chroma >> 8) & 3u, (pc.chroma >> 16) & 3u); }

// The four samples around a pixel (a, b on the upper row, c, d on the lower) weighted by f. Every
// product and sum is a multiple of 1/16 below 2^10, exact in float whatever the order or fusing,
// so the per-pixel and vectorised shaders reach the same value by different routes.
vec2 bilinear(vec2 a, vec2 b, vec2 c, vec2 d, vec2 f) {
  vec2 top = a * (1.0 - f.x) + b * f.x;
  vec2 bottom = c * (1.0 - f.x) + d * f.x;
  return top * (1.0 - f.y) + bottom * f.y;
}

vec2 chromaAt(ivec2 p, ivec2 chromaSize) {
  if (!bilinearChroma()) return chromaSample(p >> 1);
  ivec2 q = chromaQuarter(p);
  ivec2 i0 = q >> 2;
  ivec2 lo = clamp(i0, ivec2(0), chromaSize - 1), hi = clamp(i0 + 1, ivec2(0), chromaSize - 1);
  return bilinear(
    chromaSample(lo),
    chromaSample(ivec2(hi.x, lo.y)),
    chromaSample(ivec2(lo.x, hi.y)),
    chromaSample(hi),
    vec2(q & 3) * 0.25);
}

