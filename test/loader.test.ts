// Library loading: a missing library is a typed error naming it, the sonames tried and the package.

import { FFIType as T } from "bun:ffi";
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LibraryLoadError } from "vaapi-vk";
import { loadLibrary } from "../ffi/library";

const spec = { name: "libva-drm", sonames: ["libva-drm.so.999", "libva-drm.so.998"], debianPackage: "libva-drm2" };

test("a missing library names itself, every soname tried and the Debian package", () => {
  let err: unknown;
  try {
    loadLibrary(spec, { vaGetDisplayDRM: { args: [T.i32], returns: T.ptr } });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(LibraryLoadError);
  const e = err as LibraryLoadError;
  expect(e.code).toBe("LIBRARY_NOT_FOUND");
  expect(e.tried).toEqual(spec.sonames);
  expect(e.message).toContain("libva-drm.so.999");
  expect(e.message).toContain("apt-get install libva-drm2");
  expect(e.message).toContain("VAAPI_VK_LIB_DIR");
});

test("VAAPI_VK_LIB_<NAME> points at one file, and a wrong one is reported as tried", () => {
  process.env["VAAPI_VK_LIB_LIBVA_DRM"] = "/nonexistent/libva-drm.so.2";
  try {
    expect(() => loadLibrary(spec, { vaGetDisplayDRM: { args: [T.i32], returns: T.ptr } })).toThrow(
      /\/nonexistent\/libva-drm\.so\.2/,
    );
  } finally {
    delete process.env["VAAPI_VK_LIB_LIBVA_DRM"];
  }
});

test("VAAPI_VK_LIB_DIR is searched first; libc loads from the system", () => {
  process.env["VAAPI_VK_LIB_DIR"] = "/nonexistent-dir";
  try {
    const lib = loadLibrary(
      { name: "libc", sonames: ["libc.so.6"], debianPackage: "libc6" },
      { getpid: { args: [], returns: T.i32 } },
    );
    expect(lib.symbols.getpid()).toBe(process.pid);
    lib.close();
  } finally {
    delete process.env["VAAPI_VK_LIB_DIR"];
  }
});

test("a library that lacks a symbol is a version problem, not 'not found'", () => {
  expect(() =>
    loadLibrary(
      { name: "libc", sonames: ["libc.so.6"], debianPackage: "libc6" },
      { no_such_function_here: { args: [], returns: T.i32 } },
    ),
  ).toThrow(LibraryLoadError);
});

test("with VAAPI_VK_LIB_DIR set, libav* loads from that folder or not at all, and a folder of an unknown major says so", () => {
  const dir = mkdtempSync(join(tmpdir(), "vaapi-vk-libdir-"));
  const libav = {
    name: "libavutil",
    sonames: ["libavutil.so.61", "libavutil.so.57"],
    debianPackage: "libavutil57",
    onlyFromLibDir: true,
  };
  process.env["VAAPI_VK_LIB_DIR"] = dir;
  try {
    // The system has libavutil.so.57; the folder has none: refused, not silently the system's.
    expect(() => loadLibrary(libav, { avutil_version: { args: [], returns: T.u32 } })).toThrow(
      /holds no libavutil\.so\.\*.*loaded from there or not at all/,
    );
    writeFileSync(join(dir, "libavutil.so.99"), "");
    expect(() => loadLibrary(libav, { avutil_version: { args: [], returns: T.u32 } })).toThrow(
      /holds libavutil\.so\.99, a major version vaapi-vk does not know/,
    );
  } finally {
    delete process.env["VAAPI_VK_LIB_DIR"];
    rmSync(dir, { recursive: true, force: true });
  }
});
