// Bindings and push constants shared by the symbol-stream kernels (contract: lib/symbols.ts).
layout(std430, binding = 0) buffer Header { uint header[16]; };
layout(std430, binding = 1) buffer Blocks { uint blocks[]; };   // 4 words a block: action, clamped, maxAbs, nonzeroDigits
layout(std430, binding = 2) buffer Trits { uint trits[]; };     // planes x wordsPerPlane words, 4 bytes of 5 trits each
layout(std430, binding = 3) readonly buffer Luma { uint luma[]; };       // packed R8, rows of rowWords words
layout(std430, binding = 4) readonly buffer Previous { uint previous[]; };

layout(push_constant) uniform Push {
  uint width, height, block, planes;
  uint rowWords, blocksX, blocksY, wordsPerPlane;
  uint hasPrevious, frameIndex, maxResidual, reserved;
} pc;

// Header word indices (StreamHeader in lib/symbols.ts).
const uint H_CODE_BLOCKS = 11u, H_CLAMPED = 12u, H_NONZERO = 13u;
