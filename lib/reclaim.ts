// What a FinalizationRegistry reclaimed because the user dropped it without disposing it: counted
// (`reclaimedByGc()`), and said on stderr with VAAPI_VK_DEBUG=1. Disposing (`using`) is the way;
// this only keeps a forgotten frame or GPU buffer from holding its memory, pool or device forever.
export type ReclaimCounts = { gpuBuffers: number; frames: number; submissions: number; imports: number };

const counts: ReclaimCounts = { gpuBuffers: 0, frames: 0, submissions: 0, imports: 0 };

/** How many of each the garbage collector reclaimed in this process. */
export const reclaimedByGc = (): ReclaimCounts => ({ ...counts });

/** A FinalizationRegistry whose cleanup counts under `kind` and runs `release` on what was held. */
export function reclaimer<T>(kind: keyof ReclaimCounts, release: (held: T) => void): FinalizationRegistry<T> {
  return new FinalizationRegistry<T>((held) => {
    counts[kind]++;
    if (process.env["VAAPI_VK_DEBUG"] === "1") console.error(`[vaapi-vk] reclaimed a ${kind.replace(/s$/, "")} that was dropped without being disposed; dispose it (\`using\`) instead`);
    release(held);
  });
}
