#version 450
// |a - b| of two packed R8 luma frames, plus the frame's sum and a 256-bin histogram of the
// differences (read back as 257 words: the only bytes the CPU sees).
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer LumaA { uint a[]; };
layout(std430, binding = 1) readonly buffer LumaB { uint b[]; };
layout(std430, binding = 2) writeonly buffer Diff { uint diff[]; };
layout(std430, binding = 3) buffer Stats { uint sum; uint histogram[256]; } stats;

layout(push_constant) uniform Push { uint width, height, words; } pc;

shared uint localHistogram[256];
shared uint localSum;

void main() {
  uint lid = gl_LocalInvocationID.x;
  localHistogram[lid] = 0u;
  if (lid == 0u) localSum = 0u;
  barrier();
  uint w = gl_GlobalInvocationID.x;
  uint rowWords = pc.words / pc.height;
  if (w < pc.words) {
    uint x0 = (w % rowWords) * 4u;
    uint va = a[w], vb = b[w], packed = 0u, total = 0u;
    for (uint i = 0u; i < 4u; i++) {
      if (x0 + i >= pc.width) break;
      uint pa = (va >> (8u * i)) & 0xffu, pb = (vb >> (8u * i)) & 0xffu;
      uint d = pa > pb ? pa - pb : pb - pa;
      packed |= d << (8u * i);
      total += d;
      atomicAdd(localHistogram[d], 1u);
    }
    diff[w] = packed;
    atomicAdd(localSum, total);
  }
  barrier();
  if (localHistogram[lid] != 0u) atomicAdd(stats.histogram[lid], localHistogram[lid]);
  if (lid == 0u && localSum != 0u) atomicAdd(stats.sum, localSum);
}
