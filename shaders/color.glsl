// Shared YCbCr -> RGB maths for every conversion shader. The host (lib/color.ts) turns the
// frame's matrix, range and bit depth into these push constants, so the shaders hold no tables.
//   y' = (Y - yOffset) * yScale         cb' = (Cb - cOffset) * cScale     (same for cr')
//   R = y' + crR*cr'   G = y' + cbG*cb' + crG*cr'   B = y' + cbB*cb'
// Chroma is point-sampled: pixel (x, y) takes chroma sample (x/2, y/2), the nearest one for
// centre-sited 4:2:0 and what libswscale's point scaler picks (the tests hold them to 1 LSB).
struct ColorParams {
  float yOffset, yScale, cOffset, cScale;
  float crR, cbG, crG, cbB;
};

vec3 yuvToRgb(ColorParams c, float Y, float Cb, float Cr) {
  float y = (Y - c.yOffset) * c.yScale;
  float cb = (Cb - c.cOffset) * c.cScale;
  float cr = (Cr - c.cOffset) * c.cScale;
  return clamp(vec3(y + c.crR * cr, y + c.cbG * cb + c.crG * cr, y + c.cbB * cb), 0.0, 1.0);
}

uint packRgba8(vec3 rgb) {
  uvec3 v = uvec3(rgb * 255.0 + 0.5);
  return v.r | (v.g << 8) | (v.b << 16) | (255u << 24);
}

uvec2 packRgba16(vec3 rgb) {
  uvec3 v = uvec3(rgb * 65535.0 + 0.5);
  return uvec2(v.r | (v.g << 16), v.b | (0xffffu << 16));
}
