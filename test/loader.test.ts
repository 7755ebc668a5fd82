// Library loading: a missing library is a typed error naming it, the sonames tried and the package.
import { expect, test } from "bun:test";
import { FFIType as T } from "bun:ffi";
import { loadLibrary } from "../ffi/library";
import { LibraryLoadError } from "vaapi-vk";

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
    expect(() => loadLibrary(spec, { vaGetDisplayDRM: { args: [T.i32], returns: T.ptr } })).toThrow(/\/nonexistent\/libva-drm\.so\.2/);
  } finally {
    delete process.env["VAAPI_VK_LIB_LIBVA_DRM"];
  }
});

test("VAAPI_VK_LIB_DIR is searched first; libc loads from the system", () => {
  process.env["VAAPI_VK_LIB_DIR"] = "/nonexistent-dir";
  try {
    const lib = loadLibrary({ name: "libc", sonames: ["libc.so.6"], debianPackage: "libc6" }, { getpid: { args: [], returns: T.i32 } });
    expect(lib.symbols.getpid()).toBe(process.pid);
    lib.close();
  } finally {
    delete process.env["VAAPI_VK_LIB_DIR"];
  }
});

test("a library that lacks a symbol is a version problem, not 'not found'", () => {
  expect(() => loadLibrary({ name: "libc", sonames: ["libc.so.6"], debianPackage: "libc6" }, { no_such_function_here: { args: [], returns: T.i32 } })).toThrow(LibraryLoadError);
});
