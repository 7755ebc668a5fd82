// The main job end to end: examples/stub.ts on a generated clip writes a PNG equal to the library's
// own conversion, reports zero CPU copies, and bad input exits with a typed error.
import { expect } from "bun:test";
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
  const width = png.readUInt32BE(16), height = png.readUInt32BE(20);
  let idat = Buffer.alloc(0);
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at), type = png.toString("ascii", at + 4, at + 8);
    if (type === "IDAT") idat = Buffer.concat([idat, png.subarray(at + 8, at + 8 + len)]);
    at += 12 + len;
  }
  const raw = inflateSync(idat);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) rgba.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  return { width, height, rgba };
}

withSource("stub.ts writes frame N as a PNG with cpu bytes copied: 0", () => {
  const dir = mkdtempSync(join(tmpdir(), "vaapi-vk-stub-"));
  try {
    const out = join(dir, "f.png");
    const r = spawnSync(process.execPath, ["run", STUB, clip(CLIPS.h264), "--out", out, "--frame", "5", "--validation"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("source:        software");
    expect(r.stdout).toContain("no VAAPI device");
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
    const r = spawnSync(process.execPath, ["run", STUB, join(dir, "missing.mp4"), "--out", join(dir, "x.png")], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("FILE_NOT_FOUND");
    expect(existsSync(join(dir, "x.png"))).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

withSource("asking for VAAPI where there is no render node fails with NO_VAAPI_DEVICE", () => {
  const r = spawnSync(process.execPath, ["run", STUB, clip(CLIPS.h264), "--source", "vaapi", "--vaapi-device", "/dev/dri/renderD199", "--out", "/dev/null"], { encoding: "utf8" });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("NO_VAAPI_DEVICE");
  expect(r.stderr).toContain("/dev/dri/renderD199");
});
