// ImportCache: decoders recycle a small pool of surfaces, so the same dmabufs come back frame
// after frame. Imports are keyed by each object's identity (fstat st_dev/st_ino) plus the whole
// layout, reused on a hit, and evicted least-recently-used beyond `capacity`. An imported frame
// aliases its dmabuf, so a hit sees whatever the producer wrote there last.
import { libc, Stat } from "../../ffi/libc";
import { unpack } from "../../ffi/struct";
import type { DrmFrameDescriptor } from "../descriptor";
import { DmabufImportError } from "../errors";
import type { HandleType, Submission, VulkanContext } from "./context";
import { importDmabuf, type ImportedFrame } from "./import";

export type ImportCacheStats = { imports: number; hits: number; evictions: number; importMs: number; lookupMs: number };

export function dmabufIdentity(fd: number): string {
  const st = Buffer.alloc(Stat.size);
  if (libc().fstat(fd, st) !== 0) throw new DmabufImportError("BAD_LAYOUT", `fstat(${fd}) failed: the descriptor's fd is not open`);
  const s = unpack(Stat, st);
  return `${s.st_dev}:${s.st_ino}`;
}

export class ImportCache implements Disposable {
  private readonly entries = new Map<string, ImportedFrame>();
  /** GPU work still reading each import: an import is released only after it is done. */
  private readonly pending = new Map<ImportedFrame, Submission[]>();
  readonly stats: ImportCacheStats = { imports: 0, hits: 0, evictions: 0, importMs: 0, lookupMs: 0 };

  constructor(readonly ctx: VulkanContext, readonly capacity = 8, readonly handleType: HandleType = "dma-buf") {}

  /** The import of `desc`, made now or reused. The cache owns it: do not dispose it. */
  get(desc: DrmFrameDescriptor, producerNode?: [number, number]): { frame: ImportedFrame; hit: boolean } {
    const t0 = performance.now();
    const key = [
      desc.width, desc.height,
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
    const frame = importDmabuf(this.ctx, desc, { handleType: this.handleType, producerNode });
    this.entries.set(key, frame);
    this.stats.imports++;
    this.stats.importMs += performance.now() - t0;
    while (this.entries.size > this.capacity) {
      const [oldKey, old] = this.entries.entries().next().value!;
      this.entries.delete(oldKey);
      this.release(old);
      this.stats.evictions++;
    }
    return { frame, hit: false };
  }

  /** Note GPU work reading `frame`, so that evicting it waits for that work first. */
  track(frame: ImportedFrame, submission: Submission): void {
    const list = (this.pending.get(frame) ?? []).filter((s) => !s.done);
    list.push(submission);
    this.pending.set(frame, list);
  }

  private release(frame: ImportedFrame): void {
    for (const s of this.pending.get(frame) ?? []) s.wait();
    this.pending.delete(frame);
    frame[Symbol.dispose]();
  }

  get size(): number {
    return this.entries.size;
  }

  [Symbol.dispose](): void {
    for (const f of this.entries.values()) this.release(f);
    this.entries.clear();
  }
}
