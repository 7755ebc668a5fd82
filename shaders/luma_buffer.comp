#version 450
// Luma of a 4:2:0 frame in linear buffers -> packed R8 (4 pixels a word, rows of `outWords` words).
// 10-bit sources keep their top 8 bits.
layout(local_size_x = 64, local_size_y = 4) in;

layout(std430, binding = 0) readonly buffer Plane0 { uint plane0[]; };
layout(std430, binding = 1) writeonly buffer Out { uint luma[]; };

// layoutId: 0 8-bit, 1 P010 (10 bits high in 16), 2 10 bits low in 16 (S010)
layout(push_constant) uniform Push { uint width, height, layoutId, outWords, offset0, pitch0; } pc;

uint sampleAt(uint x, uint y) {
  if (pc.layoutId == 0u) {
    uint a = pc.offset0 + y * pc.pitch0 + x;
    return (plane0[a >> 2] >> ((a & 3u) * 8u)) & 0xffu;
  }
  uint a = pc.offset0 + y * pc.pitch0 + x * 2u;
  uint v = (plane0[a >> 2] >> ((a & 2u) * 8u)) & 0xffffu;
  return pc.layoutId == 1u ? v >> 8 : (v & 0x3ffu) >> 2;
}

void main() {
  uint word = gl_GlobalInvocationID.x, y = gl_GlobalInvocationID.y;
  if (word >= pc.outWords || y >= pc.height) return;
  uint packed = 0u;
  for (uint i = 0u; i < 4u; i++) {
    uint x = word * 4u + i;
    if (x < pc.width) packed |= sampleAt(x, y) << (8u * i);
  }
  luma[y * pc.outWords + word] = packed;
}
