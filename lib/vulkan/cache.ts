// ImportCache: decoders recycle a pool of surfaces, so the same dmabufs come back frame after
// frame (under new fd numbers with VAAPI: each av_hwframe_map exports fresh fds). Imports are keyed
// by each object's identity (fstat st_dev/st_ino) plus the whole layout, and reused on a hit. The
// cache holds as many imports as the decoder's pool has surfaces (`capacity` follows it), so after
// warm-up every frame is a hit; the least recently used import is evicted only when the pool
// changes (new surfaces after a resolution change) or the device runs out of memory for a new one.
// An import aliases its dmabuf, so a hit sees whatever the producer wrote there last.
import type { DrmFrameDescriptor } from "../descriptor";
import { InvalidArgumentError, UseAfterDisposeError, VulkanError } from "../errors";
import type { HandleType, VulkanContext } from "./context";
import { type ImportedFrame, importDmabuf } from "./import";
import { dmabufIdentity } from "./objects";

export type ImportCacheStats = { imports: number; hits: number; evictions: number; importMs: number; lookupMs: number };

const VK_ERROR_OUT_OF_HOST_MEMORY = -1;
const VK_ERROR_OUT_OF_DEVICE_MEMORY = -2;

/** The ImportedFrames it makes are its own: released on eviction or dispose (each after the GPU work reading it). */
export class ImportCache implements Disposable {
  private readonly entries = new Map<string, ImportedFrame>();
  private closed = false;
  readonly stats: ImportCacheStats = { imports: 0, hits: 0, evictions: 0, importMs: 0, lookupMs: 0 };

  /**
   * @param capacity imports kept: at least the decoder's pool size (its owner raises it as the pool grows).
   * @param syncTimeoutS bound on each wait for a frame's producer.
   */
  constructor(
    readonly ctx: VulkanContext,
    public capacity = 8,
    readonly handleType: HandleType = "dma-buf",
    readonly syncTimeoutS = 30,
  ) {
    if (handleType === "opaque-fd") {
      throw new InvalidArgumentError(
        "import cache handle type",
        "opaque fds do not say which buffer they name (NVIDIA's share one inode), so imports of them cannot be cached by buffer; import them with importDmabuf",
      );
    }
  }

  /** The import of `desc`, made now or reused. The cache owns it: do not dispose it. */
  get(desc: DrmFrameDescriptor, producerNode?: [number, number]): { frame: ImportedFrame; hit: boolean } {
    if (this.closed) throw new UseAfterDisposeError("ImportCache", "ImportCache.get");
    const t0 = performance.now();
    const key = [
      desc.width,
      desc.height,
      ...desc.objects.map((o) => `${dmabufIdentity(o.fd)}/${o.size}/${o.modifier}`),
      ...desc.layers.map((l) => `${l.fourcc}:${l.planes.map((p) => `${p.object},${p.offset},${p.pitch}`).join(";")}`),
    ].join("|");
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      this.stats.hits++;
      this.stats.lookupMs += performance.now() - t0;
      return { frame: cached, hit: true };
    }
    const frame = this.importEvictingOnOom(desc, producerNode);
    this.entries.set(key, frame);
    this.stats.imports++;
    this.stats.importMs += performance.now() - t0;
    while (this.entries.size > Math.max(1, this.capacity)) this.evictOldest();
    return { frame, hit: false };
  }

  /** Import; where the device is out of memory, release the least recently used imports and try again. */
  private importEvictingOnOom(desc: DrmFrameDescriptor, producerNode?: [number, number]): ImportedFrame {
    for (;;) {
      try {
        return importDmabuf(this.ctx, desc, {
          handleType: this.handleType,
          producerNode,
          syncTimeoutS: this.syncTimeoutS,
        });
      } catch (e) {
        const oom =
          e instanceof VulkanError &&
          (e.result === VK_ERROR_OUT_OF_DEVICE_MEMORY || e.result === VK_ERROR_OUT_OF_HOST_MEMORY);
        if (!oom || this.entries.size === 0) throw e;
        this.evictOldest();
      }
    }
  }

  private evictOldest(): void {
    const [oldKey, old] = this.entries.entries().next().value!;
    this.entries.delete(oldKey);
    old[Symbol.dispose]();
    this.stats.evictions++;
  }

  get size(): number {
    return this.entries.size;
  }

  [Symbol.dispose](): void {
    this.closed = true;
    for (const f of this.entries.values()) f[Symbol.dispose]();
    this.entries.clear();
  }
}
