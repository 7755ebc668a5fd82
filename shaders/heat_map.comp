#version 450
// |a - b| (packed R8, as luma_diff.comp writes it) -> packed RGBA8 heat map, on the GPU: the
// preview shows it beside the frame with no CPU read. The same ramp as lib/png.ts heatMap:
// d' = min(255, 4d); R = min(255, 3d'), G = clamp(3d' - 255), B = max(0, 3d' - 510).
layout(local_size_x = 16, local_size_y = 16) in;

layout(std430, binding = 0) readonly buffer Diff { uint diff[]; };
layout(std430, binding = 1) writeonly buffer Out { uint rgba[]; };

layout(push_constant) uniform Push { uint width, height, rowWords; } pc;

void main() {
  uvec2 p = gl_GlobalInvocationID.xy;
  if (p.x >= pc.width || p.y >= pc.height) return;
  uint d = (diff[p.y * pc.rowWords + (p.x >> 2)] >> ((p.x & 3u) * 8u)) & 0xffu;
  int s = int(min(255u, d * 4u)) * 3;
  uint r = uint(min(255, s)), g = uint(clamp(s - 255, 0, 255)), b = uint(clamp(s - 510, 0, 255));
  rgba[p.y * pc.width + p.x] = r | (g << 8) | (b << 16) | 0xff000000u;
}
