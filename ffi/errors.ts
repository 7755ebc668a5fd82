// The error base lives in ffi/ because library loading and C return codes raise it first;
// lib/errors.ts builds the rest of the family on it and is what users import.

export class VaapiVkError extends Error {
  /** Machine-readable reason. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
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
