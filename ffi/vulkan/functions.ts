// Vulkan's functions: loader entry points from libvulkan; instance and device functions through
// vkGetInstanceProcAddr/vkGetDeviceProcAddr, typed from their own args tables.
import { CFunction, type FFIFunction, type Pointer, FFIType as T } from "bun:ffi";
import { VaapiVkError } from "../errors";
import { lazyLibrary, type TypedSymbols } from "../library";

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
  vkGetPhysicalDeviceQueueFamilyProperties2: { args: [D, T.ptr, T.ptr], returns: T.void },
  vkGetPhysicalDeviceMemoryProperties: { args: [D, T.ptr], returns: T.void },
  vkGetPhysicalDeviceMemoryProperties2: { args: [D, T.ptr], returns: T.void },
  vkGetPhysicalDeviceFeatures2: { args: [D, T.ptr], returns: T.void },
  vkEnumerateDeviceExtensionProperties: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkGetPhysicalDeviceFormatProperties2: { args: [D, T.u32, T.ptr], returns: T.void },
  vkGetPhysicalDeviceImageFormatProperties2: { args: [D, T.ptr, T.ptr], returns: T.i32 },
  vkCreateDevice: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkGetDeviceProcAddr: { args: [D, T.cstring], returns: T.ptr },
  vkCreateDebugUtilsMessengerEXT: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
} as const satisfies Record<string, FFIFunction>;

/** Instance functions of VK_KHR_surface: bound when the instance enabled it (a preview window's). */
const surfaceFns = {
  vkDestroySurfaceKHR: { args: [D, H, T.ptr], returns: T.void },
  vkGetPhysicalDeviceSurfaceSupportKHR: { args: [D, T.u32, H, T.ptr], returns: T.i32 },
  vkGetPhysicalDeviceSurfaceCapabilitiesKHR: { args: [D, H, T.ptr], returns: T.i32 },
  vkGetPhysicalDeviceSurfaceFormatsKHR: { args: [D, H, T.ptr, T.ptr], returns: T.i32 },
  vkGetPhysicalDeviceSurfacePresentModesKHR: { args: [D, H, T.ptr, T.ptr], returns: T.i32 },
} as const satisfies Record<string, FFIFunction>;

const deviceFns = {
  vkDestroyDevice: { args: [D, T.ptr], returns: T.void },
  vkDeviceWaitIdle: { args: [D], returns: T.i32 },
  vkQueueWaitIdle: { args: [D], returns: T.i32 },
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
  vkCmdCopyBufferToImage: { args: [D, H, H, T.u32, T.u32, T.ptr], returns: T.void },
  vkCmdBlitImage: { args: [D, H, T.u32, H, T.u32, T.u32, T.ptr, T.u32], returns: T.void },
  vkCmdClearColorImage: { args: [D, H, T.u32, T.ptr, T.u32, T.ptr], returns: T.void },
  vkCmdResetQueryPool: { args: [D, H, T.u32, T.u32], returns: T.void },
  vkCmdWriteTimestamp: { args: [D, T.u32, H, T.u32], returns: T.void },
} as const satisfies Record<string, FFIFunction>;

/** Device functions that exist only with an extension; loaded when present, else undefined. */
const deviceExtFns = {
  vkGetMemoryFdPropertiesKHR: { args: [D, T.u32, T.i32, T.ptr], returns: T.i32 },
  vkGetMemoryFdKHR: { args: [D, T.ptr, T.ptr], returns: T.i32 },
  vkGetMemoryHostPointerPropertiesEXT: { args: [D, T.u32, T.ptr, T.ptr], returns: T.i32 },
  vkImportSemaphoreFdKHR: { args: [D, T.ptr], returns: T.i32 },
  vkCreateSwapchainKHR: { args: [D, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  vkDestroySwapchainKHR: { args: [D, H, T.ptr], returns: T.void },
  vkGetSwapchainImagesKHR: { args: [D, H, T.ptr, T.ptr], returns: T.i32 },
  vkAcquireNextImageKHR: { args: [D, H, T.u64, H, H, T.ptr], returns: T.i32 },
  vkQueuePresentKHR: { args: [D, T.ptr], returns: T.i32 },
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

export type InstanceFns = TypedSymbols<typeof instanceFns> & Partial<TypedSymbols<typeof surfaceFns>>;
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
      { vkCreateDebugUtilsMessengerEXT, ...surfaceFns },
      (n) => gipa(instance as unknown as Pointer, cstr(n)) as number | null,
      true,
    ),
  } as InstanceFns;
}

export function loadDeviceFns(inst: InstanceFns, device: number): DeviceFns {
  const lookup = (n: string) => inst.vkGetDeviceProcAddr(device, cstr(n)) as number | null;
  return { ...bind(deviceFns, lookup, false), ...bind(deviceExtFns, lookup, true) } as DeviceFns;
}
