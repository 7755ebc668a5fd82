// The probe: a report that validates against its schema, and a verdict that fits this machine.
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ProbeReportSchema, probe } from "vaapi-vk";
import { avFieldTables, avTableKey, avVersions } from "../ffi/libav";

test("probe() validates and its verdict matches what the machine has", () => {
  const r = probe();
  expect(ProbeReportSchema.parse(r)).toEqual(r);
  // What it says of libav is what this process loaded.
  if (!("error" in r.libav)) {
    expect(r.libav).toMatchObject(avVersions());
    expect(r.libav.fieldTable).toBe(avTableKey(avVersions()) in avFieldTables);
    for (const lib of ["libavutil", "libavcodec", "libavformat"])
      expect(r.libav.loaded.some((p) => p.includes(`/${lib}.so`))).toBe(true);
  }
  const devices = "error" in r.vulkan ? [] : r.vulkan.devices;
  const lavapipe = devices.find((d) => d.driver.startsWith("llvmpipe"));
  if (!r.drm.renderNodes.length) {
    expect(r.verdict.path).not.toMatch(/^vaapi/);
    expect(r.fixes.join("\n")).toContain("no /dev/dri/renderD*");
  }
  if (!r.drm.renderNodes.length && lavapipe?.extensions["VK_EXT_external_memory_dma_buf"]) {
    expect(r.verdict.path).toBe("software-lavapipe");
    expect(r.verdict.summary).toContain("memfd");
  }
  if (
    devices.length &&
    devices.every((d) => !d.extensions["VK_EXT_external_memory_dma_buf"]) &&
    devices.some((d) => d.extensions["VK_KHR_external_memory_fd"])
  ) {
    expect(r.verdict.path).toBe("opaque-fd-only");
  }
});

test("examples/probe.ts --json prints the same report as probe() here", () => {
  const out = spawnSync(process.execPath, ["run", join(import.meta.dir, "..", "examples", "probe.ts"), "--json"], {
    encoding: "utf8",
  });
  expect(out.status).toBe(0);
  const printed = ProbeReportSchema.parse(JSON.parse(out.stdout));
  const here = probe();
  expect(printed.verdict).toEqual(here.verdict);
  expect(printed.fixes).toEqual(here.fixes);
  expect("error" in printed.vulkan ? [] : printed.vulkan.devices.map((d) => d.name)).toEqual(
    "error" in here.vulkan ? [] : here.vulkan.devices.map((d) => d.name),
  );
});
