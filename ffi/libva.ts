// libva + libva-drm: enough to open a render node, name its driver and list decode profiles.
import { FFIType as T } from "bun:ffi";
import { lazyLibrary } from "./library";

export const libva = lazyLibrary(
  { name: "libva", sonames: ["libva.so.2"], debianPackage: "libva2" },
  {
    vaInitialize: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
    vaTerminate: { args: [T.ptr], returns: T.i32 },
    vaQueryVendorString: { args: [T.ptr], returns: T.cstring },
    vaMaxNumProfiles: { args: [T.ptr], returns: T.i32 },
    vaMaxNumEntrypoints: { args: [T.ptr], returns: T.i32 },
    vaQueryConfigProfiles: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
    vaQueryConfigEntrypoints: { args: [T.ptr, T.i32, T.ptr, T.ptr], returns: T.i32 },
    vaErrorStr: { args: [T.i32], returns: T.cstring },
    vaSyncSurface: { args: [T.ptr, T.u32], returns: T.i32 },
    vaSetErrorCallback: { args: [T.ptr, T.ptr, T.ptr], returns: T.ptr },
    vaSetInfoCallback: { args: [T.ptr, T.ptr, T.ptr], returns: T.ptr },
  },
);

export const libvaDrm = lazyLibrary(
  { name: "libva-drm", sonames: ["libva-drm.so.2"], debianPackage: "libva-drm2" },
  { vaGetDisplayDRM: { args: [T.i32], returns: T.ptr } },
);

/** vaExportSurfaceHandle appeared in libva 2.1 (VA-API 1.1); its presence decides DRM PRIME export. */
export const VA_EXPORT_SYMBOL = "vaExportSurfaceHandle";

export const VA_STATUS_SUCCESS = 0;
export const VAEntrypointVLD = 1;

/** VAProfile values (va.h) and names for the probe. */
export const VAProfile: Record<number, string> = {
  [-1]: "VAProfileNone",
  [0]: "VAProfileMPEG2Simple",
  [1]: "VAProfileMPEG2Main",
  [2]: "VAProfileMPEG4Simple",
  [3]: "VAProfileMPEG4AdvancedSimple",
  [4]: "VAProfileMPEG4Main",
  [6]: "VAProfileH264Main",
  [7]: "VAProfileH264High",
  [8]: "VAProfileVC1Simple",
  [9]: "VAProfileVC1Main",
  [10]: "VAProfileVC1Advanced",
  [11]: "VAProfileH263Baseline",
  [12]: "VAProfileJPEGBaseline",
  [13]: "VAProfileH264ConstrainedBaseline",
  [14]: "VAProfileVP8Version0_3",
  [15]: "VAProfileH264MultiviewHigh",
  [16]: "VAProfileH264StereoHigh",
  [17]: "VAProfileHEVCMain",
  [18]: "VAProfileHEVCMain10",
  [19]: "VAProfileVP9Profile0",
  [20]: "VAProfileVP9Profile1",
  [21]: "VAProfileVP9Profile2",
  [22]: "VAProfileVP9Profile3",
  [23]: "VAProfileHEVCMain12",
  [24]: "VAProfileHEVCMain422_10",
  [25]: "VAProfileHEVCMain422_12",
  [26]: "VAProfileHEVCMain444",
  [27]: "VAProfileHEVCMain444_10",
  [28]: "VAProfileHEVCMain444_12",
  [29]: "VAProfileHEVCSccMain",
  [30]: "VAProfileHEVCSccMain10",
  [31]: "VAProfileHEVCSccMain444",
  [32]: "VAProfileAV1Profile0",
  [33]: "VAProfileAV1Profile1",
  [34]: "VAProfileHEVCSccMain444_10",
  [35]: "VAProfileProtected",
};
