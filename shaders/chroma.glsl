// Chroma reconstruction for 4:2:0, shared by the conversion shaders. The including shader defines
// `vec2 chromaSample(ivec2 c)`: the (Cb, Cr) codes of chroma sample c (c inside the chroma plane).
// pc.chroma (ConvertPush.chroma, lib/vulkan/convert.ts):
//   bit 0       1: bilinear at the stream's siting (libplacebo's default), 0: nearest, sample (x/2, y/2)
//   bits 8-9    where chroma sample 0 sits horizontally, in half luma pixels (0 left, 1 centre)
//   bits 16-17  vertically (0 top, 1 centre, 2 bottom)
// Chroma sample i sits at luma position 2i + offset/2, so pixel x falls at chroma position
// (2x - offset) / 4 in quarter samples: its two neighbours and a weight of 0, 1/4, 1/2 or 3/4,
// clamped to the edge. The weights and codes are exact in float, so the reconstruction is too.
bool bilinearChroma() { return (pc.chroma & 1u) != 0u; }

// Where pixel p's chroma comes from: the first of its two samples each way, and the weight of the second.
ivec2 chromaQuarter(ivec2 p) { return 2 * p - ivec2((pc.chroma >> 8) & 3u, (pc.chroma >> 16) & 3u); }

// The four samples around a pixel (a, b on the upper row, c, d on the lower) weighted by f: one
// order of operations for every shader, so the per-pixel and vectorised ones give the same bytes.
vec2 bilinear(vec2 a, vec2 b, vec2 c, vec2 d, vec2 f) {
  precise vec2 top = a * (1.0 - f.x) + b * f.x;
  precise vec2 bottom = c * (1.0 - f.x) + d * f.x;
  precise vec2 v = top * (1.0 - f.y) + bottom * f.y;
  return v;
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

// The vectorised shaders' 4x2 pixels (x a multiple of 4, y even) need chroma columns x/2 - 1 to
// x/2 + 2 and rows y/2 - 1 to y/2 + 1 at most, whatever the siting: loaded once into a block
// (clamped at the edges), each pixel then interpolates from it.
struct ChromaBlock { vec2 s[3][4]; };

ChromaBlock chromaBlock(ivec2 origin, ivec2 chromaSize) {
  ChromaBlock b;
  for (int r = 0; r < 3; r++)
    for (int k = 0; k < 4; k++)
      b.s[r][k] = chromaSample(clamp(origin + ivec2(k - 1, r - 1), ivec2(0), chromaSize - 1));
  return b;
}

// Pixel p's chroma from the block loaded at `origin` (its x/2, y/2).
vec2 chromaFromBlock(ChromaBlock b, ivec2 origin, ivec2 p) {
  ivec2 q = chromaQuarter(p);
  ivec2 at = (q >> 2) - origin + 1;
  return bilinear(b.s[at.y][at.x], b.s[at.y][at.x + 1], b.s[at.y + 1][at.x], b.s[at.y + 1][at.x + 1], vec2(q & 3) * 0.25);
}

ivec2 chromaPlaneSize() { return ivec2((pc.width + 1u) >> 1, (pc.height + 1u) >> 1); }
