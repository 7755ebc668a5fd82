// The debug messenger's callback in C (c-shim/vkdebug.c), compiled once per process with TinyCC:
// the validation layer may call it from libav's decode threads, where JavaScript cannot run, so
// messages are queued in C and taken on the JS thread.
import { cc, FFIType as T } from "bun:ffi";
import { join } from "node:path";
import type { TypedSymbols } from "./library";

const symbols = {
  vv_debug_callback_ptr: { args: [], returns: T.ptr },
  vv_debug_take: { args: [T.ptr, T.i32, T.ptr], returns: T.u32 },
} as const;

let compiled: TypedSymbols<typeof symbols> | undefined;

export const vkDebugQueue = (): TypedSymbols<typeof symbols> =>
  (compiled ??= cc({ source: join(import.meta.dir, "..", "c-shim", "vkdebug.c"), symbols })
    .symbols as unknown as TypedSymbols<typeof symbols>);
