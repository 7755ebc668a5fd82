#version 450
// Image-import vectorised conversion, one frame a dispatch. yuv_to_rgba_image_x4_batch.comp builds
// the same body for several: indexing descriptor arrays by workgroup cost a single frame's
// dispatch up to a tenth of its speed on the H100, so a lone frame gets plain descriptors.
#extension GL_GOOGLE_include_directive : require
#define BATCH 1
#define FRAME 0
#include "yuv_to_rgba_image_x4.glsl"
