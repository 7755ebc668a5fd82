// bun run examples/probe.ts [--json]: what this machine can run, and what to fix.
import { probe } from "vaapi-vk";
import { type CliFlag, type CliSpec, parseCli } from "vaapi-vk/internals";

const spec = {
  command: "examples/probe.ts",
  positionals: "",
  summary:
    "What this machine can run (DRM nodes, VA drivers, Vulkan devices and what they import, libav), and how to fix what is missing.",
  flags: { json: { type: "boolean", help: "the report as JSON (ProbeReportSchema)" } },
} satisfies CliSpec<Record<string, CliFlag>>;
const { values } = parseCli(spec);
const r = probe();
if (values.json) {
  console.log(JSON.stringify(r, null, 2));
} else {
  console.log("DRM nodes");
  if (!r.drm.renderNodes.length && !r.drm.cardNodes.length) console.log("  none (/dev/dri is empty or missing)");
  for (const n of r.drm.renderNodes) {
    console.log(`  ${n.path} (${n.major}:${n.minor})`);
    if ("error" in n.va) console.log(`    VA: ${n.va.error}`);
    else {
      console.log(`    VA ${n.va.version}: ${n.va.vendor}`);
      for (const p of n.va.profiles)
        console.log(
          `      ${p.profile}: entrypoints ${p.entrypoints.join(", ")}${p.entrypoints.includes(1) ? " (decode)" : ""}`,
        );
    }
  }
  for (const c of r.drm.cardNodes) console.log(`  ${c}`);
  console.log(
    `libva: ${"error" in r.libva ? r.libva.error : `vaExportSurfaceHandle ${r.libva.exportSurfaceHandle ? "present" : "missing"}`}`,
  );
  if ("error" in r.vulkan) console.log(`Vulkan: ${r.vulkan.error}`);
  else {
    console.log(
      `Vulkan instance ${r.vulkan.instanceVersion}, validation layer ${r.vulkan.validationLayer ? "installed" : "missing"}`,
    );
    for (const d of r.vulkan.devices) {
      console.log(`  [${d.index}] ${d.name} (${d.type}, ${d.driver}, Vulkan ${d.apiVersion})`);
      console.log(
        `      DRM nodes: ${d.drm ? `primary ${d.drm.primary?.join(":") ?? "-"}, render ${d.drm.render?.join(":") ?? "-"}` : "unknown (no VK_EXT_physical_device_drm)"}`,
      );
      for (const [e, has] of Object.entries(d.extensions)) console.log(`      ${has ? "yes" : "no "} ${e}`);
      for (const [f, mods] of Object.entries(d.modifiers))
        console.log(`      ${f} modifiers: ${mods.length ? mods.join(", ") : "none"}`);
    }
  }
  if ("error" in r.libav) console.log(`libav: ${r.libav.error}`);
  else
    console.log(
      `libav: avutil ${r.libav.avutil}, avcodec ${r.libav.avcodec}, avformat ${r.libav.avformat}, swscale ${r.libav.swscale ?? "missing"}; hwaccels ${r.libav.hwaccels.join(", ") || "none"}; field table ${r.libav.fieldTable ? "known" : "MISSING"}`,
    );
  console.log(`\nverdict: ${r.verdict.path}\n  ${r.verdict.summary}`);
  if (r.fixes.length) console.log(`to fix:\n${r.fixes.map((f) => `  - ${f}`).join("\n")}`);
}
