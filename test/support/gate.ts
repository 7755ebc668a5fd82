// Tests that need something this machine lacks are skipped, with the reason in their name.
import { test } from "bun:test";

export function requires(reason: string | undefined): typeof test {
  if (!reason) return test;
  const skipped = ((name: string, fn: () => void) =>
    test.skip(`${name} [skipped: ${reason}]`, fn)) as unknown as typeof test;
  return skipped;
}

/** Why libav* cannot be used here, or undefined. */
export function libavMissing(): string | undefined {
  try {
    const { avVersions } = require("../../ffi/libav") as typeof import("../../ffi/libav");
    avVersions();
    return undefined;
  } catch (e) {
    return `no libav* here (${(e as Error).message.split(":")[0]})`;
  }
}

/** Why the loaded libav cannot run a test that needs these decoders and demuxers (a minimal build may lack them), or undefined. */
export function libavLacks(decoders: string[], demuxers: string[] = []): string | undefined {
  const missing = libavMissing();
  if (missing) return missing;
  const { libavcodec, libavformat } = require("../../ffi/libav") as typeof import("../../ffi/libav");
  const lacking = [
    ...decoders
      .filter((d) => !libavcodec().avcodec_find_decoder_by_name(Buffer.from(`${d}\0`)))
      .map((d) => `the ${d} decoder`),
    ...demuxers
      .filter((d) => !libavformat().av_find_input_format(Buffer.from(`${d}\0`)))
      .map((d) => `the ${d} demuxer`),
  ];
  return lacking.length ? `this libav lacks ${lacking.join(" and ")}` : undefined;
}

/** Why no Vulkan device can be had here (no loader, no driver), or undefined. */
export function vulkanMissing(): string | undefined {
  try {
    const { VulkanContext } = require("../../lib/vulkan/context") as typeof import("../../lib/vulkan/context");
    VulkanContext.create({ validation: false })[Symbol.dispose]();
    return undefined;
  } catch (e) {
    return `no Vulkan device here (${(e as Error).message.split("\n")[0]})`;
  }
}
