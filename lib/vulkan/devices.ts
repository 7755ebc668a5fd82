// The machine's Vulkan devices, as the library sees them: listing them with what each offers,
// choosing one (by index, name, or the DRM render node a decoder uses), their DRM format modifiers,
// and the device numbers of a DRM node.
import { ptr } from "bun:ffi";
import { libc, S_IFCHR, S_IFMT, Stat } from "../../ffi/libc";
import { cString, pack, packArray, unpack } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { InvalidArgumentError, VulkanUnsupportedError } from "../errors";
import { enumerate, readU64 } from "./instance";

export type PhysicalDeviceInfo = {
  index: number;
  name: string;
  type: (typeof vk.PhysicalDeviceType)[number];
  apiVersion: string;
  vendorId: number;
  deviceId: number;
  driverName: string;
  driverInfo: string;
  extensions: string[];
  /** DRM node numbers from VK_EXT_physical_device_drm, when the device has it. */
  drm?: { primary?: [number, number]; render?: [number, number] };
};

/** The (major, minor) device numbers of a character device node, e.g. a DRM render node. */
export function deviceNumbers(path: string): [number, number] {
  const fd = libc().open(Buffer.from(`${path}\0`), 0);
  if (fd < 0)
    throw new InvalidArgumentError(
      "render node",
      `${path} cannot be opened (no such node, or no permission); list nodes with \`ls -l /dev/dri\`, and add the user to the render group`,
    );
  const st = Buffer.alloc(Stat.size);
  try {
    if (libc().fstat(fd, st) !== 0) throw new InvalidArgumentError("render node", `fstat(${path}) failed`);
  } finally {
    libc().close(fd);
  }
  const s = unpack(Stat, st);
  if ((s.st_mode & S_IFMT) !== S_IFCHR)
    throw new InvalidArgumentError(
      "render node",
      `${path} is not a character device; a DRM render node looks like /dev/dri/renderD128`,
    );
  const rdev = BigInt(s.st_rdev);
  // glibc's gnu_dev_major/minor.
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return [major, minor];
}

export function listPhysicalDevices(
  inst: vk.InstanceFns,
  instance: number,
): { handle: number; info: PhysicalDeviceInfo }[] {
  const handles = enumerate((c, o) => inst.vkEnumeratePhysicalDevices(instance, c, o), 8, "vkEnumeratePhysicalDevices");
  return Array.from({ length: handles.length / 8 }, (_, index) => {
    const handle = Number(readU64(handles, index));
    const extBuf = enumerate(
      (c, o) => inst.vkEnumerateDeviceExtensionProperties(handle, null, c, o),
      vk.VkExtensionProperties.size,
      "vkEnumerateDeviceExtensionProperties",
    );
    const extensions = Array.from({ length: extBuf.length / vk.VkExtensionProperties.size }, (_, i) =>
      cString(unpack(vk.VkExtensionProperties, extBuf, i).extensionName),
    );
    const hasDrm = extensions.includes("VK_EXT_physical_device_drm");
    const drm = pack(vk.VkPhysicalDeviceDrmPropertiesEXT, { sType: vk.SType.PHYSICAL_DEVICE_DRM_PROPERTIES_EXT });
    const driver = pack(vk.VkPhysicalDeviceDriverProperties, {
      sType: vk.SType.PHYSICAL_DEVICE_DRIVER_PROPERTIES,
      pNext: hasDrm ? drm : null,
    });
    const props = pack(vk.VkPhysicalDeviceProperties2, { sType: vk.SType.PHYSICAL_DEVICE_PROPERTIES_2, pNext: driver });
    inst.vkGetPhysicalDeviceProperties2(handle, props);
    const p = unpack(vk.VkPhysicalDeviceProperties2, props).properties;
    const d = unpack(vk.VkPhysicalDeviceDriverProperties, driver);
    const dp = unpack(vk.VkPhysicalDeviceDrmPropertiesEXT, drm);
    const info: PhysicalDeviceInfo = {
      index,
      name: cString(p.deviceName),
      type: vk.PhysicalDeviceType[p.deviceType] ?? "other",
      apiVersion: vk.apiVersionString(p.apiVersion),
      vendorId: p.vendorID,
      deviceId: p.deviceID,
      driverName: cString(d.driverName),
      driverInfo: cString(d.driverInfo),
      extensions,
    };
    if (hasDrm) {
      info.drm = {};
      if (dp.hasPrimary) info.drm.primary = [Number(dp.primaryMajor), Number(dp.primaryMinor)];
      if (dp.hasRender) info.drm.render = [Number(dp.renderMajor), Number(dp.renderMinor)];
    }
    return { handle, info };
  });
}

export function choosePhysicalDevice(
  devices: { handle: number; info: PhysicalDeviceInfo }[],
  want: number | string | undefined,
  renderNode: string | undefined,
) {
  const names = devices.map((d) => `${d.info.index}: ${d.info.name}`).join("; ");
  if (!devices.length)
    throw new VulkanUnsupportedError(
      "no Vulkan physical device found; install a driver (`apt-get install mesa-vulkan-drivers` gives lavapipe) or set VK_DRIVER_FILES",
    );
  if (renderNode) {
    const [major, minor] = deviceNumbers(renderNode);
    const match = devices.find((d) => d.info.drm?.render?.[0] === major && d.info.drm.render[1] === minor);
    if (!match)
      throw new VulkanUnsupportedError(
        `no Vulkan device drives ${renderNode} (${major}:${minor}); devices: ${names}. Importing its dmabufs into another GPU is refused: install the Vulkan driver for that GPU`,
      );
    return match;
  }
  if (want !== undefined && want !== "") {
    const asIndex = typeof want === "number" ? want : /^\d+$/.test(want) ? Number(want) : undefined;
    const match =
      asIndex !== undefined
        ? devices[asIndex]
        : devices.find((d) => d.info.name.toLowerCase().includes(String(want).toLowerCase()));
    if (!match) throw new InvalidArgumentError("Vulkan device", `${JSON.stringify(want)} matches none of: ${names}`);
    return match;
  }
  const rank = (d: PhysicalDeviceInfo) =>
    (d.extensions.includes("VK_KHR_external_memory_fd") ? 0 : 10) +
    ["discrete-gpu", "integrated-gpu", "virtual-gpu", "cpu", "other"].indexOf(d.type);
  return [...devices].sort((a, b) => rank(a.info) - rank(b.info))[0]!;
}

export function queueFamilies(inst: vk.InstanceFns, pd: number) {
  const count = Buffer.alloc(4);
  inst.vkGetPhysicalDeviceQueueFamilyProperties(pd, count, null);
  const buf = Buffer.alloc(count.readUInt32LE(0) * vk.VkQueueFamilyProperties.size);
  inst.vkGetPhysicalDeviceQueueFamilyProperties(pd, count, buf);
  return Array.from({ length: count.readUInt32LE(0) }, (_, i) => unpack(vk.VkQueueFamilyProperties, buf, i));
}

/** Each queue family's video codec operations (VkQueueFamilyVideoPropertiesKHR; 0 for a family that does no video). */
export function queueFamilyVideoOperations(inst: vk.InstanceFns, pd: number, count: number): number[] {
  const video = packArray(
    vk.VkQueueFamilyVideoPropertiesKHR,
    new Array(count).fill({ sType: vk.SType.QUEUE_FAMILY_VIDEO_PROPERTIES_KHR }),
  );
  const props = packArray(
    vk.VkQueueFamilyProperties2,
    Array.from({ length: count }, (_, i) => ({
      sType: vk.SType.QUEUE_FAMILY_PROPERTIES_2,
      pNext: Number(ptr(video)) + i * vk.VkQueueFamilyVideoPropertiesKHR.size,
    })),
  );
  inst.vkGetPhysicalDeviceQueueFamilyProperties2(pd, new Uint32Array([count]), props);
  return Array.from(
    { length: count },
    (_, i) => unpack(vk.VkQueueFamilyVideoPropertiesKHR, video, i).videoCodecOperations as number,
  );
}

export function formatModifiers(inst: vk.InstanceFns, pd: number, format: vk.VkFormatName) {
  const list = pack(vk.VkDrmFormatModifierPropertiesListEXT, {
    sType: vk.SType.DRM_FORMAT_MODIFIER_PROPERTIES_LIST_EXT,
  });
  const props = pack(vk.VkFormatProperties2, { sType: vk.SType.FORMAT_PROPERTIES_2, pNext: list });
  inst.vkGetPhysicalDeviceFormatProperties2(pd, vk.VkFormat[format], props);
  const n = unpack(vk.VkDrmFormatModifierPropertiesListEXT, list).drmFormatModifierCount as number;
  if (!n) return [];
  const items = packArray(vk.VkDrmFormatModifierPropertiesEXT, new Array(n).fill({}));
  const list2 = pack(vk.VkDrmFormatModifierPropertiesListEXT, {
    sType: vk.SType.DRM_FORMAT_MODIFIER_PROPERTIES_LIST_EXT,
    drmFormatModifierCount: n,
    pDrmFormatModifierProperties: items,
  });
  inst.vkGetPhysicalDeviceFormatProperties2(
    pd,
    vk.VkFormat[format],
    pack(vk.VkFormatProperties2, { sType: vk.SType.FORMAT_PROPERTIES_2, pNext: list2 }),
  );
  return Array.from({ length: n }, (_, i) => {
    const m = unpack(vk.VkDrmFormatModifierPropertiesEXT, items, i);
    return {
      modifier: BigInt(m.drmFormatModifier),
      planes: m.drmFormatModifierPlaneCount as number,
      features: m.drmFormatModifierTilingFeatures as number,
    };
  });
}
