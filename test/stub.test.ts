// The main job end to end: examples/stub.ts on a generated clip writes a PNG equal to the library's
// own conversion, reports zero CPU copies, and bad input exits with a typed error.
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { frameToRgba } from "vaapi-vk";
import { CLIPS, clip, clipsMissing } from "./support/clips";
import { libavMissing, requires } from "./support/gate";

const withSource = requires(libavMissing() ?? clipsMissing());
const STUB = join(import.meta.dir, "..", "examples", "stub.ts");

function pngPixels(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  const width = png.readUInt32BE(16),
    height = png.readUInt32BE(20);
  let idat = Buffer.alloc(0);
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at),
      type = png.toString("ascii", at + 4, at + 8);
    if (type === "IDAT") idat = Buffer.concat([idat, png.subarray(at + 8, at + 8 + len)]);
    at += 12 + len;
  }
  const raw = inflateSync(idat);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    rgba.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  return { width, height, rgba };
}

withSource("stub.ts writes frame N as a PNG with cpu bytes copied: 0", () => {
  const dir = mkdtempSync(join(tmpdir(), "vaapi-vk-stub-"));
  try {
    const out = join(dir, "f.png");
    const r = spawnSync(
      process.execPath,
      ["run", STUB, clip(CLIPS.h264), "--out", out, "--frame", "5", "--validation"],
      { encoding: "utf8" },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    // The embedded default's choice: Vulkan Video where this machine decodes through it, else software.
    expect(r.stdout).toMatch(/source: {8}(software|Vulkan Video) — no VAAPI device/);
    expect(r.stdout).toContain("cpu bytes copied: 0");
    expect(r.stdout).toContain("validation on: 0 errors");
    const png = pngPixels(readFileSync(out));
    const lib = frameToRgba(clip(CLIPS.h264), 5);
    expect([png.width, png.height]).toEqual([lib.width, lib.height]);
    expect(Buffer.from(png.rgba).equals(Buffer.from(lib.rgba))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

withSource("stub.ts on a missing file exits 1 with the error code and no PNG", () => {
  const dir = mkdtempSync(join(tmpdir(), "vaapi-vk-stub-"));
  try {
    const r = spawnSync(process.execPath, ["run", STUB, join(dir, "missing.mp4"), "--out", join(dir, "x.png")], {
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("FILE_NOT_FOUND");
    expect(existsSync(join(dir, "x.png"))).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

withSource("asking for VAAPI where there is no render node fails with NO_VAAPI_DEVICE", () => {
  const r = spawnSync(
    process.execPath,
    ["run", STUB, clip(CLIPS.h264), "--source", "vaapi", "--vaapi-device", "/dev/dri/renderD199", "--out", "/dev/null"],
    { encoding: "utf8" },
  );
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("NO_VAAPI_DEVICE");
  expect(r.stderr).toContain("/dev/dri/renderD199");
});

test("stub.ts --help lists every flag and exits 0; bad flags and values exit 2 with the usage, never a stack trace", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ["run", STUB, ...args], { encoding: "utf8" });
  const help = run("--help");
  expect(help.status).toBe(0);
  for (const flag of [
    "--out",
    "--frame",
    "--source",
    "--vaapi-device",
    "--timeout-s",
    "--force-linear",
    "--drm-device",
    "--debug",
    "--validation",
  ])
    expect(help.stdout).toContain(flag);
  const cases: [string[], RegExp][] = [
    [[], /give the video to decode/],
    [["v.mp4", "--frame", "-1"], /--frame/],
    [["v.mp4", "--frame=-1"], /--frame -1: give a whole number/],
    [["v.mp4", "--frame", "0x10"], /--frame 0x10: give a whole number/],
    [["v.mp4", "--bogus"], /Unknown option '--bogus'/],
    [["v.mp4", "--source", "gpu"], /--source gpu: use auto, vaapi, vulkan or software/],
    [["v.mp4", "--out", "/nonexistent-dir/f.png"], /\/nonexistent-dir does not exist/],
    [["v.mp4", "--out", "/tmp"], /is a directory/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain("usage: bun run examples/stub.ts");
    expect(r.stderr).not.toContain("    at ");
  }
});

test("every example CLI answers --help with exit 0 and an unknown flag with its usage and exit 2", () => {
  for (const name of ["stub", "bench", "probe", "symbol_stream", "import_cost", "convert_speed"]) {
    const path = join(import.meta.dir, "..", "examples", `${name}.ts`);
    const help = spawnSync(process.execPath, ["run", path, "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(`usage: bun run examples/${name}.ts`);
    const bad = spawnSync(process.execPath, ["run", path, "--no-such-flag"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--no-such-flag'");
    expect(bad.stderr).not.toContain("    at ");
  }
});
