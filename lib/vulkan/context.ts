// VulkanContext: the device on the shared instance, its compute queue, validation, memory types and
// what it can import. Devices are listed and chosen in devices.ts, submissions run in submission.ts.

import { z } from "zod";
import { pack, unpack } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { InvalidArgumentError, UseAfterDisposeError, ValidationError, VulkanUnsupportedError } from "../errors";
import { type ImportCaps, type ModifierSupport, PLANE_IMAGE_FORMATS } from "../plan";
import { quirksOf } from "../quirks";
import {
  choosePhysicalDevice,
  formatModifiers,
  listPhysicalDevices,
  type PhysicalDeviceInfo,
  queueFamilies,
} from "./devices";
import {
  checkVk,
  cstrings,
  deliverDebugMessages,
  type InstanceListener,
  readU64,
  SEVERITY_ERROR,
  SEVERITY_WARNING,
  sharedInstance,
} from "./instance";
import { DEFAULT_IMAGE_USES, type ImageUse, imageUsageBits, tilingFeatureBits } from "./planes";
import { CommandPool, Submission } from "./submission";
import { YcbcrSamplers } from "./ycbcr";

export { checkVk };

export const VulkanContextOptionsSchema = z.strictObject({
  /** Physical device: index, or a substring of its name. Default: VAAPI_VK_DEVICE, else the render node's device, else the first that can import. */
  device: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
  /** A DRM render node (e.g. /dev/dri/renderD128): pick the Vulkan device that drives it. */
  renderNode: z.string().optional(),
  /** Enable the Khronos validation layer; errors it reports throw from checkValidation(). Default: VAAPI_VK_VALIDATION=1. */
  validation: z.boolean().optional(),
  /** Print validation warnings and info as they come. */
  debug: z.boolean().default(false),
});
export type VulkanContextOptions = z.input<typeof VulkanContextOptionsSchema>;

/** Extensions the import path uses: required ones fail creation, optional ones are enabled when present. */
export const DEVICE_EXTENSIONS = {
  required: ["VK_KHR_external_memory_fd"],
  optional: [
    "VK_EXT_external_memory_dma_buf",
    "VK_EXT_image_drm_format_modifier",
    "VK_EXT_queue_family_foreign",
    "VK_KHR_external_semaphore_fd",
    "VK_EXT_external_memory_host",
  ],
} as const;

/**
 * How imported memory reaches Vulkan: a dma_buf fd, an opaque fd (Vulkan/CUDA exports), or a host
 * pointer to the fd's pages mapped into this process (VK_EXT_external_memory_host: linear buffers only).
 */
export type HandleType = "dma-buf" | "opaque-fd" | "host";
export const handleTypeBit = (h: HandleType): number =>
  ({
    "dma-buf": vk.ExternalMemoryHandleType.DMA_BUF,
    "opaque-fd": vk.ExternalMemoryHandleType.OPAQUE_FD,
    host: vk.ExternalMemoryHandleType.HOST_ALLOCATION,
  })[h];

export class VulkanContext implements Disposable {
  readonly instance: number;
  readonly inst: vk.InstanceFns;
  readonly physicalDevice: number;
  readonly info: PhysicalDeviceInfo;
  readonly device: number;
  readonly dev: vk.DeviceFns;
  readonly queue: number;
  readonly queueFamily: number;
  readonly commandPool: bigint;
  readonly enabledExtensions: Set<string>;
  readonly validation: boolean;
  readonly timestampPeriodNs: number;
  /** Shaders may index arrays of buffers and sampled images per workgroup (the batched conversion). */
  readonly frameArrays: boolean;
  /** samplerYcbcrConversion is enabled: multi-planar images can be read through a YCbCr sampler. */
  readonly ycbcrSampling: boolean;
  private ycbcrSamplers?: YcbcrSamplers;
  readonly timestampValidBits: number;
  private readonly memoryTypes: { propertyFlags: number; heapIndex: number }[];
  /** Hears the shared instance's validation messages while this context lives. */
  private readonly listener: InstanceListener;
  private readonly instanceListeners: Set<InstanceListener>;
  private readonly validationErrors: string[] = [];
  private readonly capsCache = new Map<string, ImportCaps>();
  /** Command buffers and fences for submissions, reused (libplacebo's vk_cmdpool); owned here, freed with the device. */
  readonly commands: CommandPool;
  /**
   * Holders of this context's Vulkan objects, its owner counted as one (libplacebo's pl_gpu is
   * kept alive the same way): the device is destroyed when the last lets go, so a buffer or frame
   * that outlives its Video stays valid, and nothing is ever destroyed under an object using it.
   */
  private holders = 1;
  private ownerReleased = false;
  private destroyed = false;
  private static live = 0;
  /** Validation errors of every context in this process that no checkValidation() has reported yet. */
  private static unchecked: { ctx: VulkanContext; message: string }[] = [];

  /**
   * Throw (once) the validation errors of any context in this process, disposed ones included,
   * that their own checkValidation() did not report: a test harness calls it after each test.
   */
  static checkAllValidation(): void {
    deliverDebugMessages();
    const messages = VulkanContext.unchecked.splice(0).map((e) => e.message);
    if (messages.length) throw new ValidationError(messages);
  }

  /** Contexts whose device is not yet destroyed, in this process (a leak shows here). */
  static get liveCount(): number {
    return VulkanContext.live;
  }

  static create(options: VulkanContextOptions = {}): VulkanContext {
    const r = VulkanContextOptionsSchema.safeParse(options);
    if (!r.success) throw new InvalidArgumentError("VulkanContext options", z.prettifyError(r.error));
    return new VulkanContext(r.data);
  }

  private constructor(opts: z.output<typeof VulkanContextOptionsSchema>) {
    const validation = opts.validation ?? process.env["VAAPI_VK_VALIDATION"] === "1";
    this.validation = validation;
    const shared = sharedInstance(validation, opts.debug);
    this.instance = shared.instance;
    this.inst = shared.inst;
    const apiVersion = shared.apiVersion;
    this.listener = (severity, message) => {
      if (severity & SEVERITY_ERROR) {
        this.validationErrors.push(message);
        VulkanContext.unchecked.push({ ctx: this, message });
      }
      if (opts.debug && severity & (SEVERITY_ERROR | SEVERITY_WARNING)) console.error(`[vulkan] ${message}`);
    };
    this.instanceListeners = shared.listeners;
    shared.listeners.add(this.listener);
    const out = Buffer.alloc(8);
    try {
      const devices = listPhysicalDevices(this.inst, this.instance);
      const chosen = choosePhysicalDevice(devices, opts.device ?? process.env["VAAPI_VK_DEVICE"], opts.renderNode);
      this.physicalDevice = chosen.handle;
      this.info = chosen.info;
      const missing = DEVICE_EXTENSIONS.required.filter((e) => !chosen.info.extensions.includes(e));
      if (missing.length)
        throw new VulkanUnsupportedError(
          `${chosen.info.name} lacks ${missing.join(", ")}, which importing external memory needs; update its driver`,
        );
      this.enabledExtensions = new Set([
        ...DEVICE_EXTENSIONS.required,
        ...DEVICE_EXTENSIONS.optional.filter((e) => chosen.info.extensions.includes(e)),
      ]);

      const families = queueFamilies(this.inst, this.physicalDevice);
      const family = families.findIndex((f) => f.queueFlags & vk.QueueFlag.COMPUTE);
      if (family < 0) throw new VulkanUnsupportedError(`${chosen.info.name} has no compute queue`);
      this.queueFamily = family;
      this.timestampValidBits = families[family]!.timestampValidBits;

      const props = Buffer.alloc(vk.VkPhysicalDeviceProperties2.size);
      props.writeUInt32LE(vk.SType.PHYSICAL_DEVICE_PROPERTIES_2, 0);
      this.inst.vkGetPhysicalDeviceProperties2(this.physicalDevice, props);
      const limitsAt = vk.VkPhysicalDeviceProperties2.offsets.properties + vk.VkPhysicalDeviceProperties.offsets.limits;
      this.timestampPeriodNs = props.readFloatLE(limitsAt + vk.VkPhysicalDeviceLimits.offsets.timestampPeriod);

      // Only the features a pass uses: dynamic indexing of buffer and sampled-image arrays (the batch
      // shaders pick each frame's planes by workgroup), and samplerYcbcrConversion (multi-planar frames
      // read through a YCbCr sampler). Each is enabled where supported; the passes check what was.
      const f11 = pack(vk.VkPhysicalDeviceVulkan11Features, { sType: vk.SType.PHYSICAL_DEVICE_VULKAN_1_1_FEATURES });
      const f2 = pack(vk.VkPhysicalDeviceFeatures2, {
        sType: vk.SType.PHYSICAL_DEVICE_FEATURES_2,
        pNext: apiVersion >= vk.VK_API_VERSION_1_2 ? f11 : null,
      });
      this.inst.vkGetPhysicalDeviceFeatures2(this.physicalDevice, f2);
      const supported = unpack(vk.VkPhysicalDeviceFeatures2, f2).features as number[];
      const wanted = new Array(55).fill(0);
      const { shaderStorageBufferArrayDynamicIndexing: buffers, shaderSampledImageArrayDynamicIndexing: images } =
        vk.VkPhysicalDeviceFeatures.offsets;
      for (const offset of [buffers, images]) wanted[offset / 4] = supported[offset / 4] ? 1 : 0;
      this.frameArrays = Boolean(wanted[buffers / 4] && wanted[images / 4]);
      const ycbcr =
        apiVersion >= vk.VK_API_VERSION_1_2
          ? unpack(vk.VkPhysicalDeviceVulkan11Features, f11).samplerYcbcrConversion
          : 0;
      this.ycbcrSampling = Boolean(ycbcr);
      const enable11 = pack(vk.VkPhysicalDeviceVulkan11Features, {
        sType: vk.SType.PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
        samplerYcbcrConversion: ycbcr,
      });
      const enable2 = pack(vk.VkPhysicalDeviceFeatures2, {
        sType: vk.SType.PHYSICAL_DEVICE_FEATURES_2,
        pNext: apiVersion >= vk.VK_API_VERSION_1_2 ? enable11 : null,
        features: wanted,
      });

      const priority = new Float32Array([1]);
      const queueInfo = pack(vk.VkDeviceQueueCreateInfo, {
        sType: vk.SType.DEVICE_QUEUE_CREATE_INFO,
        queueFamilyIndex: family,
        queueCount: 1,
        pQueuePriorities: priority,
      });
      const devExts = cstrings([...this.enabledExtensions]);
      const devInfo = pack(vk.VkDeviceCreateInfo, {
        sType: vk.SType.DEVICE_CREATE_INFO,
        pNext: enable2,
        queueCreateInfoCount: 1,
        pQueueCreateInfos: queueInfo,
        enabledExtensionCount: this.enabledExtensions.size,
        ppEnabledExtensionNames: devExts.table,
      });
      checkVk(this.inst.vkCreateDevice(this.physicalDevice, devInfo, null, out), "vkCreateDevice");
      this.device = Number(readU64(out));
      this.dev = vk.loadDeviceFns(this.inst, this.device);
      this.dev.vkGetDeviceQueue(this.device, family, 0, out);
      this.queue = Number(readU64(out));
      const poolInfo = pack(vk.VkCommandPoolCreateInfo, {
        sType: vk.SType.COMMAND_POOL_CREATE_INFO,
        flags: 0x2 /* RESET_COMMAND_BUFFER */,
        queueFamilyIndex: family,
      });
      checkVk(this.dev.vkCreateCommandPool(this.device, poolInfo, null, out), "vkCreateCommandPool");
      this.commandPool = readU64(out);
      this.commands = new CommandPool(this.dev, this.device, this.commandPool);

      const mem = Buffer.alloc(vk.VkPhysicalDeviceMemoryProperties.size);
      this.inst.vkGetPhysicalDeviceMemoryProperties(this.physicalDevice, mem);
      const m = unpack(vk.VkPhysicalDeviceMemoryProperties, mem);
      this.memoryTypes = (m.memoryTypes as { propertyFlags: number; heapIndex: number }[]).slice(0, m.memoryTypeCount);
    } catch (e) {
      this.destroyPartial();
      throw e;
    }
    VulkanContext.live++;
  }

  /** Take a hold for an object made on this device; the object calls release() when it is disposed. */
  retain(what: string): void {
    this.assertLive(what);
    this.holders++;
  }

  /** Let go of a hold taken with retain(); the last one destroys the device. */
  release(): void {
    if (--this.holders === 0) this.destroy();
  }

  /** USE_AFTER_DISPOSE where the device is gone. */
  assertLive(call: string): void {
    if (this.destroyed)
      throw new UseAfterDisposeError(
        "VulkanContext",
        call,
        "its device was destroyed (its owner disposed it, and nothing held it)",
      );
  }

  /** Whether the device still exists. */
  get alive(): boolean {
    return !this.destroyed;
  }

  /** The first memory type in `typeBits` with all of `required`, preferring one that also has `preferred`. */
  findMemoryType(typeBits: number, required: number, preferred = 0): number {
    this.assertLive("VulkanContext.findMemoryType");
    const ok = (i: number, flags: number) =>
      (typeBits & (1 << i)) !== 0 && (this.memoryTypes[i]!.propertyFlags & flags) === flags;
    for (let i = 0; i < this.memoryTypes.length; i++) if (ok(i, required | preferred)) return i;
    for (let i = 0; i < this.memoryTypes.length; i++) if (ok(i, required)) return i;
    throw new VulkanUnsupportedError(
      `${this.info.name} has no memory type with flags 0x${required.toString(16)} among 0b${typeBits.toString(2)}`,
    );
  }

  memoryTypeFlags(index: number): number {
    return this.memoryTypes[index]!.propertyFlags;
  }

  has(ext: string): boolean {
    return this.enabledExtensions.has(ext);
  }

  /**
   * What this device can import through `handleType` for `uses`, in the planner's terms: per
   * plane-image format, each modifier whose tiling features cover the uses and whose image the
   * driver says it can import, with its memory-plane count, max extent and disjoint binding.
   */
  importCaps(handleType: HandleType = "dma-buf", uses: readonly ImageUse[] = DEFAULT_IMAGE_USES): ImportCaps {
    this.assertLive("VulkanContext.importCaps");
    const key = `${handleType}/${[...uses].sort().join("+")}`;
    const cached = this.capsCache.get(key);
    if (cached) return cached;
    const dmaBuf = {
      "dma-buf": this.has("VK_EXT_external_memory_dma_buf"),
      "opaque-fd": this.has("VK_KHR_external_memory_fd"),
      host: this.has("VK_EXT_external_memory_host"),
    }[handleType];
    // Host memory backs buffers; images with DRM modifiers come from fds.
    const drmFormatModifier = handleType !== "host" && this.has("VK_EXT_image_drm_format_modifier");
    const modifiers: Record<string, bigint[]> = {};
    const planeModifiers: Record<string, ModifierSupport[]> = {};
    if (drmFormatModifier) {
      // Each modifier of `format` whose tiling features cover `required` and whose image imports, with its limits.
      const supported = (format: string, required: number, usage: number): ModifierSupport[] =>
        this.formatModifiers(format as vk.VkFormatName).flatMap((m) => {
          if ((m.features & required) !== required) return [];
          const maxExtent = this.importableExtent(
            format as vk.VkFormatName,
            m.modifier,
            handleTypeBit(handleType),
            usage,
          );
          return maxExtent
            ? [
                {
                  modifier: m.modifier,
                  memoryPlanes: m.planes,
                  maxExtent,
                  disjoint: (m.features & vk.FormatFeature.DISJOINT) !== 0,
                },
              ]
            : [];
        });
      const features = tilingFeatureBits(uses);
      const usage = imageUsageBits(uses);
      for (const f of new Set(Object.values(PLANE_IMAGE_FORMATS).flat()))
        planeModifiers[f] = supported(f, features, usage);
      // Whole frames as one multi-planar image, read through a YCbCr sampler: sampled only, with
      // chroma at the midpoint (what makes nearest sampling pick chroma sample (x/2, y/2)).
      const trusted = !quirksOf(this.info.driverName).some((q) => q.effect === "no-multi-planar-import");
      if (this.ycbcrSampling && trusted && uses.every((u) => u === "sampled")) {
        const needed = vk.FormatFeature.SAMPLED_IMAGE | vk.FormatFeature.MIDPOINT_CHROMA_SAMPLES;
        for (const f of Object.keys(PLANE_IMAGE_FORMATS).filter((name) => PLANE_IMAGE_FORMATS[name]!.length > 1))
          planeModifiers[f] = supported(f, needed, vk.ImageUsage.SAMPLED);
      }
      // With one image per plane, a multi-planar format imports with the modifiers all of its plane formats import with.
      for (const [name, planes] of Object.entries(PLANE_IMAGE_FORMATS)) {
        const [first, ...rest] = planes.map((f) => (planeModifiers[f] ?? []).map((m) => m.modifier));
        const common = first!.filter((m) => rest.every((l) => l.includes(m)));
        if (common.length) modifiers[name] = common;
      }
    }
    const caps: ImportCaps = { dmaBuf, drmFormatModifier, modifiers, planeModifiers };
    this.capsCache.set(key, caps);
    return caps;
  }

  /** The DRM modifiers the device lists for a format, with their plane counts and features. */
  formatModifiers(format: vk.VkFormatName): { modifier: bigint; planes: number; features: number }[] {
    this.assertLive("VulkanContext.formatModifiers");
    return formatModifiers(this.inst, this.physicalDevice, format);
  }

  /** The largest image of `format` and `modifier` the driver imports through `handleType` with `usage`; undefined where it imports none. */
  private importableExtent(
    format: vk.VkFormatName,
    modifier: bigint,
    handleType: number,
    usage: number,
  ): { width: number; height: number } | undefined {
    const ext = pack(vk.VkPhysicalDeviceExternalImageFormatInfo, {
      sType: vk.SType.PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO,
      handleType,
    });
    const mod = pack(vk.VkPhysicalDeviceImageDrmFormatModifierInfoEXT, {
      sType: vk.SType.PHYSICAL_DEVICE_IMAGE_DRM_FORMAT_MODIFIER_INFO_EXT,
      pNext: ext,
      drmFormatModifier: modifier,
    });
    const info = pack(vk.VkPhysicalDeviceImageFormatInfo2, {
      sType: vk.SType.PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2,
      pNext: mod,
      format: vk.VkFormat[format],
      type: 1,
      tiling: vk.ImageTiling.DRM_FORMAT_MODIFIER_EXT,
      usage,
    });
    const extOut = pack(vk.VkExternalImageFormatProperties, { sType: vk.SType.EXTERNAL_IMAGE_FORMAT_PROPERTIES });
    const out = pack(vk.VkImageFormatProperties2, { sType: vk.SType.IMAGE_FORMAT_PROPERTIES_2, pNext: extOut });
    if (this.inst.vkGetPhysicalDeviceImageFormatProperties2(this.physicalDevice, info, out) !== 0) return undefined;
    const features = unpack(vk.VkExternalImageFormatProperties, extOut).externalMemoryProperties
      .externalMemoryFeatures as number;
    if ((features & vk.ExternalMemoryFeature.IMPORTABLE) === 0) return undefined;
    const [width, height] = unpack(vk.VkImageFormatProperties2, out).imageFormatProperties.maxExtent as number[];
    return { width: width!, height: height! };
  }

  /** The YCbCr conversions and samplers of this device (made on first use, released with the context). */
  get ycbcr(): YcbcrSamplers {
    this.assertLive("VulkanContext.ycbcr");
    return (this.ycbcrSamplers ??= new YcbcrSamplers(this));
  }

  /** Record commands into a one-time command buffer, submit, and wait (optionally on semaphores). */
  submitAndWait(record: (cmd: number) => void, waitSemaphores: bigint[] = []): void {
    using submission = this.submit(record, waitSemaphores);
    submission.wait();
  }

  /**
   * Record commands into a one-time command buffer and submit them without waiting. The returned
   * Submission waits (once) and releases its fence, command buffer and `cleanup` when disposed.
   */
  submit(record: (cmd: number) => void, waitSemaphores: bigint[] = [], cleanup?: () => void): Submission {
    this.assertLive("VulkanContext.submit");
    const slot = this.commands.take();
    const cmd = Number(readU64(slot.cmdArr));
    try {
      // Beginning a command buffer of a RESET_COMMAND_BUFFER pool resets it.
      checkVk(
        this.dev.vkBeginCommandBuffer(
          cmd,
          pack(vk.VkCommandBufferBeginInfo, { sType: vk.SType.COMMAND_BUFFER_BEGIN_INFO, flags: 1 }),
        ),
        "vkBeginCommandBuffer",
      );
      record(cmd);
      checkVk(this.dev.vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
      const sems = Buffer.alloc(Math.max(1, waitSemaphores.length) * 8);
      waitSemaphores.forEach((s, i) => {
        sems.writeBigUInt64LE(s, i * 8);
      });
      const stages = new Uint32Array(Math.max(1, waitSemaphores.length)).fill(vk.PipelineStage.ALL_COMMANDS);
      const submit = pack(vk.VkSubmitInfo, {
        sType: vk.SType.SUBMIT_INFO,
        waitSemaphoreCount: waitSemaphores.length,
        pWaitSemaphores: sems,
        pWaitDstStageMask: stages,
        commandBufferCount: 1,
        pCommandBuffers: slot.cmdArr,
      });
      checkVk(this.dev.vkQueueSubmit(this.queue, 1, submit, slot.fence), "vkQueueSubmit");
    } catch (e) {
      this.commands.giveBack(slot);
      cleanup?.();
      throw e;
    }
    return new Submission(this, slot, cleanup);
  }

  /** Throw if the validation layer reported errors since the last call (and forget them). */
  checkValidation(): void {
    deliverDebugMessages();
    VulkanContext.unchecked = VulkanContext.unchecked.filter((e) => e.ctx !== this);
    if (this.validationErrors.length) throw new ValidationError(this.validationErrors.splice(0));
  }

  get validationErrorCount(): number {
    deliverDebugMessages();
    return this.validationErrors.length;
  }

  private destroyPartial(): void {
    const self = this as unknown as { device?: number; commandPool?: bigint };
    if (self.device) {
      if (self.commandPool) this.dev.vkDestroyCommandPool(self.device, self.commandPool, null);
      this.dev.vkDestroyDevice(self.device, null);
    }
    // The instance is the process's (instance.ts): only stop listening to it, once what it said is heard.
    deliverDebugMessages();
    this.instanceListeners.delete(this.listener);
  }

  /** The owner lets go: the device goes now, or when the last object made on it is disposed. */
  [Symbol.dispose](): void {
    if (this.ownerReleased) return;
    this.ownerReleased = true;
    this.release();
  }

  private destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    VulkanContext.live--;
    this.dev.vkDeviceWaitIdle(this.device);
    this.ycbcrSamplers?.[Symbol.dispose]();
    this.commands.destroy();
    this.destroyPartial();
  }
}
