// Layout truth: every hand-written struct layout, field offset table and constant against the
// real C headers, through a probe compiled with `cc`. A wrong offset fails here.
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import {
  CU_MEM_ACCESS_FLAGS_PROT_READWRITE,
  CU_MEM_ALLOC_GRANULARITY_RECOMMENDED,
  CU_MEM_ALLOCATION_TYPE_PINNED,
  CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR,
  CU_MEM_LOCATION_TYPE_DEVICE,
  cudaLayouts,
} from "../ffi/cuda";
import { drmIoctls, drmLayouts, UDMABUF_FLAGS_CLOEXEC } from "../ffi/drm";
import {
  AV_CODEC_CAP_DR1,
  AV_NOPTS_VALUE,
  AV_PKT_DATA_DISPLAYMATRIX,
  AV_PKT_FLAG_KEY,
  AV_TIME_BASE,
  AVFMT_FLAG_CUSTOM_IO,
  AVIOInterruptCB,
  AVSEEK_FLAG_BACKWARD,
  AVSEEK_FORCE,
  AVSEEK_SIZE,
  avFieldTables,
  avTableKey,
  avVersions,
  FF_THREAD_FRAME,
  FF_THREAD_SLICE,
  missingAvFields,
} from "../ffi/libav";
import {
  F_ADD_SEALS,
  F_DUPFD_CLOEXEC,
  F_SEAL_SHRINK,
  MFD_ALLOW_SEALING,
  MFD_CLOEXEC,
  O_CLOEXEC,
  O_NONBLOCK,
  POLLERR,
  POLLIN,
  POLLNVAL,
  PollFd,
  SEEK_END,
  SEEK_SET,
  Stat,
} from "../ffi/libc";
import { VAProfile } from "../ffi/libva";
import {
  SDL_EVENT_SIZE,
  SDL_INIT_VIDEO,
  SDL_KEYDOWN,
  SDL_QUIT,
  SDL_WINDOW_RESIZABLE,
  SDL_WINDOW_VULKAN,
  SDL_WINDOWEVENT,
  SDL_WINDOWEVENT_CLOSE,
  SDLK,
  sdlLayouts,
} from "../ffi/sdl";
import { drmDescriptorLayouts, loadShim, VVFrameDesc } from "../ffi/shim";
import type { StructLayout } from "../ffi/struct";
import * as vk from "../ffi/vulkan";
import { amdModifier, DRM_FORMAT, intelModifier, nvidiaBlockLinear2D } from "../lib/formats";
import { pixFmtIds } from "../lib/sources/libav";
import { tableFromHeaders } from "../scripts/libav-tables";
import { compilerMissing, runProbe } from "./support/cprobe";
import { libavMissing } from "./support/gate";
import { SWS } from "./support/swscale";

const skip =
  compilerMissing() ??
  (existsSync("/usr/include/vulkan/vulkan.h") &&
  existsSync("/usr/include/va/va.h") &&
  existsSync("/usr/include/x86_64-linux-gnu/libavutil/frame.h")
    ? libavMissing()
    : "the C headers are not installed (libvulkan-dev, libva-dev, libavutil-dev, libavcodec-dev, libavformat-dev, libdrm-dev)");
const HEADERS = [
  "stdio.h",
  "stddef.h",
  "poll.h",
  "unistd.h",
  "sys/stat.h",
  "sys/mman.h",
  "fcntl.h",
  "linux/udmabuf.h",
  "vulkan/vulkan.h",
  "SDL2/SDL.h",
  "va/va.h",
  "va/va_drm.h",
  "linux/dma-buf.h",
  "drm.h",
  "drm_mode.h",
  "drm_fourcc.h",
  "libavutil/frame.h",
  "libavutil/hwcontext.h",
  "libavutil/hwcontext_drm.h",
  "libavutil/hwcontext_vaapi.h",
  "libavutil/hwcontext_vulkan.h",
  "libavcodec/avcodec.h",
  "libavformat/avformat.h",
  "libavformat/avio.h",
  "libswscale/swscale.h",
];

type Check = { key: string; expected: bigint; c: string };
const checks: Check[] = [];
const sizeOf = (cType: string, key: string, expected: number) =>
  checks.push({ key: `sizeof:${key}`, expected: BigInt(expected), c: `(long long)sizeof(${cType})` });
const offsetOf = (cType: string, field: string, key: string, expected: number) =>
  checks.push({
    key: `offsetof:${key}.${field}`,
    expected: BigInt(expected),
    c: `(long long)offsetof(${cType}, ${field})`,
  });
const constant = (expr: string, expected: number | bigint, key = expr) =>
  checks.push({ key: `const:${key}`, expected: BigInt(expected), c: `(long long)(${expr})` });

function layout(cType: string, l: StructLayout<string>) {
  sizeOf(cType, l.name, l.size);
  for (const [f, info] of Object.entries(l.fields)) if (!f.startsWith("__pad")) offsetOf(cType, f, l.name, info.offset);
}

for (const l of Object.values(vk.vulkanLayouts)) layout(l.name, l as StructLayout<string>);
for (const l of Object.values(vk.vulkanPartialLayouts)) {
  sizeOf(l.name, l.name, l.size);
  for (const [f, o] of Object.entries(l.offsets)) offsetOf(l.name, f, l.name, o);
}
for (const [name, v] of Object.entries(vk.SType)) constant(`VK_STRUCTURE_TYPE_${name}`, v);
for (const [name, v] of Object.entries(vk.VkFormat)) constant(`VK_FORMAT_${name}`, v);
constant("VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT", vk.ExternalMemoryHandleType.DMA_BUF);
constant("VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT", vk.ExternalMemoryHandleType.OPAQUE_FD);
constant("VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT", vk.ExternalMemoryHandleType.HOST_ALLOCATION);
constant("VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT", vk.ImageTiling.DRM_FORMAT_MODIFIER_EXT);
constant("VK_IMAGE_ASPECT_MEMORY_PLANE_0_BIT_EXT", vk.ImageAspect.MEMORY_PLANE_0);
constant("VK_IMAGE_ASPECT_PLANE_1_BIT", vk.ImageAspect.PLANE_1);
constant("VK_QUEUE_VIDEO_DECODE_BIT_KHR", vk.QueueFlag.VIDEO_DECODE);
constant("VK_VIDEO_CODEC_OPERATION_DECODE_H264_BIT_KHR", vk.VideoCodecOperation.DECODE_H264);
constant("VK_VIDEO_CODEC_OPERATION_DECODE_H265_BIT_KHR", vk.VideoCodecOperation.DECODE_H265);
constant("VK_IMAGE_CREATE_DISJOINT_BIT", vk.ImageCreate.DISJOINT);
constant("VK_IMAGE_CREATE_EXTENDED_USAGE_BIT", vk.ImageCreate.EXTENDED_USAGE);
constant("VK_QUEUE_FAMILY_FOREIGN_EXT", vk.QUEUE_FAMILY_FOREIGN_EXT);
constant("VK_SAMPLER_YCBCR_MODEL_CONVERSION_RGB_IDENTITY", vk.Ycbcr.MODEL_RGB_IDENTITY);
constant("VK_SAMPLER_YCBCR_RANGE_ITU_FULL", vk.Ycbcr.RANGE_ITU_FULL);
constant("VK_CHROMA_LOCATION_MIDPOINT", vk.Ycbcr.CHROMA_MIDPOINT);
constant("VK_FILTER_NEAREST", vk.Ycbcr.FILTER_NEAREST);
constant("VK_ERROR_INVALID_DRM_FORMAT_MODIFIER_PLANE_LAYOUT_EXT", -1000158000);

layout("struct stat", Stat as StructLayout<string>);
layout("struct pollfd", PollFd as StructLayout<string>);
for (const [name, v] of Object.entries({ F_DUPFD_CLOEXEC, SEEK_SET, SEEK_END, POLLIN, POLLERR, POLLNVAL, O_NONBLOCK }))
  constant(name, v);
for (const [name, v] of Object.entries({
  AVFMT_FLAG_CUSTOM_IO,
  AVSEEK_SIZE,
  AVSEEK_FORCE,
  AV_CODEC_CAP_DR1,
  FF_THREAD_FRAME,
  FF_THREAD_SLICE,
}))
  constant(name, v);
for (const [name, v] of Object.entries(vk.FormatFeature)) constant(`VK_FORMAT_FEATURE_${name}_BIT`, v);
for (const [name, v] of Object.entries(vk.PipelineStage)) constant(`VK_PIPELINE_STAGE_${name}_BIT`, v);
constant("F_ADD_SEALS", F_ADD_SEALS);
constant("F_SEAL_SHRINK", F_SEAL_SHRINK);
constant("MFD_CLOEXEC", MFD_CLOEXEC);
constant("MFD_ALLOW_SEALING", MFD_ALLOW_SEALING);
constant("O_CLOEXEC", O_CLOEXEC);
constant("UDMABUF_FLAGS_CLOEXEC", UDMABUF_FLAGS_CLOEXEC);
for (const l of Object.values(drmLayouts)) layout(`struct ${l.name}`, l as StructLayout<string>);
for (const l of Object.values(sdlLayouts)) layout(l.name, l as StructLayout<string>);
sizeOf("SDL_Event", "SDL_Event", SDL_EVENT_SIZE);
for (const [name, v] of Object.entries({
  SDL_INIT_VIDEO,
  SDL_WINDOW_VULKAN,
  SDL_WINDOW_RESIZABLE,
  SDL_QUIT,
  SDL_WINDOWEVENT,
  SDL_KEYDOWN,
  SDL_WINDOWEVENT_CLOSE,
}))
  constant(name, v);
for (const [key, v] of Object.entries(SDLK)) constant(`SDLK_${key}`, v);
for (const [name, v] of Object.entries(drmIoctls)) constant(`${name} & 0xffffffffu`, v, name);
for (const [name, v] of Object.entries(DRM_FORMAT)) {
  if (name !== "S010") constant(`DRM_FORMAT_${name}`, v);
}
constant("DRM_FORMAT_MOD_LINEAR", 0n);
constant("DRM_FORMAT_MOD_INVALID", 0x00ffffffffffffffn);
for (const m of [
  "Y_TILED",
  "Y_TILED_GEN12_MC_CCS",
  "Y_TILED_GEN12_RC_CCS_CC",
  "4_TILED",
  "4_TILED_DG2_MC_CCS",
  "4_TILED_MTL_RC_CCS_CC",
]) {
  constant(`I915_FORMAT_MOD_${m}`, intelModifier(m));
}
constant(
  "DRM_FORMAT_MOD_NVIDIA_BLOCK_LINEAR_2D(0, 1, 2, 0x6, 4)",
  nvidiaBlockLinear2D(0, 1, 2, 0x6, 4),
  "NVIDIA_BLOCK_LINEAR_2D",
);
constant(
  "AMD_FMT_MOD | AMD_FMT_MOD_SET(TILE_VERSION, 2) | AMD_FMT_MOD_SET(TILE, 27) | AMD_FMT_MOD_SET(DCC, 1) | AMD_FMT_MOD_SET(PIPE_XOR_BITS, 3) | AMD_FMT_MOD_SET(BANK_XOR_BITS, 1) | AMD_FMT_MOD_SET(PACKERS, 2)",
  amdModifier({ tileVersion: 2, tile: 27, dcc: true, pipeXorBits: 3, bankXorBits: 1, packers: 2 }),
  "AMD_FMT_MOD",
);
for (const l of Object.values(drmDescriptorLayouts)) layout(l.name, l as StructLayout<string>);
layout("AVIOInterruptCB", AVIOInterruptCB as StructLayout<string>);
for (const [v, name] of Object.entries(VAProfile)) constant(name, Number(v));
constant("VAEntrypointVLD", 1);
constant("VA_STATUS_SUCCESS", 0);

const versions = skip ? { avutil: 0, avcodec: 0, avformat: 0 } : avVersions();
const table = avFieldTables[avTableKey(versions)];
if (table) {
  for (const [cType, fields] of Object.entries(table)) {
    for (const [f, o] of Object.entries(fields))
      if (o !== undefined) f === "sizeof" ? sizeOf(cType, cType, o) : offsetOf(cType, f, cType, o);
  }
}
constant("AV_NOPTS_VALUE", AV_NOPTS_VALUE);
constant("AVSEEK_FLAG_BACKWARD", AVSEEK_FLAG_BACKWARD);
constant("AV_PKT_FLAG_KEY", AV_PKT_FLAG_KEY);
constant("AV_PKT_DATA_DISPLAYMATRIX", AV_PKT_DATA_DISPLAYMATRIX);
constant("AV_TIME_BASE", AV_TIME_BASE);
for (const [name, value] of Object.entries(SWS)) constant(`SWS_${name}`, value);
constant("LIBAVUTIL_VERSION_MAJOR", versions.avutil);
constant("LIBAVCODEC_VERSION_MAJOR", versions.avcodec);
constant("LIBAVFORMAT_VERSION_MAJOR", versions.avformat);
const pix = skip
  ? { yuv420p: 0, yuvj420p: 0, yuv420p10le: 0, nv12: 0, p010le: 0, vaapi: 0, drm_prime: 0, vulkan: 0 }
  : pixFmtIds();
for (const [name, v] of Object.entries({
  YUV420P: pix.yuv420p,
  YUVJ420P: pix.yuvj420p,
  YUV420P10LE: pix.yuv420p10le,
  NV12: pix.nv12,
  P010LE: pix.p010le,
  VAAPI: pix.vaapi,
  DRM_PRIME: pix.drm_prime,
  VULKAN: pix.vulkan,
})) {
  constant(`AV_PIX_FMT_${name}`, v);
}

describe.skipIf(!!skip)(`layouts match the C headers${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const source = [
    "#define _GNU_SOURCE",
    '#pragma GCC diagnostic ignored "-Wdeprecated-declarations"',
    ...HEADERS.map((h) => `#include <${h}>`),
    "int main(void) {",
    ...checks.map((c, i) => `  printf("${i} %lld\\n", ${c.c});`),
    "  return 0;\n}",
  ].join("\n");
  const results = skip ? new Map<string, bigint>() : runProbe(source);

  test(`libav ${avTableKey(versions)} has a field table`, () => {
    expect(Object.keys(avFieldTables)).toContain(avTableKey(versions));
  });

  test("the installed release's table, regenerated from the installed headers by scripts/libav-tables.ts, is the one committed", () => {
    const fresh = tableFromHeaders("/usr/include/x86_64-linux-gnu", "installed");
    expect(fresh.key).toBe(avTableKey(versions));
    expect(fresh.fields).toEqual(avFieldTables[avTableKey(versions)]!);
    // Every committed table has every field the library needs.
    for (const [key, t] of Object.entries(avFieldTables)) expect([key, missingAvFields(t)]).toEqual([key, []]);
  });

  test(`${checks.length} sizes, offsets and constants`, () => {
    const wrong = checks.flatMap((c, i) =>
      results.get(String(i)) === c.expected ? [] : [`${c.key}: TS ${c.expected}, C ${results.get(String(i))}`],
    );
    expect(wrong).toEqual([]);
  });

  test("the C shim's own declarations match the TS layouts", () => {
    const shim = loadShim(table!, pix);
    const out = new BigInt64Array(32);
    const n0 = shim.vv_layout(0, out);
    const d = drmDescriptorLayouts;
    expect(Array.from(out.slice(0, n0)).map(Number)).toEqual([
      d.AVDRMFrameDescriptor.size,
      ...Object.values(d.AVDRMFrameDescriptor.offsets),
      d.AVDRMObjectDescriptor.size,
      d.AVDRMLayerDescriptor.size,
      d.AVDRMPlaneDescriptor.size,
    ]);
    const n1 = shim.vv_layout(1, out);
    expect(Array.from(out.slice(0, n1)).map(Number)).toEqual([VVFrameDesc.size, ...Object.values(VVFrameDesc.offsets)]);
  });
});

const cudaHeader = "/usr/local/cuda/include/cuda.h";
describe.skipIf(!!skip || !existsSync(cudaHeader))(
  `CUDA layouts match cuda.h${!existsSync(cudaHeader) ? ` (skipped: no ${cudaHeader})` : ""}`,
  () => {
    test("CUmemAllocationProp, CUmemLocation, CUmemAccessDesc and the constants used", () => {
      const cudaChecks: Check[] = [];
      const push = (key: string, expected: number | bigint, c: string) =>
        cudaChecks.push({ key, expected: BigInt(expected), c });
      for (const l of Object.values(cudaLayouts)) {
        push(`sizeof:${l.name}`, l.size, `(long long)sizeof(${l.name})`);
        for (const [f, info] of Object.entries(l.fields))
          push(`offsetof:${l.name}.${f}`, info.offset, `(long long)offsetof(${l.name}, ${f})`);
      }
      for (const [name, v] of Object.entries({
        CU_MEM_ALLOCATION_TYPE_PINNED,
        CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR,
        CU_MEM_LOCATION_TYPE_DEVICE,
        CU_MEM_ACCESS_FLAGS_PROT_READWRITE,
        CU_MEM_ALLOC_GRANULARITY_RECOMMENDED,
      }))
        push(`const:${name}`, v, `(long long)(${name})`);
      const results = runProbe(
        [
          "#include <stdio.h>",
          "#include <stddef.h>",
          `#include <${cudaHeader}>`,
          "int main(void) {",
          ...cudaChecks.map((c, i) => `  printf("${i} %lld\\n", ${c.c});`),
          "  return 0;\n}",
        ].join("\n"),
      );
      expect(
        cudaChecks.flatMap((c, i) =>
          results.get(String(i)) === c.expected ? [] : [`${c.key}: TS ${c.expected}, C ${results.get(String(i))}`],
        ),
      ).toEqual([]);
    });
  },
);
