// Helpers for tests that run on Vulkan.
export { exportOpaqueFd, readBuffer as copyOut } from "vaapi-vk";
