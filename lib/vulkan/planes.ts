// The image path imports every frame as one single-plane image per colour plane.
import * as vk from "../../ffi/vulkan";

/**
 * How each planned format is imported: one single-plane image per colour plane. A multi-planar
 * VkImage would need MUTABLE_FORMAT plane views, whose view-format-list rules contradict each other
 * for DRM-modifier images (VUID-VkImageViewCreateInfo-pNext-01585 vs VUID-VkImageCreateInfo-pNext-06722);
 * per-plane images need none of that, bind each plane to its own object at offset 0, and are how
 * separate-layer exports (R8 + GR88, R16 + GR1616) describe the surface anyway.
 */
export const PLANE_IMAGE_FORMATS: Record<string, vk.VkFormatName[]> = {
  G8_B8R8_2PLANE_420_UNORM: ["R8_UNORM", "R8G8_UNORM"],
  G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16: ["R16_UNORM", "R16G16_UNORM"],
  G8_B8_R8_3PLANE_420_UNORM: ["R8_UNORM", "R8_UNORM", "R8_UNORM"],
  R8_UNORM: ["R8_UNORM"], R8G8_UNORM: ["R8G8_UNORM"], R16_UNORM: ["R16_UNORM"], R16G16_UNORM: ["R16G16_UNORM"],
};
export const IMAGE_USAGE = vk.ImageUsage.STORAGE | vk.ImageUsage.SAMPLED | vk.ImageUsage.TRANSFER_SRC;
