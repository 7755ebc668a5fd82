// libc: the few calls that handle fds, memory maps and ioctls.
import { type Pointer, FFIType as T, toArrayBuffer } from "bun:ffi";
import { lazyLibrary } from "./library";
import { struct } from "./struct";

export const libc = lazyLibrary(
  { name: "libc", sonames: ["libc.so.6"], debianPackage: "libc6" },
  {
    memfd_create: { args: [T.cstring, T.u32], returns: T.i32 },
    setenv: { args: [T.cstring, T.cstring, T.i32], returns: T.i32 },
    unsetenv: { args: [T.cstring], returns: T.i32 },
    ftruncate: { args: [T.i32, T.i64], returns: T.i32 },
    mmap: { args: [T.ptr, T.u64, T.i32, T.i32, T.i32, T.i64], returns: T.ptr },
    munmap: { args: [T.ptr, T.u64], returns: T.i32 },
    close: { args: [T.i32], returns: T.i32 },
    dup: { args: [T.i32], returns: T.i32 },
    fstat: { args: [T.i32, T.ptr], returns: T.i32 },
    ioctl: { args: [T.i32, T.u64, T.ptr], returns: T.i32 },
    fcntl: { args: [T.i32, T.i32, T.i32], returns: T.i32 },
    lseek: { args: [T.i32, T.i64, T.i32], returns: T.i64 },
    poll: { args: [T.ptr, T.u64, T.i32], returns: T.i32 },
    pipe: { args: [T.ptr], returns: T.i32 },
    write: { args: [T.i32, T.ptr, T.u64], returns: T.i64 },
    open: { args: [T.cstring, T.i32], returns: T.i32 },
    __errno_location: { args: [], returns: T.ptr },
    strerror: { args: [T.i32], returns: T.cstring },
  },
);

/** The calling thread's errno, as "text (errno N)", for errors from C calls. */
export function errnoText(): string {
  const errno = new Int32Array(toArrayBuffer(libc().__errno_location() as Pointer, 0, 4))[0]!;
  return `${libc().strerror(errno)} (errno ${errno})`;
}

export const MFD_CLOEXEC = 1;
export const MFD_ALLOW_SEALING = 2;
export const F_ADD_SEALS = 1033;
export const F_SEAL_SHRINK = 2;
export const F_DUPFD_CLOEXEC = 1030;
export const SEEK_SET = 0;
export const SEEK_END = 2;
export const POLLIN = 0x1;
export const POLLERR = 0x8;
export const POLLNVAL = 0x20;
export const MAP_FAILED = 0xffffffffffffffffn;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const O_RDONLY = 0;
export const O_RDWR = 2;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
export const S_IFMT = 0o170000;
export const S_IFCHR = 0o020000;

/** struct pollfd. */
export const PollFd = struct("pollfd", [
  ["fd", "i32"],
  ["events", "i16"],
  ["revents", "i16"],
]);

/** struct stat on x86-64 Linux (glibc). */
export const Stat = struct("stat", [
  ["st_dev", "u64"],
  ["st_ino", "u64"],
  ["st_nlink", "u64"],
  ["st_mode", "u32"],
  ["st_uid", "u32"],
  ["st_gid", "u32"],
  ["__pad0", "i32"],
  ["st_rdev", "u64"],
  ["st_size", "i64"],
  ["st_blksize", "i64"],
  ["st_blocks", "i64"],
  ["st_atim", { array: "u64", count: 2 }],
  ["st_mtim", { array: "u64", count: 2 }],
  ["st_ctim", { array: "u64", count: 2 }],
  ["__glibc_reserved", { array: "i64", count: 3 }],
]);
