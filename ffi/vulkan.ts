// Raw Vulkan, in three parts: enums (ffi/vulkan/enums.ts), struct layouts (ffi/vulkan/structs.ts)
// and function tables (ffi/vulkan/functions.ts). Imported as one namespace: `import * as vk`.
export * from "./vulkan/enums";
export * from "./vulkan/functions";
export * from "./vulkan/structs";
