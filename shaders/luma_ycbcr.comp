#version 450
// Luma of a frame imported as one multi-planar image, read through its YCbCr sampler (G is Y;
// see yuv_to_rgba_ycbcr.comp) -> packed R8, as luma_buffer.comp.
layout(local_size_x = 64, local_size_y = 4) in;

layout(binding = 0) uniform sampler2D frame;
layout(std430, binding = 1) writeonly buffer Out { uint luma[]; };

// layoutId: 0 8-bit, 1 P010 (10 significant bits: the top 8 are kept)
layout(push_constant) uniform Push { uint width, height, layoutId, outWords, offset0, pitch0; } pc;

void main() {
  uint word = gl_GlobalInvocationID.x, y = gl_GlobalInvocationID.y;
  if (word >= pc.outWords || y >= pc.height) return;
  float scale = pc.layoutId == 0u ? 255.0 : 1023.0;
  vec2 size = vec2(pc.width, pc.height);
  uint packed = 0u;
  for (uint i = 0u; i < 4u; i++) {
    uint x = word * 4u + i;
    if (x >= pc.width) break;
    uint v = uint(round(textureLod(frame, (vec2(x, y) + 0.5) / size, 0.0).g * scale));
    packed |= (pc.layoutId == 0u ? v : v >> 2) << (8u * i);
  }
  luma[y * pc.outWords + word] = packed;
}
