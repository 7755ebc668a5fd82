// Vulkan struct layouts, each described once and used to write and to read it (the layout test
// holds every one to offsetof() from vulkan_core.h).
import { type PartialLayout, struct } from "../struct";

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
export const VkQueueFamilyProperties2 = struct("VkQueueFamilyProperties2", [
  ...header,
  ["queueFamilyProperties", VkQueueFamilyProperties],
]);
export const VkQueueFamilyVideoPropertiesKHR = struct("VkQueueFamilyVideoPropertiesKHR", [
  ...header,
  ["videoCodecOperations", "u32"],
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
export const VkPhysicalDeviceMemoryProperties2 = struct("VkPhysicalDeviceMemoryProperties2", [
  ...header,
  ["memoryProperties", VkPhysicalDeviceMemoryProperties],
]);
export const VkPhysicalDeviceMemoryBudgetPropertiesEXT = struct("VkPhysicalDeviceMemoryBudgetPropertiesEXT", [
  ...header,
  ["heapBudget", { array: "u64", count: 16 }],
  ["heapUsage", { array: "u64", count: 16 }],
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
/** VkPhysicalDeviceVulkan12Features is 47 VkBool32s; the ones Vulkan Video decoding needs, by offset. */
export const VkPhysicalDeviceVulkan12Features: PartialLayout<
  "sType" | "pNext" | "hostQueryReset" | "timelineSemaphore"
> & {
  size: number;
} = {
  name: "VkPhysicalDeviceVulkan12Features",
  size: 208,
  offsets: { sType: 0, pNext: 8, hostQueryReset: 160, timelineSemaphore: 164 },
};
/** VkPhysicalDeviceVulkan13Features: the one Vulkan Video decoding needs (libav records its barriers with it). */
export const VkPhysicalDeviceVulkan13Features: PartialLayout<"sType" | "pNext" | "synchronization2"> & {
  size: number;
} = {
  name: "VkPhysicalDeviceVulkan13Features",
  size: 80,
  offsets: { sType: 0, pNext: 8, synchronization2: 52 },
};
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
export const VkSpecializationMapEntry = struct("VkSpecializationMapEntry", [
  ["constantID", "u32"],
  ["offset", "u32"],
  ["size", "u64"],
]);
export const VkSpecializationInfo = struct("VkSpecializationInfo", [
  ["mapEntryCount", "u32"],
  ["pMapEntries", "ptr"],
  ["dataSize", "u64"],
  ["pData", "ptr"],
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

export const VkTimelineSemaphoreSubmitInfo = struct("VkTimelineSemaphoreSubmitInfo", [
  ...header,
  ["waitSemaphoreValueCount", "u32"],
  ["pWaitSemaphoreValues", "ptr"],
  ["signalSemaphoreValueCount", "u32"],
  ["pSignalSemaphoreValues", "ptr"],
]);

export const VkSurfaceCapabilitiesKHR = struct("VkSurfaceCapabilitiesKHR", [
  ["minImageCount", "u32"],
  ["maxImageCount", "u32"],
  ["currentExtent", { array: "u32", count: 2 }],
  ["minImageExtent", { array: "u32", count: 2 }],
  ["maxImageExtent", { array: "u32", count: 2 }],
  ["maxImageArrayLayers", "u32"],
  ["supportedTransforms", "u32"],
  ["currentTransform", "u32"],
  ["supportedCompositeAlpha", "u32"],
  ["supportedUsageFlags", "u32"],
]);
export const VkSurfaceFormatKHR = struct("VkSurfaceFormatKHR", [
  ["format", "u32"],
  ["colorSpace", "u32"],
]);
export const VkSwapchainCreateInfoKHR = struct("VkSwapchainCreateInfoKHR", [
  ...header,
  ["flags", "u32"],
  ["surface", "u64"],
  ["minImageCount", "u32"],
  ["imageFormat", "u32"],
  ["imageColorSpace", "u32"],
  ["imageExtent", { array: "u32", count: 2 }],
  ["imageArrayLayers", "u32"],
  ["imageUsage", "u32"],
  ["imageSharingMode", "u32"],
  ["queueFamilyIndexCount", "u32"],
  ["pQueueFamilyIndices", "ptr"],
  ["preTransform", "u32"],
  ["compositeAlpha", "u32"],
  ["presentMode", "u32"],
  ["clipped", "u32"],
  ["oldSwapchain", "u64"],
]);
export const VkPresentInfoKHR = struct("VkPresentInfoKHR", [
  ...header,
  ["waitSemaphoreCount", "u32"],
  ["pWaitSemaphores", "ptr"],
  ["swapchainCount", "u32"],
  ["pSwapchains", "ptr"],
  ["pImageIndices", "ptr"],
  ["pResults", "ptr"],
]);
export const VkImageBlit = struct("VkImageBlit", [
  ["srcSubresource", VkImageSubresourceLayers],
  ["srcOffsets", { array: "i32", count: 6 }],
  ["dstSubresource", VkImageSubresourceLayers],
  ["dstOffsets", { array: "i32", count: 6 }],
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
  VkPhysicalDeviceMemoryProperties2,
  VkPhysicalDeviceMemoryBudgetPropertiesEXT,
  VkPhysicalDeviceFeatures2,
  VkPhysicalDeviceVulkan11Features,
  VkQueueFamilyProperties2,
  VkQueueFamilyVideoPropertiesKHR,
  VkTimelineSemaphoreSubmitInfo,
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
  VkSpecializationMapEntry,
  VkSpecializationInfo,
  VkPipelineShaderStageCreateInfo,
  VkComputePipelineCreateInfo,
  VkDescriptorPoolSize,
  VkDescriptorPoolCreateInfo,
  VkDescriptorSetAllocateInfo,
  VkDescriptorBufferInfo,
  VkDescriptorImageInfo,
  VkWriteDescriptorSet,
  VkQueryPoolCreateInfo,
  VkSurfaceCapabilitiesKHR,
  VkSurfaceFormatKHR,
  VkSwapchainCreateInfoKHR,
  VkPresentInfoKHR,
  VkImageBlit,
};

/** The layouts known by a few offsets (large structs), with their sizes, for the layout truth test. */
export const vulkanPartialLayouts = {
  VkPhysicalDeviceLimits,
  VkPhysicalDeviceFeatures,
  VkPhysicalDeviceVulkan12Features,
  VkPhysicalDeviceVulkan13Features,
};
