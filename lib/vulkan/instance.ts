// The Vulkan instance: one per process and configuration (validation layer, debug output), made
// on first use and kept for the process's life. NVIDIA's driver refuses vkCreateInstance
// (VK_ERROR_INCOMPATIBLE_DRIVER) after about 30 in one process, even when each was destroyed
// (measured on the H100, driver 580.159.04), while devices on one instance come and go freely; a
// process that opens clip after clip would otherwise stop at the 30th. The debug messenger's
// messages go to every context listening on the instance.
import { ptr } from "bun:ffi";
import { cString, pack, unpack } from "../../ffi/struct";
import { vkDebugQueue } from "../../ffi/vkdebug";
import * as vk from "../../ffi/vulkan";
import { VulkanError, VulkanUnsupportedError } from "../errors";

export const SEVERITY_ERROR = 0x1000;
export const SEVERITY_WARNING = 0x100;
const SEVERITY_INFO = 0x10;

export function checkVk(result: number, func: string, hint = ""): void {
  if (result !== 0) throw new VulkanError(func, result, vk.VkResult[result] ?? "VkResult", hint);
}

export const readU64 = (b: Buffer, i = 0) => b.readBigUInt64LE(i * 8);
export const cstrings = (names: readonly string[]) => {
  const bufs = names.map((n) => Buffer.from(`${n}\0`));
  const table = Buffer.alloc(Math.max(1, bufs.length) * 8);
  bufs.forEach((b, i) => {
    table.writeBigUInt64LE(BigInt(ptr(b)), i * 8);
  });
  return { table, keep: bufs };
};

/** Two-call enumeration: count, then fill. */
export function enumerate(call: (count: Buffer, out: Buffer | null) => number, itemSize: number, func: string): Buffer {
  const count = Buffer.alloc(4);
  checkVk(call(count, null), func);
  const n = count.readUInt32LE(0);
  const out = Buffer.alloc(Math.max(1, n) * itemSize);
  checkVk(call(count, out), func);
  return out.subarray(0, count.readUInt32LE(0) * itemSize);
}

export function instanceExtensions(layer: string | null = null): string[] {
  const lib = vk.libvulkan();
  const lname = layer ? Buffer.from(`${layer}\0`) : null;
  const buf = enumerate(
    (c, o) => lib.vkEnumerateInstanceExtensionProperties(lname, c, o),
    vk.VkExtensionProperties.size,
    "vkEnumerateInstanceExtensionProperties",
  );
  return Array.from({ length: buf.length / vk.VkExtensionProperties.size }, (_, i) =>
    cString(unpack(vk.VkExtensionProperties, buf, i).extensionName),
  );
}

export function instanceLayers(): string[] {
  const lib = vk.libvulkan();
  const buf = enumerate(
    (c, o) => lib.vkEnumerateInstanceLayerProperties(c, o),
    vk.VkLayerProperties.size,
    "vkEnumerateInstanceLayerProperties",
  );
  return Array.from({ length: buf.length / vk.VkLayerProperties.size }, (_, i) =>
    cString(unpack(vk.VkLayerProperties, buf, i).layerName),
  );
}

export function instanceVersion(): number {
  const out = Buffer.alloc(4);
  checkVk(vk.libvulkan().vkEnumerateInstanceVersion(out), "vkEnumerateInstanceVersion");
  return out.readUInt32LE(0);
}

/** A Vulkan instance (API 1.1 to 1.3, as the loader offers) with the given layers and extensions. */
function createInstance(
  layers: string[],
  extensions: string[],
  pNext: Buffer | null = null,
): { instance: number; apiVersion: number } {
  const exts = [...extensions];
  if (instanceExtensions().includes("VK_KHR_portability_enumeration")) exts.push("VK_KHR_portability_enumeration");
  const apiVersion = Math.min(instanceVersion(), vk.VK_API_VERSION_1_3);
  if (apiVersion < vk.VK_API_VERSION_1_1)
    throw new VulkanUnsupportedError(
      `the Vulkan loader offers ${vk.apiVersionString(apiVersion)}; vaapi-vk needs 1.1 or newer`,
    );
  const appName = Buffer.from("vaapi-vk\0");
  const appInfo = pack(vk.VkApplicationInfo, {
    sType: vk.SType.APPLICATION_INFO,
    pApplicationName: appName,
    pEngineName: appName,
    apiVersion,
  });
  const layerNames = cstrings(layers);
  const extNames = cstrings(exts);
  const createInfo = pack(vk.VkInstanceCreateInfo, {
    sType: vk.SType.INSTANCE_CREATE_INFO,
    pNext,
    flags: exts.includes("VK_KHR_portability_enumeration") ? 1 : 0,
    pApplicationInfo: appInfo,
    enabledLayerCount: layers.length,
    ppEnabledLayerNames: layerNames.table,
    enabledExtensionCount: exts.length,
    ppEnabledExtensionNames: extNames.table,
  });
  const out = Buffer.alloc(8);
  checkVk(
    vk.libvulkan().vkCreateInstance(createInfo, null, out),
    "vkCreateInstance",
    "is a Vulkan driver installed? (`apt-get install mesa-vulkan-drivers`, or set VK_DRIVER_FILES to the driver's ICD json)",
  );
  return { instance: Number(readU64(out)), apiVersion };
}

/** Told of each validation or debug message: its severity bits and text. */
export type InstanceListener = (severity: number, message: string) => void;

/** A process-wide instance: never destroyed. Its messenger (and the callback it calls) live as long. */
export type SharedInstance = {
  instance: number;
  inst: vk.InstanceFns;
  apiVersion: number;
  /** The instance extensions enabled. */
  extensions: readonly string[];
  listeners: Set<InstanceListener>;
};

const instances = new Map<string, SharedInstance>();

/** The instance for this configuration, made on first use. */
export function sharedInstance(
  validation: boolean,
  debug: boolean,
  surfaceExtensions: readonly string[] = [],
): SharedInstance {
  const key = `${validation}/${debug}/${[...surfaceExtensions].sort().join(",")}`;
  const known = instances.get(key);
  if (known) return known;
  const layers: string[] = [];
  // The surface extensions a window asks for (a preview's: VK_KHR_surface and its platform's).
  const missing = surfaceExtensions.filter((e) => !instanceExtensions().includes(e));
  if (missing.length)
    throw new VulkanUnsupportedError(
      `the Vulkan loader lacks ${missing.join(", ")}, which the window needs to present (install the driver's WSI support)`,
    );
  const exts: string[] = [...surfaceExtensions];
  if (validation) {
    if (!instanceLayers().includes("VK_LAYER_KHRONOS_validation")) {
      throw new VulkanUnsupportedError(
        "validation was asked for but VK_LAYER_KHRONOS_validation is not installed: `apt-get install vulkan-validationlayers` (or point VK_LAYER_PATH at it)",
      );
    }
    layers.push("VK_LAYER_KHRONOS_validation");
  }
  if ((validation || debug) && instanceExtensions().includes("VK_EXT_debug_utils")) exts.push("VK_EXT_debug_utils");
  const listeners = new Set<InstanceListener>();
  let messengerInfo: Buffer | null = null;
  if (exts.includes("VK_EXT_debug_utils")) {
    messengerInfo = pack(vk.VkDebugUtilsMessengerCreateInfoEXT, {
      sType: vk.SType.DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
      messageSeverity: SEVERITY_ERROR | SEVERITY_WARNING | (debug ? SEVERITY_INFO : 0),
      messageType: 0x1 | 0x2 | 0x4,
      pfnUserCallback: vkDebugQueue().vv_debug_callback_ptr(),
    });
  }
  // The messenger in pNext also catches instance creation.
  const { instance, apiVersion } = createInstance(layers, exts, messengerInfo);
  const inst = vk.loadInstanceFns(instance);
  if (messengerInfo && inst.vkCreateDebugUtilsMessengerEXT) {
    const out = Buffer.alloc(8);
    checkVk(inst.vkCreateDebugUtilsMessengerEXT(instance, messengerInfo, null, out), "vkCreateDebugUtilsMessengerEXT");
  }
  const made = { instance, inst, apiVersion, extensions: exts, listeners };
  instances.set(key, made);
  return made;
}

/**
 * Hand the messages queued by the debug messenger (on any thread) to the listeners of every
 * instance: called on the JS thread before validation errors are looked at.
 */
export function deliverDebugMessages(): void {
  const listeners = [...instances.values()].flatMap((i) => [...i.listeners]);
  if (!listeners.length) return;
  const text = Buffer.alloc(8192);
  const dropped = new Uint32Array(1);
  const queue = vkDebugQueue();
  for (;;) {
    const severity = queue.vv_debug_take(text, text.length, dropped);
    if (dropped[0])
      for (const l of listeners) l(SEVERITY_ERROR, `${dropped[0]} validation message(s) lost: the queue was full`);
    if (!severity) return;
    const message = text.toString("utf8", 0, text.indexOf(0));
    for (const l of listeners) l(severity, message);
  }
}
