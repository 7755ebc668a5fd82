// NV12 / P010 imported as plane images -> packed RGBA8, vectorised like yuv_to_rgba_buffer_x4.comp:
// one thread per 4x2 pixels, each chroma sample loaded once, one uvec4 store a row. For widths that
// are a multiple of 4; yuv_to_rgba_image.comp handles the rest and 3-plane frames.
// The planes are read as sampled images with texelFetch: on the H100 that beat storage-image
// loads (1080p: 80-82% of a plain copy against 75%), and gathers of 2x2 texels did no better.
#include "color.glsl"

layout(local_size_x = 32, local_size_y = 4) in;

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

// The (Cb, Cr) codes of chroma sample c, for chroma.glsl (bilinear chroma).
vec2 chromaSample(ivec2 c) {
  vec2 v = texelFetch(chromaPlane1[FRAME], c, 0).rg;
  return vec2(biased(v.x), biased(v.y)) - BIAS;
}

#include "chroma.glsl"

// Four pixels of row y from x with bilinear chroma, from the thread's chroma block.
uvec4 row4Bilinear(int x, int y, ChromaBlock block, ivec2 origin) {
  uint o[4];
  for (int i = 0; i < 4; i++) {
    vec3 C = chromaTermsCodes(pc.color, chromaFromBlock(block, origin, ivec2(x + i, y)));
    o[i] = packRgba8(lumaPlusChroma(pc.color, biased(texelFetch(lumaPlane[FRAME], ivec2(x + i, y), 0).r), C));
  }
  return uvec4(o[0], o[1], o[2], o[3]);
}

uvec4 row4(int x, int y, vec3 C0, vec3 C1) {
  uint o[4];
  for (int i = 0; i < 4; i++)
    o[i] = packRgba8(lumaPlusChroma(pc.color, biased(texelFetch(lumaPlane[FRAME], ivec2(x + i, y), 0).r), i < 2 ? C0 : C1));
  return uvec4(o[0], o[1], o[2], o[3]);
}

void main() {
  int x = int(gl_GlobalInvocationID.x) * 4, cy = int(gl_GlobalInvocationID.y), y = cy * 2;
  if (x >= int(pc.width) || y >= int(pc.height)) return;
  if (bilinearChroma()) {
    ivec2 origin = ivec2(x / 2, cy);
    ChromaBlock block = chromaBlock(origin, chromaPlaneSize());
    rgba[FRAME].pixels[(uint(y) * pc.outPitch + uint(x)) >> 2] = row4Bilinear(x, y, block, origin);
    if (y + 1 < int(pc.height))
      rgba[FRAME].pixels[(uint(y + 1) * pc.outPitch + uint(x)) >> 2] = row4Bilinear(x, y + 1, block, origin);
    return;
  }
  vec2 c0 = texelFetch(chromaPlane1[FRAME], ivec2(x / 2, cy), 0).rg, c1 = texelFetch(chromaPlane1[FRAME], ivec2(x / 2 + 1, cy), 0).rg;
  vec3 C0 = chromaTerms(pc.color, biased(c0.x), biased(c0.y)), C1 = chromaTerms(pc.color, biased(c1.x), biased(c1.y));
  rgba[FRAME].pixels[(uint(y) * pc.outPitch + uint(x)) >> 2] = row4(x, y, C0, C1);
  if (y + 1 < int(pc.height)) rgba[FRAME].pixels[(uint(y + 1) * pc.outPitch + uint(x)) >> 2] = row4(x, y + 1, C0, C1);
}
