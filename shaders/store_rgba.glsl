// Writing one converted pixel into the output buffer `rgba` (declared by the shader) as RGBA8 or
// RGBA16 (pc.outputFormat, from convert_push.glsl). Shared by the per-pixel conversion shaders.
void storeRgba(uint index, vec3 rgb) {
  if (pc.outputFormat == 0u) rgba[index] = packRgba8(rgb);
  else {
    uvec2 w = packRgba16(rgb);
    rgba[2u * index] = w.x;
    rgba[2u * index + 1u] = w.y;
  }
}
