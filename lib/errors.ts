// Every error the library raises: one base class with a `code` and a message that says what was
// wrong and what to try. Errors from C carry the function, its return code and its text.
import { CCallError, ERROR_CODES, type ErrorCode, LibraryLoadError, VaapiVkError } from "../ffi/errors";

export { CCallError, ERROR_CODES, type ErrorCode, LibraryLoadError, VaapiVkError };

export type DmabufImportErrorCode = "NO_DMABUF_IMPORT" | "UNSUPPORTED_FORMAT" | "MODIFIER_UNSUPPORTED" | "BAD_LAYOUT";

/** A DRM PRIME frame that cannot be imported as described (raised before anything reaches the driver). */
export class DmabufImportError extends VaapiVkError {
  declare readonly code: DmabufImportErrorCode;
  constructor(code: DmabufImportErrorCode, message: string) {
    super(code, message);
  }
}

/** Invalid options or descriptors handed to the API (zod's findings in the message). */
export class InvalidArgumentError extends VaapiVkError {
  constructor(what: string, detail: string) {
    super("INVALID_ARGUMENT", `invalid ${what}: ${detail}`);
  }
}

/** A Vulkan call failed. */
export class VulkanError extends VaapiVkError {
  constructor(
    readonly func: string,
    readonly result: number,
    resultName: string,
    hint = "",
  ) {
    super("VULKAN_ERROR", `${func} returned ${resultName} (${result})${hint ? `. ${hint}` : ""}`);
  }
}

/** The Vulkan device lacks something this path needs. */
export class VulkanUnsupportedError extends VaapiVkError {
  constructor(message: string) {
    super("VULKAN_UNSUPPORTED", message);
  }
}

/** The Khronos validation layer reported errors. */
export class ValidationError extends VaapiVkError {
  constructor(readonly messages: string[]) {
    super("VALIDATION_ERROR", `Vulkan validation reported ${messages.length} error(s):\n${messages.join("\n")}`);
  }
}

export type DecodeStage = "open" | "probe" | "hw-device" | "decoder" | "decode" | "seek" | "map" | "describe";

/** Opening, probing or decoding a video failed; names the file and the stage. */
export class DecodeError extends VaapiVkError {
  constructor(
    code:
      | "FILE_NOT_FOUND"
      | "NOT_A_VIDEO"
      | "NO_DECODER"
      | "DECODE_FAILED"
      | "UNSUPPORTED_FORMAT"
      | "NO_VAAPI_DEVICE"
      | "NO_VULKAN_VIDEO"
      | "EXHAUSTED",
    readonly file: string,
    readonly stage: DecodeStage,
    message: string,
  ) {
    super(code, `${file}: ${stage}: ${message}`);
  }
}

/** A stage did not finish within timeoutS. */
export class StallTimeoutError extends VaapiVkError {
  constructor(
    readonly file: string,
    readonly stage: DecodeStage,
    readonly timeoutS: number,
  ) {
    super(
      "STALL_TIMEOUT",
      `${file}: ${stage} did not finish within ${timeoutS} s; raise --timeout-s, or run with --debug to see the stage it stalled in`,
    );
  }
}

/** The producer of a frame did not finish writing it within timeoutS (its buffers never became readable). */
export class SyncTimeoutError extends VaapiVkError {
  constructor(
    readonly timeoutS: number,
    readonly fds: readonly number[],
  ) {
    super(
      "SYNC_TIMEOUT",
      `the frame's producer did not finish writing it within ${timeoutS} s (fds ${fds.join(", ")} never became readable); the decoder or GPU is hung, or raise timeoutS`,
    );
  }
}

/** A call on something already disposed (or made unusable by its owner's disposal). */
export class UseAfterDisposeError extends VaapiVkError {
  constructor(
    readonly what: string,
    call: string,
    why = "it was disposed",
  ) {
    super(
      "USE_AFTER_DISPOSE",
      `${call}: the ${what} cannot be used: ${why}. Keep it (and what it came from) alive until you are done with it`,
    );
  }
}
