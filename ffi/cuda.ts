// The CUDA driver API (libcuda): virtual memory management with POSIX-fd export.
import { FFIType as T } from "bun:ffi";
import { lazyLibrary } from "./library";
import { struct } from "./struct";

export const libcuda = lazyLibrary(
  { name: "libcuda", sonames: ["libcuda.so.1"], debianPackage: "libcuda1 (the NVIDIA driver)" },
  {
    cuInit: { args: [T.u32], returns: T.i32 },
    cuDeviceGet: { args: [T.ptr, T.i32], returns: T.i32 },
    cuDevicePrimaryCtxRetain: { args: [T.ptr, T.i32], returns: T.i32 },
    cuDevicePrimaryCtxRelease_v2: { args: [T.i32], returns: T.i32 },
    cuCtxSetCurrent: { args: [T.ptr], returns: T.i32 },
    cuCtxSynchronize: { args: [], returns: T.i32 },
    cuMemGetAllocationGranularity: { args: [T.ptr, T.ptr, T.i32], returns: T.i32 },
    cuMemCreate: { args: [T.ptr, T.u64, T.ptr, T.u64], returns: T.i32 },
    cuMemExportToShareableHandle: { args: [T.ptr, T.u64, T.i32, T.u64], returns: T.i32 },
    cuMemAddressReserve: { args: [T.ptr, T.u64, T.u64, T.u64, T.u64], returns: T.i32 },
    cuMemMap: { args: [T.u64, T.u64, T.u64, T.u64, T.u64], returns: T.i32 },
    cuMemSetAccess: { args: [T.u64, T.u64, T.ptr, T.u64], returns: T.i32 },
    cuMemcpyHtoD_v2: { args: [T.u64, T.ptr, T.u64], returns: T.i32 },
    cuMemUnmap: { args: [T.u64, T.u64], returns: T.i32 },
    cuMemAddressFree: { args: [T.u64, T.u64], returns: T.i32 },
    cuMemRelease: { args: [T.u64], returns: T.i32 },
    cuGetErrorString: { args: [T.i32, T.ptr], returns: T.i32 },
  },
);

export const CU_MEM_ALLOCATION_TYPE_PINNED = 1;
export const CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR = 1;
export const CU_MEM_LOCATION_TYPE_DEVICE = 1;
export const CU_MEM_ACCESS_FLAGS_PROT_READWRITE = 3;
export const CU_MEM_ALLOC_GRANULARITY_RECOMMENDED = 1;

export const CUmemLocation = struct("CUmemLocation", [
  ["type", "i32"],
  ["id", "i32"],
]);
const CUmemAllocationFlags = struct("CUmemAllocationFlags", [
  ["compressionType", "u8"],
  ["gpuDirectRDMACapable", "u8"],
  ["usage", "u16"],
  ["reserved", { array: "u8", count: 4 }],
]);
export const CUmemAllocationProp = struct("CUmemAllocationProp", [
  ["type", "i32"],
  ["requestedHandleTypes", "i32"],
  ["location", CUmemLocation],
  ["win32HandleMetaData", "ptr"],
  ["allocFlags", CUmemAllocationFlags],
]);
export const CUmemAccessDesc = struct("CUmemAccessDesc", [
  ["location", CUmemLocation],
  ["flags", "i32"],
]);
export const cudaLayouts = { CUmemLocation, CUmemAllocationProp, CUmemAccessDesc };
