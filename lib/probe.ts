// probe(): what this machine can run — DRM nodes, VA drivers, Vulkan devices and their import
// extensions and modifiers, libav — and a verdict with the fix for each missing piece.
import { dlopen, FFIType as T } from "bun:ffi";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { z } from "zod";
import { avFieldTableSources, avFieldTables, avTableKey, avVersions, libavutil, libswscale } from "../ffi/libav";
import { libc, O_CLOEXEC, O_RDWR } from "../ffi/libc";
import { libva, libvaDrm, VA_EXPORT_SYMBOL, VAProfile } from "../ffi/libva";
import * as vk from "../ffi/vulkan";
import { modifierName } from "./formats";
import { deviceNumbers, formatModifiers, listPhysicalDevices } from "./vulkan/devices";
import { instanceLayers, instanceVersion, sharedInstance } from "./vulkan/instance";

const PROBED_EXTENSIONS = [
  "VK_KHR_external_memory_fd",
  "VK_EXT_external_memory_dma_buf",
  "VK_EXT_image_drm_format_modifier",
  "VK_KHR_external_semaphore_fd",
  "VK_EXT_physical_device_drm",
  "VK_EXT_external_memory_host",
] as const;
const PROBED_FORMATS = {
  NV12: "G8_B8R8_2PLANE_420_UNORM",
  P010: "G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16",
  R8: "R8_UNORM",
  RG8: "R8G8_UNORM",
  R16: "R16_UNORM",
} as const;

const errorOr = <S extends z.ZodTypeAny>(s: S) => z.union([s, z.object({ error: z.string() })]);

export const ProbeReportSchema = z.object({
  drm: z.object({
    renderNodes: z.array(
      z.object({
        path: z.string(),
        major: z.number().int().optional(),
        minor: z.number().int().optional(),
        va: errorOr(
          z.object({
            vendor: z.string(),
            version: z.string(),
            profiles: z.array(z.object({ profile: z.string(), entrypoints: z.array(z.number().int()) })),
          }),
        ),
      }),
    ),
    cardNodes: z.array(z.string()),
  }),
  libva: errorOr(z.object({ exportSurfaceHandle: z.boolean() })),
  vulkan: errorOr(
    z.object({
      instanceVersion: z.string(),
      validationLayer: z.boolean(),
      devices: z.array(
        z.object({
          index: z.number().int(),
          name: z.string(),
          type: z.string(),
          driver: z.string(),
          apiVersion: z.string(),
          drm: z
            .object({
              primary: z.tuple([z.number(), z.number()]).optional(),
              render: z.tuple([z.number(), z.number()]).optional(),
            })
            .optional(),
          extensions: z.record(z.string(), z.boolean()),
          modifiers: z.record(z.string(), z.array(z.string())),
        }),
      ),
    }),
  ),
  libav: errorOr(
    z.object({
      avutil: z.number(),
      avcodec: z.number(),
      avformat: z.number(),
      swscale: z.number().optional(),
      hwaccels: z.array(z.string()),
      fieldTable: z.boolean(),
      /** The FFmpeg release and packages whose headers gave the field table in use. */
      fieldTableSource: z.string().optional(),
      /** The files loaded, as the process maps them (VAAPI_VK_LIB_DIR, or the system's). */
      loaded: z.array(z.string()),
    }),
  ),
  verdict: z.object({
    path: z.enum([
      "vaapi-image-import",
      "vaapi-buffer-import",
      "software-lavapipe",
      "software-dmabuf",
      "opaque-fd-only",
      "nothing",
    ]),
    summary: z.string(),
  }),
  fixes: z.array(z.string()),
});
export type ProbeReport = z.infer<typeof ProbeReportSchema>;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function probeVa(path: string): ProbeReport["drm"]["renderNodes"][number]["va"] {
  try {
    const fd = libc().open(Buffer.from(`${path}\0`), O_RDWR | O_CLOEXEC);
    if (fd < 0) return { error: `cannot open ${path} (permission? add the user to the render group)` };
    const va = libva();
    const display = libvaDrm().vaGetDisplayDRM(fd) as number;
    try {
      if (!display) return { error: "vaGetDisplayDRM returned no display" };
      const major = new Int32Array(1),
        minor = new Int32Array(1);
      const st = va.vaInitialize(display, major, minor);
      if (st !== 0) return { error: `vaInitialize: ${va.vaErrorStr(st)}` };
      const max = va.vaMaxNumProfiles(display);
      const profiles = new Int32Array(Math.max(1, max));
      const count = new Int32Array(1);
      va.vaQueryConfigProfiles(display, profiles, count);
      const eps = new Int32Array(Math.max(1, va.vaMaxNumEntrypoints(display)));
      return {
        vendor: String(va.vaQueryVendorString(display)),
        version: `${major[0]}.${minor[0]}`,
        profiles: Array.from(profiles.subarray(0, count[0])).map((p) => {
          const n = new Int32Array(1);
          va.vaQueryConfigEntrypoints(display, p, eps, n);
          return { profile: VAProfile[p] ?? `VAProfile ${p}`, entrypoints: Array.from(eps.subarray(0, n[0])) };
        }),
      };
    } finally {
      if (display) va.vaTerminate(display);
      libc().close(fd);
    }
  } catch (e) {
    return { error: message(e) };
  }
}

function probeVulkan(): ProbeReport["vulkan"] {
  try {
    const version = instanceVersion();
    // The process's instance without validation (made once, kept: see lib/vulkan/instance.ts).
    const { instance, inst } = sharedInstance(false, false);
    return {
      instanceVersion: vk.apiVersionString(version),
      validationLayer: instanceLayers().includes("VK_LAYER_KHRONOS_validation"),
      devices: listPhysicalDevices(inst, instance).map(({ handle, info }) => ({
        index: info.index,
        name: info.name,
        type: info.type,
        driver: `${info.driverName} ${info.driverInfo}`.trim(),
        apiVersion: info.apiVersion,
        drm: info.drm,
        extensions: Object.fromEntries(PROBED_EXTENSIONS.map((e) => [e, info.extensions.includes(e)])),
        modifiers: info.extensions.includes("VK_EXT_image_drm_format_modifier")
          ? Object.fromEntries(
              Object.entries(PROBED_FORMATS).map(([n, f]) => [
                n,
                formatModifiers(inst, handle, f).map((m) => `${modifierName(m.modifier)} [${m.planes} plane(s)]`),
              ]),
            )
          : {},
      })),
    };
  } catch (e) {
    return { error: message(e) };
  }
}

function probeLibav(): ProbeReport["libav"] {
  try {
    const v = avVersions();
    const u = libavutil();
    const hwaccels: string[] = [];
    for (let t = u.av_hwdevice_iterate_types(0); t !== 0; t = u.av_hwdevice_iterate_types(t))
      hwaccels.push(String(u.av_hwdevice_get_type_name(t)));
    let swscale: number | undefined;
    try {
      swscale = libswscale().swscale_version() >>> 16;
    } catch {
      swscale = undefined;
    }
    const loaded = [
      ...new Set(
        readFileSync("/proc/self/maps", "utf8")
          .split("\n")
          .flatMap((l) => {
            const path = l.slice(l.indexOf("/"));
            return l.includes("/") && /\/lib(avutil|avcodec|avformat|swscale)\.so/.test(path) ? [path] : [];
          }),
      ),
    ];
    return {
      ...v,
      swscale,
      hwaccels,
      fieldTable: avTableKey(v) in avFieldTables,
      fieldTableSource: avFieldTableSources[avTableKey(v)],
      loaded,
    };
  } catch (e) {
    return { error: message(e) };
  }
}

function probeLibvaExport(): ProbeReport["libva"] {
  try {
    libva();
    try {
      dlopen("libva.so.2", { [VA_EXPORT_SYMBOL]: { args: [], returns: T.void } }).close();
      return { exportSurfaceHandle: true };
    } catch {
      return { exportSurfaceHandle: false };
    }
  } catch (e) {
    return { error: message(e) };
  }
}

export function probe(): ProbeReport {
  const nodes = existsSync("/dev/dri") ? readdirSync("/dev/dri").sort() : [];
  const renderNodes = nodes
    .filter((n) => n.startsWith("renderD"))
    .map((n) => {
      const path = `/dev/dri/${n}`;
      let numbers: [number, number] | undefined;
      try {
        numbers = deviceNumbers(path);
      } catch {
        numbers = undefined;
      }
      return { path, major: numbers?.[0], minor: numbers?.[1], va: probeVa(path) };
    });
  const report: Omit<ProbeReport, "verdict" | "fixes"> = {
    drm: { renderNodes, cardNodes: nodes.filter((n) => n.startsWith("card")).map((n) => `/dev/dri/${n}`) },
    libva: probeLibvaExport(),
    vulkan: probeVulkan(),
    libav: probeLibav(),
  };
  return ProbeReportSchema.parse({ ...report, ...verdictOf(report) });
}

function verdictOf(r: Omit<ProbeReport, "verdict" | "fixes">): Pick<ProbeReport, "verdict" | "fixes"> {
  const fixes: string[] = [];
  if (!r.drm.renderNodes.length)
    fixes.push(
      "no /dev/dri/renderD* node: no GPU with a DRM driver is visible here (in a container, pass the device through: --device /dev/dri); VAAPI needs one",
    );
  if ("error" in r.libva) fixes.push(`libva: ${r.libva.error}`);
  else if (!r.libva.exportSurfaceHandle) fixes.push("libva has no vaExportSurfaceHandle (libva < 2.1): upgrade libva2");
  for (const n of r.drm.renderNodes) {
    if ("error" in n.va)
      fixes.push(
        `${n.path}: ${n.va.error}; install the VA driver for this GPU (intel-media-va-driver for Intel Gen8+, mesa-va-drivers for AMD) or set LIBVA_DRIVER_NAME`,
      );
  }
  if ("error" in r.libav) fixes.push(`libav: ${r.libav.error}`);
  else if (!r.libav.fieldTable)
    fixes.push(
      `libav ${avTableKey(r.libav)} has no field table: use a supported FFmpeg (${Object.values(avFieldTableSources).join("; ")}) through VAAPI_VK_LIB_DIR, or add its headers to scripts/libav-headers.sh`,
    );
  const devices = "error" in r.vulkan ? [] : r.vulkan.devices;
  if ("error" in r.vulkan)
    fixes.push(
      `Vulkan: ${r.vulkan.error}; install libvulkan1 and a driver (mesa-vulkan-drivers gives lavapipe), or point VK_DRIVER_FILES / VK_ICD_FILENAMES at the driver's ICD json`,
    );
  else {
    if (!devices.length)
      fixes.push(
        "Vulkan finds no device: install mesa-vulkan-drivers (lavapipe) or the GPU's driver, or set VK_DRIVER_FILES to its ICD json",
      );
    if (!r.vulkan.validationLayer)
      fixes.push("no Khronos validation layer: apt-get install vulkan-validationlayers (tests run with it on)");
    for (const d of devices) {
      if (d.driver.startsWith("llvmpipe") && !d.extensions["VK_EXT_external_memory_dma_buf"]) {
        fixes.push(
          `${d.name} lacks VK_EXT_external_memory_dma_buf: install mesa-vulkan-drivers 23+ (Debian 12: from bookworm-backports)`,
        );
      }
    }
  }
  const vaNodes = r.drm.renderNodes.filter(
    (n) => !("error" in n.va) && n.va.profiles.some((p) => p.entrypoints.includes(1)),
  );
  const exportOk = !("error" in r.libva) && r.libva.exportSurfaceHandle;
  const dmaBuf = devices.filter((d) => d.extensions["VK_EXT_external_memory_dma_buf"]);
  if (vaNodes.length && exportOk && dmaBuf.length) {
    const node = vaNodes[0]!;
    const match =
      dmaBuf.find((d) => d.drm?.render?.[0] === node.major && d.drm?.render?.[1] === node.minor) ?? dmaBuf[0]!;
    if (match.extensions["VK_EXT_image_drm_format_modifier"] && (match.modifiers["NV12"]?.length ?? 0) > 0) {
      return {
        verdict: {
          path: "vaapi-image-import",
          summary: `VAAPI on ${node.path} decodes into dmabufs that ${match.name} imports as images with explicit DRM modifiers: full zero-copy`,
        },
        fixes,
      };
    }
    return {
      verdict: {
        path: "vaapi-buffer-import",
        summary: `VAAPI on ${node.path}, imported by ${match.name} as buffers: zero-copy for linear surfaces; tiled ones need --force-linear (one CPU copy per frame)`,
      },
      fixes,
    };
  }
  const lavapipe = dmaBuf.find((d) => d.driver.startsWith("llvmpipe"));
  if (lavapipe) {
    return {
      verdict: {
        path: "software-lavapipe",
        summary: `no VAAPI here: the software source decodes into memfds that ${lavapipe.name} imports as dma_bufs (buffer import) — zero-copy between decoder and Vulkan, on the CPU`,
      },
      fixes,
    };
  }
  if (dmaBuf.length) {
    return {
      verdict: {
        path: "software-dmabuf",
        summary: `no VAAPI here: the software source decodes into memfds imported by ${dmaBuf[0]!.name} as dma_bufs, where it accepts them`,
      },
      fixes,
    };
  }
  const opaque = devices.find((d) => d.extensions["VK_KHR_external_memory_fd"]);
  if (opaque) {
    fixes.push(
      `${opaque.name} has no VK_EXT_external_memory_dma_buf: it cannot take dmabufs from VAAPI or memfds; only opaque-fd memory (from Vulkan or CUDA) imports, through the image path with explicit modifiers`,
    );
    return {
      verdict: {
        path: "opaque-fd-only",
        summary: `${opaque.name} imports opaque-fd memory (Vulkan/CUDA exports), with${opaque.extensions["VK_EXT_image_drm_format_modifier"] ? "" : "out"} explicit DRM modifiers; no dma_buf import, so no VAAPI or software source can feed it zero-copy`,
      },
      fixes,
    };
  }
  return {
    verdict: { path: "nothing", summary: "no Vulkan device here can import external memory; see the fixes" },
    fixes,
  };
}
