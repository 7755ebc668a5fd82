// The error base lives in ffi/ because library loading and C return codes raise it first;
// lib/errors.ts builds the rest of the family on it and is what users import.

/**
 * Every error code the library raises, with what it means: `switch (e.code)` on these. Each error
 * class narrows `code` to its own (DecodeError to the decode ones, and so on); README "Errors" lists them.
 */
export const ERROR_CODES = {
  INVALID_ARGUMENT:
    "a value handed to the API is wrong (option, descriptor, index, time, buffer); the message says which and why",
  USE_AFTER_DISPOSE: "an object (or the Video or device it belongs to) was used after it was disposed",
  TOO_MANY_FRAMES_IN_FLIGHT: "more frames held than maxInFlight; dispose frames before asking for more",
  LIBRARY_NOT_FOUND:
    "a shared library could not be loaded (or lacks a symbol); the message names the sonames tried and the package",
  UNSUPPORTED_LIBAV: "the loaded libav* release has no field table (or lacks a field the library reads)",
  SHIM_MISMATCH: "the C shim was compiled for another libav layout, or wrote an unexpected descriptor version",
  C_CALL_FAILED: "a C function failed; the error carries the function, its return code and errno text",
  FILE_NOT_FOUND: "the video file does not exist",
  NOT_A_VIDEO: "the file is not a media file libavformat reads, or has no video stream",
  NO_DECODER: "libavcodec has no decoder for the stream's codec",
  NO_VAAPI_DEVICE: "the VAAPI device cannot be opened (no render node, no VA driver)",
  NO_VULKAN_VIDEO:
    "Vulkan Video decoding cannot be had: no decode queue or codec support on the device, or a libav older than 7.1 or built without Vulkan",
  DECODE_FAILED: "decoding, mapping, seeking or describing a frame failed; the message names the stage",
  EXHAUSTED: "the stream has no such frame (past the end)",
  STALL_TIMEOUT: "a stage (open, probe, decode, seek) did not finish within timeoutS",
  UNSUPPORTED_FORMAT: "a pixel format the library does not read (it reads 8- and 10-bit 4:2:0)",
  NO_DMABUF_IMPORT: "the Vulkan device cannot import this kind of memory",
  MODIFIER_UNSUPPORTED: "the Vulkan device cannot import this DRM format modifier for the use asked",
  BAD_LAYOUT: "a frame descriptor's planes, pitches, offsets or objects are impossible for its format or tiling",
  WRONG_DEVICE: "a frame decoded on one GPU was handed to a Vulkan device on another",
  SYNC_TIMEOUT: "the frame's producer did not finish writing it within the sync timeout",
  SYNC_FAILED: "waiting for the frame's producer failed (its fds were closed under the import)",
  ALLOCATION_FAILED: "a linear buffer (DRM dumb buffer, udmabuf, memfd) could not be allocated",
  VULKAN_ERROR: "a Vulkan call failed; the error carries the function and VkResult",
  VULKAN_UNSUPPORTED: "the Vulkan device lacks something this path needs",
  VALIDATION_ERROR: "the Khronos validation layer reported errors",
  BAD_SYMBOL_STREAM: "a symbol stream buffer is malformed",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class VaapiVkError extends Error {
  /** Machine-readable reason: one of ERROR_CODES. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A shared library could not be loaded by any of its sonames. */
export class LibraryLoadError extends VaapiVkError {
  constructor(
    readonly library: string,
    readonly tried: string[],
    readonly debianPackage: string,
    detail: string,
  ) {
    super(
      "LIBRARY_NOT_FOUND",
      `could not load ${library} (tried ${tried.join(", ")}): ${detail}. ` +
        `Install it with \`apt-get install ${debianPackage}\`, or point VAAPI_VK_LIB_DIR at the folder that holds it ` +
        `(or VAAPI_VK_LIB_${library.replace(/[^A-Za-z0-9]/g, "_").toUpperCase()} at the file).`,
    );
  }
}

/** A C function returned a failure code. */
export class CCallError extends VaapiVkError {
  constructor(
    readonly func: string,
    readonly returnCode: number,
    readonly text: string,
    hint = "",
  ) {
    super("C_CALL_FAILED", `${func} failed: ${text} (${returnCode})${hint ? `. ${hint}` : ""}`);
  }
}
