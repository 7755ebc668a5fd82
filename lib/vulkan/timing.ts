// GPU time of recorded work, from timestamp queries around `reps` repetitions in one command buffer.
import { pack } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { VulkanUnsupportedError } from "../errors";
import { checkVk, type VulkanContext } from "./context";
import { GpuBuffer, recordComputeBarrier } from "./memory";
import { ComputePipeline } from "./pipeline";

const QUERY_TYPE_TIMESTAMP = 2;
const QUERY_RESULT_64 = 1,
  QUERY_RESULT_WAIT = 2;

/** Nanoseconds of GPU time per repetition of `record` (a compute barrier between repetitions). */
export function gpuTimeNs(
  ctx: VulkanContext,
  reps: number,
  record: (cmd: number) => void,
  before?: (cmd: number) => void,
): number {
  if (!ctx.timestampValidBits) throw new VulkanUnsupportedError(`${ctx.info.name}'s compute queue has no timestamps`);
  const out = Buffer.alloc(8);
  checkVk(
    ctx.dev.vkCreateQueryPool(
      ctx.device,
      pack(vk.VkQueryPoolCreateInfo, {
        sType: vk.SType.QUERY_POOL_CREATE_INFO,
        queryType: QUERY_TYPE_TIMESTAMP,
        queryCount: 2,
      }),
      null,
      out,
    ),
    "vkCreateQueryPool",
  );
  const pool = out.readBigUInt64LE(0);
  try {
    ctx.submitAndWait((cmd) => {
      before?.(cmd);
      ctx.dev.vkCmdResetQueryPool(cmd, pool, 0, 2);
      ctx.dev.vkCmdWriteTimestamp(cmd, vk.PipelineStage.TOP_OF_PIPE, pool, 0);
      for (let i = 0; i < reps; i++) {
        record(cmd);
        recordComputeBarrier(ctx, cmd);
      }
      ctx.dev.vkCmdWriteTimestamp(cmd, 0x2000 /* BOTTOM_OF_PIPE */, pool, 1);
    });
    const stamps = new BigUint64Array(2);
    checkVk(
      ctx.dev.vkGetQueryPoolResults(ctx.device, pool, 0, 2, 16, stamps, 8, QUERY_RESULT_64 | QUERY_RESULT_WAIT),
      "vkGetQueryPoolResults",
    );
    const mask = ctx.timestampValidBits >= 64 ? (1n << 64n) - 1n : (1n << BigInt(ctx.timestampValidBits)) - 1n;
    const ticks = Number((stamps[1]! - stamps[0]!) & mask);
    return (ticks * ctx.timestampPeriodNs) / reps;
  } finally {
    ctx.dev.vkDestroyQueryPool(ctx.device, pool, null);
  }
}

/**
 * The yardsticks for `bytes` moved (read + written): a compute-shader copy (uvec4 loads and
 * stores, grid-stride) and vkCmdCopyBuffer, each of bytes/2, in GPU nanoseconds per repetition.
 */
export function copyRoofline(
  ctx: VulkanContext,
  bytes: number,
  reps: number,
): { shaderCopyNs: number; cmdCopyNs: number } {
  const half = Math.ceil(bytes / 2 / 16) * 16;
  using src = new GpuBuffer(ctx, half, vk.BufferUsage.STORAGE | vk.BufferUsage.TRANSFER_SRC, "device");
  using dst = new GpuBuffer(ctx, half, vk.BufferUsage.STORAGE | vk.BufferUsage.TRANSFER_DST, "device");
  using copy = new ComputePipeline(
    ctx,
    "copy_roofline.spv",
    [{ type: "storage-buffer" }, { type: "storage-buffer" }],
    4,
    1,
  );
  const set = copy.bind(0, [
    { binding: 0, buffer: src.buffer },
    { binding: 1, buffer: dst.buffer },
  ]);
  const count = half / 16;
  const groups = Math.min(Math.ceil(count / 256), 4096);
  const push = new Uint32Array([count]);
  const shaderCopyNs = gpuTimeNs(ctx, reps, (cmd) => copy.recordDispatch(cmd, set, push, [groups, 1, 1]));
  const region = pack(vk.VkBufferCopy, { srcOffset: 0, dstOffset: 0, size: half });
  const cmdCopyNs = gpuTimeNs(ctx, reps, (cmd) => ctx.dev.vkCmdCopyBuffer(cmd, src.buffer, dst.buffer, 1, region));
  return { shaderCopyNs, cmdCopyNs };
}
