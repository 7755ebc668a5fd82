// What the image path asks of its images: only the usage the passes that read them need (plane
// images, or a whole frame as one multi-planar image: see plan.ts).
import * as vk from "../../ffi/vulkan";

/**
 * What a pass does with an imported plane image. The conversion and luma passes sample them
 * (texelFetch), so "sampled" is all an import asks for by default; a driver may list a modifier
 * for sampling but not for storage or copies, and asking for more would refuse such frames.
 */
export type ImageUse = "sampled" | "storage" | "transfer-src";
export const DEFAULT_IMAGE_USES: readonly ImageUse[] = ["sampled"];

const USE_BITS: Record<ImageUse, { usage: number; feature: number }> = {
  sampled: { usage: vk.ImageUsage.SAMPLED, feature: vk.FormatFeature.SAMPLED_IMAGE },
  storage: { usage: vk.ImageUsage.STORAGE, feature: vk.FormatFeature.STORAGE_IMAGE },
  "transfer-src": { usage: vk.ImageUsage.TRANSFER_SRC, feature: vk.FormatFeature.TRANSFER_SRC },
};

/** VkImageUsageFlags for these uses. */
export const imageUsageBits = (uses: readonly ImageUse[]): number =>
  uses.reduce((bits, u) => bits | USE_BITS[u].usage, 0);
/** The drmFormatModifierTilingFeatures a modifier must list for these uses. */
export const tilingFeatureBits = (uses: readonly ImageUse[]): number =>
  uses.reduce((bits, u) => bits | USE_BITS[u].feature, 0);

/** The one mip level and array layer of an image (every image here has just those), for `aspectMask`. */
export const singleSubresource = (aspectMask: number) => ({
  aspectMask,
  baseMipLevel: 0,
  levelCount: 1,
  baseArrayLayer: 0,
  layerCount: 1,
});
