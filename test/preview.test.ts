// The preview window, seen as a person sees it: Xvfb (started here) is the display, lavapipe
// presents into an SDL window through a swapchain, and xwd dumps the window for comparison.
import { afterAll, beforeAll, expect } from "bun:test";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { frameToRgba, Preview, Video, VulkanContext, VulkanUnsupportedError } from "vaapi-vk";
import { libsdl, SDL_EVENT_SIZE, SDL_QUIT } from "../ffi/sdl";
import { CLIPS, clip, clipsMissing } from "./support/clips";
import { openFds } from "./support/fds";
import { libavMissing, requires, vulkanMissing } from "./support/gate";
import { readXwd } from "./support/xwd";

/** Why no window can be shown and dumped here, or undefined. */
function displayServerMissing(): string | undefined {
  for (const [tool, pkg] of [
    ["Xvfb", "xvfb"],
    ["xwd", "x11-apps"],
  ] as const)
    if (spawnSync("which", [tool]).status !== 0)
      return `no ${tool} here (apt-get install ${pkg}): no display to show a window on`;
  try {
    libsdl();
  } catch (e) {
    return (e as Error).message.split(".")[0];
  }
  return undefined;
}

const withWindow = requires(libavMissing() ?? vulkanMissing() ?? clipsMissing() ?? displayServerMissing());
let xvfb: ChildProcess | undefined;
const savedDisplay = process.env["DISPLAY"];

beforeAll(async () => {
  if (displayServerMissing()) return;
  // Xvfb picks a free display number itself and writes it to stdout once it listens.
  const server = spawn("Xvfb", ["-displayfd", "1", "-screen", "0", "1280x720x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  xvfb = server;
  const display = await new Promise<string>((resolve, reject) => {
    let said = "";
    server.stdout!.on("data", (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes("\n")) resolve(said.trim());
    });
    server.on("exit", (code) => reject(new Error(`Xvfb exited (${code}) before it listened`)));
    setTimeout(() => reject(new Error("Xvfb did not start within 5 s")), 5000);
  });
  process.env["DISPLAY"] = `:${display}`;
  // Taken once a client gets through (a full suite may start it while the machine is busy).
  for (let i = 0; i < 50; i++) {
    if (spawnSync("xwd", ["-root", "-silent", "-out", "/dev/null"], { env: process.env }).status === 0) break;
    await Bun.sleep(100);
  }
});
afterAll(() => {
  xvfb?.kill();
  if (savedDisplay === undefined) delete process.env["DISPLAY"];
  else process.env["DISPLAY"] = savedDisplay;
});

/** The window titled `title`, as the X server shows it. */
function screenshot(title: string) {
  const dir = mkdtempSync(join(tmpdir(), "vaapi-vk-xwd-"));
  try {
    const out = join(dir, "window.xwd");
    const r = spawnSync("xwd", ["-name", title, "-silent", "-out", out], { encoding: "utf8", env: process.env });
    if (r.status !== 0) throw new Error(`xwd failed: ${r.stderr}`);
    return readXwd(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

withWindow("a presented frame is on screen exactly as the stub writes it, with no CPU copy", () => {
  const file = clip(CLIPS.h264);
  // What lives as long as the process is made first: the Vulkan instance with the window's surface
  // extensions (lib/vulkan/instance.ts keeps each instance) and SDL's own state.
  {
    using warm = Preview.open("vaapi-vk warm-up");
    VulkanContext.create({ surfaceExtensions: warm.instanceExtensions, validation: true })[Symbol.dispose]();
  }
  const before = openFds();
  {
    using preview = Preview.open("vaapi-vk preview test");
    using video = Video.open(file, { source: "software", preview, validation: true });
    using frame = video.frameAt(5);
    const { rgba, stats } = video.toRgba(frame);
    using _ = rgba;
    preview.show(rgba, frame.descriptor.width, frame.descriptor.height);
    preview.poll();
    Bun.sleepSync(200);
    const shot = screenshot("vaapi-vk preview test");
    const expected = frameToRgba(file, 5, { source: "software" });
    expect([shot.width, shot.height]).toEqual([expected.width, expected.height]);
    expect(Buffer.from(shot.rgba).equals(Buffer.from(expected.rgba))).toBe(true);
    expect(stats.cpuBytesCopied).toBe(0);
    video.ctx.checkValidation();
  }
  expect(openFds()).toBe(before);
});

withWindow("closing the window ends the run: show() stops presenting, everything is released", () => {
  const file = clip(CLIPS.h264);
  const before = openFds();
  {
    using preview = Preview.open("vaapi-vk closing");
    using video = Video.open(file, { source: "software", preview, validation: true });
    let shown = 0;
    for (const f of video) {
      using frame = f;
      if (preview.poll().quit) break;
      const { rgba } = video.toRgba(frame);
      using _ = rgba;
      preview.show(rgba, frame.descriptor.width, frame.descriptor.height);
      // The window manager's close, as SDL reports it.
      if (++shown === 3) {
        const quit = Buffer.alloc(SDL_EVENT_SIZE);
        quit.writeUInt32LE(SDL_QUIT, 0);
        libsdl().SDL_PushEvent(quit);
      }
    }
    expect(shown).toBe(3);
    expect(preview.state.quit).toBe(true);
    video.ctx.checkValidation();
  }
  expect(openFds()).toBe(before);
});

/** examples/bench.ts on the test clip with `flags`, under the test's display and the validation layer. */
const bench = (...flags: string[]) =>
  spawnSync(
    process.execPath,
    ["run", join(import.meta.dir, "..", "examples", "bench.ts"), clip(CLIPS.h264), ...flags],
    {
      encoding: "utf8",
      env: { ...process.env, VAAPI_VK_VALIDATION: "1" },
    },
  );

withWindow("bench --preview presents the clip and reports what presenting costs", () => {
  const r = bench("--preview", "--preview-speed", "max", "--frames", "12");
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(
    /12 frames shown at [\d.]+ fps \(as fast as it goes\); the same without presenting: [\d.]+ fps; CPU bytes copied: 0/,
  );
});

withWindow("bench --preview --diff shows the frame and its heat map side by side", () => {
  const r = bench("--preview", "--diff", "--preview-speed", "max", "--frames", "6");
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/6 frames shown .*CPU bytes copied: 0/);
});

requires(libavMissing() ?? clipsMissing())("with no display, Preview.open says so and how to get one", () => {
  const display = process.env["DISPLAY"],
    wayland = process.env["WAYLAND_DISPLAY"];
  delete process.env["DISPLAY"];
  delete process.env["WAYLAND_DISPLAY"];
  try {
    expect(() => Preview.open()).toThrow(VulkanUnsupportedError);
    expect(() => Preview.open()).toThrow(/no display.*Xvfb/);
  } finally {
    if (display !== undefined) process.env["DISPLAY"] = display;
    if (wayland !== undefined) process.env["WAYLAND_DISPLAY"] = wayland;
  }
});
