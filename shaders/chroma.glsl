// Chroma reconstruction for 4:2:0, shared by the conversion shaders: the vectorised ones read it
// from here, the per-pixel ones through chroma_pixel.glsl.
// pc.chroma (ConvertPush.chroma, lib/vulkan/convert.ts):
//   bit 0       1: bilinear at the stream's siting (libplacebo's default), 0: nearest, sample (x/2, y/2)
//   bits 8-9    where chroma sample 0 sits horizontally, in half luma pixels (0 left, 1 centre)
//   bits 16-17  vertically (0 top, 1 centre, 2 bottom)
// Chroma sample i sits at luma position 2i + offset/2, so pixel x falls at chroma position
// (2x - offset) / 4 in quarter samples: its two neighbours and a weight of 0, 1/4, 1/2 or 3/4,
// clamped to the edge. The weights and codes are exact in float, so the reconstruction is too.
bool bilinearChroma() { return (pc.chroma & 1u) != 0u; }

ivec2 chromaPlaneSize() { return ivec2((pc.width + 1u) >> 1, (pc.height + 1u) >> 1); }

// The vectorised shaders: a thread's 4x2 pixels (x a multiple of 4, y = 2 cy) take chroma from
// columns x/2 - 1 to x/2 + 2 of rows cy - 1 to cy + 1 at most, whatever the siting. Each row's
// four samples (clamped at the edges) are interpolated across first, then the rows down, with
// the weights the siting fixes for these pixels written out: no register array indexed at run
// time (on the H100 that put the block in local memory and cost three quarters of the speed).
struct Chroma4 { vec2 s0, s1, s2, s3; };

// The four pixels' values across one chroma row of samples x/2 - 1 .. x/2 + 2.
Chroma4 chromaAcross(Chroma4 r) {
  if (((pc.chroma >> 8) & 3u) == 0u) // left: pixels on the samples and halfway between them
    return Chroma4(r.s1, (r.s1 + r.s2) * 0.5, r.s2, (r.s2 + r.s3) * 0.5);
  // centre: a quarter and three quarters of the way
  return Chroma4(
    r.s0 * 0.25 + r.s1 * 0.75,
    r.s1 * 0.75 + r.s2 * 0.25,
    r.s1 * 0.25 + r.s2 * 0.75,
    r.s2 * 0.75 + r.s3 * 0.25);
}

Chroma4 chromaMix(Chroma4 a, Chroma4 b, float wa, float wb) {
  return Chroma4(a.s0 * wa + b.s0 * wb, a.s1 * wa + b.s1 * wb, a.s2 * wa + b.s2 * wb, a.s3 * wa + b.s3 * wb);
}

// Which chroma rows the siting needs besides cy: the one above (top siting never), the one below (bottom never).
bool chromaNeedsAbove() { return ((pc.chroma >> 16) & 3u) != 0u; }
bool chromaNeedsBelow() { return ((pc.chroma >> 16) & 3u) != 2u; }

// The 4x2 pixels' chroma from rows cy - 1, cy and cy + 1 (samples x/2 - 1 .. x/2 + 2 each).
void chroma4x2(Chroma4 above, Chroma4 at, Chroma4 below, out Chroma4 top, out Chroma4 bottom) {
  uint sitingY = (pc.chroma >> 16) & 3u;
  Chroma4 m = chromaAcross(at);
  if (sitingY == 0u) { // top: row y on the samples, y + 1 halfway
    top = m;
    bottom = chromaMix(m, chromaAcross(below), 0.5, 0.5);
  } else if (sitingY == 1u) { // centre
    top = chromaMix(chromaAcross(above), m, 0.25, 0.75);
    bottom = chromaMix(m, chromaAcross(below), 0.75, 0.25);
  } else { // bottom: row y halfway, y + 1 on the samples
    top = chromaMix(chromaAcross(above), m, 0.5, 0.5);
    bottom = m;
  }
}

// Four RGBA8 pixels from their biased luma codes and chroma codes.
uvec4 rgba8Row4(vec4 biasedY, Chroma4 c) {
  return uvec4(
    packRgba8(lumaPlusChroma(pc.color, biasedY.x, chromaTermsCodes(pc.color, c.s0))),
    packRgba8(lumaPlusChroma(pc.color, biasedY.y, chromaTermsCodes(pc.color, c.s1))),
    packRgba8(lumaPlusChroma(pc.color, biasedY.z, chromaTermsCodes(pc.color, c.s2))),
    packRgba8(lumaPlusChroma(pc.color, biasedY.w, chromaTermsCodes(pc.color, c.s3))));
}

// Four RGBA8 pixels with nearest chroma: the first two take chroma terms t0, the last two t1.
uvec4 rgba8Row4Nearest(vec4 biasedY, vec3 t0, vec3 t1) {
  return uvec4(
    packRgba8(lumaPlusChroma(pc.color, biasedY.x, t0)),
    packRgba8(lumaPlusChroma(pc.color, biasedY.y, t0)),
    packRgba8(lumaPlusChroma(pc.color, biasedY.z, t1)),
    packRgba8(lumaPlusChroma(pc.color, biasedY.w, t1)));
}
