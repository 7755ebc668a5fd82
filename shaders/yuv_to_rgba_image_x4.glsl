// NV12 / P010 imported as plane images -> packed RGBA8, vectorised like yuv_to_rgba_buffer_x4.comp:
// one thread per 4x2 pixels, each chroma sample loaded once, one uvec4 store a row. For widths that
// are a multiple of 4; yuv_to_rgba_image.comp handles the rest and 3-plane frames.
// The planes are read as sampled images with texelFetch: on the H100 that beat storage-image
// loads (1080p: 80-82% of a plain copy against 75%), and gathers of 2x2 texels did no better.
#include "color.glsl"

// The workgroup's shape: as in yuv_to_rgba_buffer_x4.glsl, set by the converter.
layout(local_size_x_id = 0, local_size_y_id = 1) in;

// BATCH and FRAME as in yuv_to_rgba_buffer_x4.glsl.
layout(binding = 0) uniform sampler2D lumaPlane[BATCH];
layout(binding = 1) uniform sampler2D chromaPlane1[BATCH];
layout(binding = 2) uniform sampler2D chromaPlane2[BATCH];
layout(std430, binding = 3) writeonly buffer Out { uvec4 pixels[]; } rgba[BATCH];

#include "convert_push.glsl"

// UNORM views give v / (2^n - 1); back to biased integer codes (P010 keeps 10 bits high in 16).
float biased(float v) {
  if (pc.layoutId == 0u) return v * 255.0 + BIAS;
  return biasedCodes(uvec4(floatBitsToUint(v * 65535.0 + BIAS) >> 6) & 0x3ffu).x;
}

#include "chroma.glsl"

// Chroma samples cx - 1 .. cx + 2 of chroma row cy (cx even), clamped to the row, as (Cb, Cr) codes.
Chroma4 chromaRow(int cx, int cy, int chromaWidth) {
  vec2 s0 = texelFetch(chromaPlane1[FRAME], ivec2(max(cx - 1, 0), cy), 0).rg;
  vec2 s1 = texelFetch(chromaPlane1[FRAME], ivec2(cx, cy), 0).rg;
  vec2 s2 = texelFetch(chromaPlane1[FRAME], ivec2(cx + 1, cy), 0).rg;
  vec2 s3 = texelFetch(chromaPlane1[FRAME], ivec2(min(cx + 2, chromaWidth - 1), cy), 0).rg;
  return Chroma4(
    vec2(biased(s0.x), biased(s0.y)) - BIAS,
    vec2(biased(s1.x), biased(s1.y)) - BIAS,
    vec2(biased(s2.x), biased(s2.y)) - BIAS,
    vec2(biased(s3.x), biased(s3.y)) - BIAS);
}

vec4 luma4(int x, int y) {
  return vec4(
    biased(texelFetch(lumaPlane[FRAME], ivec2(x, y), 0).r),
    biased(texelFetch(lumaPlane[FRAME], ivec2(x + 1, y), 0).r),
    biased(texelFetch(lumaPlane[FRAME], ivec2(x + 2, y), 0).r),
    biased(texelFetch(lumaPlane[FRAME], ivec2(x + 3, y), 0).r));
}

void main() {
  int x = int(gl_GlobalInvocationID.x) * 4, cy = int(gl_GlobalInvocationID.y), y = cy * 2;
  if (x >= int(pc.width) || y >= int(pc.height)) return;
  uint top = (uint(y) * pc.outPitch + uint(x)) >> 2, bottom = (uint(y + 1) * pc.outPitch + uint(x)) >> 2;
  bool second = y + 1 < int(pc.height);
  if (bilinearChroma()) {
    ivec2 size = chromaPlaneSize();
    int cx = x / 2;
    Chroma4 at = chromaRow(cx, cy, size.x);
    Chroma4 above = chromaNeedsAbove() && cy > 0 ? chromaRow(cx, cy - 1, size.x) : at;
    Chroma4 below = chromaNeedsBelow() && cy + 1 < size.y ? chromaRow(cx, cy + 1, size.x) : at;
    Chroma4 upper, lower;
    chroma4x2(above, at, below, upper, lower);
    rgba[FRAME].pixels[top] = rgba8Row4(luma4(x, y), upper);
    if (second) rgba[FRAME].pixels[bottom] = rgba8Row4(luma4(x, y + 1), lower);
    return;
  }
  vec2 c0 = texelFetch(chromaPlane1[FRAME], ivec2(x / 2, cy), 0).rg, c1 = texelFetch(chromaPlane1[FRAME], ivec2(x / 2 + 1, cy), 0).rg;
  vec3 C0 = chromaTerms(pc.color, biased(c0.x), biased(c0.y)), C1 = chromaTerms(pc.color, biased(c1.x), biased(c1.y));
  rgba[FRAME].pixels[top] = rgba8Row4Nearest(luma4(x, y), C0, C1);
  if (second) rgba[FRAME].pixels[bottom] = rgba8Row4Nearest(luma4(x, y + 1), C0, C1);
}
