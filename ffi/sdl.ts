// SDL2 (libSDL2-2.0.so.0): a window, its Vulkan surface, and its events, for the preview.
// Only SDL's stable 2.x ABI is used; the event layouts are checked against SDL.h by the layout test.
import { FFIType as T } from "bun:ffi";
import { lazyLibrary } from "./library";
import { struct } from "./struct";

export const libsdl = lazyLibrary(
  { name: "libSDL2", sonames: ["libSDL2-2.0.so.0"], debianPackage: "libsdl2-2.0-0" },
  {
    SDL_Init: { args: [T.u32], returns: T.i32 },
    SDL_QuitSubSystem: { args: [T.u32], returns: T.void },
    SDL_GetError: { args: [], returns: T.cstring },
    SDL_CreateWindow: { args: [T.cstring, T.i32, T.i32, T.i32, T.i32, T.u32], returns: T.ptr },
    SDL_DestroyWindow: { args: [T.ptr], returns: T.void },
    SDL_SetWindowTitle: { args: [T.ptr, T.cstring], returns: T.void },
    SDL_SetWindowSize: { args: [T.ptr, T.i32, T.i32], returns: T.void },
    SDL_Vulkan_GetInstanceExtensions: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
    SDL_Vulkan_CreateSurface: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
    SDL_Vulkan_GetDrawableSize: { args: [T.ptr, T.ptr, T.ptr], returns: T.void },
    SDL_PollEvent: { args: [T.ptr], returns: T.i32 },
    SDL_PushEvent: { args: [T.ptr], returns: T.i32 },
  },
);

export const SDL_INIT_VIDEO = 0x20;
export const SDL_WINDOW_VULKAN = 0x10000000;
export const SDL_WINDOW_RESIZABLE = 0x20;
export const SDL_QUIT = 0x100;
export const SDL_WINDOWEVENT = 0x200;
export const SDL_KEYDOWN = 0x300;
export const SDL_WINDOWEVENT_CLOSE = 14;
/** SDL_Keycode of the keys the preview answers. */
export const SDLK = { ESCAPE: 27, SPACE: 32, f: 102, q: 113 } as const;

/** SDL_Event is a 56-byte union; these are the members read. */
export const SDL_EVENT_SIZE = 56;
export const SDL_Keysym = struct("SDL_Keysym", [
  ["scancode", "i32"],
  ["sym", "i32"],
  ["mod", "u16"],
  ["unused", "u32"],
]);
export const SDL_KeyboardEvent = struct("SDL_KeyboardEvent", [
  ["type", "u32"],
  ["timestamp", "u32"],
  ["windowID", "u32"],
  ["state", "u8"],
  ["repeat", "u8"],
  ["padding2", "u8"],
  ["padding3", "u8"],
  ["keysym", SDL_Keysym],
]);
export const SDL_WindowEvent = struct("SDL_WindowEvent", [
  ["type", "u32"],
  ["timestamp", "u32"],
  ["windowID", "u32"],
  ["event", "u8"],
  ["padding1", "u8"],
  ["padding2", "u8"],
  ["padding3", "u8"],
  ["data1", "i32"],
  ["data2", "i32"],
]);
export const sdlLayouts = { SDL_Keysym, SDL_KeyboardEvent, SDL_WindowEvent };
