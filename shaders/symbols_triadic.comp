#version 450
// The triadic path: each pixel's residual against the previous frame's luma, clamped to what
// `planes` balanced-ternary digits hold, written as digit planes (5 trits a byte); blocks marked
// CODE when any residual is nonzero. One thread per trit word: 20 pixels.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 64) in;
#include "symbols.glsl"

uint lumaAt(uint x, uint y) { return (luma[y * pc.rowWords + (x >> 2)] >> ((x & 3u) * 8u)) & 0xffu; }
uint previousAt(uint x, uint y) { return pc.hasPrevious != 0u ? (previous[y * pc.rowWords + (x >> 2)] >> ((x & 3u) * 8u)) & 0xffu : 0u; }

void main() {
  uint w = gl_GlobalInvocationID.x;
  if (w >= pc.wordsPerPlane) return;
  uint pixels = pc.width * pc.height;
  uint words[5] = uint[5](0u, 0u, 0u, 0u, 0u);
  uint clampedHere = 0u, nonzeroHere = 0u;
  for (uint j = 0u; j < 4u; j++) {
    uint bytes[5] = uint[5](0u, 0u, 0u, 0u, 0u);
    for (int i = 4; i >= 0; i--) {
      uint p = w * 20u + j * 5u + uint(i);
      int digits[5] = int[5](0, 0, 0, 0, 0);
      if (p < pixels) {
        uint x = p % pc.width, y = p / pc.width;
        int raw = int(lumaAt(x, y)) - int(previousAt(x, y));
        int m = int(pc.maxResidual);
        int r = clamp(raw, -m, m);
        uint clamped = r != raw ? 1u : 0u;
        uint nz = 0u;
        int v = r;
        for (uint k = 0u; k < pc.planes; k++) {
          int d = (v + 363) % 3; // GLSL's % is undefined for negatives; 363 = 3 * 121 >= |v|
          if (d == 2) d = -1;
          v = (v - d) / 3;
          digits[k] = d;
          if (d != 0) nz++;
        }
        if (raw != 0) {
          uint b = (y / pc.block) * pc.blocksX + x / pc.block;
          if (atomicOr(blocks[b * 4u], 1u) == 0u) atomicAdd(header[H_CODE_BLOCKS], 1u);
          if (clamped != 0u) atomicAdd(blocks[b * 4u + 1u], 1u);
          atomicMax(blocks[b * 4u + 2u], uint(abs(raw)));
          if (nz != 0u) atomicAdd(blocks[b * 4u + 3u], nz);
        }
        clampedHere += clamped;
        nonzeroHere += nz;
      }
      for (uint k = 0u; k < pc.planes; k++) bytes[k] = bytes[k] * 3u + uint(digits[k] + 1);
    }
    for (uint k = 0u; k < pc.planes; k++) words[k] |= bytes[k] << (8u * j);
  }
  for (uint k = 0u; k < pc.planes; k++) trits[k * pc.wordsPerPlane + w] = words[k];
  if (clampedHere != 0u) atomicAdd(header[H_CLAMPED], clampedHere);
  if (nonzeroHere != 0u) atomicAdd(header[H_NONZERO], nonzeroHere);
}
