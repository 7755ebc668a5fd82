// bun run examples/symbol_stream.ts <video> [--block 16] [--planes 4] [--channels 1] [--triadic] [--frames N]
// Allocates the symbol-stream SSBOs (contract: lib/symbols.ts), runs the zero-writer kernel, reads
// back and validates; with --triadic, encodes each frame's luma residual against the previous
// frame into trit planes on the GPU, checks it against the CPU reference encoder, rebuilds the luma
// with the CPU decoder, and prints per-frame statistics.
import { parseArgs } from "node:util";
import { z } from "zod";
import { decodeFrameCpu, encodeFrameCpu, readFrame, readLuma, runCli, streamStats, SymbolEncoder, Video, type LumaFrame } from "vaapi-vk";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    block: { type: "string", default: "16" },
    planes: { type: "string", default: "4" },
    channels: { type: "string", default: "1" },
    frames: { type: "string", default: "30" },
    triadic: { type: "boolean", default: false },
  },
});

await runCli(() => {
  const a = z.object({
    video: z.string({ error: "usage: bun run examples/symbol_stream.ts <video> --block 16 --planes 4 --channels 1 [--triadic]" }),
    block: z.coerce.number().int(), planes: z.coerce.number().int(), channels: z.coerce.number().int(), frames: z.coerce.number().int().positive(),
  }).parse({ video: positionals[0], ...values });
  using video = Video.open(a.video);
  const options = { width: video.info.width, height: video.info.height, block: a.block, planes: a.planes, channels: a.channels };
  using enc = new SymbolEncoder(video.ctx, options);
  enc.writeZero(0);
  const zero = readFrame(enc.read());
  console.log(`zero-writer: ${zero.header.width}x${zero.header.height}, ${zero.actions.length} blocks of ${a.block}, ${a.planes} trit planes of ${zero.header.bytesPerPlane} bytes: valid, all SKIP`);
  if (!values.triadic) return;
  let prev: LumaFrame | undefined, prevBytes: Uint8Array | null = null;
  console.log("frame  SKIP%   clamped   digits -1 / 0 / +1          stream bytes  raw luma  ratio  GPU==CPU  rebuilt");
  try {
    for (let f = video.next(); f && f.index < a.frames; f = video.next()) {
      using frame = f;
      const luma = video.luma.toLuma(video.importFrame(frame).imported);
      const bytes = readLuma(video.ctx, luma);
      enc.encode(luma, prev ?? null, frame.index);
      const stream = enc.read();
      const s = streamStats(stream);
      const cpu = encodeFrameCpu(options, bytes, prevBytes, frame.index);
      const equal = Buffer.from(stream.trits).equals(Buffer.from(cpu.trits)) && Buffer.from(stream.blocks).equals(Buffer.from(cpu.blocks)) && Buffer.from(stream.header).equals(Buffer.from(cpu.header));
      const rebuilt = decodeFrameCpu(stream, prevBytes);
      const exact = rebuilt.reduce((n, v, i) => n + (v === bytes[i] ? 1 : 0), 0);
      console.log(`${String(frame.index).padStart(5)}  ${(s.skipRatio * 100).toFixed(1).padStart(5)}  ${String(s.clampedPixels).padStart(8)}   ${`${s.histogram.minus} / ${s.histogram.zero} / ${s.histogram.plus}`.padEnd(26)} ${String(s.bytes).padStart(12)}  ${String(s.rawLumaBytes).padStart(8)}  ${(s.bytes / s.rawLumaBytes).toFixed(2).padStart(5)}  ${equal ? "yes" : "NO"}       ${exact}/${bytes.length} exact`);
      prev?.buffer[Symbol.dispose]();
      prev = luma;
      prevBytes = bytes;
    }
  } finally {
    prev?.buffer[Symbol.dispose]();
  }
});
