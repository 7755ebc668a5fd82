// Work submitted to the GPU, and the command buffers and fences it runs in: a pool that reuses
// them (libplacebo's vk_cmdpool), the Submission that owns one until its work is done, and the
// bookkeeping of objects that GPU work may still be using.
import { pack } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { reclaimer } from "../reclaim";
import type { VulkanContext } from "./context";
import { checkVk, readU64 } from "./instance";

/** An owner of Vulkan objects that GPU work may still be using (a buffer, an import). */
export type HeldByGpuWork = { ctx: VulkanContext; pending: Submission[]; released: boolean };

/** Note GPU work using the owner's objects (forgetting work already done). */
export function trackWork(h: HeldByGpuWork, submission: Submission): void {
  h.pending = h.pending.filter((s) => !s.done);
  h.pending.push(submission);
}

/** Release once: wait for the work still using the objects, `free` them, and let go of the context. */
export function releaseAfterWork(h: HeldByGpuWork, free: () => void): void {
  if (h.released) return;
  h.released = true;
  try {
    for (const s of h.pending) s.wait();
  } finally {
    h.pending = [];
    free();
    h.ctx.release();
  }
}

/** Finished submissions' command buffers and fences kept for reuse: as many as a pipeline keeps in flight. */
const MAX_IDLE_SUBMIT_SLOTS = 8;

/** A command buffer (its handle in an 8-byte array, as vkQueueSubmit takes it) and its fence. */
export type SubmitSlot = { cmdArr: Buffer; fence: bigint };

/**
 * The command buffers and fences of a device's submissions: taken for a submission, given back
 * (fence reset) when its work is done, allocated only when none is free (allocating them for every
 * frame cost about half a millisecond of each frame on the H100). Owns the idle ones; the command
 * buffers go with the device's command pool, the fences with destroy().
 */
export class CommandPool {
  private readonly idle: SubmitSlot[] = [];

  constructor(
    private readonly dev: vk.DeviceFns,
    private readonly device: number,
    private readonly pool: bigint,
  ) {}

  /** A command buffer and an unsignalled fence for one submission. */
  take(): SubmitSlot {
    const idle = this.idle.pop();
    if (idle) return idle;
    const out = Buffer.alloc(8);
    const alloc = pack(vk.VkCommandBufferAllocateInfo, {
      sType: vk.SType.COMMAND_BUFFER_ALLOCATE_INFO,
      commandPool: this.pool,
      level: 0,
      commandBufferCount: 1,
    });
    checkVk(this.dev.vkAllocateCommandBuffers(this.device, alloc, out), "vkAllocateCommandBuffers");
    const cmdArr = Buffer.from(out);
    const created = this.dev.vkCreateFence(
      this.device,
      pack(vk.VkFenceCreateInfo, { sType: vk.SType.FENCE_CREATE_INFO }),
      null,
      out,
    );
    if (created !== 0) this.dev.vkFreeCommandBuffers(this.device, this.pool, 1, cmdArr);
    checkVk(created, "vkCreateFence");
    return { cmdArr, fence: readU64(out) };
  }

  /** A slot never submitted: its fence is unsignalled and the command buffer is begun again on its next use. */
  giveBack(slot: SubmitSlot): void {
    this.idle.push(slot);
  }

  /** A finished submission's slot, for the next: its fence reset (at most MAX_IDLE_SUBMIT_SLOTS kept; past that, freed). */
  recycle(slot: SubmitSlot): void {
    if (this.idle.length >= MAX_IDLE_SUBMIT_SLOTS) {
      this.dev.vkDestroyFence(this.device, slot.fence, null);
      this.dev.vkFreeCommandBuffers(this.device, this.pool, 1, slot.cmdArr);
      return;
    }
    const fences = Buffer.alloc(8);
    fences.writeBigUInt64LE(slot.fence);
    checkVk(this.dev.vkResetFences(this.device, 1, fences), "vkResetFences");
    this.idle.push(slot);
  }

  /** Destroy the idle fences (the command buffers go with the command pool). */
  destroy(): void {
    for (const slot of this.idle.splice(0)) this.dev.vkDestroyFence(this.device, slot.fence, null);
  }
}

/**
 * What a Submission owns: its slot (command buffer and fence) and the cleanup of what the work
 * used, until the work completes; its hold on the context until it is released.
 */
type SubmissionHandles = {
  ctx: VulkanContext;
  slot: SubmitSlot;
  cleanup?: (() => void) | undefined;
  released: boolean;
  /** The GPU finished it, and the slot and cleanup were given back (once). */
  completed: boolean;
};

/**
 * Once the fence says the work is done: give the command buffer and fence back to the pool for the
 * next submission and run the cleanup, then and there (libplacebo's vk_cmdpool runs its callbacks
 * on completion too), not when the caller gets round to disposing.
 */
function complete(h: SubmissionHandles): void {
  if (h.completed) return;
  h.completed = true;
  h.ctx.commands.recycle(h.slot);
  h.cleanup?.();
}

function waitFor(h: SubmissionHandles): void {
  // Released without completing (its wait failed): the fence is left alone, there is nothing to wait on.
  if (h.completed || h.released) return;
  const fences = Buffer.alloc(8);
  fences.writeBigUInt64LE(h.slot.fence);
  checkVk(
    h.ctx.dev.vkWaitForFences(h.ctx.device, 1, fences, 1, 60_000_000_000n),
    "vkWaitForFences",
    "the GPU did not finish within 60 s",
  );
  complete(h);
}

/**
 * Wait (once) for the work to complete, then let go of the device. Where the wait fails (the GPU
 * hung or was lost), the slot and what the cleanup frees are left alone: the GPU may still be
 * running them.
 */
function releaseSubmission(h: SubmissionHandles): void {
  if (h.released) return;
  try {
    waitFor(h);
  } finally {
    h.released = true;
    h.ctx.release();
  }
}

const submissionReclaimer = reclaimer<SubmissionHandles>("submissions", releaseSubmission);

/**
 * Work submitted to the GPU: wait() for it; disposing waits too, then frees what it held. Owns its
 * command buffer and fence until then (they go back to the context for reuse), and holds its
 * VulkanContext until disposed (or reclaimed when dropped).
 */
export class Submission implements Disposable {
  private readonly h: SubmissionHandles;

  constructor(ctx: VulkanContext, slot: SubmitSlot, cleanup?: () => void) {
    ctx.retain("Submission");
    this.h = { ctx, slot, cleanup, released: false, completed: false };
    submissionReclaimer.register(this, this.h, this);
  }

  /** Whether the GPU has finished it (without waiting); finding it finished completes it. */
  get done(): boolean {
    const h = this.h;
    if (h.completed || h.released) return true;
    if (h.ctx.dev.vkGetFenceStatus(h.ctx.device, h.slot.fence) !== 0) return false;
    complete(h);
    return true;
  }

  wait(): void {
    waitFor(this.h);
  }

  [Symbol.dispose](): void {
    submissionReclaimer.unregister(this);
    releaseSubmission(this.h);
  }
}
