// Raw Vulkan: enums, struct layouts and function tables. Loader entry points come from
// libvulkan; instance and device functions through vkGetInstanceProcAddr/vkGetDeviceProcAddr.
import { CFunction, type FFIFunction, type Pointer, FFIType as T } from "bun:ffi";
import { VaapiVkError } from "./errors";
import { lazyLibrary, type TypedSymbols } from "./library";
import { type PartialLayout, struct } from "./struct";

export const VK_API_VERSION_1_1 = (1 << 22) | (1 << 12);
export const VK_API_VERSION_1_2 = (1 << 22) | (2 << 12);
export const VK_API_VERSION_1_3 = (1 << 22) | (3 << 12);
export const apiVersionString = (v: number) => `${v >>> 22}.${(v >>> 12) & 0x3ff}.${v & 0xfff}`;

export const VkResult: Record<number, string> = {
  0: "VK_SUCCESS",
  1: "VK_NOT_READY",
  2: "VK_TIMEOUT",
  5: "VK_INCOMPLETE",
  [-1]: "VK_ERROR_OUT_OF_HOST_MEMORY",
  [-2]: "VK_ERROR_OUT_OF_DEVICE_MEMORY",
  [-3]: "VK_ERROR_INITIALIZATION_FAILED",
  [-4]: "VK_ERROR_DEVICE_LOST",
  [-5]: "VK_ERROR_MEMORY_MAP_FAILED",
  [-6]: "VK_ERROR_LAYER_NOT_PRESENT",
  [-7]: "VK_ERROR_EXTENSION_NOT_PRESENT",
  [-8]: "VK_ERROR_FEATURE_NOT_PRESENT",
  [-9]: "VK_ERROR_INCOMPATIBLE_DRIVER",
  [-10]: "VK_ERROR_TOO_MANY_OBJECTS",
  [-11]: "VK_ERROR_FORMAT_NOT_SUPPORTED",
  [-12]: "VK_ERROR_FRAGMENTED_POOL",
  [-13]: "VK_ERROR_UNKNOWN",
  [-1000072003]: "VK_ERROR_INVALID_EXTERNAL_HANDLE",
  [-1000069000]: "VK_ERROR_OUT_OF_POOL_MEMORY",
  [-1000158000]: "VK_ERROR_INVALID_DRM_FORMAT_MODIFIER_PLANE_LAYOUT_EXT",
};

export const SType = {
  APPLICATION_INFO: 0,
  INSTANCE_CREATE_INFO: 1,
  DEVICE_QUEUE_CREATE_INFO: 2,
  DEVICE_CREATE_INFO: 3,
  SUBMIT_INFO: 4,
  MEMORY_ALLOCATE_INFO: 5,
  FENCE_CREATE_INFO: 8,
  SEMAPHORE_CREATE_INFO: 9,
  QUERY_POOL_CREATE_INFO: 11,
  BUFFER_CREATE_INFO: 12,
  IMAGE_CREATE_INFO: 14,
  IMAGE_VIEW_CREATE_INFO: 15,
  SHADER_MODULE_CREATE_INFO: 16,
  SAMPLER_CREATE_INFO: 31,
  PIPELINE_SHADER_STAGE_CREATE_INFO: 18,
  COMPUTE_PIPELINE_CREATE_INFO: 29,
  PIPELINE_LAYOUT_CREATE_INFO: 30,
  DESCRIPTOR_SET_LAYOUT_CREATE_INFO: 32,
  DESCRIPTOR_POOL_CREATE_INFO: 33,
  DESCRIPTOR_SET_ALLOCATE_INFO: 34,
  WRITE_DESCRIPTOR_SET: 35,
  COMMAND_POOL_CREATE_INFO: 39,
  COMMAND_BUFFER_ALLOCATE_INFO: 40,
  COMMAND_BUFFER_BEGIN_INFO: 42,
  BUFFER_MEMORY_BARRIER: 44,
  IMAGE_MEMORY_BARRIER: 45,
  MEMORY_BARRIER: 46,
  PHYSICAL_DEVICE_VULKAN_1_1_FEATURES: 49,
  BIND_BUFFER_MEMORY_INFO: 1000157000,
  BIND_IMAGE_MEMORY_INFO: 1000157001,
  MEMORY_DEDICATED_REQUIREMENTS: 1000127000,
  MEMORY_DEDICATED_ALLOCATE_INFO: 1000127001,
  BUFFER_MEMORY_REQUIREMENTS_INFO_2: 1000146000,
  IMAGE_MEMORY_REQUIREMENTS_INFO_2: 1000146001,
  MEMORY_REQUIREMENTS_2: 1000146003,
  PHYSICAL_DEVICE_FEATURES_2: 1000059000,
  PHYSICAL_DEVICE_PROPERTIES_2: 1000059001,
  FORMAT_PROPERTIES_2: 1000059002,
  IMAGE_FORMAT_PROPERTIES_2: 1000059003,
  PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2: 1000059004,
  SAMPLER_YCBCR_CONVERSION_CREATE_INFO: 1000156000,
  SAMPLER_YCBCR_CONVERSION_INFO: 1000156001,
  BIND_IMAGE_PLANE_MEMORY_INFO: 1000156002,
  IMAGE_PLANE_MEMORY_REQUIREMENTS_INFO: 1000156003,
  PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO: 1000071000,
  EXTERNAL_IMAGE_FORMAT_PROPERTIES: 1000071001,
  EXTERNAL_MEMORY_BUFFER_CREATE_INFO: 1000072000,
  EXTERNAL_MEMORY_IMAGE_CREATE_INFO: 1000072001,
  EXPORT_MEMORY_ALLOCATE_INFO: 1000072002,
  IMAGE_VIEW_USAGE_CREATE_INFO: 1000117002,
  PHYSICAL_DEVICE_DRIVER_PROPERTIES: 1000196000,
  IMAGE_FORMAT_LIST_CREATE_INFO: 1000147000,
  IMPORT_MEMORY_FD_INFO_KHR: 1000074000,
  MEMORY_FD_PROPERTIES_KHR: 1000074001,
  MEMORY_GET_FD_INFO_KHR: 1000074002,
  IMPORT_SEMAPHORE_FD_INFO_KHR: 1000079000,
  DRM_FORMAT_MODIFIER_PROPERTIES_LIST_EXT: 1000158000,
  PHYSICAL_DEVICE_IMAGE_DRM_FORMAT_MODIFIER_INFO_EXT: 1000158002,
  IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT: 1000158004,
  PHYSICAL_DEVICE_DRM_PROPERTIES_EXT: 1000353000,
  DEBUG_UTILS_MESSENGER_CALLBACK_DATA_EXT: 1000128003,
  DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT: 1000128004,
  IMPORT_MEMORY_HOST_POINTER_INFO_EXT: 1000178000,
  MEMORY_HOST_POINTER_PROPERTIES_EXT: 1000178001,
} as const;

export const VkFormat = {
  UNDEFINED: 0,
  R8_UNORM: 9,
  R8G8_UNORM: 16,
  R8G8B8A8_UNORM: 37,
  R16_UNORM: 70,
  R16G16_UNORM: 77,
  R10X6_UNORM_PACK16: 1000156007,
  R10X6G10X6_UNORM_2PACK16: 1000156008,
  G8_B8_R8_3PLANE_420_UNORM: 1000156002,
  G8_B8R8_2PLANE_420_UNORM: 1000156003,
  G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16: 1000156013,
  G16_B16R16_2PLANE_420_UNORM: 1000156030,
} as const;
export type VkFormatName = keyof typeof VkFormat;

export const EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD = 0x10;
export const SEMAPHORE_IMPORT_TEMPORARY = 0x1;
export const ExternalMemoryHandleType = {
  OPAQUE_FD: 0x1,
  DMA_BUF: 0x200,
  HOST_ALLOCATION: 0x80,
} as const;

export const BufferUsage = { TRANSFER_SRC: 0x1, TRANSFER_DST: 0x2, UNIFORM: 0x10, STORAGE: 0x20 } as const;
export const ImageUsage = { TRANSFER_SRC: 0x1, TRANSFER_DST: 0x2, SAMPLED: 0x4, STORAGE: 0x8 } as const;
export const MemoryProperty = { DEVICE_LOCAL: 0x1, HOST_VISIBLE: 0x2, HOST_COHERENT: 0x4, HOST_CACHED: 0x8 } as const;
export const QueueFlag = { GRAPHICS: 0x1, COMPUTE: 0x2, TRANSFER: 0x4 } as const;
export const ImageCreate = { MUTABLE_FORMAT: 0x8, EXTENDED_USAGE: 0x100, DISJOINT: 0x200 } as const;
export const ImageAspect = {
  COLOR: 0x1,
  PLANE_0: 0x10,
  PLANE_1: 0x20,
  PLANE_2: 0x40,
  MEMORY_PLANE_0: 0x80,
  MEMORY_PLANE_1: 0x100,
  MEMORY_PLANE_2: 0x200,
} as const;
export const ImageLayout = { UNDEFINED: 0, GENERAL: 1 } as const;
export const ImageTiling = { OPTIMAL: 0, LINEAR: 1, DRM_FORMAT_MODIFIER_EXT: 1000158000 } as const;
export const FormatFeature = {
  SAMPLED_IMAGE: 0x1,
  STORAGE_IMAGE: 0x2,
  TRANSFER_SRC: 0x4000,
  MIDPOINT_CHROMA_SAMPLES: 0x20000,
  DISJOINT: 0x400000,
} as const;
/** VkSamplerYcbcrConversionCreateInfo values: no model or range conversion (the shaders do the maths), chroma between luma samples, nearest. */
export const Ycbcr = { MODEL_RGB_IDENTITY: 0, RANGE_ITU_FULL: 0, CHROMA_MIDPOINT: 1, FILTER_NEAREST: 0 } as const;
export const ExternalMemoryFeature = { DEDICATED_ONLY: 0x1, EXPORTABLE: 0x2, IMPORTABLE: 0x4 } as const;
export const DescriptorType = { COMBINED_IMAGE_SAMPLER: 1, STORAGE_IMAGE: 3, STORAGE_BUFFER: 7 } as const;
export const ShaderStage = { COMPUTE: 0x20 } as const;
export const PipelineStage = {
  TOP_OF_PIPE: 0x1,
  COMPUTE_SHADER: 0x800,
  TRANSFER: 0x1000,
  BOTTOM_OF_PIPE: 0x2000,
  HOST: 0x4000,
  ALL_COMMANDS: 0x10000,
} as const;
export const Access = {
  SHADER_READ: 0x20,
  SHADER_WRITE: 0x40,
  TRANSFER_READ: 0x800,
  TRANSFER_WRITE: 0x1000,
  HOST_READ: 0x2000,
  HOST_WRITE: 0x4000,
  MEMORY_READ: 0x8000,
} as const;
export const QUEUE_FAMILY_IGNORED = 0xffffffff;
export const QUEUE_FAMILY_FOREIGN_EXT = 0xfffffffd;
export const QUEUE_FAMILY_EXTERNAL = 0xfffffffe;
export const VK_WHOLE_SIZE = 0xffffffffffffffffn;
export const PhysicalDeviceType = ["other", "integrated-gpu", "discrete-gpu", "virtual-gpu", "cpu"] as const;

// --- struct layouts -------------------------------------------------------------------
const header = [
  ["sType", "u32"],
  ["pNext", "ptr"],
] as const;

export const VkApplicationInfo = struct("VkApplicationInfo", [
  ...header,
  ["pApplicationName", "ptr"],
  ["applicationVersion", "u32"],
  ["pEngineName", "ptr"],
  ["engineVersion", "u32"],
  ["apiVersion", "u32"],
]);
export const VkInstanceCreateInfo = struct("VkInstanceCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["pApplicationInfo", "ptr"],
  ["enabledLayerCount", "u32"],
  ["ppEnabledLayerNames", "ptr"],
  ["enabledExtensionCount", "u32"],
  ["ppEnabledExtensionNames", "ptr"],
]);
export const VkExtensionProperties = struct("VkExtensionProperties", [
  ["extensionName", { array: "u8", count: 256 }],
  ["specVersion", "u32"],
]);
export const VkLayerProperties = struct("VkLayerProperties", [
  ["layerName", { array: "u8", count: 256 }],
  ["specVersion", "u32"],
  ["implementationVersion", "u32"],
  ["description", { array: "u8", count: 256 }],
]);
export const VkDebugUtilsMessengerCreateInfoEXT = struct("VkDebugUtilsMessengerCreateInfoEXT", [
  ...header,
  ["flags", "u32"],
  ["messageSeverity", "u32"],
  ["messageType", "u32"],
  ["pfnUserCallback", "ptr"],
  ["pUserData", "ptr"],
]);
export const VkDebugUtilsMessengerCallbackDataEXT = struct("VkDebugUtilsMessengerCallbackDataEXT", [
  ...header,
  ["flags", "u32"],
  ["pMessageIdName", "ptr"],
  ["messageIdNumber", "i32"],
  ["pMessage", "ptr"],
  ["queueLabelCount", "u32"],
  ["pQueueLabels", "ptr"],
  ["cmdBufLabelCount", "u32"],
  ["pCmdBufLabels", "ptr"],
  ["objectCount", "u32"],
  ["pObjects", "ptr"],
]);

/** VkPhysicalDeviceLimits is large; only the offsets read are named (checked against the header). */
export const VkPhysicalDeviceLimits: PartialLayout<
  "maxComputeWorkGroupCount" | "maxComputeWorkGroupInvocations" | "timestampPeriod" | "minStorageBufferOffsetAlignment"
> & { size: number } = {
  name: "VkPhysicalDeviceLimits",
  size: 504,
  offsets: {
    maxComputeWorkGroupCount: 220,
    maxComputeWorkGroupInvocations: 232,
    minStorageBufferOffsetAlignment: 328,
    timestampPeriod: 424,
  },
};
export const VkPhysicalDeviceProperties = struct("VkPhysicalDeviceProperties", [
  ["apiVersion", "u32"],
  ["driverVersion", "u32"],
  ["vendorID", "u32"],
  ["deviceID", "u32"],
  ["deviceType", "u32"],
  ["deviceName", { array: "u8", count: 256 }],
  ["pipelineCacheUUID", { array: "u8", count: 16 }],
  ["limits", { array: "u64", count: VkPhysicalDeviceLimits.size / 8 }],
  ["sparseProperties", { array: "u32", count: 5 }],
]);
export const VkPhysicalDeviceProperties2 = struct("VkPhysicalDeviceProperties2", [
  ...header,
  ["properties", VkPhysicalDeviceProperties],
]);
export const VkPhysicalDeviceDrmPropertiesEXT = struct("VkPhysicalDeviceDrmPropertiesEXT", [
  ...header,
  ["hasPrimary", "u32"],
  ["hasRender", "u32"],
  ["primaryMajor", "i64"],
  ["primaryMinor", "i64"],
  ["renderMajor", "i64"],
  ["renderMinor", "i64"],
]);
export const VkPhysicalDeviceDriverProperties = struct("VkPhysicalDeviceDriverProperties", [
  ...header,
  ["driverID", "u32"],
  ["driverName", { array: "u8", count: 256 }],
  ["driverInfo", { array: "u8", count: 256 }],
  ["conformanceVersion", { array: "u8", count: 4 }],
]);
export const VkQueueFamilyProperties = struct("VkQueueFamilyProperties", [
  ["queueFlags", "u32"],
  ["queueCount", "u32"],
  ["timestampValidBits", "u32"],
  ["minImageTransferGranularity", { array: "u32", count: 3 }],
]);
const VkMemoryType = struct("VkMemoryType", [
  ["propertyFlags", "u32"],
  ["heapIndex", "u32"],
]);
const VkMemoryHeap = struct("VkMemoryHeap", [
  ["size", "u64"],
  ["flags", "u32"],
]);
export const VkPhysicalDeviceMemoryProperties = struct("VkPhysicalDeviceMemoryProperties", [
  ["memoryTypeCount", "u32"],
  ["memoryTypes", { array: VkMemoryType, count: 32 }],
  ["memoryHeapCount", "u32"],
  ["memoryHeaps", { array: VkMemoryHeap, count: 16 }],
]);
/** VkPhysicalDeviceFeatures is 55 VkBool32s; the ones the shaders use, by offset. */
export const VkPhysicalDeviceFeatures: PartialLayout<
  | "shaderStorageImageExtendedFormats"
  | "shaderStorageImageReadWithoutFormat"
  | "shaderSampledImageArrayDynamicIndexing"
  | "shaderStorageBufferArrayDynamicIndexing"
  | "shaderInt64"
  | "shaderInt16"
> & { size: number } = {
  name: "VkPhysicalDeviceFeatures",
  size: 220,
  offsets: {
    shaderStorageImageExtendedFormats: 116,
    shaderStorageImageReadWithoutFormat: 124,
    shaderSampledImageArrayDynamicIndexing: 136,
    shaderStorageBufferArrayDynamicIndexing: 140,
    shaderInt64: 160,
    shaderInt16: 164,
  },
};
export const VkPhysicalDeviceFeatures2 = struct("VkPhysicalDeviceFeatures2", [
  ...header,
  ["features", { array: "u32", count: 55 }],
]);
export const VkPhysicalDeviceVulkan11Features = struct("VkPhysicalDeviceVulkan11Features", [
  ...header,
  ["storageBuffer16BitAccess", "u32"],
  ["uniformAndStorageBuffer16BitAccess", "u32"],
  ["storagePushConstant16", "u32"],
  ["storageInputOutput16", "u32"],
  ["multiview", "u32"],
  ["multiviewGeometryShader", "u32"],
  ["multiviewTessellationShader", "u32"],
  ["variablePointersStorageBuffer", "u32"],
  ["variablePointers", "u32"],
  ["protectedMemory", "u32"],
  ["samplerYcbcrConversion", "u32"],
  ["shaderDrawParameters", "u32"],
]);
export const VkDeviceQueueCreateInfo = struct("VkDeviceQueueCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["queueFamilyIndex", "u32"],
  ["queueCount", "u32"],
  ["pQueuePriorities", "ptr"],
]);
export const VkDeviceCreateInfo = struct("VkDeviceCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["queueCreateInfoCount", "u32"],
  ["pQueueCreateInfos", "ptr"],
  ["enabledLayerCount", "u32"],
  ["ppEnabledLayerNames", "ptr"],
  ["enabledExtensionCount", "u32"],
  ["ppEnabledExtensionNames", "ptr"],
  ["pEnabledFeatures", "ptr"],
]);
export const VkFormatProperties = struct("VkFormatProperties", [
  ["linearTilingFeatures", "u32"],
  ["optimalTilingFeatures", "u32"],
  ["bufferFeatures", "u32"],
]);
export const VkFormatProperties2 = struct("VkFormatProperties2", [...header, ["formatProperties", VkFormatProperties]]);
export const VkDrmFormatModifierPropertiesEXT = struct("VkDrmFormatModifierPropertiesEXT", [
  ["drmFormatModifier", "u64"],
  ["drmFormatModifierPlaneCount", "u32"],
  ["drmFormatModifierTilingFeatures", "u32"],
]);
export const VkDrmFormatModifierPropertiesListEXT = struct("VkDrmFormatModifierPropertiesListEXT", [
  ...header,
  ["drmFormatModifierCount", "u32"],
  ["pDrmFormatModifierProperties", "ptr"],
]);
export const VkPhysicalDeviceImageFormatInfo2 = struct("VkPhysicalDeviceImageFormatInfo2", [
  ...header,
  ["format", "u32"],
  ["type", "u32"],
  ["tiling", "u32"],
  ["usage", "u32"],
  ["flags", "u32"],
]);
export const VkPhysicalDeviceExternalImageFormatInfo = struct("VkPhysicalDeviceExternalImageFormatInfo", [
  ...header,
  ["handleType", "u32"],
]);
export const VkPhysicalDeviceImageDrmFormatModifierInfoEXT = struct("VkPhysicalDeviceImageDrmFormatModifierInfoEXT", [
  ...header,
  ["drmFormatModifier", "u64"],
  ["sharingMode", "u32"],
  ["queueFamilyIndexCount", "u32"],
  ["pQueueFamilyIndices", "ptr"],
]);
export const VkImageFormatProperties = struct("VkImageFormatProperties", [
  ["maxExtent", { array: "u32", count: 3 }],
  ["maxMipLevels", "u32"],
  ["maxArrayLayers", "u32"],
  ["sampleCounts", "u32"],
  ["maxResourceSize", "u64"],
]);
export const VkImageFormatProperties2 = struct("VkImageFormatProperties2", [
  ...header,
  ["imageFormatProperties", VkImageFormatProperties],
]);
export const VkExternalMemoryProperties = struct("VkExternalMemoryProperties", [
  ["externalMemoryFeatures", "u32"],
  ["exportFromImportedHandleTypes", "u32"],
  ["compatibleHandleTypes", "u32"],
]);
export const VkExternalImageFormatProperties = struct("VkExternalImageFormatProperties", [
  ...header,
  ["externalMemoryProperties", VkExternalMemoryProperties],
]);

export const VkCommandPoolCreateInfo = struct("VkCommandPoolCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["queueFamilyIndex", "u32"],
]);
export const VkCommandBufferAllocateInfo = struct("VkCommandBufferAllocateInfo", [
  ...header,
  ["commandPool", "u64"],
  ["level", "u32"],
  ["commandBufferCount", "u32"],
]);
export const VkCommandBufferBeginInfo = struct("VkCommandBufferBeginInfo", [
  ...header,
  ["flags", "u32"],
  ["pInheritanceInfo", "ptr"],
]);
export const VkSubmitInfo = struct("VkSubmitInfo", [
  ...header,
  ["waitSemaphoreCount", "u32"],
  ["pWaitSemaphores", "ptr"],
  ["pWaitDstStageMask", "ptr"],
  ["commandBufferCount", "u32"],
  ["pCommandBuffers", "ptr"],
  ["signalSemaphoreCount", "u32"],
  ["pSignalSemaphores", "ptr"],
]);
export const VkFenceCreateInfo = struct("VkFenceCreateInfo", [...header, ["flags", "u32"]]);
export const VkSemaphoreCreateInfo = struct("VkSemaphoreCreateInfo", [...header, ["flags", "u32"]]);
export const VkImportSemaphoreFdInfoKHR = struct("VkImportSemaphoreFdInfoKHR", [
  ...header,
  ["semaphore", "u64"],
  ["flags", "u32"],
  ["handleType", "u32"],
  ["fd", "i32"],
]);

export const VkBufferCreateInfo = struct("VkBufferCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["size", "u64"],
  ["usage", "u32"],
  ["sharingMode", "u32"],
  ["queueFamilyIndexCount", "u32"],
  ["pQueueFamilyIndices", "ptr"],
]);
export const VkExternalMemoryBufferCreateInfo = struct("VkExternalMemoryBufferCreateInfo", [
  ...header,
  ["handleTypes", "u32"],
]);
export const VkExternalMemoryImageCreateInfo = struct("VkExternalMemoryImageCreateInfo", [
  ...header,
  ["handleTypes", "u32"],
]);
export const VkExportMemoryAllocateInfo = struct("VkExportMemoryAllocateInfo", [...header, ["handleTypes", "u32"]]);
export const VkMemoryRequirements = struct("VkMemoryRequirements", [
  ["size", "u64"],
  ["alignment", "u64"],
  ["memoryTypeBits", "u32"],
]);
export const VkMemoryRequirements2 = struct("VkMemoryRequirements2", [
  ...header,
  ["memoryRequirements", VkMemoryRequirements],
]);
export const VkMemoryDedicatedRequirements = struct("VkMemoryDedicatedRequirements", [
  ...header,
  ["prefersDedicatedAllocation", "u32"],
  ["requiresDedicatedAllocation", "u32"],
]);
export const VkBufferMemoryRequirementsInfo2 = struct("VkBufferMemoryRequirementsInfo2", [
  ...header,
  ["buffer", "u64"],
]);
export const VkImageMemoryRequirementsInfo2 = struct("VkImageMemoryRequirementsInfo2", [...header, ["image", "u64"]]);
export const VkImagePlaneMemoryRequirementsInfo = struct("VkImagePlaneMemoryRequirementsInfo", [
  ...header,
  ["planeAspect", "u32"],
]);
export const VkMemoryAllocateInfo = struct("VkMemoryAllocateInfo", [
  ...header,
  ["allocationSize", "u64"],
  ["memoryTypeIndex", "u32"],
]);
export const VkImportMemoryFdInfoKHR = struct("VkImportMemoryFdInfoKHR", [
  ...header,
  ["handleType", "u32"],
  ["fd", "i32"],
]);
export const VkImportMemoryHostPointerInfoEXT = struct("VkImportMemoryHostPointerInfoEXT", [
  ...header,
  ["handleType", "u32"],
  ["pHostPointer", "ptr"],
]);
export const VkMemoryHostPointerPropertiesEXT = struct("VkMemoryHostPointerPropertiesEXT", [
  ...header,
  ["memoryTypeBits", "u32"],
]);
export const VkMemoryFdPropertiesKHR = struct("VkMemoryFdPropertiesKHR", [...header, ["memoryTypeBits", "u32"]]);
export const VkMemoryGetFdInfoKHR = struct("VkMemoryGetFdInfoKHR", [
  ...header,
  ["memory", "u64"],
  ["handleType", "u32"],
]);
export const VkMemoryDedicatedAllocateInfo = struct("VkMemoryDedicatedAllocateInfo", [
  ...header,
  ["image", "u64"],
  ["buffer", "u64"],
]);
export const VkBindBufferMemoryInfo = struct("VkBindBufferMemoryInfo", [
  ...header,
  ["buffer", "u64"],
  ["memory", "u64"],
  ["memoryOffset", "u64"],
]);
export const VkBindImageMemoryInfo = struct("VkBindImageMemoryInfo", [
  ...header,
  ["image", "u64"],
  ["memory", "u64"],
  ["memoryOffset", "u64"],
]);
export const VkBindImagePlaneMemoryInfo = struct("VkBindImagePlaneMemoryInfo", [...header, ["planeAspect", "u32"]]);
export const VkImageCreateInfo = struct("VkImageCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["imageType", "u32"],
  ["format", "u32"],
  ["extent", { array: "u32", count: 3 }],
  ["mipLevels", "u32"],
  ["arrayLayers", "u32"],
  ["samples", "u32"],
  ["tiling", "u32"],
  ["usage", "u32"],
  ["sharingMode", "u32"],
  ["queueFamilyIndexCount", "u32"],
  ["pQueueFamilyIndices", "ptr"],
  ["initialLayout", "u32"],
]);
export const VkSubresourceLayout = struct("VkSubresourceLayout", [
  ["offset", "u64"],
  ["size", "u64"],
  ["rowPitch", "u64"],
  ["arrayPitch", "u64"],
  ["depthPitch", "u64"],
]);
export const VkImageDrmFormatModifierExplicitCreateInfoEXT = struct("VkImageDrmFormatModifierExplicitCreateInfoEXT", [
  ...header,
  ["drmFormatModifier", "u64"],
  ["drmFormatModifierPlaneCount", "u32"],
  ["pPlaneLayouts", "ptr"],
]);
export const VkImageFormatListCreateInfo = struct("VkImageFormatListCreateInfo", [
  ...header,
  ["viewFormatCount", "u32"],
  ["pViewFormats", "ptr"],
]);
export const VkImageSubresourceRange = struct("VkImageSubresourceRange", [
  ["aspectMask", "u32"],
  ["baseMipLevel", "u32"],
  ["levelCount", "u32"],
  ["baseArrayLayer", "u32"],
  ["layerCount", "u32"],
]);
export const VkImageViewCreateInfo = struct("VkImageViewCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["image", "u64"],
  ["viewType", "u32"],
  ["format", "u32"],
  ["components", { array: "u32", count: 4 }],
  ["subresourceRange", VkImageSubresourceRange],
]);
export const VkSamplerCreateInfo = struct("VkSamplerCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["magFilter", "u32"],
  ["minFilter", "u32"],
  ["mipmapMode", "u32"],
  ["addressModeU", "u32"],
  ["addressModeV", "u32"],
  ["addressModeW", "u32"],
  ["mipLodBias", "f32"],
  ["anisotropyEnable", "u32"],
  ["maxAnisotropy", "f32"],
  ["compareEnable", "u32"],
  ["compareOp", "u32"],
  ["minLod", "f32"],
  ["maxLod", "f32"],
  ["borderColor", "u32"],
  ["unnormalizedCoordinates", "u32"],
]);
export const VkSamplerYcbcrConversionCreateInfo = struct("VkSamplerYcbcrConversionCreateInfo", [
  ...header,
  ["format", "u32"],
  ["ycbcrModel", "u32"],
  ["ycbcrRange", "u32"],
  ["components", { array: "u32", count: 4 }],
  ["xChromaOffset", "u32"],
  ["yChromaOffset", "u32"],
  ["chromaFilter", "u32"],
  ["forceExplicitReconstruction", "u32"],
]);
export const VkSamplerYcbcrConversionInfo = struct("VkSamplerYcbcrConversionInfo", [...header, ["conversion", "u64"]]);
export const VkImageViewUsageCreateInfo = struct("VkImageViewUsageCreateInfo", [...header, ["usage", "u32"]]);
export const VkImageMemoryBarrier = struct("VkImageMemoryBarrier", [
  ...header,
  ["srcAccessMask", "u32"],
  ["dstAccessMask", "u32"],
  ["oldLayout", "u32"],
  ["newLayout", "u32"],
  ["srcQueueFamilyIndex", "u32"],
  ["dstQueueFamilyIndex", "u32"],
  ["image", "u64"],
  ["subresourceRange", VkImageSubresourceRange],
]);
export const VkMemoryBarrier = struct("VkMemoryBarrier", [
  ...header,
  ["srcAccessMask", "u32"],
  ["dstAccessMask", "u32"],
]);
export const VkBufferMemoryBarrier = struct("VkBufferMemoryBarrier", [
  ...header,
  ["srcAccessMask", "u32"],
  ["dstAccessMask", "u32"],
  ["srcQueueFamilyIndex", "u32"],
  ["dstQueueFamilyIndex", "u32"],
  ["buffer", "u64"],
  ["offset", "u64"],
  ["size", "u64"],
]);
export const VkImageSubresourceLayers = struct("VkImageSubresourceLayers", [
  ["aspectMask", "u32"],
  ["mipLevel", "u32"],
  ["baseArrayLayer", "u32"],
  ["layerCount", "u32"],
]);
export const VkBufferImageCopy = struct("VkBufferImageCopy", [
  ["bufferOffset", "u64"],
  ["bufferRowLength", "u32"],
  ["bufferImageHeight", "u32"],
  ["imageSubresource", VkImageSubresourceLayers],
  ["imageOffset", { array: "i32", count: 3 }],
  ["imageExtent", { array: "u32", count: 3 }],
]);
export const VkBufferCopy = struct("VkBufferCopy", [
  ["srcOffset", "u64"],
  ["dstOffset", "u64"],
  ["size", "u64"],
]);

export const VkShaderModuleCreateInfo = struct("VkShaderModuleCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["codeSize", "u64"],
  ["pCode", "ptr"],
]);
export const VkDescriptorSetLayoutBinding = struct("VkDescriptorSetLayoutBinding", [
  ["binding", "u32"],
  ["descriptorType", "u32"],
  ["descriptorCount", "u32"],
  ["stageFlags", "u32"],
  ["pImmutableSamplers", "ptr"],
]);
export const VkDescriptorSetLayoutCreateInfo = struct("VkDescriptorSetLayoutCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["bindingCount", "u32"],
  ["pBindings", "ptr"],
]);
export const VkPushConstantRange = struct("VkPushConstantRange", [
  ["stageFlags", "u32"],
  ["offset", "u32"],
  ["size", "u32"],
]);
export const VkPipelineLayoutCreateInfo = struct("VkPipelineLayoutCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["setLayoutCount", "u32"],
  ["pSetLayouts", "ptr"],
  ["pushConstantRangeCount", "u32"],
  ["pPushConstantRanges", "ptr"],
]);
export const VkPipelineShaderStageCreateInfo = struct("VkPipelineShaderStageCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["stage", "u32"],
  ["module", "u64"],
  ["pName", "ptr"],
  ["pSpecializationInfo", "ptr"],
]);
export const VkComputePipelineCreateInfo = struct("VkComputePipelineCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["stage", VkPipelineShaderStageCreateInfo],
  ["layout", "u64"],
  ["basePipelineHandle", "u64"],
  ["basePipelineIndex", "i32"],
]);
export const VkDescriptorPoolSize = struct("VkDescriptorPoolSize", [
  ["type", "u32"],
  ["descriptorCount", "u32"],
]);
export const VkDescriptorPoolCreateInfo = struct("VkDescriptorPoolCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["maxSets", "u32"],
  ["poolSizeCount", "u32"],
  ["pPoolSizes", "ptr"],
]);
export const VkDescriptorSetAllocateInfo = struct("VkDescriptorSetAllocateInfo", [
  ...header,
  ["descriptorPool", "u64"],
  ["descriptorSetCount", "u32"],
  ["pSetLayouts", "ptr"],
]);
export const VkDescriptorBufferInfo = struct("VkDescriptorBufferInfo", [
  ["buffer", "u64"],
  ["offset", "u64"],
  ["range", "u64"],
]);
export const VkDescriptorImageInfo = struct("VkDescriptorImageInfo", [
  ["sampler", "u64"],
  ["imageView", "u64"],
  ["imageLayout", "u32"],
]);
export const VkWriteDescriptorSet = struct("VkWriteDescriptorSet", [
  ...header,
  ["dstSet", "u64"],
  ["dstBinding", "u32"],
  ["dstArrayElement", "u32"],
  ["descriptorCount", "u32"],
  ["descriptorType", "u32"],
  ["pImageInfo", "ptr"],
  ["pBufferInfo", "ptr"],
  ["pTexelBufferView", "ptr"],
]);
export const VkQueryPoolCreateInfo = struct("VkQueryPoolCreateInfo", [
  ...header,
  ["flags", "u32"],
  ["queryType", "u32"],
  ["queryCount", "u32"],
  ["pipelineStatistics", "u32"],
]);

/** Every layout above, for the layout truth test. */
export const vulkanLayouts = {
  VkApplicationInfo,
  VkInstanceCreateInfo,
  VkExtensionProperties,
  VkLayerProperties,
  VkDebugUtilsMessengerCreateInfoEXT,
  VkDebugUtilsMessengerCallbackDataEXT,
  VkPhysicalDeviceProperties,
  VkPhysicalDeviceProperties2,
  VkPhysicalDeviceDrmPropertiesEXT,
  VkPhysicalDeviceDriverProperties,
  VkQueueFamilyProperties,
  VkPhysicalDeviceMemoryProperties,
  VkPhysicalDeviceFeatures2,
  VkPhysicalDeviceVulkan11Features,
  VkDeviceQueueCreateInfo,
  VkDeviceCreateInfo,
  VkFormatProperties,
  VkFormatProperties2,
  VkDrmFormatModifierPropertiesEXT,
  VkDrmFormatModifierPropertiesListEXT,
  VkPhysicalDeviceImageFormatInfo2,
  VkPhysicalDeviceExternalImageFormatInfo,
  VkPhysicalDeviceImageDrmFormatModifierInfoEXT,
  VkImageFormatProperties,
  VkImageFormatProperties2,
  VkExternalMemoryProperties,
  VkExternalImageFormatProperties,
  VkCommandPoolCreateInfo,
  VkCommandBufferAllocateInfo,
  VkCommandBufferBeginInfo,
  VkSubmitInfo,
  VkFenceCreateInfo,
  VkSemaphoreCreateInfo,
  VkImportSemaphoreFdInfoKHR,
  VkBufferCreateInfo,
  VkExternalMemoryBufferCreateInfo,
  VkExternalMemoryImageCreateInfo,
  VkExportMemoryAllocateInfo,
  VkMemoryRequirements,
  VkMemoryRequirements2,
  VkMemoryDedicatedRequirements,
  VkBufferMemoryRequirementsInfo2,
  VkImageMemoryRequirementsInfo2,
  VkImagePlaneMemoryRequirementsInfo,
  VkMemoryAllocateInfo,
  VkImportMemoryFdInfoKHR,
  VkImportMemoryHostPointerInfoEXT,
  VkMemoryHostPointerPropertiesEXT,
  VkMemoryFdPropertiesKHR,
  VkMemoryGetFdInfoKHR,
  VkMemoryDedicatedAllocateInfo,
  VkBindBufferMemoryInfo,
  VkBindImageMemoryInfo,
  VkBindImagePlaneMemoryInfo,
  VkImageCreateInfo,
  VkImageFormatListCreateInfo,
  VkSubresourceLayout,
  VkImageDrmFormatModifierExplicitCreateInfoEXT,
  VkImageSubresourceRange,
  VkImageViewCreateInfo,
  VkSamplerCreateInfo,
  VkSamplerYcbcrConversionCreateInfo,
  VkSamplerYcbcrConversionInfo,
  VkImageViewUsageCreateInfo,
  VkImageMemoryBarrier,
  VkMemoryBarrier,
  VkBufferMemoryBarrier,
  VkBufferCopy,
  VkImageSubresourceLayers,
  VkBufferImageCopy,
  VkShaderModuleCreateInfo,
  VkDescriptorSetLayoutBinding,
  VkDescriptorSetLayoutCreateInfo,
  VkPushConstantRange,
  VkPipelineLayoutCreateInfo,
  VkPipelineShaderStageCreateInfo,
  VkComputePipelineCreateInfo,
  VkDescriptorPoolSize,
  VkDescriptorPoolCreateInfo,
  VkDescriptorSetAllocateInfo,
  VkDescriptorBufferInfo,
  VkDescriptorImageInfo,
  VkWriteDescriptorSet,
  VkQueryPoolCreateInfo,
};

// --- functions --------------------------------------------------------------------------
const H = T.u64; // non-dispatchable handle
const D = T.ptr; // dispatchable handle

export const libvulkan = lazyLibrary(
  { name: "libvulkan", sonames: ["libvulkan.so.1", "libvulkan.so"], debianPackage: "libvulkan1" },
  {
    vkGetInstanceProcAddr: { args: [D, T.cstring], returns: T.ptr },
    vkCreateInstance: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
    vkEnumerateInstanceVersion: { args: [T.ptr], returns: T.i32 },
    vkEnumerateInstanceExtensionProperties: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
    vkEnumerateInstanceLayerProperties: { args: [T.ptr, T.ptr], returns: T.i32 },
  },
);

const instanceFns = {
  vkEnumeratePhysicalDevices: { args: [D, T.ptr, T.ptr], returns: T.i32 },
  vkGetPhysicalDeviceProperties2: { args: [D, T.ptr], returns: T.void },
  vkGetPhysicalDeviceQueueFamilyProperties: { args: [D, T.ptr, T.ptr], returns: T.void },
  vkGetPhysicalDeviceMemoryProperties: { args: [D, T.ptr], returns: T.void },
  vkGetPhysicalDeviceFeatures2: { args: [D, T.ptr], returns: T.void },
  vkEnumerateDeviceExtensionProperties: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkGetPhysicalDeviceFormatProperties2: { args: [D, T.u32, T.ptr], returns: T.void },
  vkGetPhysicalDeviceImageFormatProperties2: { args: [D, T.ptr, T.ptr], returns: T.i32 },
  vkCreateDevice: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkGetDeviceProcAddr: { args: [D, T.cstring], returns: T.ptr },
  vkCreateDebugUtilsMessengerEXT: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
} as const satisfies Record<string, FFIFunction>;

const deviceFns = {
  vkDestroyDevice: { args: [D, T.ptr], returns: T.void },
  vkDeviceWaitIdle: { args: [D], returns: T.i32 },
  vkGetDeviceQueue: { args: [D, T.u32, T.u32, T.ptr], returns: T.void },
  vkQueueSubmit: { args: [D, T.u32, T.ptr, H], returns: T.i32 },
  vkCreateCommandPool: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroyCommandPool: { args: [D, H, T.ptr], returns: T.void },
  vkAllocateCommandBuffers: { args: [D, T.ptr, T.ptr], returns: T.i32 },
  vkFreeCommandBuffers: { args: [D, H, T.u32, T.ptr], returns: T.void },
  vkBeginCommandBuffer: { args: [D, T.ptr], returns: T.i32 },
  vkEndCommandBuffer: { args: [D], returns: T.i32 },
  vkCreateFence: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroyFence: { args: [D, H, T.ptr], returns: T.void },
  vkWaitForFences: { args: [D, T.u32, T.ptr, T.u32, T.u64], returns: T.i32 },
  vkResetFences: { args: [D, T.u32, T.ptr], returns: T.i32 },
  vkGetFenceStatus: { args: [D, H], returns: T.i32 },
  vkCreateSemaphore: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroySemaphore: { args: [D, H, T.ptr], returns: T.void },
  vkCreateBuffer: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroyBuffer: { args: [D, H, T.ptr], returns: T.void },
  vkCreateImage: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroyImage: { args: [D, H, T.ptr], returns: T.void },
  vkGetBufferMemoryRequirements2: { args: [D, T.ptr, T.ptr], returns: T.void },
  vkGetImageMemoryRequirements2: { args: [D, T.ptr, T.ptr], returns: T.void },
  vkAllocateMemory: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkFreeMemory: { args: [D, H, T.ptr], returns: T.void },
  vkMapMemory: { args: [D, H, T.u64, T.u64, T.u32, T.ptr], returns: T.i32 },
  vkUnmapMemory: { args: [D, H], returns: T.void },
  vkBindBufferMemory2: { args: [D, T.u32, T.ptr], returns: T.i32 },
  vkBindImageMemory2: { args: [D, T.u32, T.ptr], returns: T.i32 },
  vkCreateImageView: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroyImageView: { args: [D, H, T.ptr], returns: T.void },
  vkCreateSampler: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroySampler: { args: [D, H, T.ptr], returns: T.void },
  vkCreateSamplerYcbcrConversion: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroySamplerYcbcrConversion: { args: [D, H, T.ptr], returns: T.void },
  vkCreateShaderModule: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroyShaderModule: { args: [D, H, T.ptr], returns: T.void },
  vkCreateDescriptorSetLayout: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroyDescriptorSetLayout: { args: [D, H, T.ptr], returns: T.void },
  vkCreatePipelineLayout: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroyPipelineLayout: { args: [D, H, T.ptr], returns: T.void },
  vkCreateComputePipelines: { args: [D, H, T.u32, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroyPipeline: { args: [D, H, T.ptr], returns: T.void },
  vkCreateDescriptorPool: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroyDescriptorPool: { args: [D, H, T.ptr], returns: T.void },
  vkAllocateDescriptorSets: { args: [D, T.ptr, T.ptr], returns: T.i32 },
  vkUpdateDescriptorSets: { args: [D, T.u32, T.ptr, T.u32, T.ptr], returns: T.void },
  vkCreateQueryPool: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroyQueryPool: { args: [D, H, T.ptr], returns: T.void },
  vkGetQueryPoolResults: { args: [D, H, T.u32, T.u32, T.u64, T.ptr, T.u64, T.u32], returns: T.i32 },
  vkCmdBindPipeline: { args: [D, T.u32, H], returns: T.void },
  vkCmdBindDescriptorSets: { args: [D, T.u32, H, T.u32, T.u32, T.ptr, T.u32, T.ptr], returns: T.void },
  vkCmdPushConstants: { args: [D, H, T.u32, T.u32, T.u32, T.ptr], returns: T.void },
  vkCmdDispatch: { args: [D, T.u32, T.u32, T.u32], returns: T.void },
  vkCmdPipelineBarrier: { args: [D, T.u32, T.u32, T.u32, T.u32, T.ptr, T.u32, T.ptr, T.u32, T.ptr], returns: T.void },
  vkCmdCopyBuffer: { args: [D, H, H, T.u32, T.ptr], returns: T.void },
  vkCmdCopyImageToBuffer: { args: [D, H, T.u32, H, T.u32, T.ptr], returns: T.void },
  vkCmdResetQueryPool: { args: [D, H, T.u32, T.u32], returns: T.void },
  vkCmdWriteTimestamp: { args: [D, T.u32, H, T.u32], returns: T.void },
} as const satisfies Record<string, FFIFunction>;

/** Device functions that exist only with an extension; loaded when present, else undefined. */
const deviceExtFns = {
  vkGetMemoryFdPropertiesKHR: { args: [D, T.u32, T.i32, T.ptr], returns: T.i32 },
  vkGetMemoryFdKHR: { args: [D, T.ptr, T.ptr], returns: T.i32 },
  vkGetMemoryHostPointerPropertiesEXT: { args: [D, T.u32, T.ptr, T.ptr], returns: T.i32 },
  vkImportSemaphoreFdKHR: { args: [D, T.ptr], returns: T.i32 },
} as const satisfies Record<string, FFIFunction>;

function bind<F extends Record<string, FFIFunction>>(
  fns: F,
  lookup: (name: string) => number | null,
  optional: boolean,
): TypedSymbols<F> {
  const out = {} as TypedSymbols<F>;
  for (const name of Object.keys(fns) as (keyof F & string)[]) {
    const p = lookup(name);
    if (!p) {
      if (optional) continue;
      throw new VaapiVkError("VULKAN_UNSUPPORTED", `Vulkan function ${name} is not available from the loader`);
    }
    out[name] = CFunction({ ...fns[name], ptr: p as Pointer }) as unknown as TypedSymbols<F>[typeof name];
  }
  return out;
}

export type InstanceFns = TypedSymbols<typeof instanceFns>;
export type DeviceFns = TypedSymbols<typeof deviceFns> & Partial<TypedSymbols<typeof deviceExtFns>>;

const cstr = (s: string) => Buffer.from(`${s}\0`);

export function loadInstanceFns(instance: number): InstanceFns {
  const gipa = libvulkan().vkGetInstanceProcAddr;
  // vkCreateDebugUtilsMessengerEXT exists only when VK_EXT_debug_utils was enabled: bound when present. (The
  // instance and its messenger are the process's and never destroyed: see lib/vulkan/instance.ts.)
  const { vkCreateDebugUtilsMessengerEXT, ...core } = instanceFns;
  return {
    ...bind(core, (n) => gipa(instance as unknown as Pointer, cstr(n)) as number | null, false),
    ...bind(
      { vkCreateDebugUtilsMessengerEXT },
      (n) => gipa(instance as unknown as Pointer, cstr(n)) as number | null,
      true,
    ),
  } as InstanceFns;
}

export function loadDeviceFns(inst: InstanceFns, device: number): DeviceFns {
  const lookup = (n: string) => inst.vkGetDeviceProcAddr(device, cstr(n)) as number | null;
  return { ...bind(deviceFns, lookup, false), ...bind(deviceExtFns, lookup, true) } as DeviceFns;
}
