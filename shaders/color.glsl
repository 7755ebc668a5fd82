// Shared YCbCr -> RGB maths for every conversion shader. The host (lib/color.ts) turns the
// frame's matrix, range and bit depth into these push constants, so the shaders hold no tables.
//   y' = (Y - yOffset) * yScale         cb' = (Cb - cOffset) * cScale     (same for cr')
//   R = y' + crR*cr'   G = y' + (cbG*cb' + crG*cr')   B = y' + cbB*cb'
// Chroma comes in as codes already reconstructed at the pixel (chroma.glsl: bilinear at the
// stream's siting, or the point sample (x/2, y/2) libswscale's point scaler picks).
struct ColorParams {
  float yOffset, yScale, cOffset, cScale;
  float crR, cbG, crG, cbB;
};

// Integer codes cross into float and back as 2^23 + code, the code sitting in the mantissa: an OR
// and an add instead of int<->float conversions, which NVIDIA runs at a quarter of the FMA rate.
// Exact for codes below 2^23.
const float BIAS = 8388608.0;
vec4 biasedCodes(uvec4 codes) { return uintBitsToFloat(codes | 0x4B000000u); }

// `precise` keeps every multiply and add its own IEEE rounding: no driver may fuse them (NVIDIA's
// does, lavapipe's does not), so every device gives the same bytes. The subtractions of biased
// codes are exact.
// The chroma part of R, G and B, shared by the pixels of one chroma sample (biased codes in).
vec3 chromaTerms(ColorParams c, float biasedCb, float biasedCr) {
  precise float cb = (biasedCb - (BIAS + c.cOffset)) * c.cScale;
  precise float cr = (biasedCr - (BIAS + c.cOffset)) * c.cScale;
  precise vec3 terms = vec3(c.crR * cr, c.cbG * cb + c.crG * cr, c.cbB * cb);
  return terms;
}

vec3 lumaPlusChroma(ColorParams c, float biasedY, vec3 chroma) {
  precise vec3 rgb = (biasedY - (BIAS + c.yOffset)) * c.yScale + chroma;
  return clamp(rgb, 0.0, 1.0);
}

// The same from plain codes: a bilinear chroma value has a fractional part (a multiple of 1/16)
// that biasing would round away. Equal to chromaTerms for whole codes (both subtractions exact).
vec3 chromaTermsCodes(ColorParams c, vec2 codes) {
  precise vec2 cbcr = (codes - c.cOffset) * c.cScale;
  precise vec3 terms = vec3(c.crR * cbcr.y, c.cbG * cbcr.x + c.crG * cbcr.y, c.cbB * cbcr.x);
  return terms;
}

vec3 yuvToRgb(ColorParams c, float Y, vec2 chroma) {
  return lumaPlusChroma(c, Y + BIAS, chromaTermsCodes(c, chroma));
}

// Nearest code: adding 2^23 to a value in [0, 2^16) leaves it rounded in the low mantissa bits.
uint packRgba8(vec3 rgb) {
  precise vec3 biased = rgb * 255.0 + BIAS;
  uvec3 v = floatBitsToUint(biased) & 0xffu;
  return v.r | (v.g << 8) | (v.b << 16) | 0xff000000u;
}

uvec2 packRgba16(vec3 rgb) {
  precise vec3 biased = rgb * 65535.0 + BIAS;
  uvec3 v = floatBitsToUint(biased) & 0xffffu;
  return uvec2(v.r | (v.g << 16), v.b | 0xffff0000u);
}
