// Push constants of every yuv_to_rgba shader: ConvertPush in lib/vulkan/convert.ts. Plane offsets
// and pitches are in bytes and matter to the buffer shaders; image shaders read the planes' views.
// layoutId: 0 NV12, 1 P010, 2 YUV420 (3-plane 8-bit), 3 YUV420_10 (3-plane, 10 bits low in 16)
// outputFormat: 0 RGBA8 (one uint per pixel), 1 RGBA16 (two uints per pixel).
// chroma: how chroma is reconstructed (chroma.glsl).
layout(push_constant) uniform Push {
  uint width, height, layoutId, outputFormat;
  uint offset0, offset1, offset2, pitch0;
  uint pitch1, pitch2, outPitch, chroma;
  ColorParams color;
} pc;
