#version 450
// NV12 / P010 in linear buffers -> packed RGBA8, vectorised: one thread per 4x2 pixels (one 4:2:0
// chroma pair row), whole-word loads and one uvec4 store per row. For widths that are a multiple
// of 4 and planes whose offsets and pitches are multiples of 4 bytes; yuv_to_rgba_buffer.comp
// handles the rest. Same push constants and colour maths.
#extension GL_GOOGLE_include_directive : require
#include "color.glsl"

layout(local_size_x = 64, local_size_y = 2) in;

layout(std430, binding = 0) readonly buffer Plane0 { uint plane0[]; };
layout(std430, binding = 1) readonly buffer Plane1 { uint plane1[]; };
layout(std430, binding = 2) readonly buffer Plane2 { uint plane2[]; };
layout(std430, binding = 3) writeonly buffer Out { uvec4 rgba[]; };

layout(push_constant) uniform Push {
  uint width, height, layoutId, outputFormat;
  uint offset0, offset1, offset2, pitch0;
  uint pitch1, pitch2, outPitch, reserved2;
  ColorParams color;
} pc;

// Four luma samples of row y starting at pixel x (x a multiple of 4).
uvec4 luma4(uint x, uint y) {
  if (pc.layoutId == 0u) {
    uint w = plane0[(pc.offset0 + y * pc.pitch0 + x) >> 2];
    return uvec4(w & 0xffu, (w >> 8) & 0xffu, (w >> 16) & 0xffu, w >> 24);
  }
  uint a = (pc.offset0 + y * pc.pitch0 + x * 2u) >> 2;
  uint w0 = plane0[a], w1 = plane0[a + 1u];
  return uvec4(w0 & 0xffffu, w0 >> 16, w1 & 0xffffu, w1 >> 16) >> 6;
}

// Two chroma pairs (Cb0, Cr0, Cb1, Cr1) of chroma row cy starting at chroma sample cx (even).
uvec4 chroma2(uint cx, uint cy) {
  if (pc.layoutId == 0u) {
    uint w = plane1[(pc.offset1 + cy * pc.pitch1 + cx * 2u) >> 2];
    return uvec4(w & 0xffu, (w >> 8) & 0xffu, (w >> 16) & 0xffu, w >> 24);
  }
  uint a = (pc.offset1 + cy * pc.pitch1 + cx * 4u) >> 2;
  uint w0 = plane1[a], w1 = plane1[a + 1u];
  return uvec4(w0 & 0xffffu, w0 >> 16, w1 & 0xffffu, w1 >> 16) >> 6;
}

uvec4 row4(uvec4 Y, uvec4 C) {
  return uvec4(
    packRgba8(yuvToRgb(pc.color, float(Y.x), float(C.x), float(C.y))),
    packRgba8(yuvToRgb(pc.color, float(Y.y), float(C.x), float(C.y))),
    packRgba8(yuvToRgb(pc.color, float(Y.z), float(C.z), float(C.w))),
    packRgba8(yuvToRgb(pc.color, float(Y.w), float(C.z), float(C.w))));
}

void main() {
  uint x = gl_GlobalInvocationID.x * 4u, cy = gl_GlobalInvocationID.y, y = cy * 2u;
  if (x >= pc.width || y >= pc.height) return;
  uvec4 C = chroma2(x >> 1, cy);
  rgba[(y * pc.outPitch + x) >> 2] = row4(luma4(x, y), C);
  if (y + 1u < pc.height) rgba[((y + 1u) * pc.outPitch + x) >> 2] = row4(luma4(x, y + 1u), C);
}
