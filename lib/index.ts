// vaapi-vk: decode video with VAAPI (or in software) into dmabufs and use them in Vulkan
// without a CPU copy.

export {
  type ChromaFilter,
  type ChromaSiting,
  type ColorParams,
  colorParams,
  type Matrix,
  matrixOf,
  type Range,
  rangeOf,
  SITING_OFFSETS,
  sitingOf,
} from "./color";
export {
  type ColorInfo,
  DrmFrameDescriptorSchema,
  describeDescriptor,
  type FrameDescriptor,
  parseDescriptor,
} from "./descriptor";
export {
  CCallError,
  DecodeError,
  DmabufImportError,
  type DmabufImportErrorCode,
  ERROR_CODES,
  type ErrorCode,
  InvalidArgumentError,
  LibraryLoadError,
  StallTimeoutError,
  SyncTimeoutError,
  UseAfterDisposeError,
  VaapiVkError,
  ValidationError,
  VulkanError,
  VulkanUnsupportedError,
} from "./errors";
export {
  amdModifier,
  DRM_FORMAT,
  DRM_FORMAT_MOD_INVALID,
  DRM_FORMAT_MOD_LINEAR,
  fourcc,
  fourccName,
  intelModifier,
  modifierName,
  modifierVendor,
  nvidiaBlockLinear2D,
} from "./formats";
export {
  type DrmFrameDescriptor,
  type ImportCaps,
  type ImportPlan,
  lumaOnly,
  type ModifierSupport,
  PIXEL_FORMATS,
  type PixelFormat,
  type PlaneImagePlan,
  type PlanePlan,
  pixelFormatOf,
  planImport,
} from "./plan";
export { encodePng, heatMap } from "./png";
export { displayMissing, Preview, type PreviewState } from "./preview";
export { type ProbeReport, ProbeReportSchema, probe } from "./probe";
export { type ReclaimCounts, reclaimedByGc } from "./reclaim";
export { CudaFrame, cudaContext, uploadCudaFrame } from "./sources/cuda";
export { DecodedFrame, type StreamInfo } from "./sources/decoder";
export { allocateLinear, firstCardNode, type LinearAllocator, LinearBuffer, LinearRing } from "./sources/linear";
export { openSoftwareSource, type PoolStats, type SoftwareSourceOptions } from "./sources/software";
export {
  createVaapiDevice,
  DEFAULT_VAAPI_DEVICE,
  EXPORT_RETRY_DELAYS_MS,
  openVaapiSource,
  retryTransient,
} from "./sources/vaapi";
export {
  ACTION_CODE,
  ACTION_SKIP,
  BlockEntry,
  decodeFrameCpu,
  encodeFrameCpu,
  readFrame,
  STREAM_MAGIC,
  STREAM_VERSION,
  StreamHeader,
  type StreamOptions,
  type SymbolFrame,
  SymbolStreamError,
  streamGeometry,
  streamStats,
} from "./symbols";
export { checkTiling, type TilingRule, tilingRule } from "./tiling";
export {
  type FrameStats,
  frameToRgba,
  type SourceKind,
  Video,
  type VideoOptions,
  VideoOptionsSchema,
  type VideoStats,
} from "./video";
export { ImportCache, type ImportCacheStats } from "./vulkan/cache";
export { type HandleType, VulkanContext, type VulkanContextOptions } from "./vulkan/context";
export { bytesPerPixel, type ConversionInfo, Converter, MAX_BATCH, type OutputFormat } from "./vulkan/convert";
export { deviceNumbers, type PhysicalDeviceInfo } from "./vulkan/devices";
export { type GpuFrame, ImportedFrame, type ImportOptions, importDmabuf } from "./vulkan/import";
export { type DiffResult, type LumaFrame, LumaPass, readLuma } from "./vulkan/luma";
export { type MemfdRoute, memfdRoute, UdmabufWrapper } from "./vulkan/memfd";
export { BufferUsage, GpuBuffer, readBack, recordWriteBarrier } from "./vulkan/memory";
export { dmabufIdentity, fdSize, resolveObjects } from "./vulkan/objects";
export type { ImageUse } from "./vulkan/planes";
export { Submission } from "./vulkan/submission";
export { SymbolEncoder } from "./vulkan/symbols";
export type { SyncMode } from "./vulkan/sync";
export { VulkanVideoFrame } from "./vulkan/video-frames";
