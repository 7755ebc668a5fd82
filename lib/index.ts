// vaapi-vk: decode video with VAAPI (or in software) into dmabufs and use them in Vulkan
// without a CPU copy.
export { Video, frameToRgba, VideoOptionsSchema, type VideoOptions, type VideoStats, type FrameStats, type SourceKind } from "./video";
export { planImport, pixelFormatOf, lumaOnly, PIXEL_FORMATS, type ImportCaps, type ImportPlan, type ModifierSupport, type PlaneImagePlan, type PlanePlan, type PixelFormat, type DrmFrameDescriptor } from "./plan";
export { DrmFrameDescriptorSchema, parseDescriptor, describeDescriptor, type FrameDescriptor, type ColorInfo } from "./descriptor";
export {
  DRM_FORMAT, DRM_FORMAT_MOD_LINEAR, DRM_FORMAT_MOD_INVALID, fourcc, fourccName, modifierName, modifierVendor,
  intelModifier, amdModifier, nvidiaBlockLinear2D,
} from "./formats";
export { colorParams, matrixOf, rangeOf, type Matrix, type Range, type ColorParams } from "./color";
export {
  VaapiVkError, DmabufImportError, InvalidArgumentError, VulkanError, VulkanUnsupportedError, ValidationError, DecodeError,
  StallTimeoutError, SyncTimeoutError, UseAfterDisposeError, LibraryLoadError, CCallError, type DmabufImportErrorCode,
} from "./errors";
export { VulkanContext, Submission, deviceNumbers, type VulkanContextOptions, type HandleType, type PhysicalDeviceInfo } from "./vulkan/context";
export { importDmabuf, ImportedFrame, type ImportOptions } from "./vulkan/import";
export { type SyncMode } from "./vulkan/sync";
export { type ImageUse } from "./vulkan/planes";
export { reclaimedByGc, type ReclaimCounts } from "./reclaim";
export { DRIVER_QUIRKS, EXPORT_QUIRKS, exportQuirk, quirksOf, type DriverQuirk, type ExportQuirk } from "./quirks";
export { checkTiling, tilingRule, type TilingRule } from "./tiling";
export { ImportCache, type ImportCacheStats } from "./vulkan/cache";
export { dmabufIdentity, fdSize, resolveObjects } from "./vulkan/objects";
export { memfdRoute, sealedMemfd, UdmabufWrapper, type MemfdRoute } from "./vulkan/memfd";
export { Converter, MAX_BATCH, bytesPerPixel, type ConversionInfo, type OutputFormat } from "./vulkan/convert";
export { BufferUsage, copyBuffer, GpuBuffer, readBack, readBuffer, recordWriteBarrier } from "./vulkan/memory";
export { exportOpaqueFd } from "./vulkan/export";
export { DecodedFrame, type StreamInfo } from "./sources/decoder";
export { openSoftwareSource, type PoolStats, type SoftwareSourceOptions } from "./sources/software";
export { openVaapiSource, createVaapiDevice, DEFAULT_VAAPI_DEVICE, retryTransient, EXPORT_RETRY_DELAYS_MS } from "./sources/vaapi";
export { allocateLinear, firstCardNode, LinearBuffer, LinearRing, type LinearAllocator } from "./sources/linear";
export { encodePng, heatMap } from "./png";
export { cliHelp, cliInt, cliUsageError, cliWritable, parseCli, runCli, type CliFlag, type CliSpec } from "./cli";
export { LumaPass, readLuma, type LumaFrame, type DiffResult } from "./vulkan/luma";
export { probe, ProbeReportSchema, type ProbeReport } from "./probe";
export {
  ACTION_CODE, ACTION_SKIP, BlockEntry, decodeFrameCpu, encodeFrameCpu, readFrame, STREAM_MAGIC, STREAM_VERSION, StreamHeader, streamGeometry, streamStats,
  SymbolStreamError, type StreamOptions, type SymbolFrame,
} from "./symbols";
export { SymbolEncoder } from "./vulkan/symbols";
export { copyRoofline, gpuTimeNs } from "./vulkan/timing";
export { CudaFrame, cudaContext, uploadCudaFrame } from "./sources/cuda";
