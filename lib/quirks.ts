// Drivers whose answers cannot be trusted for something, as seen, and what the library does
// instead. Pure: no FFI.
//   DRIVER_QUIRKS: Vulkan drivers (VkPhysicalDeviceDriverProperties.driverName), and the capability
//     the planner stops offering on them.
//   EXPORT_QUIRKS: VA drivers (vaQueryVendorString) whose exports are laid out in a way the import
//     cannot read right; their frames go through --force-linear's linear copies instead.
import type { DrmFrameDescriptor } from "./descriptor";
import { modifierVendor } from "./formats";

export type DriverQuirk = {
  driver: RegExp;
  /** What the library stops offering on that driver. */
  effect: "no-multi-planar-import";
  /** What was measured, on which driver version and GPU. */
  seen: string;
};

export const DRIVER_QUIRKS: readonly DriverQuirk[] = [
  {
    driver: /^NVIDIA$/,
    effect: "no-multi-planar-import",
    seen:
      "lists LINEAR for G8_B8R8_2PLANE_420_UNORM and imports a 128x64 NV12 image with explicit plane layouts without error or validation message, " +
      "but a YCbCr sampler reads zeros when the chroma plane's offset is not a multiple of the image's 64 KiB alignment, and only the first 32 columns when it is " +
      "(driver 580.159.04, H100); per-plane images of the same memory read right",
  },
];

/** The quirks of the Vulkan driver called `driverName`. */
export const quirksOf = (driverName: string): DriverQuirk[] => DRIVER_QUIRKS.filter((q) => q.driver.test(driverName));

export type ExportQuirk = {
  /** The VA driver, by its vendor string. */
  vendor: RegExp;
  /** Whether a frame it exported is laid out the way this quirk is about. */
  applies: (desc: DrmFrameDescriptor) => boolean;
  seen: string;
};

/** A plane that starts inside an NVIDIA block-linear buffer rather than at its start. */
const blockLinearPlaneAtOffset = (desc: DrmFrameDescriptor): boolean =>
  desc.layers.some((l) =>
    l.planes.some((p) => p.offset > 0 && modifierVendor(desc.objects[p.object]!.modifier) === "NVIDIA"),
  );

export const EXPORT_QUIRKS: readonly ExportQuirk[] = [
  {
    vendor: /NVDEC/,
    applies: blockLinearPlaneAtOffset,
    seen:
      "nvidia-vaapi-driver's single-buffer export (its direct backend's default until it moved to one object per plane, nvidia-vaapi-driver PR #446; " +
      "NVD_SINGLE_BUFFER since) puts NV12 chroma at an offset inside one block-linear buffer, which a plane imported alone reads scrambled, " +
      "and NVIDIA's Vulkan driver cannot read the frame as one multi-planar image (DRIVER_QUIRKS)",
  },
];

/** The quirk (if any) that says frames like `desc` from the VA driver `vendor` must be copied into linear buffers. */
export const exportQuirk = (vendor: string, desc: DrmFrameDescriptor): ExportQuirk | undefined =>
  EXPORT_QUIRKS.find((q) => q.vendor.test(vendor) && q.applies(desc));
