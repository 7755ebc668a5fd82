#version 450
// YCbCr 4:2:0 in one multi-planar image (the whole frame imported as one VkImage with explicit
// per-plane layouts) -> packed RGBA8/RGBA16. The image is read through a YCbCr-conversion sampler
// that does no maths (identity model, full range, midpoint chroma, nearest; lib/vulkan/ycbcr.ts):
// at a pixel's centre it gives that pixel's Y and chroma sample (x/2, y/2) as G, B (Cb) and R (Cr),
// the same codes the plane-image and buffer shaders read with nearest chroma, so the output is the
// same bytes; this path has no bilinear chroma (the converter reports "nearest" for it).
#extension GL_GOOGLE_include_directive : require
#include "color.glsl"

layout(local_size_x = 16, local_size_y = 16) in;

layout(binding = 0) uniform sampler2D frame;
layout(std430, binding = 3) writeonly buffer Out { uint rgba[]; };

#include "convert_push.glsl"
#include "store_rgba.glsl"

void main() {
  ivec2 p = ivec2(gl_GlobalInvocationID.xy);
  if (p.x >= int(pc.width) || p.y >= int(pc.height)) return;
  vec4 s = textureLod(frame, (vec2(p) + 0.5) / vec2(pc.width, pc.height), 0.0);
  // UNORM of the significant bits: 8-bit formats over 255, P010's 10X6 over 1023.
  float scale = pc.layoutId == 1u ? 1023.0 : 255.0;
  vec3 yuv = round(s.gbr * scale);
  storeRgba(uint(p.y) * pc.outPitch + uint(p.x), yuvToRgb(pc.color, yuv.x, yuv.yz));
}
