// The package as a user meets it: packed with only what `files` ships, installed into a fresh Bun
// project from the tarball, every example of the README's "Using it" run unchanged, and the user's
// project type-checked under strict options (exactOptionalPropertyTypes, noPropertyAccessFromIndexSignature, ...).
import { describe, expect } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ffmpegMissing } from "./support/clips";
import { libavMissing, requires } from "./support/gate";

const withFfmpeg = requires(libavMissing() ?? ffmpegMissing());

describe("the packed package in a fresh project", () => {
  withFfmpeg(
    "installs from its tarball without tests or caches, runs every README example, type-checks under strict options",
    () => {
      const work = mkdtempSync(join(tmpdir(), "vaapi-vk-consumer-"));
      try {
        const r = spawnSync("bash", [join(import.meta.dir, "..", "scripts", "consumer.sh"), work], {
          encoding: "utf8",
          timeout: 240_000,
        });
        expect(`${r.stdout}${r.stderr}`).toContain("consumer: ok");
        expect(r.status).toBe(0);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
    250_000,
  );
});
