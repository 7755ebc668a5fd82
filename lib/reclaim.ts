// What a FinalizationRegistry reclaimed because the user dropped it without disposing it: counted
// (`reclaimedByGc()`), warned about on stderr the first time for each kind (every time with
// VAAPI_VK_DEBUG=1). Disposing (`using`) is the way; this only keeps a forgotten frame or GPU buffer
// from holding its memory, pool or device until the garbage collector happens to run.
export type ReclaimCounts = { gpuBuffers: number; frames: number; submissions: number; imports: number };

const counts: ReclaimCounts = { gpuBuffers: 0, frames: 0, submissions: 0, imports: 0 };

const WHAT: Record<keyof ReclaimCounts, string> = {
  gpuBuffers: "a GPU buffer (e.g. toRgba's result)",
  frames: "a decoded frame",
  submissions: "a GPU submission",
  imports: "an imported frame",
};

/** How many of each the garbage collector reclaimed in this process. */
export const reclaimedByGc = (): ReclaimCounts => ({ ...counts });

/** A FinalizationRegistry whose cleanup counts under `kind` and runs `release` on what was held. */
export function reclaimer<T>(kind: keyof ReclaimCounts, release: (held: T) => void): FinalizationRegistry<T> {
  return new FinalizationRegistry<T>((held) => {
    counts[kind]++;
    if (counts[kind] === 1 || process.env["VAAPI_VK_DEBUG"] === "1") {
      const what = WHAT[kind];
      console.error(
        `[vaapi-vk] warning: ${what} was dropped without being disposed and was reclaimed by the garbage collector (${counts[kind]} so far), ` +
          `holding its memory until then; dispose it (\`using\`)${process.env["VAAPI_VK_DEBUG"] === "1" ? "" : ". Said once; VAAPI_VK_DEBUG=1 says it every time"}`,
      );
    }
    release(held);
  });
}
