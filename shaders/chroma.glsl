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

vec2 chromaAt(ivec2 p, ivec2 chromaSize) {
  if (!bilinearChroma()) return chromaSample(p >> 1);
  ivec2 q = 2 * p - ivec2((pc.chroma >> 8) & 3u, (pc.chroma >> 16) & 3u);
  ivec2 i0 = q >> 2;
  vec2 f = vec2(q & 3) * 0.25;
  ivec2 lo = clamp(i0, ivec2(0), chromaSize - 1), hi = clamp(i0 + 1, ivec2(0), chromaSize - 1);
  precise vec2 top = chromaSample(lo) * (1.0 - f.x) + chromaSample(ivec2(hi.x, lo.y)) * f.x;
  precise vec2 bottom = chromaSample(ivec2(lo.x, hi.y)) * (1.0 - f.x) + chromaSample(hi) * f.x;
  precise vec2 c = top * (1.0 - f.y) + bottom * f.y;
  return c;
}

ivec2 chromaPlaneSize() { return ivec2((pc.width + 1u) >> 1, (pc.height + 1u) >> 1); }
