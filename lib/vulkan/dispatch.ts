// How the vectorised conversion shaders are dispatched on a driver: the workgroup's shape and, for
// several frames of one decoder, one dispatch for them all (descriptor arrays, workgroup z picking
// the frame) or one dispatch a frame. Measured, not chosen by hand: the first time a frame size,
// format, import kind, chroma filter and batch meets a driver, the converter times every candidate
// on scratch frames of that kind in device memory (GPU timestamps, rounds interleaved so that
// every candidate sees the same caches, the best median wins), and this process keeps the answer
// in a table per driver.
import type { ChromaFilter } from "../color";
import { InvalidArgumentError, VaapiVkError } from "../errors";
import type { PixelFormat } from "../plan";
import type { VulkanContext } from "./context";

/** Threads of a workgroup across and down; each thread of the vectorised shaders converts 4x2 pixels. */
export type Workgroup = readonly [x: number, y: number];

/** How frames are dispatched: the workgroup, and whether a batch goes in one dispatch. */
export type DispatchShape = { workgroup: Workgroup; batched: boolean };

/**
 * The shape the converter uses for a kind of frame, and how it came to it: `measured` (the fastest
 * of `candidates`, GPU ns per frame), `given` (the converter's `dispatch` option), or `default`
 * (`why` says why nothing was measured).
 */
export type DispatchChoice = DispatchShape & {
  how: "measured" | "given" | "default";
  why?: string;
  candidates?: { shape: DispatchShape; nsPerFrame: number }[];
};

/**
 * The shapes tried, the first the default. Buffers: a chroma row a workgroup row and the 2D
 * shapes; images read through the texture cache, where square tiles may win.
 */
export const WORKGROUPS: Record<"buffer" | "image", readonly Workgroup[]> = {
  buffer: [
    [128, 1],
    [256, 1],
    [64, 1],
    [64, 2],
    [32, 4],
  ],
  image: [
    [32, 4],
    [64, 2],
    [128, 1],
    [16, 8],
    [32, 8],
  ],
};

/**
 * Frames smaller than this take the default: converting one costs a few microseconds, about
 * what a dispatch's start costs on a GPU, and no shape can win back its measurement.
 */
export const MEASURE_MIN_PIXELS = 640 * 360;

/** Timed rounds per candidate (interleaved), and dispatches back to back in each. */
const ROUNDS = 5;
const REPS = 4;

/** What a choice is for; `frames` is 1 for single frames, else the frames converted together. */
export type DispatchKey = {
  kind: "buffer" | "image";
  pixelFormat: PixelFormat;
  width: number;
  height: number;
  chroma: ChromaFilter;
  frames: number;
};

/** Per driver (vendor, device, driver name and version string), then per key. */
const table = new Map<string, Map<string, DispatchChoice>>();

const driverOf = (ctx: VulkanContext) =>
  `${ctx.info.vendorId}:${ctx.info.deviceId}:${ctx.info.driverName}:${ctx.info.driverInfo}`;
const keyOf = (k: DispatchKey) => `${k.kind} ${k.pixelFormat} ${k.width}x${k.height} ${k.chroma} x${k.frames}`;

/** What this process measured on the context's driver so far, by key (`buffer NV12 1920x1080 bilinear x1`). */
export function dispatchTable(ctx: VulkanContext): ReadonlyMap<string, DispatchChoice> {
  return table.get(driverOf(ctx)) ?? new Map();
}

/** The candidate shapes for a key: every workgroup, and for a batch each one batched and not. */
export function dispatchCandidates(key: DispatchKey): DispatchShape[] {
  const batching = key.frames > 1 ? [true, false] : [false];
  return batching.flatMap((batched) => WORKGROUPS[key.kind].map((workgroup) => ({ workgroup, batched })));
}

/** A shape given by hand (the converter's `dispatch` option): a workgroup the device can run. */
export function checkShape(ctx: VulkanContext, shape: DispatchShape): void {
  const [x, y] = shape.workgroup;
  const limit = ctx.maxComputeWorkGroupInvocations;
  if (![x, y].every((n) => Number.isSafeInteger(n) && n > 0) || x * y > limit || typeof shape.batched !== "boolean")
    throw new InvalidArgumentError(
      "dispatch",
      `${JSON.stringify(shape)}; give { workgroup: [x, y], batched } with positive integers and x*y at most ${limit} on ${ctx.info.name}, or "measure"`,
    );
}

/**
 * The choice for `key` on the context's driver: from the table, else measured now with
 * `time(shape, reps)` (GPU ns per conversion of key.frames frames, over `reps` back to back), else the
 * default when the frame is too small or the queue has no timestamps.
 */
export function chooseDispatch(
  ctx: VulkanContext,
  key: DispatchKey,
  time: (shape: DispatchShape, reps: number) => number,
): DispatchChoice {
  const driver = driverOf(ctx);
  const known = table.get(driver)?.get(keyOf(key));
  if (known) return known;
  const candidates = dispatchCandidates(key);
  const fallback = (why: string): DispatchChoice => ({ ...candidates[0]!, how: "default", why });
  if (key.width * key.height < MEASURE_MIN_PIXELS)
    return fallback(`frames under ${MEASURE_MIN_PIXELS} pixels take the default (nothing to win back)`);
  if (!ctx.timestampValidBits) return fallback(`${ctx.info.name}'s compute queue has no timestamps to measure with`);
  const runs = candidates.map(() => [] as number[]);
  let choice: DispatchChoice;
  try {
    for (let round = 0; round < ROUNDS; round++)
      for (const [i, shape] of candidates.entries()) runs[i]!.push(time(shape, REPS) / key.frames);
    const measured = candidates.map((shape, i) => {
      const sorted = runs[i]!.sort((a, b) => a - b);
      return { shape, nsPerFrame: sorted[Math.floor(sorted.length / 2)]! };
    });
    const best = measured.reduce((a, b) => (b.nsPerFrame < a.nsPerFrame ? b : a));
    choice = { ...best.shape, how: "measured", candidates: measured };
  } catch (e) {
    // The scratch frames could not be had (device memory short, say): convert anyway, with the default.
    if (!(e instanceof VaapiVkError)) throw e;
    choice = fallback(`measuring failed (${e.code}: ${e.message}); the default until this process ends`);
  }
  let forDriver = table.get(driver);
  if (!forDriver) table.set(driver, (forDriver = new Map()));
  forDriver.set(keyOf(key), choice);
  return choice;
}
