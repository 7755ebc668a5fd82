// NV12 / P010 in linear buffers -> packed RGBA8, vectorised: one thread per 4x2 pixels (one 4:2:0
// chroma pair row), whole-word loads and one uvec4 store per row. For widths that are a multiple
// of 4 and planes whose offsets and pitches are multiples of 4 bytes; yuv_to_rgba_buffer.comp
// handles the rest. Same push constants and colour maths.
// Included by yuv_to_rgba_buffer_x4.comp (one frame) and _batch.comp (up to BATCH frames of one
// size and layout, FRAME = workgroup z picking each one's planes and target; one 1080p frame alone
// fills about one wave of the H100, so its start and tail cost a share of its time).
#include "color.glsl"

// Each thread converts 4x2 pixels whatever the workgroup's shape, which the converter sets (constants
// 0 and 1) to what it measured fastest for the frame's size (lib/vulkan/dispatch.ts).
layout(local_size_x_id = 0, local_size_y_id = 1) in;

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

#include "chroma.glsl"

// Plain codes (Cb0, Cr0, Cb1, Cr1) from integer ones, through the bias (no conversion instructions).
vec4 codes(uvec4 c) { return biasedCodes(c) - BIAS; }

// Chroma samples cx - 1 .. cx + 2 of chroma row cy (cx even), clamped to the row, as (Cb, Cr)
// codes: the word holding cx and cx + 1 and, for NV12, half of each neighbouring word.
Chroma4 chromaRow(uint cx, uint cy, uint chromaWidth) {
  uint row = pc.offset1 + cy * pc.pitch1;
  if (pc.layoutId == 0u) {
    uint a = (row + cx * 2u) >> 2;
    uint w = plane1[FRAME].words[a];
    uint before = cx > 0u ? plane1[FRAME].words[a - 1u] >> 16 : w;
    uint after = cx + 2u < chromaWidth ? plane1[FRAME].words[a + 1u] : w >> 16;
    vec4 mid = codes(uvec4(w, w >> 8, w >> 16, w >> 24) & 0xffu);
    vec4 edges = codes(uvec4(before, before >> 8, after, after >> 8) & 0xffu);
    return Chroma4(edges.xy, mid.xy, mid.zw, edges.zw);
  }
  uint a = (row + cx * 4u) >> 2;
  uint w1 = plane1[FRAME].words[a], w2 = plane1[FRAME].words[a + 1u];
  uint w0 = cx > 0u ? plane1[FRAME].words[a - 1u] : w1;
  uint w3 = cx + 2u < chromaWidth ? plane1[FRAME].words[a + 2u] : w2;
  vec4 mid = codes(uvec4(bitfieldExtract(w1, 6, 10), w1 >> 22, bitfieldExtract(w2, 6, 10), w2 >> 22));
  vec4 edges = codes(uvec4(bitfieldExtract(w0, 6, 10), w0 >> 22, bitfieldExtract(w3, 6, 10), w3 >> 22));
  return Chroma4(edges.xy, mid.xy, mid.zw, edges.zw);
}

void main() {
  uint x = gl_GlobalInvocationID.x * 4u, cy = gl_GlobalInvocationID.y, y = cy * 2u;
  if (x >= pc.width || y >= pc.height) return;
  uint top = (y * pc.outPitch + x) >> 2, bottom = ((y + 1u) * pc.outPitch + x) >> 2;
  bool second = y + 1u < pc.height;
  if (bilinearChroma()) {
    uvec2 size = uvec2(chromaPlaneSize());
    uint cx = x >> 1;
    Chroma4 at = chromaRow(cx, cy, size.x);
    Chroma4 above = chromaNeedsAbove() && cy > 0u ? chromaRow(cx, cy - 1u, size.x) : at;
    Chroma4 below = chromaNeedsBelow() && cy + 1u < size.y ? chromaRow(cx, cy + 1u, size.x) : at;
    Chroma4 upper, lower;
    chroma4x2(above, at, below, upper, lower);
    rgba[FRAME].pixels[top] = rgba8Row4(luma4(x, y), upper);
    if (second) rgba[FRAME].pixels[bottom] = rgba8Row4(luma4(x, y + 1u), lower);
    return;
  }
  vec4 C = chroma2(x >> 1, cy);
  vec3 C0 = chromaTerms(pc.color, C.x, C.y), C1 = chromaTerms(pc.color, C.z, C.w);
  rgba[FRAME].pixels[top] = rgba8Row4Nearest(luma4(x, y), C0, C1);
  if (second) rgba[FRAME].pixels[bottom] = rgba8Row4Nearest(luma4(x, y + 1u), C0, C1);
}
