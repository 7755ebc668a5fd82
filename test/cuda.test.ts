// Frames in CUDA memory (a VMM allocation exported as a POSIX fd) imported as OPAQUE_FD and
// converted like any other; runs where the NVIDIA driver is (the GPU runner).
import { describe, expect } from "bun:test";
import {
  Converter,
  cudaContext,
  type ImportedFrame,
  importDmabuf,
  readBack,
  uploadCudaFrame,
  VulkanContext,
} from "vaapi-vk";
import { libcuda } from "../ffi/cuda";
import { openFds } from "./support/fds";
import { requires } from "./support/gate";
import { maxAbsDiff, referenceRgba } from "./support/reference";

const cudaMissing = (() => {
  try {
    libcuda();
    return undefined;
  } catch {
    return "no libcuda.so.1 (the NVIDIA driver) here";
  }
})();
const withCuda = requires(cudaMissing);

describe("CUDA frames through the import and conversion pipeline", () => {
  const w = 250,
    h = 142;
  for (const format of ["NV12", "P010"] as const) {
    withCuda(
      `${format}: imported as OPAQUE_FD, converted within 1 LSB of the reference, the same through every import kind, no fd gained`,
      () => {
        const bps = format === "NV12" ? 1 : 2;
        const cw = Math.ceil(w / 2),
          ch = Math.ceil(h / 2);
        // Sample codes (8-bit, or 10-bit stored high in 16 as P010 does).
        const lumaCode = (k: number) => (bps === 1 ? (k * 7 + (k >> 8)) & 0xff : 64 + ((k * 7) % 877));
        const chromaCode = (k: number) => (bps === 1 ? (k * 13 + 64) & 0xff : 64 + ((k * 13) % 897));
        const plane = (count: number, code: (k: number) => number) => {
          const b = new Uint8Array(count * bps);
          for (let k = 0; k < count; k++) {
            if (bps === 1) b[k] = code(k);
            else new DataView(b.buffer).setUint16(2 * k, code(k) << 6, true);
          }
          return b;
        };
        const luma = plane(w * h, lumaCode),
          chroma = plane(cw * ch * 2, chromaCode);
        const sample = (x: number, y: number): [number, number, number] => {
          const c = ((y >> 1) * cw + (x >> 1)) * 2;
          return [lumaCode(y * w + x), chromaCode(c), chromaCode(c + 1)];
        };
        const reference = referenceRgba(w, h, sample, "BT.709", "limited", bps === 1 ? 8 : 10);
        cudaContext(); // the driver's own fds open here, once
        const before = openFds();
        {
          // The context inside the count: what it keeps for reuse (command buffers, fences) goes with it.
          using ctx = VulkanContext.create({ validation: true });
          using frame = uploadCudaFrame(format, w, h, [luma, chroma]);
          using conv = new Converter(ctx, { chroma: "nearest" });
          const outputs: Uint8Array[] = [];
          for (const plan of [
            undefined,
            { kind: "buffer" as const, pixelFormat: format, planes: frame.descriptor.layers[0]!.planes },
          ]) {
            let imported: ImportedFrame;
            try {
              imported = importDmabuf(ctx, frame.descriptor, { handleType: "opaque-fd", plan });
            } catch (e) {
              if (!plan) continue; // no image path for this format on this device: the buffer plan follows
              throw e;
            }
            using _i = imported;
            const { rgba } = conv.toRgba(imported, frame.descriptor.color);
            using _r = rgba;
            outputs.push(readBack(ctx, rgba));
          }
          expect(outputs.length).toBeGreaterThan(0);
          for (const o of outputs) expect(maxAbsDiff(o, reference).max).toBeLessThanOrEqual(1);
          for (const o of outputs) expect(Buffer.from(o).equals(Buffer.from(outputs[0]!))).toBe(true);
          ctx.checkValidation();
        }
        expect(openFds()).toBe(before);
      },
    );
  }
});
