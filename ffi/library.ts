// Load a shared library by soname, newest first, with an environment override.
import { dlopen, type FFIFunction, type Library } from "bun:ffi";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { LibraryLoadError } from "./errors";

export type LibrarySpec = {
  /** Short name used in messages and in VAAPI_VK_LIB_<NAME>. */
  name: string;
  sonames: string[];
  debianPackage: string;
};

function candidates(spec: LibrarySpec): string[] {
  const envFile = process.env[`VAAPI_VK_LIB_${spec.name.replace(/[^A-Za-z0-9]/g, "_").toUpperCase()}`];
  if (envFile) return [envFile];
  const dir = process.env["VAAPI_VK_LIB_DIR"];
  if (dir) {
    const inDir = spec.sonames.map((s) => join(dir, s)).filter((p) => existsSync(p));
    if (inDir.length) return inDir;
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

/** Raw symbols take pointers as plain numbers (addresses read out of C structs) as well as typed arrays. */
export type RawSymbols<Fns extends Record<string, FFIFunction>> = {
  [K in keyof Fns]: (...args: any[]) => ReturnType<Library<Fns>["symbols"][K]>;
};

/** Lazily load once; later calls return the same handle (or throw the same error again). */
export function lazyLibrary<Fns extends Record<string, FFIFunction>>(spec: LibrarySpec, symbols: Fns): () => RawSymbols<Fns> {
  let lib: Library<Fns> | undefined;
  return () => (lib ??= loadLibrary(spec, symbols)).symbols as RawSymbols<Fns>;
}
