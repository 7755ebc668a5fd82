#version 450
// NV12 / P010 imported as plane images -> packed RGBA8, vectorised like yuv_to_rgba_buffer_x4.comp:
// one thread per 4x2 pixels, each chroma sample loaded once, one uvec4 store a row. For widths that
// are a multiple of 4; yuv_to_rgba_image.comp handles the rest and 3-plane frames.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_image_load_formatted : require
#include "color.glsl"

layout(local_size_x = 64, local_size_y = 2) in;

layout(binding = 0) uniform readonly image2D lumaPlane;
layout(binding = 1) uniform readonly image2D chromaPlane1;
layout(binding = 2) uniform readonly image2D chromaPlane2;
layout(std430, binding = 3) writeonly buffer Out { uvec4 rgba[]; };

layout(push_constant) uniform Push {
  uint width, height, layoutId, outputFormat;
  uint reserved1, reserved2, reserved3, reserved4;
  uint reserved5, reserved6, outPitch, reserved7;
  ColorParams color;
} pc;

// UNORM views give v / (2^n - 1); back to integer codes (P010 keeps 10 bits high in 16).
float code(float v) {
  return pc.layoutId == 1u ? floor(round(v * 65535.0) / 64.0) : round(v * 255.0);
}

uvec4 row4(int x, int y, vec4 C) {
  uint o[4];
  for (int i = 0; i < 4; i++) {
    vec2 c = i < 2 ? C.xy : C.zw;
    o[i] = packRgba8(yuvToRgb(pc.color, code(imageLoad(lumaPlane, ivec2(x + i, y)).r), c.x, c.y));
  }
  return uvec4(o[0], o[1], o[2], o[3]);
}

void main() {
  int x = int(gl_GlobalInvocationID.x) * 4, cy = int(gl_GlobalInvocationID.y), y = cy * 2;
  if (x >= int(pc.width) || y >= int(pc.height)) return;
  vec2 c0 = imageLoad(chromaPlane1, ivec2(x / 2, cy)).rg, c1 = imageLoad(chromaPlane1, ivec2(x / 2 + 1, cy)).rg;
  vec4 C = vec4(code(c0.x), code(c0.y), code(c1.x), code(c1.y));
  rgba[(uint(y) * pc.outPitch + uint(x)) >> 2] = row4(x, y, C);
  if (y + 1 < int(pc.height)) rgba[(uint(y + 1) * pc.outPitch + uint(x)) >> 2] = row4(x, y + 1, C);
}
