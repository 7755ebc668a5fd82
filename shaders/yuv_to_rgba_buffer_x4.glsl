// NV12 / P010 in linear buffers -> packed RGBA8, vectorised: one thread per 4x2 pixels (one 4:2:0
// chroma pair row), whole-word loads and one uvec4 store per row. For widths that are a multiple
// of 4 and planes whose offsets and pitches are multiples of 4 bytes; yuv_to_rgba_buffer.comp
// handles the rest. Same push constants and colour maths.
// Included by yuv_to_rgba_buffer_x4.comp (one frame) and _batch.comp (up to BATCH frames of one
// size and layout, FRAME = workgroup z picking each one's planes and target; one 1080p frame alone
// fills about one wave of the H100, so its start and tail cost a share of its time).
#include "color.glsl"

// One chroma row a workgroup row, 512 pixels wide: measured fastest of 64x2, 32x4, 128x1 and 256x1.
layout(local_size_x = 128, local_size_y = 1) in;

layout(std430, binding = 0) readonly buffer Plane0 { uint words[]; } plane0[BATCH];
layout(std430, binding = 1) readonly buffer Plane1 { uint words[]; } plane1[BATCH];
layout(std430, binding = 2) readonly buffer Plane2 { uint words[]; } plane2[BATCH];
layout(std430, binding = 3) writeonly buffer Out { uvec4 pixels[]; } rgba[BATCH];

#include "convert_push.glsl"

// The four bytes of a word as biased codes (NV12).
vec4 bytesBiased(uint w) {
  return biasedCodes(uvec4(w, w >> 8, w >> 16, w >> 24) & 0xffu);
}

// Four P010 samples (10 bits high in 16) from two words, as biased codes.
vec4 p010Biased(uint w0, uint w1) {
  return biasedCodes(uvec4(bitfieldExtract(w0, 6, 10), w0 >> 22, bitfieldExtract(w1, 6, 10), w1 >> 22));
}

// Four luma samples of row y starting at pixel x (x a multiple of 4), as biased codes.
vec4 luma4(uint x, uint y) {
  if (pc.layoutId == 0u) {
    uint w = plane0[FRAME].words[(pc.offset0 + y * pc.pitch0 + x) >> 2];
    return bytesBiased(w);
  }
  uint a = (pc.offset0 + y * pc.pitch0 + x * 2u) >> 2;
  return p010Biased(plane0[FRAME].words[a], plane0[FRAME].words[a + 1u]);
}

// Two chroma pairs (Cb0, Cr0, Cb1, Cr1) of chroma row cy starting at chroma sample cx (even).
vec4 chroma2(uint cx, uint cy) {
  if (pc.layoutId == 0u) return bytesBiased(plane1[FRAME].words[(pc.offset1 + cy * pc.pitch1 + cx * 2u) >> 2]);
  uint a = (pc.offset1 + cy * pc.pitch1 + cx * 4u) >> 2;
  return p010Biased(plane1[FRAME].words[a], plane1[FRAME].words[a + 1u]);
}

// The (Cb, Cr) codes of chroma sample c, for chroma.glsl (bilinear chroma).
vec2 chromaSample(ivec2 c) {
  uint a = pc.offset1 + uint(c.y) * pc.pitch1 + uint(c.x) * (pc.layoutId == 0u ? 2u : 4u);
  uint w = plane1[FRAME].words[a >> 2];
  if (pc.layoutId == 0u) return vec2(bitfieldExtract(w, int(a & 3u) * 8, 8), bitfieldExtract(w, int(a & 3u) * 8 + 8, 8));
  return vec2(bitfieldExtract(w, 6, 10), w >> 22);
}

#include "chroma.glsl"

// Four pixels of row y from x with bilinear chroma, from the thread's chroma block.
uvec4 row4Bilinear(uint x, uint y, ChromaBlock block, ivec2 origin) {
  vec4 Y = luma4(x, y);
  uint o[4];
  for (int i = 0; i < 4; i++) {
    vec3 C = chromaTermsCodes(pc.color, chromaFromBlock(block, origin, ivec2(int(x) + i, int(y))));
    o[i] = packRgba8(lumaPlusChroma(pc.color, Y[i], C));
  }
  return uvec4(o[0], o[1], o[2], o[3]);
}

uvec4 row4(vec4 Y, vec3 C0, vec3 C1) {
  return uvec4(
    packRgba8(lumaPlusChroma(pc.color, Y.x, C0)),
    packRgba8(lumaPlusChroma(pc.color, Y.y, C0)),
    packRgba8(lumaPlusChroma(pc.color, Y.z, C1)),
    packRgba8(lumaPlusChroma(pc.color, Y.w, C1)));
}

void main() {
  uint x = gl_GlobalInvocationID.x * 4u, cy = gl_GlobalInvocationID.y, y = cy * 2u;
  if (x >= pc.width || y >= pc.height) return;
  if (bilinearChroma()) {
    ivec2 origin = ivec2(x >> 1, cy);
    ChromaBlock block = chromaBlock(origin, chromaPlaneSize());
    rgba[FRAME].pixels[(y * pc.outPitch + x) >> 2] = row4Bilinear(x, y, block, origin);
    if (y + 1u < pc.height)
      rgba[FRAME].pixels[((y + 1u) * pc.outPitch + x) >> 2] = row4Bilinear(x, y + 1u, block, origin);
    return;
  }
  vec4 C = chroma2(x >> 1, cy);
  vec3 C0 = chromaTerms(pc.color, C.x, C.y), C1 = chromaTerms(pc.color, C.z, C.w);
  rgba[FRAME].pixels[(y * pc.outPitch + x) >> 2] = row4(luma4(x, y), C0, C1);
  if (y + 1u < pc.height) rgba[FRAME].pixels[((y + 1u) * pc.outPitch + x) >> 2] = row4(luma4(x, y + 1u), C0, C1);
}
