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

void main() {
  ivec2 p = ivec2(gl_GlobalInvocationID.xy);
  if (p.x >= int(pc.width) || p.y >= int(pc.height)) return;
  ivec2 c = p >> 1;
  // UNORM views give v / (2^n - 1); back to integer codes. P010 keeps 10 bits in the high bits.
  float scale = pc.layoutId == 1u ? 65535.0 : 255.0;
  float Y = round(texelFetch(lumaPlane, p, 0).r * scale);
  vec2 C;
  if (pc.layoutId == 2u) C = vec2(texelFetch(chromaPlane1, c, 0).r, texelFetch(chromaPlane2, c, 0).r);
  else C = texelFetch(chromaPlane1, c, 0).rg;
  C = round(C * scale);
  if (pc.layoutId == 1u) {
    Y = floor(Y / 64.0);
    C = floor(C / 64.0);
  }
  storeRgba(uint(p.y) * pc.outPitch + uint(p.x), yuvToRgb(pc.color, Y, C.x, C.y));
}
