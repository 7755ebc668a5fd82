// Load a shared library by soname, newest first, with an environment override.
import { dlopen, type FFIFunction, type FFIType, type FFITypeToArgsType, type Library, type Pointer } from "bun:ffi";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { LibraryLoadError } from "./errors";

export type LibrarySpec = {
  /** Short name used in messages and in VAAPI_VK_LIB_<NAME>. */
  name: string;
  sonames: string[];
  debianPackage: string;
  /**
   * With VAAPI_VK_LIB_DIR set, load this library from that folder or not at all (libav*: a build
   * pointed at must never be mixed with, or silently replaced by, the system's).
   */
  onlyFromLibDir?: boolean;
};

function candidates(spec: LibrarySpec): string[] {
  const envFile = process.env[`VAAPI_VK_LIB_${spec.name.replace(/[^A-Za-z0-9]/g, "_").toUpperCase()}`];
  if (envFile) return [envFile];
  const dir = process.env["VAAPI_VK_LIB_DIR"];
  if (dir) {
    const inDir = spec.sonames.map((s) => join(dir, s)).filter((p) => existsSync(p));
    if (inDir.length) return inDir;
    if (spec.onlyFromLibDir) {
      const base = spec.sonames[0]!.replace(/\.so\..*$/, ".so");
      const there = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(`${base}.`)) : [];
      throw new LibraryLoadError(
        spec.name,
        spec.sonames.map((s) => join(dir, s)),
        spec.debianPackage,
        there.length
          ? `VAAPI_VK_LIB_DIR=${dir} holds ${there.join(", ")}, a major version vaapi-vk does not know (it knows ${spec.sonames.join(", ")})`
          : `VAAPI_VK_LIB_DIR=${dir} holds no ${base}.*; with VAAPI_VK_LIB_DIR set, ${spec.name} is loaded from there or not at all (unset it to use the system's)`,
      );
    }
  }
  return spec.sonames;
}

export function loadLibrary<Fns extends Record<string, FFIFunction>>(spec: LibrarySpec, symbols: Fns): Library<Fns> {
  const tried = candidates(spec);
  let last = "";
  for (const path of tried) {
    try {
      return dlopen(path, symbols);
    } catch (e) {
      last = (e as Error).message;
      // A library that loads but lacks a symbol is a version problem: say so rather than go on.
      if (/symbol/i.test(last) && !/cannot open|No such file/i.test(last)) {
        throw new LibraryLoadError(spec.name, [path], spec.debianPackage, last);
      }
    }
  }
  throw new LibraryLoadError(spec.name, tried, spec.debianPackage, last || "not found");
}

/**
 * What a C function takes for each FFI type: Bun's own mapping, with one widening: a pointer (or C
 * string) may also be a plain number, an address read out of a C struct.
 */
export type FfiArg<A> = A extends FFIType.ptr
  ? ArrayBufferView | Pointer | number | bigint | null
  : A extends FFIType.cstring
    ? NodeJS.TypedArray | Pointer | number | null
    : A extends keyof FFITypeToArgsType
      ? FFITypeToArgsType[A]
      : never;

/** The parameter list of an `args` tuple (mapped over the tuple itself, so its length is kept). */
type FfiArgs<A> = { -readonly [L in keyof A]: FfiArg<A[L]> };

/** A symbol table's functions, typed from its `args` and `returns`: a wrong argument count or type is a compile error. */
export type TypedSymbols<Fns extends Record<string, FFIFunction>> = {
  [K in keyof Fns]: (
    ...args: FfiArgs<NonNullable<Fns[K]["args"]>> extends infer P extends unknown[] ? P : never
  ) => ReturnType<Library<Fns>["symbols"][K]>;
};

/** Lazily load once; later calls return the same handle (or throw the same error again). */
export function lazyLibrary<const Fns extends Record<string, FFIFunction>>(
  spec: LibrarySpec,
  symbols: Fns,
): () => TypedSymbols<Fns> {
  let lib: Library<Fns> | undefined;
  return () => (lib ??= loadLibrary(spec, symbols)).symbols as unknown as TypedSymbols<Fns>;
}
