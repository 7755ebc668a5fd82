// Linear dmabufs for --force-linear: a decoded frame is downloaded and copied into one of these,
// so drivers that cannot read the decoder's (implicit or tiled) layout get a LINEAR one.
// Allocators, in order: a DRM dumb buffer on a card node, /dev/udmabuf over a sealed memfd, and a
// plain memfd (which only Vulkan drivers that accept a memfd as a dma_buf can import, lavapipe among them).
import { type Pointer, toArrayBuffer } from "bun:ffi";
import { existsSync, readdirSync } from "node:fs";
import {
  DRM_CLOEXEC,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_DESTROY_DUMB,
  DRM_IOCTL_PRIME_HANDLE_TO_FD,
  DRM_RDWR,
  drm_mode_create_dumb,
  drm_mode_destroy_dumb,
  drm_prime_handle,
  UDMABUF_CREATE,
  UDMABUF_FLAGS_CLOEXEC,
  udmabuf_create,
} from "../../ffi/drm";
import {
  errnoText,
  F_ADD_SEALS,
  F_SEAL_SHRINK,
  libc,
  MAP_FAILED,
  MAP_SHARED,
  MFD_ALLOW_SEALING,
  MFD_CLOEXEC,
  O_CLOEXEC,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../ffi/libc";
import { pack, unpack } from "../../ffi/struct";
import type { DrmFrameDescriptor } from "../descriptor";
import { VaapiVkError } from "../errors";
import { DRM_FORMAT, DRM_FORMAT_MOD_LINEAR } from "../formats";
import { PIXEL_FORMATS, type PixelFormat } from "../plan";

export type LinearAllocator = "drm-dumb" | "udmabuf" | "memfd";

/** A linear dmabuf (or memfd) mapped for the CPU. Disposing unmaps and closes it once. */
export class LinearBuffer implements Disposable {
  private released = false;
  constructor(
    readonly fd: number,
    readonly size: number,
    readonly allocator: LinearAllocator,
    private readonly mapping: number,
  ) {}

  get bytes(): Uint8Array {
    return new Uint8Array(toArrayBuffer(this.mapping as Pointer, 0, this.size));
  }

  [Symbol.dispose](): void {
    if (this.released) return;
    this.released = true;
    libc().munmap(this.mapping, this.size);
    libc().close(this.fd);
  }
}

function mapShared(fd: number, size: number): number {
  const p = libc().mmap(null, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) as number;
  // MAP_FAILED is (void *)-1, which arrives as a number at or above 2^63.
  if (!p || p >= Number(MAP_FAILED >> 1n))
    throw new VaapiVkError("ALLOCATION_FAILED", `mmap of ${size} bytes failed: ${errnoText()}`);
  return p;
}

function memfd(size: number, sealing: boolean): number {
  const fd = libc().memfd_create(Buffer.from("vaapi-vk-linear\0"), MFD_CLOEXEC | (sealing ? MFD_ALLOW_SEALING : 0));
  if (fd < 0) throw new VaapiVkError("ALLOCATION_FAILED", `memfd_create failed: ${errnoText()}`);
  if (libc().ftruncate(fd, size) !== 0) {
    libc().close(fd);
    throw new VaapiVkError("ALLOCATION_FAILED", `ftruncate(memfd, ${size}) failed: ${errnoText()}`);
  }
  return fd;
}

/** The first /dev/dri/card* node, or undefined. */
export function firstCardNode(): string | undefined {
  if (!existsSync("/dev/dri")) return undefined;
  const card = readdirSync("/dev/dri")
    .filter((n) => /^card\d+$/.test(n))
    .sort()[0];
  return card ? `/dev/dri/${card}` : undefined;
}

function allocateDumb(size: number, cardNode: string): LinearBuffer {
  const card = libc().open(Buffer.from(`${cardNode}\0`), O_RDWR | O_CLOEXEC);
  if (card < 0) throw new VaapiVkError("ALLOCATION_FAILED", `cannot open ${cardNode}: ${errnoText()}`);
  try {
    // One row of `size` bytes: dumb buffers are linear, and the frame's own pitches live in the descriptor.
    const create = pack(drm_mode_create_dumb, { height: Math.ceil(size / 4096), width: 1024, bpp: 32 });
    if (libc().ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, create) !== 0)
      throw new VaapiVkError("ALLOCATION_FAILED", `DRM_IOCTL_MODE_CREATE_DUMB on ${cardNode} failed: ${errnoText()}`);
    const dumb = unpack(drm_mode_create_dumb, create);
    try {
      const prime = pack(drm_prime_handle, { handle: dumb.handle, flags: DRM_CLOEXEC | DRM_RDWR, fd: -1 });
      if (libc().ioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, prime) !== 0)
        throw new VaapiVkError(
          "ALLOCATION_FAILED",
          `DRM_IOCTL_PRIME_HANDLE_TO_FD on ${cardNode} failed: ${errnoText()}`,
        );
      const fd = unpack(drm_prime_handle, prime).fd as number;
      const total = Number(dumb.size);
      try {
        return new LinearBuffer(fd, total, "drm-dumb", mapShared(fd, total));
      } catch (e) {
        libc().close(fd);
        throw e;
      }
    } finally {
      // The dmabuf keeps the buffer alive; the GEM handle is no longer needed.
      libc().ioctl(card, DRM_IOCTL_MODE_DESTROY_DUMB, pack(drm_mode_destroy_dumb, { handle: dumb.handle }));
    }
  } finally {
    libc().close(card);
  }
}

function allocateUdmabuf(size: number): LinearBuffer {
  const dev = libc().open(Buffer.from("/dev/udmabuf\0"), O_RDWR | O_CLOEXEC);
  if (dev < 0) throw new VaapiVkError("ALLOCATION_FAILED", `cannot open /dev/udmabuf: ${errnoText()}`);
  let mfd: number;
  try {
    mfd = memfd(size, true);
  } catch (e) {
    libc().close(dev);
    throw e;
  }
  try {
    // udmabuf requires the memfd sealed against shrinking.
    if (libc().fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK) !== 0)
      throw new VaapiVkError("ALLOCATION_FAILED", `sealing the memfd failed: ${errnoText()}`);
    const fd = libc().ioctl(
      dev,
      UDMABUF_CREATE,
      pack(udmabuf_create, { memfd: mfd, flags: UDMABUF_FLAGS_CLOEXEC, offset: 0, size }),
    );
    if (fd < 0) throw new VaapiVkError("ALLOCATION_FAILED", `UDMABUF_CREATE failed: ${errnoText()}`);
    try {
      // The CPU writes through the memfd's own mapping; the udmabuf aliases the same pages.
      return new LinearBuffer(fd, size, "udmabuf", mapShared(mfd, size));
    } catch (e) {
      libc().close(fd);
      throw e;
    }
  } finally {
    libc().close(mfd);
    libc().close(dev);
  }
}

function allocateMemfd(size: number): LinearBuffer {
  const fd = memfd(size, false);
  try {
    return new LinearBuffer(fd, size, "memfd", mapShared(fd, size));
  } catch (e) {
    libc().close(fd);
    throw e;
  }
}

/**
 * A linear buffer of at least `size` bytes from the first allocator that works. `attempts` says
 * why the earlier ones did not (for --debug and the report).
 */
export function allocateLinear(
  size: number,
  options: { drmDevice?: string | undefined } = {},
): { buffer: LinearBuffer; attempts: string[] } {
  const pageSize = Math.ceil(size / 4096) * 4096;
  const attempts: string[] = [];
  const card = options.drmDevice ?? firstCardNode();
  const tries: [LinearAllocator, () => LinearBuffer][] = [
    [
      "drm-dumb",
      () => {
        if (!card) throw new VaapiVkError("ALLOCATION_FAILED", "no /dev/dri/card* node");
        return allocateDumb(pageSize, card);
      },
    ],
    [
      "udmabuf",
      () => {
        if (!existsSync("/dev/udmabuf"))
          throw new VaapiVkError(
            "ALLOCATION_FAILED",
            "no /dev/udmabuf (kernel without CONFIG_UDMABUF, or the module not loaded)",
          );
        return allocateUdmabuf(pageSize);
      },
    ],
    ["memfd", () => allocateMemfd(pageSize)],
  ];
  for (const [name, attempt] of tries) {
    try {
      return { buffer: attempt(), attempts };
    } catch (e) {
      attempts.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new VaapiVkError("ALLOCATION_FAILED", `no linear buffer could be allocated: ${attempts.join("; ")}`);
}

const FOURCC_OF: Partial<Record<PixelFormat, number>> = {
  NV12: DRM_FORMAT.NV12,
  P010: DRM_FORMAT.P010,
  YUV420: DRM_FORMAT.YUV420,
  YUV420_10: DRM_FORMAT.S010,
};
const PITCH_ALIGN = 256;

export type SourcePlane = { bytes: Uint8Array; pitch: number };

/**
 * A small ring of linear buffers that frames are copied into, one after another; reusing the same
 * buffers lets the import cache hit. The copy is the CPU copy --force-linear exists to make.
 */
export class LinearRing implements Disposable {
  private readonly buffers: LinearBuffer[] = [];
  private next = 0;
  allocator?: LinearAllocator;
  attempts: string[] = [];

  constructor(
    readonly slots: number,
    readonly drmDevice?: string,
  ) {}

  /** Copy `planes` (pixel format `format`, `width` x `height`) into the next buffer; returns its descriptor and the bytes copied. */
  copy(
    planes: SourcePlane[],
    format: PixelFormat,
    width: number,
    height: number,
  ): { descriptor: DrmFrameDescriptor; cpuBytesCopied: number } {
    const fourcc = FOURCC_OF[format];
    if (fourcc === undefined)
      throw new VaapiVkError(
        "UNSUPPORTED_FORMAT",
        `--force-linear copies NV12, P010, YUV420 and YUV420_10, not ${format}`,
      );
    const geometry = PIXEL_FORMATS[format].planes;
    const layout = geometry.map((g) => {
      const rowBytes = Math.ceil(width / g.widthDiv) * g.bytesPerElement;
      return {
        rowBytes,
        rows: Math.ceil(height / g.heightDiv),
        pitch: Math.ceil(rowBytes / PITCH_ALIGN) * PITCH_ALIGN,
      };
    });
    let offset = 0;
    const offsets = layout.map((l) => {
      const at = offset;
      offset += Math.ceil((l.pitch * l.rows) / PITCH_ALIGN) * PITCH_ALIGN;
      return at;
    });
    const size = Math.ceil(offset / 4096) * 4096;
    let buffer = this.buffers[this.next];
    if (!buffer || buffer.size < size) {
      buffer?.[Symbol.dispose]();
      const made = allocateLinear(size, { drmDevice: this.drmDevice });
      buffer = made.buffer;
      this.buffers[this.next] = buffer;
      this.allocator = buffer.allocator;
      this.attempts = made.attempts;
    }
    this.next = (this.next + 1) % this.slots;
    const dst = buffer.bytes;
    let copied = 0;
    layout.forEach((l, i) => {
      const src = planes[i]!;
      for (let y = 0; y < l.rows; y++) {
        dst.set(src.bytes.subarray(y * src.pitch, y * src.pitch + l.rowBytes), offsets[i]! + y * l.pitch);
      }
      copied += l.rowBytes * l.rows;
    });
    return {
      descriptor: {
        width,
        height,
        objects: [{ fd: buffer.fd, size: buffer.size, modifier: DRM_FORMAT_MOD_LINEAR }],
        layers: [{ fourcc, planes: layout.map((l, i) => ({ object: 0, offset: offsets[i]!, pitch: l.pitch })) }],
      },
      cpuBytesCopied: copied,
    };
  }

  [Symbol.dispose](): void {
    for (const b of this.buffers) b[Symbol.dispose]();
    this.buffers.length = 0;
  }
}
