// What a descriptor's fds really are, asked of the kernel before anything is planned: which
// dmabuf each names (two fd numbers can name one buffer), and how large it really is (Mesa's AMD VA
// driver exports objects with size 0; a descriptor can claim more than the buffer holds).
import { libc, SEEK_END, SEEK_SET, Stat } from "../../ffi/libc";
import { unpackField } from "../../ffi/struct";
import type { DrmFrameDescriptor } from "../descriptor";
import { DmabufImportError } from "../errors";

/** The dmabuf (or memfd) an fd names: st_dev:st_ino, the same for every fd of one buffer. */
export function dmabufIdentity(fd: number): string {
  const st = Buffer.alloc(Stat.size);
  if (libc().fstat(fd, st) !== 0)
    throw new DmabufImportError("BAD_LAYOUT", `fstat(${fd}) failed: the descriptor's fd is not open`);
  return `${unpackField(Stat, st, "st_dev")}:${unpackField(Stat, st, "st_ino")}`;
}

/**
 * The buffer's real size: lseek(fd, 0, SEEK_END), as mpv does (a dmabuf answers SEEK_END with its
 * size, and only SEEK_END and SEEK_SET to 0; the offset is put back to 0 after). Undefined where
 * the fd cannot say (an opaque fd from Vulkan or CUDA).
 */
export function fdSize(fd: number): number | undefined {
  const end = Number(libc().lseek(fd, 0, SEEK_END));
  if (end < 0) return undefined;
  libc().lseek(fd, 0, SEEK_SET);
  return end;
}

export type ResolvedDescriptor = { desc: DrmFrameDescriptor; identities: string[] };

/**
 * The descriptor as the kernel sees it: objects naming the same buffer (and laid out alike) merged
 * into one, each object's size its buffer's real size where the descriptor says 0, and a
 * descriptor that claims more than the buffer holds refused (BAD_LAYOUT) before any driver call:
 * the GPU must never be pointed past the end of a dmabuf. Only for fds of kernel buffers
 * (dma_bufs, memfds): an opaque fd from Vulkan or CUDA tells neither (NVIDIA's all share one inode),
 * so `kernelBuffers` false leaves the descriptor as it is.
 */
export function resolveObjects(desc: DrmFrameDescriptor, kernelBuffers: boolean): ResolvedDescriptor {
  if (!kernelBuffers) return { desc, identities: [] };
  const identities: string[] = [];
  const objects: DrmFrameDescriptor["objects"] = [];
  const remap = desc.objects.map((o, i) => {
    const id = dmabufIdentity(o.fd);
    const same = identities.findIndex((known, k) => known === id && objects[k]!.modifier === o.modifier);
    const real = fdSize(o.fd);
    if (o.size === 0 && real === undefined)
      throw new DmabufImportError("BAD_LAYOUT", `object ${i} has size 0 and its fd ${o.fd} cannot say how large it is`);
    if (real !== undefined && o.size > real) {
      throw new DmabufImportError(
        "BAD_LAYOUT",
        `object ${i} claims ${o.size} bytes but its buffer (fd ${o.fd}) holds ${real}; the descriptor is wrong, and the GPU must not read past the buffer`,
      );
    }
    const size = o.size === 0 ? real! : o.size;
    if (same >= 0) {
      objects[same] = { ...objects[same]!, size: Math.max(objects[same]!.size, size) };
      return same;
    }
    identities.push(id);
    objects.push({ ...o, size });
    return objects.length - 1;
  });
  const layers = desc.layers.map((l) => ({
    ...l,
    planes: l.planes.map((p) => ({ ...p, object: remap[p.object] ?? p.object })),
  }));
  return { desc: { ...desc, objects, layers }, identities };
}
