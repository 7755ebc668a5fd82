// The probe: a report that validates against its schema, and a verdict that fits this machine.
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ProbeReportSchema, probe } from "vaapi-vk";

test("probe() validates and its verdict matches what the machine has", () => {
  const r = probe();
  expect(ProbeReportSchema.parse(r)).toEqual(r);
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

test("examples/probe.ts --json prints the same schema", () => {
  const out = spawnSync(process.execPath, ["run", join(import.meta.dir, "..", "examples", "probe.ts"), "--json"], {
    encoding: "utf8",
  });
  expect(out.status).toBe(0);
  ProbeReportSchema.parse(JSON.parse(out.stdout));
});
