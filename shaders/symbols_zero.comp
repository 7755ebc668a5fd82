#version 450
// The zero-writer: the stream of a frame whose residuals are all zero (every block SKIP, every
// digit 0, i.e. every trit byte 1+3+9+27+81 = 121). It also resets a frame before encoding.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 64) in;
#include "symbols.glsl"

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i == 0u) {
    header[0] = 0x54495254u; header[1] = 1u; header[2] = pc.width; header[3] = pc.height;
    header[4] = pc.block; header[5] = pc.planes; header[6] = 1u; header[7] = pc.blocksX;
    header[8] = pc.blocksY; header[9] = pc.wordsPerPlane * 4u; header[10] = pc.frameIndex;
    header[11] = 0u; header[12] = 0u; header[13] = 0u; header[14] = 0u; header[15] = 0u;
  }
  if (i < pc.wordsPerPlane * pc.planes) trits[i] = 0x79797979u; // 121 in each byte
  if (i < pc.blocksX * pc.blocksY * 4u) blocks[i] = 0u;
}
