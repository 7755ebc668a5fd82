#version 450
// Luma of a frame imported as plane images (R8 or R16 luma plane) -> packed R8, as luma_buffer.comp.
layout(local_size_x = 64, local_size_y = 4) in;

layout(binding = 0) uniform sampler2D lumaPlane;
layout(std430, binding = 1) writeonly buffer Out { uint luma[]; };

// layoutId: 0 8-bit (R8 view), 1 P010 (R16 view, 10 bits high)
layout(push_constant) uniform Push { uint width, height, layoutId, outWords, offset0, pitch0; } pc;

void main() {
  uint word = gl_GlobalInvocationID.x, y = gl_GlobalInvocationID.y;
  if (word >= pc.outWords || y >= pc.height) return;
  float scale = pc.layoutId == 0u ? 255.0 : 65535.0;
  uint packed = 0u;
  for (uint i = 0u; i < 4u; i++) {
    uint x = word * 4u + i;
    if (x >= pc.width) break;
    uint v = uint(round(texelFetch(lumaPlane, ivec2(x, y), 0).r * scale));
    packed |= (pc.layoutId == 0u ? v : v >> 8) << (8u * i);
  }
  luma[y * pc.outWords + word] = packed;
}
