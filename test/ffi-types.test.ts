// The FFI layer is typed from its own tables: a call with the wrong argument count or a value of the
// wrong kind is a compile error (tsc on a probe file), and reading a struct gives typed fields.
import { expect } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requires } from "./support/gate";

const root = join(import.meta.dir, "..");
const tsc = join(root, "node_modules", ".bin", "tsc");
const withTsc = requires(
  existsSync(tsc) ? undefined : "no TypeScript compiler at node_modules/.bin/tsc (./scripts/setup.sh installs it)",
);

withTsc(
  "tsc rejects mistyped FFI calls and struct reads, and accepts the right ones",
  () => {
    const dir = join(root, ".cache", "ffi-typecheck");
    mkdirSync(dir, { recursive: true });
    const probe = [
      'import { libc, PollFd } from "../../ffi/libc";',
      'import { libavcodec } from "../../ffi/libav";',
      'import { unpack } from "../../ffi/struct";',
      'import type { DeviceFns } from "../../ffi/vulkan";',
      "declare const dev: DeviceFns;",
      "export const ok1 = libc().close(3);", // line 6: right
      'export const bad1 = libc().close("three");', // line 7: a string where an int goes
      "export const bad2 = libc().close(3, 4);", // line 8: one argument too many
      "export const bad3 = libavcodec().avcodec_send_packet(1);", // line 9: one too few
      "export const bad4 = dev.vkQueueSubmit(1, 1, null);", // line 10: one too few (the fence)
      "export const ok2: number = unpack(PollFd, new Uint8Array(8)).fd;", // line 11: right
      "export const bad5: bigint = unpack(PollFd, new Uint8Array(8)).fd;", // line 12: an int32 field read as bigint
    ].join("\n");
    writeFileSync(join(dir, "probe.ts"), probe);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ extends: "../../tsconfig.json", include: ["probe.ts"] }),
    );
    try {
      const r = spawnSync(tsc, ["--noEmit", "-p", dir], { encoding: "utf8" });
      const lines = new Set([...r.stdout.matchAll(/probe\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])));
      expect([...lines].sort((a, b) => a - b)).toEqual([7, 8, 9, 10, 12]);
      expect(r.stdout).toContain("Expected 1 arguments, but got 2");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  60_000,
);
