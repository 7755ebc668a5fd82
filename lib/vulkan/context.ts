// VulkanContext: the device on the shared instance, its compute queue, validation, memory types and
// what it can import. Devices are listed and chosen in devices.ts, submissions run in submission.ts.

import { ptr } from "bun:ffi";
import { z } from "zod";
import { pack, packArray, unpack } from "../../ffi/struct";
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
  queueFamilyVideoOperations,
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
  /**
   * Also set the device up for libavcodec's Vulkan Video decoding (the vulkan source): a video
   * decode queue, the video extensions, timeline semaphores and synchronization2. Where the device
   * cannot, the context is made without them and `videoDecodeMissing` says why.
   */
  videoDecode: z.boolean().default(false),
  /**
   * Instance extensions a window's surface needs (a Preview's, from SDL): the instance gets them and
   * the device VK_KHR_swapchain, so frames can be presented from this device.
   */
  surfaceExtensions: z.array(z.string().min(1)).default([]),
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
    // How much device memory this process holds, as the driver counts it (deviceMemoryInUse).
    "VK_EXT_memory_budget",
  ],
} as const;

/**
 * A validation "error" that only says the layer is older than a structure in a chain: libav 7.1
 * chains VkPhysicalDeviceCooperativeMatrixPropertiesKHR into every properties query, which Debian
 * 12's layer (1.3.239) does not know; the layer itself says its check does not apply. Such messages
 * are warnings here (printed with debug); every other error still fails.
 */
const layerDoesNotKnow = (message: string) =>
  message.includes("unknown VkStructureType") && message.includes("added to a later version of the Vulkan header");

/**
 * Validation errors only libav's own Vulkan calls can cause, kept apart (libavValidationErrors): an
 * image made with a video profile list is made by libav's decoder alone. FFmpeg 7.1 makes its
 * decode images ALIAS | MUTABLE_FORMAT | EXTENDED_USAGE without asking the driver's video format
 * properties, which NVIDIA's do not list (VUID-VkImageCreateInfo-pNext-06811).
 */
const libavsOwn = (message: string) => message.includes("VUID-VkImageCreateInfo-pNext-06811");

/** The extensions Vulkan Video decoding needs (the queue ones) and may use (a codec's, maintenance). */
export const VIDEO_DECODE_EXTENSIONS = {
  required: ["VK_KHR_video_queue", "VK_KHR_video_decode_queue"],
  codecs: {
    VK_KHR_video_decode_h264: vk.VideoCodecOperation.DECODE_H264,
    VK_KHR_video_decode_h265: vk.VideoCodecOperation.DECODE_H265,
    VK_KHR_video_decode_av1: vk.VideoCodecOperation.DECODE_AV1,
  },
  // VK_KHR_video_maintenance1 is left off: with it FFmpeg 7.1 makes every decode image an encode
  // source too and profile-independent, which the validation layer of Debian 12 (1.3.239) rejects.
  optional: [] as string[],
} as const;

/** The most queues of a video decode family a context makes for libav's decoder. */
const MAX_DECODE_QUEUES = 8;

/**
 * Semaphores a submission waits for and signals: timeline ones at a value (a libav Vulkan frame's),
 * binary ones without (a swapchain image's acquire and present).
 */
export type SubmitSync = {
  waits: { semaphore: bigint; value?: bigint }[];
  signals: { semaphore: bigint; value?: bigint }[];
};

/** The video decode queue a context made with `videoDecode` has, for libav's AVVulkanDeviceContext. */
export type VideoDecodeQueue = {
  /** Its queue family. */
  family: number;
  /** Queues of it created (all it has, up to 8): libav spreads its decode submissions over them. */
  queues: number;
  /** The codec operations the family decodes (VideoCodecOperation bits) whose extension is enabled. */
  operations: number;
  /** The queue flags of the context's own (compute) family, which libav uses for its compute and transfer work. */
  computeFlags: number;
  /** The device features enabled, as libav's device_features wants them (VkPhysicalDeviceFeatures2 and its chain). */
  features: Buffer;
};

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
  /** The most threads a compute workgroup may have (a dispatch shape given by hand is checked against it). */
  readonly maxComputeWorkGroupInvocations: number;
  /** The instance's Vulkan version (VK_MAKE_API_VERSION). */
  readonly apiVersion: number;
  /** The instance extensions enabled (libav's Vulkan device context lists them). */
  readonly instanceExtensions: readonly string[];
  /** Shaders may index arrays of buffers and sampled images per workgroup (the batched conversion). */
  readonly frameArrays: boolean;
  /** samplerYcbcrConversion is enabled: multi-planar images can be read through a YCbCr sampler. */
  readonly ycbcrSampling: boolean;
  private ycbcrSamplers?: YcbcrSamplers;
  readonly timestampValidBits: number;
  /** The decode queue, where the context was made with videoDecode and the device has one. */
  readonly videoDecode?: VideoDecodeQueue | undefined;
  /** Why videoDecode was asked for and is not there (no decode queue, an extension or feature missing). */
  readonly videoDecodeMissing?: string | undefined;
  /**
   * Set while another party submits to this context's queue from other threads (libav's Vulkan
   * decoder takes it for its compute work): every submission here holds it around vkQueueSubmit.
   */
  queueLock?: { lock(): void; unlock(): void } | undefined;
  private readonly memoryTypes: { propertyFlags: number; heapIndex: number }[];
  /** Hears the shared instance's validation messages while this context lives. */
  private readonly listener: InstanceListener;
  private readonly instanceListeners: Set<InstanceListener>;
  private readonly validationErrors: string[] = [];
  private readonly libavErrors: string[] = [];
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

  /** Contexts whose device still exists, in this process (a leak shows here). */
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
    const shared = sharedInstance(validation, opts.debug, opts.surfaceExtensions);
    this.instance = shared.instance;
    this.instanceExtensions = shared.extensions;
    this.inst = shared.inst;
    const apiVersion = shared.apiVersion;
    this.apiVersion = apiVersion;
    this.listener = (severity, message) => {
      if (severity & SEVERITY_ERROR && libavsOwn(message)) this.libavErrors.push(message);
      else if (severity & SEVERITY_ERROR && !layerDoesNotKnow(message)) {
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
      const decode = opts.videoDecode ? this.findVideoDecode(chosen.info, families.length) : undefined;
      if (typeof decode === "string") this.videoDecodeMissing = decode;

      const props = Buffer.alloc(vk.VkPhysicalDeviceProperties2.size);
      props.writeUInt32LE(vk.SType.PHYSICAL_DEVICE_PROPERTIES_2, 0);
      this.inst.vkGetPhysicalDeviceProperties2(this.physicalDevice, props);
      const limitsAt = vk.VkPhysicalDeviceProperties2.offsets.properties + vk.VkPhysicalDeviceProperties.offsets.limits;
      this.timestampPeriodNs = props.readFloatLE(limitsAt + vk.VkPhysicalDeviceLimits.offsets.timestampPeriod);
      this.maxComputeWorkGroupInvocations = props.readUInt32LE(
        limitsAt + vk.VkPhysicalDeviceLimits.offsets.maxComputeWorkGroupInvocations,
      );

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
      // Vulkan Video (libav's decoder) also needs timeline semaphores and synchronization2, and resets
      // its query pools from the host where it can.
      const video = typeof decode === "object" ? decode : undefined;
      const enable13 = Buffer.alloc(vk.VkPhysicalDeviceVulkan13Features.size);
      const enable12 = Buffer.alloc(vk.VkPhysicalDeviceVulkan12Features.size);
      if (video) {
        enable13.writeUInt32LE(
          vk.SType.PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
          vk.VkPhysicalDeviceVulkan13Features.offsets.sType,
        );
        enable13.writeUInt32LE(1, vk.VkPhysicalDeviceVulkan13Features.offsets.synchronization2);
        enable12.writeUInt32LE(
          vk.SType.PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
          vk.VkPhysicalDeviceVulkan12Features.offsets.sType,
        );
        enable12.writeBigUInt64LE(BigInt(ptr(enable13)), vk.VkPhysicalDeviceVulkan12Features.offsets.pNext);
        enable12.writeUInt32LE(1, vk.VkPhysicalDeviceVulkan12Features.offsets.timelineSemaphore);
        enable12.writeUInt32LE(video.hostQueryReset, vk.VkPhysicalDeviceVulkan12Features.offsets.hostQueryReset);
      }
      const enable11 = pack(vk.VkPhysicalDeviceVulkan11Features, {
        sType: vk.SType.PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
        pNext: video ? enable12 : null,
        samplerYcbcrConversion: ycbcr,
      });
      const enable2 = pack(vk.VkPhysicalDeviceFeatures2, {
        sType: vk.SType.PHYSICAL_DEVICE_FEATURES_2,
        pNext: apiVersion >= vk.VK_API_VERSION_1_2 ? enable11 : null,
        features: wanted,
      });

      const priority = new Float32Array(MAX_DECODE_QUEUES).fill(1);
      // Ours: one queue of the compute family; libav's decoder: every queue of the decode family (a
      // GPU may put each on its own decode engine).
      const queueFamiliesUsed =
        video && video.family !== family
          ? [
              { family, count: 1 },
              { family: video.family, count: video.queues },
            ]
          : [{ family, count: 1 }];
      const queueInfo = packArray(
        vk.VkDeviceQueueCreateInfo,
        queueFamiliesUsed.map((f) => ({
          sType: vk.SType.DEVICE_QUEUE_CREATE_INFO,
          queueFamilyIndex: f.family,
          queueCount: f.count,
          pQueuePriorities: priority,
        })),
      );
      for (const e of video?.extensions ?? []) this.enabledExtensions.add(e);
      if (opts.surfaceExtensions.length) {
        if (!chosen.info.extensions.includes("VK_KHR_swapchain"))
          throw new VulkanUnsupportedError(`${chosen.info.name} lacks VK_KHR_swapchain: it cannot present to a window`);
        this.enabledExtensions.add("VK_KHR_swapchain");
      }
      const devExts = cstrings([...this.enabledExtensions]);
      const devInfo = pack(vk.VkDeviceCreateInfo, {
        sType: vk.SType.DEVICE_CREATE_INFO,
        pNext: enable2,
        queueCreateInfoCount: queueFamiliesUsed.length,
        pQueueCreateInfos: queueInfo,
        enabledExtensionCount: this.enabledExtensions.size,
        ppEnabledExtensionNames: devExts.table,
      });
      checkVk(this.inst.vkCreateDevice(this.physicalDevice, devInfo, null, out), "vkCreateDevice");
      if (video) {
        this.videoDecode = {
          family: video.family,
          // A decode family that is also ours (one queue made) gives libav that one queue.
          queues: video.family === family ? 1 : video.queues,
          operations: video.operations,
          computeFlags: families[family]!.queueFlags,
          // What libav is told was enabled: the core features (it queries the rest itself).
          features: pack(vk.VkPhysicalDeviceFeatures2, {
            sType: vk.SType.PHYSICAL_DEVICE_FEATURES_2,
            features: wanted,
          }),
        };
      }
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

  /**
   * The video decode queue family and what to enable for libav's Vulkan decoder, or why the device
   * cannot decode video through Vulkan (said in words, for NO_VULKAN_VIDEO).
   */
  private findVideoDecode(
    info: PhysicalDeviceInfo,
    familyCount: number,
  ): string | { family: number; queues: number; operations: number; extensions: string[]; hostQueryReset: number } {
    const [major = 0, minor = 0] = info.apiVersion.split(".").map(Number);
    if (major < 1 || (major === 1 && minor < 3) || this.apiVersion < vk.VK_API_VERSION_1_3)
      return `libav's Vulkan decoder needs Vulkan 1.3; ${info.name} offers ${info.apiVersion} (and the loader ${vk.apiVersionString(this.apiVersion)})`;
    const lacking = VIDEO_DECODE_EXTENSIONS.required.filter((e) => !info.extensions.includes(e));
    if (lacking.length) return `${info.name} lacks ${lacking.join(", ")} (no Vulkan Video decoding in this driver)`;
    const codecs = Object.entries(VIDEO_DECODE_EXTENSIONS.codecs).filter(([e]) => info.extensions.includes(e));
    if (!codecs.length) return `${info.name} has no Vulkan Video decode extension for H.264, HEVC or AV1`;
    const codecBits = codecs.reduce((bits, [, bit]) => bits | bit, 0);
    const operations = queueFamilyVideoOperations(this.inst, this.physicalDevice, familyCount);
    const families = queueFamilies(this.inst, this.physicalDevice);
    const family = families.findIndex((f, i) => f.queueFlags & vk.QueueFlag.VIDEO_DECODE && operations[i]! & codecBits);
    if (family < 0) return `${info.name} has no video decode queue family`;
    const f13 = Buffer.alloc(vk.VkPhysicalDeviceVulkan13Features.size);
    f13.writeUInt32LE(vk.SType.PHYSICAL_DEVICE_VULKAN_1_3_FEATURES, vk.VkPhysicalDeviceVulkan13Features.offsets.sType);
    const f12 = Buffer.alloc(vk.VkPhysicalDeviceVulkan12Features.size);
    f12.writeUInt32LE(vk.SType.PHYSICAL_DEVICE_VULKAN_1_2_FEATURES, vk.VkPhysicalDeviceVulkan12Features.offsets.sType);
    f12.writeBigUInt64LE(BigInt(ptr(f13)), vk.VkPhysicalDeviceVulkan12Features.offsets.pNext);
    this.inst.vkGetPhysicalDeviceFeatures2(
      this.physicalDevice,
      pack(vk.VkPhysicalDeviceFeatures2, { sType: vk.SType.PHYSICAL_DEVICE_FEATURES_2, pNext: f12 }),
    );
    const missing = [
      ...(f12.readUInt32LE(vk.VkPhysicalDeviceVulkan12Features.offsets.timelineSemaphore) ? [] : ["timelineSemaphore"]),
      ...(f13.readUInt32LE(vk.VkPhysicalDeviceVulkan13Features.offsets.synchronization2) ? [] : ["synchronization2"]),
    ];
    if (missing.length)
      return `${info.name} lacks the ${missing.join(" and ")} feature(s) libav's Vulkan decoder needs`;
    return {
      family,
      queues: Math.min(families[family]!.queueCount, MAX_DECODE_QUEUES),
      operations: operations[family]! & codecBits,
      extensions: [
        ...VIDEO_DECODE_EXTENSIONS.required,
        ...codecs.map(([e]) => e),
        ...VIDEO_DECODE_EXTENSIONS.optional.filter((e) => info.extensions.includes(e)),
      ],
      hostQueryReset: f12.readUInt32LE(vk.VkPhysicalDeviceVulkan12Features.offsets.hostQueryReset),
    };
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

  /**
   * Bytes of device-local memory this process holds on the device, as the driver counts them
   * (VK_EXT_memory_budget's heap usage: every allocation, the library's, libav's and the driver's
   * own); undefined where the driver lacks the extension.
   */
  deviceMemoryInUse(): number | undefined {
    this.assertLive("VulkanContext.deviceMemoryInUse");
    if (!this.has("VK_EXT_memory_budget")) return undefined;
    const budget = pack(vk.VkPhysicalDeviceMemoryBudgetPropertiesEXT, {
      sType: vk.SType.PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT,
    });
    const props = pack(vk.VkPhysicalDeviceMemoryProperties2, {
      sType: vk.SType.PHYSICAL_DEVICE_MEMORY_PROPERTIES_2,
      pNext: budget,
    });
    this.inst.vkGetPhysicalDeviceMemoryProperties2(this.physicalDevice, props);
    const { memoryHeapCount, memoryHeaps } = unpack(vk.VkPhysicalDeviceMemoryProperties2, props).memoryProperties;
    const { heapUsage } = unpack(vk.VkPhysicalDeviceMemoryBudgetPropertiesEXT, budget);
    let bytes = 0;
    for (let i = 0; i < memoryHeapCount; i++)
      if ((memoryHeaps as { flags: number }[])[i]!.flags & vk.MemoryHeapFlag.DEVICE_LOCAL)
        bytes += Number((heapUsage as bigint[])[i]);
    return bytes;
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
   * `sync`: more semaphores to wait for and signal (timeline ones at their values).
   */
  submit(
    record: (cmd: number) => void,
    waitSemaphores: bigint[] = [],
    cleanup?: () => void,
    sync?: SubmitSync,
  ): Submission {
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
      const waits: SubmitSync["waits"] = [
        ...waitSemaphores.map((semaphore) => ({ semaphore })),
        ...(sync?.waits ?? []),
      ];
      const signals = sync?.signals ?? [];
      const timeline = [...waits, ...signals].some((x) => x.value !== undefined);
      const sems = new BigUint64Array(Math.max(1, waits.length));
      const waitValues = new BigUint64Array(Math.max(1, waits.length));
      waits.forEach((w, i) => {
        sems[i] = w.semaphore;
        waitValues[i] = w.value ?? 0n;
      });
      const signalSems = new BigUint64Array(signals.map((x) => x.semaphore));
      const signalValues = new BigUint64Array(signals.map((x) => x.value ?? 0n));
      const stages = new Uint32Array(Math.max(1, waits.length)).fill(vk.PipelineStage.ALL_COMMANDS);
      const timelineInfo = timeline
        ? pack(vk.VkTimelineSemaphoreSubmitInfo, {
            sType: vk.SType.TIMELINE_SEMAPHORE_SUBMIT_INFO,
            waitSemaphoreValueCount: waits.length,
            pWaitSemaphoreValues: waitValues,
            signalSemaphoreValueCount: signals.length,
            pSignalSemaphoreValues: signals.length ? signalValues : null,
          })
        : null;
      const submit = pack(vk.VkSubmitInfo, {
        sType: vk.SType.SUBMIT_INFO,
        pNext: timelineInfo,
        waitSemaphoreCount: waits.length,
        pWaitSemaphores: sems,
        pWaitDstStageMask: stages,
        commandBufferCount: 1,
        pCommandBuffers: slot.cmdArr,
        signalSemaphoreCount: signals.length,
        pSignalSemaphores: signals.length ? signalSems : null,
      });
      const lock = this.queueLock;
      lock?.lock();
      try {
        checkVk(this.dev.vkQueueSubmit(this.queue, 1, submit, slot.fence), "vkQueueSubmit");
      } finally {
        lock?.unlock();
      }
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

  /** Validation errors of libav's own Vulkan calls on this device (its Vulkan Video decoder), kept apart from ours. */
  get libavValidationErrors(): readonly string[] {
    deliverDebugMessages();
    return this.libavErrors;
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
