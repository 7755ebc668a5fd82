#version 450
// Buffer-import vectorised conversion, up to BATCH frames of one size and layout a dispatch, FRAME
// (workgroup z) picking each one's planes and target. yuv_to_rgba_buffer_x4.comp: one frame.
#extension GL_GOOGLE_include_directive : require
#define BATCH 8
#define FRAME gl_WorkGroupID.z
#include "yuv_to_rgba_buffer_x4.glsl"
