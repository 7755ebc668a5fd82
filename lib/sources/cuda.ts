// Frames in CUDA memory: VMM allocations (cuMemCreate) exported as POSIX fds and imported into
// Vulkan as OPAQUE_FD, through the same planner, import and conversion as dmabufs. Frames are
// uploaded once (cuMemcpyHtoD); a decoder writing there (NVDEC) would hand the same fds over.
import { CString, type Pointer } from "bun:ffi";
import {
  CU_MEM_ACCESS_FLAGS_PROT_READWRITE,
  CU_MEM_ALLOC_GRANULARITY_RECOMMENDED,
  CU_MEM_ALLOCATION_TYPE_PINNED,
  CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR,
  CU_MEM_LOCATION_TYPE_DEVICE,
  CUmemAccessDesc,
  CUmemAllocationProp,
  libcuda,
} from "../../ffi/cuda";
import { CCallError } from "../../ffi/errors";
import { libc } from "../../ffi/libc";
import { pack } from "../../ffi/struct";
import type { ColorInfo, FrameDescriptor } from "../descriptor";
import { DRM_FORMAT, DRM_FORMAT_MOD_LINEAR } from "../formats";

function check(r: number, func: string): void {
  if (r === 0) return;
  const out = new BigUint64Array(1);
  libcuda().cuGetErrorString(r, out);
  throw new CCallError(
    func,
    r,
    out[0] ? new CString(Number(out[0]) as Pointer).toString() : "CUDA error",
    "is the NVIDIA driver loaded and a GPU visible (nvidia-smi)?",
  );
}

/** One frame's memory in CUDA, exported as an fd; disposing unmaps and releases it (the fd too). */
export class CudaFrame implements Disposable {
  private released = false;
  constructor(
    readonly descriptor: FrameDescriptor,
    readonly devicePointer: bigint,
    private readonly handle: bigint,
    private readonly size: number,
  ) {}

  [Symbol.dispose](): void {
    if (this.released) return;
    this.released = true;
    const cu = libcuda();
    cu.cuMemUnmap(this.devicePointer, this.size);
    cu.cuMemAddressFree(this.devicePointer, this.size);
    cu.cuMemRelease(this.handle);
    libc().close(this.descriptor.objects[0]!.fd);
  }
}

let context: { device: number; ctx: number } | undefined;

/** Initialise CUDA on `device` (its primary context), once per process; the driver keeps fds of its own open from here on. */
export function cudaContext(device = 0): { device: number; ctx: number } {
  if (context) return context;
  const cu = libcuda();
  check(cu.cuInit(0), "cuInit");
  const dev = new Int32Array(1);
  check(cu.cuDeviceGet(dev, device), "cuDeviceGet");
  const ctx = new BigUint64Array(1);
  check(cu.cuDevicePrimaryCtxRetain(ctx, dev[0]!), "cuDevicePrimaryCtxRetain");
  check(cu.cuCtxSetCurrent(Number(ctx[0]!)), "cuCtxSetCurrent");
  context = { device: dev[0]!, ctx: Number(ctx[0]!) };
  return context;
}

/**
 * Upload one NV12 or P010 frame (planes tightly packed, `width` x `height`) into CUDA memory with
 * 256-byte pitches, and describe it as a linear DRM frame over the exported fd.
 */
export function uploadCudaFrame(
  format: "NV12" | "P010",
  width: number,
  height: number,
  planes: [Uint8Array, Uint8Array],
  color: ColorInfo = { colorspace: 1, colorRange: 1, colorPrimaries: 1, colorTrc: 1, chromaLocation: 1 },
): CudaFrame {
  const cu = libcuda();
  const { device } = cudaContext();
  const bps = format === "NV12" ? 1 : 2;
  const pitch = Math.ceil((width * bps) / 256) * 256;
  const chromaRows = Math.ceil(height / 2);
  const prop = pack(CUmemAllocationProp, {
    type: CU_MEM_ALLOCATION_TYPE_PINNED,
    requestedHandleTypes: CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR,
    location: { type: CU_MEM_LOCATION_TYPE_DEVICE, id: device },
  });
  const granularity = new BigUint64Array(1);
  check(
    cu.cuMemGetAllocationGranularity(granularity, prop, CU_MEM_ALLOC_GRANULARITY_RECOMMENDED),
    "cuMemGetAllocationGranularity",
  );
  const g = Number(granularity[0]!);
  const size = Math.ceil((pitch * height + pitch * chromaRows) / g) * g;
  const handle = new BigUint64Array(1);
  check(cu.cuMemCreate(handle, size, prop, 0), "cuMemCreate");
  const fdOut = new Int32Array(1);
  let ptr = 0n;
  try {
    check(
      cu.cuMemExportToShareableHandle(fdOut, handle[0]!, CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR, 0),
      "cuMemExportToShareableHandle",
    );
    const va = new BigUint64Array(1);
    check(cu.cuMemAddressReserve(va, size, 0, 0, 0), "cuMemAddressReserve");
    ptr = va[0]!;
    check(cu.cuMemMap(ptr, size, 0, handle[0]!, 0), "cuMemMap");
    check(
      cu.cuMemSetAccess(
        ptr,
        size,
        pack(CUmemAccessDesc, {
          location: { type: CU_MEM_LOCATION_TYPE_DEVICE, id: device },
          flags: CU_MEM_ACCESS_FLAGS_PROT_READWRITE,
        }),
        1,
      ),
      "cuMemSetAccess",
    );
    const rowBytes = [width * bps, Math.ceil(width / 2) * 2 * bps];
    const rows = [height, chromaRows];
    const offsets = [0, pitch * height];
    planes.forEach((plane, i) => {
      for (let y = 0; y < rows[i]!; y++) {
        check(
          cu.cuMemcpyHtoD_v2(
            ptr + BigInt(offsets[i]! + y * pitch),
            plane.subarray(y * rowBytes[i]!, (y + 1) * rowBytes[i]!),
            rowBytes[i]!,
          ),
          "cuMemcpyHtoD",
        );
      }
    });
    check(cu.cuCtxSynchronize(), "cuCtxSynchronize");
  } catch (e) {
    if (ptr) {
      cu.cuMemUnmap(ptr, size);
      cu.cuMemAddressFree(ptr, size);
    }
    cu.cuMemRelease(handle[0]!);
    if (fdOut[0]) libc().close(fdOut[0]);
    throw e;
  }
  const descriptor: FrameDescriptor = {
    width,
    height,
    objects: [{ fd: fdOut[0]!, size, modifier: DRM_FORMAT_MOD_LINEAR }],
    layers: [
      {
        fourcc: format === "NV12" ? DRM_FORMAT.NV12 : DRM_FORMAT.P010,
        planes: [
          { object: 0, offset: 0, pitch },
          { object: 0, offset: pitch * height, pitch },
        ],
      },
    ],
    color,
  };
  return new CudaFrame(descriptor, ptr, handle[0]!, size);
}
