// Test producers: memfds filled with known patterns (the test writes them, standing in for a decoder).
import { libc } from "../../ffi/libc";

export type TestMemfd = { fd: number; size: number; bytes: Uint8Array; close(): void };

export function makeMemfd(size: number): TestMemfd {
  const fd = libc().memfd_create(Buffer.from("vaapi-vk-test\0"), 1);
  if (fd < 0) throw new Error("memfd_create failed");
  libc().ftruncate(fd, size);
  const bytes = Bun.mmap(`/proc/self/fd/${fd}`, { shared: true });
  return { fd, size, bytes, close: () => libc().close(fd) };
}

/** A deterministic byte pattern. */
export const pattern = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 17 + (i >> 7)) & 0xff);
