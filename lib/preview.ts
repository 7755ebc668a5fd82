// A window that shows converted frames, presented through a Vulkan swapchain on the device that
// converted them: the RGBA buffer is copied into an image and blitted into the swapchain image on
// the GPU, so no frame byte passes through the CPU. The window is SDL2's (X11 or Wayland, whichever
// SDL finds), made before the Vulkan context: SDL says which instance extensions its surface needs.
import { CString, type Pointer } from "bun:ffi";
import { libc } from "../ffi/libc";
import {
  libsdl,
  SDL_EVENT_SIZE,
  SDL_INIT_VIDEO,
  SDL_KEYDOWN,
  SDL_KeyboardEvent,
  SDL_QUIT,
  SDL_WINDOW_RESIZABLE,
  SDL_WINDOW_VULKAN,
  SDL_WINDOWEVENT,
  SDL_WINDOWEVENT_CLOSE,
  SDL_WindowEvent,
  SDLK,
} from "../ffi/sdl";
import { pack, packArray, unpack } from "../ffi/struct";
import * as vk from "../ffi/vulkan";
import { InvalidArgumentError, UseAfterDisposeError, VulkanUnsupportedError } from "./errors";
import { checkVk, type VulkanContext } from "./vulkan/context";
import { readU64 } from "./vulkan/instance";
import { DeviceImage, type GpuBuffer } from "./vulkan/memory";
import { singleSubresource } from "./vulkan/planes";
import type { Submission } from "./vulkan/submission";
import { createSemaphore } from "./vulkan/sync";

/** What says where the window goes: SDL reads them through getenv. */
const DISPLAY_VARIABLES = ["DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "SDL_VIDEODRIVER"];

const VK_SUBOPTIMAL_KHR = 1000001003;
const VK_ERROR_OUT_OF_DATE_KHR = -1000001004;
const PRESENT_MODE_FIFO = 2;
const PRESENT_MODE_IMMEDIATE = 0;

/** Why no window can be opened here (no display), or undefined. */
export function displayMissing(): string | undefined {
  if (!process.env["DISPLAY"] && !process.env["WAYLAND_DISPLAY"])
    return "no display: neither DISPLAY nor WAYLAND_DISPLAY is set (run under a desktop session, `ssh -X`, or Xvfb: `Xvfb :99 & DISPLAY=:99 ...`)";
  return undefined;
}

/** What the keys asked for since the last poll. */
export type PreviewState = {
  /** The window was closed, or q / Escape pressed. */
  quit: boolean;
  /** Space toggles it. */
  paused: boolean;
  /** f toggles between the frame scaled to the window and 1:1 pixels. */
  fit: boolean;
};

/** A swapchain and what each of its images needs: owned by the Preview, made again when the window changes. */
type Swapchain = {
  handle: bigint;
  images: bigint[];
  extent: [number, number];
  /** Signalled by the acquire, waited by the copy: one per image in flight, rotated. */
  acquired: bigint[];
  /** Signalled by the copy, waited by the present: one per swapchain image. */
  copied: bigint[];
};

/**
 * A preview window. Owns the SDL window (and SDL's video subsystem while it lives), and, once
 * attached to a VulkanContext, the surface, the swapchain with its semaphores, and a staging
 * image with its memory per source shown; holds that context. Dispose it to close the window.
 */
export class Preview implements Disposable {
  private readonly window: number;
  private ctx?: VulkanContext;
  private surface = 0n;
  private swapchain?: Swapchain | undefined;
  /** One image per source shown (the frame, and what is shown beside it), of the frames' size. */
  private staging: DeviceImage[] = [];
  /** The last frame's copy and blit: waited before the next reuses the staging image. */
  private last?: Submission | undefined;
  private frame = 0;
  private closed = false;
  readonly state: PreviewState = { quit: false, paused: false, fit: true };
  /** The instance extensions the window's surface needs: give them to VulkanContext.create({ surfaceExtensions }). */
  readonly instanceExtensions: string[];

  /** Open a window (hidden content until the first frame). NO display: VulkanUnsupportedError saying how to get one. */
  static open(title = "vaapi-vk", width = 640, height = 360): Preview {
    const missing = displayMissing();
    if (missing) throw new VulkanUnsupportedError(missing);
    if (![width, height].every((n) => Number.isSafeInteger(n) && n > 0))
      throw new InvalidArgumentError("preview size", `${width}x${height} is not a positive integer size`);
    return new Preview(title, width, height);
  }

  private constructor(title: string, width: number, height: number) {
    // SDL reads the display from the C environment, which Bun's process.env does not write through
    // to: a script that set process.env.DISPLAY gets its window there.
    for (const name of DISPLAY_VARIABLES) {
      const value = process.env[name];
      if (value === undefined) libc().unsetenv(Buffer.from(`${name}\0`));
      else libc().setenv(Buffer.from(`${name}\0`), Buffer.from(`${value}\0`), 1);
    }
    const sdl = libsdl();
    if (sdl.SDL_Init(SDL_INIT_VIDEO) !== 0)
      throw new VulkanUnsupportedError(`SDL could not open the display: ${sdl.SDL_GetError()}`);
    const window = sdl.SDL_CreateWindow(
      Buffer.from(`${title}\0`),
      0,
      0,
      width,
      height,
      SDL_WINDOW_VULKAN | SDL_WINDOW_RESIZABLE,
    ) as number;
    if (!window) {
      const error = String(sdl.SDL_GetError());
      sdl.SDL_QuitSubSystem(SDL_INIT_VIDEO);
      const where = process.env["WAYLAND_DISPLAY"]
        ? `WAYLAND_DISPLAY=${process.env["WAYLAND_DISPLAY"]}`
        : `DISPLAY=${process.env["DISPLAY"]}`;
      throw new VulkanUnsupportedError(
        `SDL could not make a Vulkan window on ${where}: ${error} (is that display's server running and reachable?)`,
      );
    }
    this.window = window;
    const count = new Uint32Array(1);
    sdl.SDL_Vulkan_GetInstanceExtensions(window, count, null);
    const names = new BigUint64Array(count[0]!);
    sdl.SDL_Vulkan_GetInstanceExtensions(window, count, names);
    this.instanceExtensions = [...names].map((p) => new CString(Number(p) as Pointer).toString());
  }

  private live(call: string): void {
    if (this.closed) throw new UseAfterDisposeError("Preview", call);
  }

  /** Present from `ctx` (made with this window's instanceExtensions): the surface, checked for our queue. */
  attach(ctx: VulkanContext): void {
    this.live("Preview.attach");
    if (this.ctx) throw new InvalidArgumentError("preview", "it is attached to a VulkanContext already");
    const inst = ctx.inst;
    if (!inst.vkGetPhysicalDeviceSurfaceSupportKHR || !ctx.has("VK_KHR_swapchain"))
      throw new InvalidArgumentError(
        "preview",
        "the VulkanContext was made without the window's surface extensions: create it with { surfaceExtensions: preview.instanceExtensions }",
      );
    const out = new BigUint64Array(1);
    if (!libsdl().SDL_Vulkan_CreateSurface(this.window, ctx.instance, out))
      throw new VulkanUnsupportedError(`SDL could not make a Vulkan surface: ${libsdl().SDL_GetError()}`);
    const supported = new Uint32Array(1);
    checkVk(
      inst.vkGetPhysicalDeviceSurfaceSupportKHR(ctx.physicalDevice, ctx.queueFamily, out[0]!, supported),
      "vkGetPhysicalDeviceSurfaceSupportKHR",
    );
    if (!supported[0]) {
      inst.vkDestroySurfaceKHR?.(ctx.instance, out[0]!, null);
      throw new VulkanUnsupportedError(`${ctx.info.name} cannot present to this window from its compute queue`);
    }
    ctx.retain("Preview");
    this.ctx = ctx;
    this.surface = out[0]!;
  }

  /** Resize the window (to the video's size, say). */
  resize(width: number, height: number): void {
    this.live("Preview.resize");
    libsdl().SDL_SetWindowSize(this.window, width, height);
  }

  set title(text: string) {
    this.live("Preview.title");
    libsdl().SDL_SetWindowTitle(this.window, Buffer.from(`${text}\0`));
  }

  /** Handle the window's events (keys, close) and say what they asked for. */
  poll(): PreviewState {
    this.live("Preview.poll");
    const event = Buffer.alloc(SDL_EVENT_SIZE);
    while (libsdl().SDL_PollEvent(event)) {
      const type = event.readUInt32LE(0);
      if (type === SDL_QUIT) this.state.quit = true;
      else if (type === SDL_WINDOWEVENT && unpack(SDL_WindowEvent, event).event === SDL_WINDOWEVENT_CLOSE)
        this.state.quit = true;
      else if (type === SDL_KEYDOWN) {
        const key = unpack(SDL_KeyboardEvent, event).keysym.sym;
        if (key === SDLK.q || key === SDLK.ESCAPE) this.state.quit = true;
        else if (key === SDLK.SPACE) this.state.paused = !this.state.paused;
        else if (key === SDLK.f) this.state.fit = !this.state.fit;
      }
    }
    return this.state;
  }

  /**
   * Show `rgba` (packed RGBA8, `width` x `height`, from this context's converter) in the window, and
   * `beside` (the same size: a heat map, say) to its right when given: copied into staging images
   * and blitted into the next swapchain image on the GPU, then presented. Waits for the frame shown
   * before; returns at once once the window was closed.
   */
  show(rgba: GpuBuffer, width: number, height: number, beside?: GpuBuffer): void {
    this.live("Preview.show");
    const ctx = this.ctx;
    if (!ctx) throw new InvalidArgumentError("preview", "attach it to the VulkanContext that converts first");
    const sources = beside ? [rgba, beside] : [rgba];
    for (const b of sources) {
      if (b.ctx !== ctx)
        throw new InvalidArgumentError("RGBA buffer", "it belongs to another VulkanContext than the preview's");
      if (b.size < width * height * 4)
        throw new InvalidArgumentError(
          "RGBA buffer",
          `it holds ${b.size} bytes; ${width}x${height} RGBA8 needs ${width * height * 4}`,
        );
    }
    if (this.state.quit) return;
    this.last?.[Symbol.dispose]();
    this.last = undefined;
    const staging = this.stagingImages(width, height, sources.length);
    for (let attempt = 0; attempt < 3; attempt++) {
      const chain = (this.swapchain ??= this.makeSwapchain());
      const acquired = chain.acquired[this.frame % chain.acquired.length]!;
      const index = new Uint32Array(1);
      const got = ctx.dev.vkAcquireNextImageKHR!(ctx.device, chain.handle, 1_000_000_000n, acquired, 0n, index);
      if (got === VK_ERROR_OUT_OF_DATE_KHR) {
        this.dropSwapchain();
        continue;
      }
      if (got !== VK_SUBOPTIMAL_KHR) checkVk(got, "vkAcquireNextImageKHR");
      const target = chain.images[index[0]!]!;
      const copied = chain.copied[index[0]!]!;
      const buffers = sources.map((b) => b.buffer);
      this.last = ctx.submit((cmd) => this.record(cmd, buffers, staging, target, chain.extent), [], undefined, {
        waits: [{ semaphore: acquired }],
        signals: [{ semaphore: copied }],
      });
      for (const b of sources) b.track(this.last);
      this.frame++;
      const present = pack(vk.VkPresentInfoKHR, {
        sType: vk.SType.PRESENT_INFO_KHR,
        waitSemaphoreCount: 1,
        pWaitSemaphores: new BigUint64Array([copied]),
        swapchainCount: 1,
        pSwapchains: new BigUint64Array([chain.handle]),
        pImageIndices: index,
      });
      ctx.queueLock?.lock();
      let presented: number;
      try {
        presented = ctx.dev.vkQueuePresentKHR!(ctx.queue, present);
      } finally {
        ctx.queueLock?.unlock();
      }
      if (presented === VK_ERROR_OUT_OF_DATE_KHR || presented === VK_SUBOPTIMAL_KHR) this.dropSwapchain();
      else checkVk(presented, "vkQueuePresentKHR");
      return;
    }
    throw new VulkanUnsupportedError("the window's swapchain kept going out of date");
  }

  /**
   * Copy each RGBA buffer into its staging image and blit it into its share of the swapchain image
   * (side by side; fit: scaled into its share, else 1:1 at its top left), the rest black.
   */
  private record(
    cmd: number,
    buffers: bigint[],
    staging: { image: bigint; width: number; height: number }[],
    target: bigint,
    extent: [number, number],
  ): void {
    const dev = this.ctx!.dev;
    const color = singleSubresource(vk.ImageAspect.COLOR);
    const barrier = (image: bigint, oldLayout: number, newLayout: number, src: number, dst: number) =>
      pack(vk.VkImageMemoryBarrier, {
        sType: vk.SType.IMAGE_MEMORY_BARRIER,
        srcAccessMask: src,
        dstAccessMask: dst,
        oldLayout,
        newLayout,
        srcQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED,
        dstQueueFamilyIndex: vk.QUEUE_FAMILY_IGNORED,
        image,
        subresourceRange: color,
      });
    const { TRANSFER, ALL_COMMANDS } = vk.PipelineStage;
    const W = vk.Access.TRANSFER_WRITE,
      R = vk.Access.TRANSFER_READ;
    const L = vk.ImageLayout;
    const layers = { aspectMask: vk.ImageAspect.COLOR, mipLevel: 0, baseArrayLayer: 0, layerCount: 1 };
    const pipelineBarrier = (src: number, dst: number, b: Buffer) =>
      dev.vkCmdPipelineBarrier(cmd, src, dst, 0, 0, null, 0, null, 1, b);
    staging.forEach((img, i) => {
      pipelineBarrier(ALL_COMMANDS, TRANSFER, barrier(img.image, L.UNDEFINED, L.TRANSFER_DST_OPTIMAL, 0, W));
      dev.vkCmdCopyBufferToImage(
        cmd,
        buffers[i]!,
        img.image,
        L.TRANSFER_DST_OPTIMAL,
        1,
        pack(vk.VkBufferImageCopy, {
          bufferOffset: 0,
          bufferRowLength: 0,
          bufferImageHeight: 0,
          imageSubresource: layers,
          imageOffset: [0, 0, 0],
          imageExtent: [img.width, img.height, 1],
        }),
      );
      pipelineBarrier(TRANSFER, TRANSFER, barrier(img.image, L.TRANSFER_DST_OPTIMAL, L.TRANSFER_SRC_OPTIMAL, W, R));
    });
    pipelineBarrier(ALL_COMMANDS, TRANSFER, barrier(target, L.UNDEFINED, L.TRANSFER_DST_OPTIMAL, 0, W));
    const [ew, eh] = extent;
    // What the frames do not cover (letterbox, or the window past 1:1 frames) is black.
    dev.vkCmdClearColorImage(
      cmd,
      target,
      L.TRANSFER_DST_OPTIMAL,
      new Float32Array([0, 0, 0, 1]),
      1,
      pack(vk.VkImageSubresourceRange, color),
    );
    pipelineBarrier(TRANSFER, TRANSFER, barrier(target, L.TRANSFER_DST_OPTIMAL, L.TRANSFER_DST_OPTIMAL, W, W));
    const share = Math.floor(ew / staging.length);
    staging.forEach((img, i) => {
      const x0 = i * share;
      const [dx0, dy0, dx1, dy1] = this.state.fit
        ? fitted(img.width, img.height, share, eh)
        : [0, 0, Math.min(share, img.width), Math.min(eh, img.height)];
      const scaled = dx1! - dx0! !== img.width || dy1! - dy0! !== img.height;
      dev.vkCmdBlitImage(
        cmd,
        img.image,
        L.TRANSFER_SRC_OPTIMAL,
        target,
        L.TRANSFER_DST_OPTIMAL,
        1,
        pack(vk.VkImageBlit, {
          srcSubresource: layers,
          srcOffsets: this.state.fit ? [0, 0, 0, img.width, img.height, 1] : [0, 0, 0, dx1!, dy1!, 1],
          dstSubresource: layers,
          dstOffsets: [x0 + dx0!, dy0!, 0, x0 + dx1!, dy1!, 1],
        }),
        scaled ? 1 /* LINEAR */ : 0 /* NEAREST */,
      );
    });
    pipelineBarrier(TRANSFER, ALL_COMMANDS, barrier(target, L.TRANSFER_DST_OPTIMAL, L.PRESENT_SRC_KHR, W, 0));
  }

  /** `count` staging images of `width` x `height` (made again when the size or count changes). */
  private stagingImages(width: number, height: number, count: number) {
    const fits = this.staging.length === count && this.staging.every((s) => s.width === width && s.height === height);
    if (fits) return this.staging;
    this.dropStaging();
    for (let i = 0; i < count; i++)
      this.staging.push(
        new DeviceImage(
          this.ctx!,
          "R8G8B8A8_UNORM",
          width,
          height,
          vk.ImageUsage.TRANSFER_DST | vk.ImageUsage.TRANSFER_SRC,
        ),
      );
    return this.staging;
  }

  private makeSwapchain(): Swapchain {
    const ctx = this.ctx!;
    const inst = ctx.inst;
    const caps = Buffer.alloc(vk.VkSurfaceCapabilitiesKHR.size);
    checkVk(
      inst.vkGetPhysicalDeviceSurfaceCapabilitiesKHR!(ctx.physicalDevice, this.surface, caps),
      "vkGetPhysicalDeviceSurfaceCapabilitiesKHR",
    );
    const c = unpack(vk.VkSurfaceCapabilitiesKHR, caps);
    if (!(c.supportedUsageFlags & vk.ImageUsage.TRANSFER_DST))
      throw new VulkanUnsupportedError(
        `${ctx.info.name}'s swapchain images cannot be copied into (no TRANSFER_DST usage)`,
      );
    const count = new Uint32Array(1);
    inst.vkGetPhysicalDeviceSurfaceFormatsKHR!(ctx.physicalDevice, this.surface, count, null);
    const formatBuf = packArray(vk.VkSurfaceFormatKHR, new Array(count[0]!).fill({}));
    inst.vkGetPhysicalDeviceSurfaceFormatsKHR!(ctx.physicalDevice, this.surface, count, formatBuf);
    const formats = Array.from({ length: count[0]! }, (_, i) => unpack(vk.VkSurfaceFormatKHR, formatBuf, i));
    // UNORM, so the blit copies the converter's bytes as they are (an sRGB image would encode them again).
    const format =
      formats.find((f) => f.format === vk.VkFormat.B8G8R8A8_UNORM) ??
      formats.find((f) => f.format === vk.VkFormat.R8G8B8A8_UNORM);
    if (!format)
      throw new VulkanUnsupportedError(`${ctx.info.name} offers no UNORM BGRA/RGBA swapchain format for this window`);
    const sizeNow = new Int32Array(2);
    libsdl().SDL_Vulkan_GetDrawableSize(this.window, sizeNow.subarray(0, 1), sizeNow.subarray(1, 2));
    const extent: [number, number] =
      c.currentExtent[0] !== 0xffffffff ? [c.currentExtent[0]!, c.currentExtent[1]!] : [sizeNow[0]!, sizeNow[1]!];
    const modes = new Uint32Array(8);
    const modeCount = new Uint32Array([8]);
    inst.vkGetPhysicalDeviceSurfacePresentModesKHR!(ctx.physicalDevice, this.surface, modeCount, modes);
    // Immediate where offered: the preview never holds the pipeline back to the display's rate.
    const presentMode = [...modes.subarray(0, modeCount[0]!)].includes(PRESENT_MODE_IMMEDIATE)
      ? PRESENT_MODE_IMMEDIATE
      : PRESENT_MODE_FIFO;
    const out = Buffer.alloc(8);
    checkVk(
      ctx.dev.vkCreateSwapchainKHR!(
        ctx.device,
        pack(vk.VkSwapchainCreateInfoKHR, {
          sType: vk.SType.SWAPCHAIN_CREATE_INFO_KHR,
          surface: this.surface,
          minImageCount: Math.max(c.minImageCount, Math.min(3, c.maxImageCount || 3)),
          imageFormat: format.format,
          imageColorSpace: format.colorSpace,
          imageExtent: extent,
          imageArrayLayers: 1,
          imageUsage: vk.ImageUsage.TRANSFER_DST,
          imageSharingMode: 0,
          preTransform: c.currentTransform,
          compositeAlpha: c.supportedCompositeAlpha & 1 ? 1 : c.supportedCompositeAlpha & -c.supportedCompositeAlpha,
          presentMode,
          clipped: 1,
        }),
        null,
        out,
      ),
      "vkCreateSwapchainKHR",
    );
    const handle = readU64(out);
    const n = new Uint32Array(1);
    ctx.dev.vkGetSwapchainImagesKHR!(ctx.device, handle, n, null);
    const images = new BigUint64Array(n[0]!);
    ctx.dev.vkGetSwapchainImagesKHR!(ctx.device, handle, n, images);
    const semaphore = () => createSemaphore(ctx);
    return {
      handle,
      images: [...images],
      extent,
      acquired: Array.from({ length: images.length }, semaphore),
      copied: Array.from({ length: images.length }, semaphore),
    };
  }

  /** Wait for the GPU, then release the swapchain and its semaphores (made again on the next show). */
  private dropSwapchain(): void {
    const chain = this.swapchain;
    if (!chain) return;
    this.swapchain = undefined;
    const ctx = this.ctx!;
    this.last?.[Symbol.dispose]();
    this.last = undefined;
    ctx.dev.vkQueueWaitIdle(ctx.queue);
    for (const s of [...chain.acquired, ...chain.copied]) ctx.dev.vkDestroySemaphore(ctx.device, s, null);
    ctx.dev.vkDestroySwapchainKHR!(ctx.device, chain.handle, null);
  }

  private dropStaging(): void {
    if (!this.staging.length) return;
    this.last?.[Symbol.dispose]();
    this.last = undefined;
    for (const s of this.staging.splice(0)) s[Symbol.dispose]();
  }

  [Symbol.dispose](): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.ctx) {
        this.dropSwapchain();
        this.dropStaging();
        this.last?.[Symbol.dispose]();
        this.ctx.inst.vkDestroySurfaceKHR?.(this.ctx.instance, this.surface, null);
        this.ctx.release();
      }
    } finally {
      libsdl().SDL_DestroyWindow(this.window);
      libsdl().SDL_QuitSubSystem(SDL_INIT_VIDEO);
    }
  }
}

/** The largest rectangle of the frame's aspect inside the window, centred: [x0, y0, x1, y1]. */
function fitted(width: number, height: number, windowWidth: number, windowHeight: number): number[] {
  const scale = Math.min(windowWidth / width, windowHeight / height);
  const w = Math.round(width * scale),
    h = Math.round(height * scale);
  const x = Math.floor((windowWidth - w) / 2),
    y = Math.floor((windowHeight - h) / 2);
  return [x, y, x + w, y + h];
}
