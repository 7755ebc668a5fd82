// Drivers whose answers cannot be trusted for something, as measured, and what the library does
// instead. Each entry names the driver (VkPhysicalDeviceDriverProperties.driverName), what was seen
// and where, and the capability it takes away.
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

/** The quirks of the driver called `driverName`. */
export const quirksOf = (driverName: string): DriverQuirk[] => DRIVER_QUIRKS.filter((q) => q.driver.test(driverName));
