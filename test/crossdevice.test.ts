// The conversion gives the same bytes on every device and through every import kind: fixed NV12
// and P010 patterns, converted here, must hash to the digests recorded on lavapipe (Mesa 25.0).
import { afterAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { closeSync } from "node:fs";
import { Converter, DRM_FORMAT, exportOpaqueFd, importDmabuf, readBack, VulkanContext, type ColorInfo, type DrmFrameDescriptor, type ImportPlan } from "vaapi-vk";
import { makeMemfd } from "./support/memfd";

const ctx = VulkanContext.create({ validation: true });
afterAll(() => ctx[Symbol.dispose]());

const W = 250, H = 142, PITCH = 512;
/** Smooth gradients plus a pseudo-random texture: every code value range gets exercised. */
function frameBytes(p010: boolean): Uint8Array {
  const bps = p010 ? 2 : 1;
  const out = new Uint8Array(PITCH * H + PITCH * Math.ceil(H / 2) + 4096);
  const put = (at: number, v10: number) => {
    if (!p010) out[at] = v10 >> 2;
    else { const s = v10 << 6; out[at] = s & 0xff; out[at + 1] = s >> 8; }
  };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) put(y * PITCH + x * bps, (x * 4 + y * 3 + ((x * 7919 + y * 104729) % 61)) % 1024);
  for (let y = 0; y < Math.ceil(H / 2); y++) for (let x = 0; x < Math.ceil(W / 2); x++) {
    put(PITCH * H + y * PITCH + 2 * x * bps, (x * 8 + (y * 37) % 97) % 1024);
    put(PITCH * H + y * PITCH + (2 * x + 1) * bps, (1023 - y * 7 - (x * 13) % 89 + 2048) % 1024);
  }
  return out;
}

const CONFIGS: { name: string; p010: boolean; color: ColorInfo; digest: string }[] = [
  { name: "NV12 BT.709 limited", p010: false, color: { colorspace: 1, colorRange: 1, colorPrimaries: 1, colorTrc: 1, chromaLocation: 1 }, digest: "2ac9ad4d5ae6ada0" },
  { name: "NV12 BT.601 full", p010: false, color: { colorspace: 6, colorRange: 2, colorPrimaries: 6, colorTrc: 6, chromaLocation: 1 }, digest: "530a801f56cb73be" },
  { name: "P010 BT.2020 limited", p010: true, color: { colorspace: 9, colorRange: 1, colorPrimaries: 9, colorTrc: 16, chromaLocation: 1 }, digest: "87890594c4cf3507" },
];

const describeAs = (fd: number, size: number, p010: boolean): DrmFrameDescriptor => ({
  width: W, height: H, objects: [{ fd, size, modifier: 0n }],
  layers: [{ fourcc: p010 ? DRM_FORMAT.P010 : DRM_FORMAT.NV12, planes: [{ object: 0, offset: 0, pitch: PITCH }, { object: 0, offset: PITCH * H, pitch: PITCH }] }],
});

function digestOf(frameDesc: DrmFrameDescriptor, color: ColorInfo, handleType: "dma-buf" | "opaque-fd", plan?: ImportPlan): string {
  using frame = importDmabuf(ctx, frameDesc, { handleType, plan });
  using conv = new Converter(ctx);
  const { rgba } = conv.toRgba(frame, color);
  using _ = rgba;
  return createHash("sha256").update(readBack(ctx, rgba)).digest("hex").slice(0, 16);
}

for (const c of CONFIGS) {
  test(`${c.name}: the same bytes through every import kind this device has`, () => {
    const bytes = frameBytes(c.p010);
    const digests: Record<string, string> = {};
    if (ctx.importCaps("dma-buf").dmaBuf) {
      const m = makeMemfd(Math.ceil(bytes.length / 4096) * 4096);
      m.bytes.set(bytes);
      digests["dma-buf buffer"] = digestOf(describeAs(m.fd, m.size, c.p010), c.color, "dma-buf");
      m.close();
    }
    if (ctx.has("VK_KHR_external_memory_fd") && ctx.dev.vkGetMemoryFdKHR) {
      const mem = exportOpaqueFd(ctx, bytes);
      const desc = describeAs(mem.fd, mem.size, c.p010);
      digests["opaque-fd buffer"] = digestOf(desc, c.color, "opaque-fd", { kind: "buffer", pixelFormat: c.p010 ? "P010" : "NV12", planes: desc.layers[0]!.planes });
      const caps = ctx.importCaps("opaque-fd");
      const vkFormat = c.p010 ? "G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16" : "G8_B8R8_2PLANE_420_UNORM";
      if ((caps.modifiers[vkFormat] ?? []).includes(0n)) digests["opaque-fd image"] = digestOf(desc, c.color, "opaque-fd");
      closeSync(mem.fd);
      mem.free();
    }
    console.log(`${c.name} on ${ctx.info.name}: ${JSON.stringify(digests)}`);
    const values = Object.values(digests);
    expect(values.length).toBeGreaterThan(0);
    expect(new Set(values).size).toBe(1);
    expect(values[0]).toBe(c.digest);
    ctx.checkValidation();
  });
}
