// Tests that need something this machine lacks are skipped, with the reason in their name.
import { test } from "bun:test";

export function requires(reason: string | undefined): typeof test {
  if (!reason) return test;
  const skipped = ((name: string, fn: () => void) => test.skip(`${name} [skipped: ${reason}]`, fn)) as unknown as typeof test;
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
