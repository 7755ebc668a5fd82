// The checked-in SPIR-V must be what glslangValidator makes of the GLSL now: a stale .spv fails.
import { expect } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requires } from "./support/gate";

const SHADERS = join(import.meta.dir, "..", "shaders");
const withGlslang = requires(
  spawnSync("glslangValidator", ["--version"]).status === 0
    ? undefined
    : "no glslangValidator (apt-get install glslang-tools)",
);

for (const comp of readdirSync(SHADERS).filter((f) => f.endsWith(".comp"))) {
  withGlslang(`${comp} matches its checked-in SPIR-V`, () => {
    const dir = mkdtempSync(join(tmpdir(), "vaapi-vk-spv-"));
    try {
      const out = join(dir, "out.spv");
      const r = spawnSync("glslangValidator", ["-V", "--target-env", "vulkan1.1", "-o", out, join(SHADERS, comp)], {
        encoding: "utf8",
      });
      expect(r.status).toBe(0);
      const fresh = readFileSync(out);
      const checkedIn = readFileSync(join(SHADERS, comp.replace(/\.comp$/, ".spv")));
      expect(fresh.equals(checkedIn)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
