// Compile and run a C probe against the system headers; returns its "KEY VALUE" lines as a map.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const HEADER_DIRS = ["/usr/include/x86_64-linux-gnu", "/usr/include/libdrm"];

export function compilerMissing(): string | undefined {
  const r = spawnSync("cc", ["--version"]);
  return r.status === 0 ? undefined : "no C compiler (`cc`) on PATH: apt-get install gcc";
}

export function runProbe(source: string): Map<string, bigint> {
  const dir = mkdtempSync(join(tmpdir(), "vaapi-vk-probe-"));
  try {
    writeFileSync(join(dir, "probe.c"), source);
    const cc = spawnSync("cc", [...HEADER_DIRS.map((d) => `-I${d}`), "-o", join(dir, "probe"), join(dir, "probe.c")], {
      encoding: "utf8",
    });
    if (cc.status !== 0) throw new Error(`probe did not compile:\n${cc.stderr}`);
    const run = spawnSync(join(dir, "probe"), { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`probe failed: ${run.stderr}`);
    return new Map(
      run.stdout
        .trim()
        .split("\n")
        .map((l) => {
          const [k, v] = l.split(" ");
          return [k!, BigInt(v!)];
        }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
