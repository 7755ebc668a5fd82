#version 450
// YCbCr 4:2:0 in imported plane images (one single-plane image per plane) -> packed RGBA8.
// The image-import path: dmabufs imported with an explicit DRM format modifier.
#extension GL_GOOGLE_include_directive : require
#include "color.glsl"

layout(local_size_x = 16, local_size_y = 16) in;

// Planes: luma (R8/R16), then chroma as one RG image (2-plane) or two R images (3-plane).
// Sampled, not storage: an imported image asks only for SAMPLED usage (see lib/vulkan/planes.ts).
layout(binding = 0) uniform sampler2D lumaPlane;
layout(binding = 1) uniform sampler2D chromaPlane1;
layout(binding = 2) uniform sampler2D chromaPlane2;
layout(std430, binding = 3) writeonly buffer Out { uint rgba[]; };

#include "convert_push.glsl"

#include "store_rgba.glsl"

// UNORM views give v / (2^n - 1); back to integer codes. P010 keeps 10 bits in the high bits.
vec2 codes(vec2 v) {
  if (pc.layoutId == 1u) return floor(round(v * 65535.0) / 64.0);
  return round(v * 255.0);
}

// The (Cb, Cr) codes of chroma sample c, for chroma.glsl.
vec2 chromaSample(ivec2 c) {
  if (pc.layoutId == 2u) return codes(vec2(texelFetch(chromaPlane1, c, 0).r, texelFetch(chromaPlane2, c, 0).r));
  return codes(texelFetch(chromaPlane1, c, 0).rg);
}

#include "chroma_pixel.glsl"

void main() {
  ivec2 p = ivec2(gl_GlobalInvocationID.xy);
  if (p.x >= int(pc.width) || p.y >= int(pc.height)) return;
  float Y = codes(vec2(texelFetch(lumaPlane, p, 0).r, 0.0)).x;
  storeRgba(uint(p.y) * pc.outPitch + uint(p.x), yuvToRgb(pc.color, Y, chromaAt(p, chromaPlaneSize())));
}
