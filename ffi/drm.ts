// Linux DRM and dma-buf uAPI: ioctl numbers and argument structs (drm.h, drm_mode.h, dma-buf.h).
import { struct } from "./struct";

const IOC = (dir: number, type: number, nr: number, size: number) =>
  ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
const IOWR = (type: number, nr: number, size: number) => IOC(3, type, nr, size);
const IOW = (type: number, nr: number, size: number) => IOC(1, type, nr, size);

export const drm_mode_create_dumb = struct("drm_mode_create_dumb", [
  ["height", "u32"],
  ["width", "u32"],
  ["bpp", "u32"],
  ["flags", "u32"],
  ["handle", "u32"],
  ["pitch", "u32"],
  ["size", "u64"],
]);
export const drm_mode_destroy_dumb = struct("drm_mode_destroy_dumb", [["handle", "u32"]]);
export const drm_prime_handle = struct("drm_prime_handle", [
  ["handle", "u32"],
  ["flags", "u32"],
  ["fd", "i32"],
]);
export const dma_buf_export_sync_file = struct("dma_buf_export_sync_file", [
  ["flags", "u32"],
  ["fd", "i32"],
]);
export const udmabuf_create = struct("udmabuf_create", [
  ["memfd", "u32"],
  ["flags", "u32"],
  ["offset", "u64"],
  ["size", "u64"],
]);

const DRM = 0x64; // 'd'
const DMA_BUF = 0x62; // 'b'
const UDMABUF = 0x75; // 'u'
export const DRM_IOCTL_MODE_CREATE_DUMB = IOWR(DRM, 0xb2, drm_mode_create_dumb.size);
export const DRM_IOCTL_MODE_DESTROY_DUMB = IOWR(DRM, 0xb4, drm_mode_destroy_dumb.size);
export const DRM_IOCTL_PRIME_HANDLE_TO_FD = IOWR(DRM, 0x2d, drm_prime_handle.size);
export const DMA_BUF_IOCTL_EXPORT_SYNC_FILE = IOWR(DMA_BUF, 2, dma_buf_export_sync_file.size);
export const UDMABUF_CREATE = IOW(UDMABUF, 0x42, udmabuf_create.size);
export const UDMABUF_FLAGS_CLOEXEC = 1;
export const DMA_BUF_SYNC_READ = 1;
export const DRM_CLOEXEC = 0o2000000;
export const DRM_RDWR = 2;

export const drmLayouts = {
  drm_mode_create_dumb,
  drm_mode_destroy_dumb,
  drm_prime_handle,
  dma_buf_export_sync_file,
  udmabuf_create,
};
export const drmIoctls = {
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_DESTROY_DUMB,
  DRM_IOCTL_PRIME_HANDLE_TO_FD,
  DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
  UDMABUF_CREATE,
};
