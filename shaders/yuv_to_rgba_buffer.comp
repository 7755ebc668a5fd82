#version 450
// YCbCr 4:2:0 in linear buffers (planes addressed by offset/pitch) -> packed RGBA8.
// The buffer-import path: dma_bufs imported as VkBuffers (lavapipe, memfds, linear surfaces).
#extension GL_GOOGLE_include_directive : require
#include "color.glsl"

layout(local_size_x = 16, local_size_y = 16) in;

layout(std430, binding = 0) readonly buffer Plane0 { uint plane0[]; };
layout(std430, binding = 1) readonly buffer Plane1 { uint plane1[]; };
layout(std430, binding = 2) readonly buffer Plane2 { uint plane2[]; };
layout(std430, binding = 3) writeonly buffer Out { uint rgba[]; };

#include "convert_push.glsl"

uint byteAt0(uint a) { return (plane0[a >> 2] >> ((a & 3u) * 8u)) & 0xffu; }
uint byteAt1(uint a) { return (plane1[a >> 2] >> ((a & 3u) * 8u)) & 0xffu; }
uint byteAt2(uint a) { return (plane2[a >> 2] >> ((a & 3u) * 8u)) & 0xffu; }
uint halfAt0(uint a) { return (plane0[a >> 2] >> ((a & 2u) * 8u)) & 0xffffu; }
uint halfAt1(uint a) { return (plane1[a >> 2] >> ((a & 2u) * 8u)) & 0xffffu; }
uint halfAt2(uint a) { return (plane2[a >> 2] >> ((a & 2u) * 8u)) & 0xffffu; }

#include "store_rgba.glsl"

// The (Cb, Cr) codes of chroma sample c, for chroma.glsl.
vec2 chromaSample(ivec2 ci) {
  uvec2 c = uvec2(ci);
  if (pc.layoutId == 0u) {
    uint a = pc.offset1 + c.y * pc.pitch1 + c.x * 2u;
    return vec2(byteAt1(a), byteAt1(a + 1u));
  }
  if (pc.layoutId == 1u) {
    // P010: 10 bits in the high bits of each 16-bit sample.
    uint a = pc.offset1 + c.y * pc.pitch1 + c.x * 4u;
    return vec2(halfAt1(a) >> 6, halfAt1(a + 2u) >> 6);
  }
  if (pc.layoutId == 2u)
    return vec2(byteAt1(pc.offset1 + c.y * pc.pitch1 + c.x), byteAt2(pc.offset2 + c.y * pc.pitch2 + c.x));
  return vec2(
    halfAt1(pc.offset1 + c.y * pc.pitch1 + c.x * 2u) & 0x3ffu,
    halfAt2(pc.offset2 + c.y * pc.pitch2 + c.x * 2u) & 0x3ffu);
}

#include "chroma_pixel.glsl"

void main() {
  uvec2 p = gl_GlobalInvocationID.xy;
  if (p.x >= pc.width || p.y >= pc.height) return;
  uint Y;
  if (pc.layoutId == 0u || pc.layoutId == 2u) Y = byteAt0(pc.offset0 + p.y * pc.pitch0 + p.x);
  else if (pc.layoutId == 1u) Y = halfAt0(pc.offset0 + p.y * pc.pitch0 + p.x * 2u) >> 6;
  else Y = halfAt0(pc.offset0 + p.y * pc.pitch0 + p.x * 2u) & 0x3ffu;
  storeRgba(p.y * pc.outPitch + p.x, yuvToRgb(pc.color, float(Y), chromaAt(ivec2(p), chromaPlaneSize())));
}
