// The GPU conversion against libswscale's conversion of the same decoded frame, with the same
// matrix and range: at most 1 LSB apart on 8-bit output.
import { describe, expect } from "bun:test";
import { DRM_FORMAT, type FrameDescriptor, type Matrix, type PlanePlan, type Range, Video } from "vaapi-vk";
import { CLIPS, type ClipSpec, clip, clipsMissing } from "./support/clips";
import { libavMissing, requires } from "./support/gate";
import { makeMemfd } from "./support/memfd";
import { maxAbsDiff } from "./support/reference";
import { swscaleRgba } from "./support/swscale";

const withSource = requires(libavMissing() ?? clipsMissing());

describe("NV12/YUV420/10-bit -> RGBA with nearest chroma matches libswscale's point scaler", () => {
  const cases: [string, ClipSpec, string, Matrix, Range, number][] = [
    ["8-bit, BT.601 by default below 720 lines, limited", CLIPS.h264, "yuv420p", "BT.601", "limited", 8],
    ["8-bit, BT.709 tagged", CLIPS.bt709, "yuv420p", "BT.709", "limited", 8],
    ["8-bit, full range", CLIPS.fullRange, "yuvj420p", "BT.601", "full", 8],
    ["8-bit, odd size 333x199", CLIPS.odd, "yuv420p", "BT.601", "limited", 8],
    ["10-bit HEVC Main10, limited", CLIPS.hevc10, "yuv420p10le", "BT.601", "limited", 10],
    ["10-bit, BT.2020 tagged", CLIPS.bt2020, "yuv420p10le", "BT.2020", "limited", 10],
    ["10-bit, odd size 161x91", CLIPS.odd10, "yuv420p10le", "BT.601", "limited", 10],
    ["10-bit, full range", CLIPS.fullRange10, "yuv420p10le", "BT.601", "full", 10],
  ];
  for (const [name, spec, pixFmt, matrix, range, bitDepth] of cases) {
    withSource(name, () => {
      using video = Video.open(clip(spec), { source: "software", chroma: "nearest", validation: true });
      for (let f = video.next(); f; f = video.next()) {
        using frame = f;
        const d = frame.descriptor;
        const { rgba, conversion, stats, importKind } = video.toRgba(frame);
        using _ = rgba;
        expect(conversion).toEqual({
          matrix,
          range,
          bitDepth,
          chroma: "nearest",
          siting: conversion.siting,
          dispatch: conversion.dispatch,
        });
        expect(stats.cpuBytesCopied).toBe(0);
        expect(importKind).toBe("buffer");
        const gpu = video.readRgba(rgba);
        const mem = Bun.mmap(`/proc/self/fd/${d.objects[0]!.fd}`, { shared: true });
        const planes = d.layers[0]!.planes;
        const ref = swscaleRgba(
          { planes: planes.map((p) => mem.subarray(p.offset)), strides: planes.map((p) => p.pitch) },
          d.width,
          d.height,
          pixFmt,
          matrix,
          range,
        );
        const { max, mean } = maxAbsDiff(gpu, ref);
        expect(max).toBeLessThanOrEqual(1);
        expect(mean).toBeLessThan(0.5);
      }
      video.ctx.checkValidation();
    });
  }
});

describe("NV12 and P010 layouts (as VAAPI exports them) match libswscale", () => {
  // Re-pack a decoded 3-plane frame into a semi-planar memfd (what a VA surface looks like), import
  // it as a dma_buf and convert it; libswscale converts the original planes.
  for (const [name, spec, pixFmt, bitDepth] of [
    ["NV12 from 8-bit, odd size", CLIPS.odd, "yuv420p", 8],
    ["P010 from 10-bit", CLIPS.hevc10, "yuv420p10le", 10],
  ] as const) {
    withSource(name, () => {
      using video = Video.open(clip(spec), { source: "software", chroma: "nearest", validation: true });
      using frame = video.seekFrame(1);
      const d = frame.descriptor;
      const src = Bun.mmap(`/proc/self/fd/${d.objects[0]!.fd}`, { shared: true });
      const [py, pu, pv] = d.layers[0]!.planes as [PlanePlan, PlanePlan, PlanePlan];
      const bps = bitDepth === 8 ? 1 : 2;
      const cw = Math.ceil(d.width / 2),
        ch = Math.ceil(d.height / 2);
      const pitch = Math.ceil(((d.width + 1) * bps) / 256) * 256;
      const size = Math.ceil((pitch * d.height + pitch * ch) / 4096) * 4096;
      const m = makeMemfd(size);
      const rd = (plane: PlanePlan, x: number, y: number) =>
        bps === 1
          ? src[plane.offset + y * plane.pitch + x]!
          : src[plane.offset + y * plane.pitch + 2 * x]! | (src[plane.offset + y * plane.pitch + 2 * x + 1]! << 8);
      const wr = (at: number, v: number) => {
        if (bps === 1) m.bytes[at] = v;
        else {
          const s = v << 6;
          m.bytes[at] = s & 0xff;
          m.bytes[at + 1] = s >> 8;
        }
      };
      for (let y = 0; y < d.height; y++) for (let x = 0; x < d.width; x++) wr(y * pitch + x * bps, rd(py, x, y));
      for (let y = 0; y < ch; y++)
        for (let x = 0; x < cw; x++) {
          wr(pitch * d.height + y * pitch + 2 * x * bps, rd(pu, x, y));
          wr(pitch * d.height + y * pitch + (2 * x + 1) * bps, rd(pv, x, y));
        }
      const semi: FrameDescriptor = {
        width: d.width,
        height: d.height,
        color: d.color,
        objects: [{ fd: m.fd, size, modifier: 0n }],
        layers: [
          {
            fourcc: bitDepth === 8 ? DRM_FORMAT.NV12 : DRM_FORMAT.P010,
            planes: [
              { object: 0, offset: 0, pitch },
              { object: 0, offset: pitch * d.height, pitch },
            ],
          },
        ],
      };
      const { imported } = video.importFrame(semi);
      expect(imported.pixelFormat).toBe(bitDepth === 8 ? "NV12" : "P010");
      const { rgba, info } = video.converter.toRgba(imported, semi.color);
      using _ = rgba;
      const ref = swscaleRgba(
        { planes: [py, pu, pv].map((p) => src.subarray(p.offset)), strides: [py.pitch, pu.pitch, pv.pitch] },
        d.width,
        d.height,
        pixFmt,
        info.matrix,
        info.range,
      );
      expect(maxAbsDiff(video.readRgba(rgba), ref).max).toBeLessThanOrEqual(1);
      m.close();
      video.ctx.checkValidation();
    });
  }
});

describe("RGBA16 output for 10-bit sources", () => {
  withSource("within one 8-bit step of libswscale's rgba64le, and its high bytes within 1 of RGBA8", () => {
    using video = Video.open(clip(CLIPS.hevc10), { source: "software", chroma: "nearest", validation: true });
    using frame = video.seekFrame(1);
    const d = frame.descriptor;
    const wide = video.toRgba(frame, undefined, "rgba16");
    using _w = wide.rgba;
    const narrow = video.toRgba(frame);
    using _n = narrow.rgba;
    const rgba16 = new Uint16Array(video.readRgba(wide.rgba).slice().buffer);
    const rgba8 = video.readRgba(narrow.rgba);
    const mem = Bun.mmap(`/proc/self/fd/${d.objects[0]!.fd}`, { shared: true });
    const planes = d.layers[0]!.planes;
    const ref = new Uint16Array(
      swscaleRgba(
        { planes: planes.map((p) => mem.subarray(p.offset)), strides: planes.map((p) => p.pitch) },
        d.width,
        d.height,
        "yuv420p10le",
        "BT.601",
        "limited",
        "rgba64le",
      ).slice().buffer,
    );
    let maxRef = 0,
      maxSelf = 0;
    for (let i = 0; i < rgba16.length; i++) {
      maxRef = Math.max(maxRef, Math.abs(rgba16[i]! - ref[i]!));
      maxSelf = Math.max(maxSelf, Math.abs((rgba16[i]! >> 8) - rgba8[i]!));
    }
    expect(maxRef).toBeLessThanOrEqual(256);
    expect(maxSelf).toBeLessThanOrEqual(1);
    video.ctx.checkValidation();
  });
});
