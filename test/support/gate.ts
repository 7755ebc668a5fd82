// Tests that need something this machine lacks are skipped, with the reason in their name.
import { test } from "bun:test";

export function requires(reason: string | undefined): typeof test {
  if (!reason) return test;
  const skipped = ((name: string, fn: () => void) => test.skip(`${name} [skipped: ${reason}]`, fn)) as unknown as typeof test;
  return skipped;
}
