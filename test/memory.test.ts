// The device memory a process holds, as the driver counts it: what the streams benchmark and the
// leak checks read to say GPU memory stays flat.
import { afterAll, beforeAll, expect } from "bun:test";
import { BufferUsage, GpuBuffer, VulkanContext } from "vaapi-vk";
import { requires, vulkanMissing } from "./support/gate";

const withVulkan = requires(vulkanMissing());
/** Why this device's memory budget cannot show one buffer's allocation, or undefined. */
function budgetMissing(): string | undefined {
  const missing = vulkanMissing();
  if (missing) return missing;
  using probe = VulkanContext.create();
  if (!probe.has("VK_EXT_memory_budget")) return `${probe.info.name} lacks VK_EXT_memory_budget`;
  // lavapipe's heap is system RAM and its usage the system's, untouched by an allocation it has not written.
  if (probe.info.type === "cpu")
    return `${probe.info.name} reports the system's memory use as its heap usage, not this process's allocations`;
  return undefined;
}
const withBudget = requires(budgetMissing());
let ctx: VulkanContext;
beforeAll(() => {
  if (!vulkanMissing()) ctx = VulkanContext.create({ validation: true });
});
afterAll(() => ctx?.[Symbol.dispose]());

withBudget("a buffer's device memory is counted while it lives and given back when it is disposed", () => {
  const before = ctx.deviceMemoryInUse()!;
  const size = 64 << 20;
  const buffer = new GpuBuffer(ctx, size, BufferUsage.STORAGE, "device");
  const during = ctx.deviceMemoryInUse()!;
  buffer[Symbol.dispose]();
  const after = ctx.deviceMemoryInUse()!;
  expect(during - before).toBeGreaterThanOrEqual(size);
  expect(after).toBe(before);
  ctx.checkValidation();
});

withVulkan(
  "without the extension the answer is undefined; a disposed context refuses the question with a typed error",
  () => {
    const inUse = ctx.deviceMemoryInUse();
    if (ctx.has("VK_EXT_memory_budget")) expect(inUse).toBeGreaterThanOrEqual(0);
    else expect(inUse).toBeUndefined();
    const other = VulkanContext.create();
    other[Symbol.dispose]();
    expect(() => other.deviceMemoryInUse()).toThrow(expect.objectContaining({ code: "USE_AFTER_DISPOSE" }));
  },
);
