// bun run examples/symbol_stream.ts <video> [flags]   (--help lists them)
// Allocates the symbol-stream SSBOs (contract: lib/symbols.ts), runs the zero-writer kernel, reads
// back and validates; with --triadic, encodes each frame's luma residual against the previous
// frame into trit planes on the GPU, checks it against the CPU reference encoder, rebuilds the luma
// with the CPU decoder, and prints per-frame statistics.
import {
  decodeFrameCpu,
  encodeFrameCpu,
  type LumaFrame,
  readFrame,
  readLuma,
  SymbolEncoder,
  streamStats,
  Video,
} from "vaapi-vk";
import { type CliFlag, type CliSpec, cliInt, cliUsageError, parseCli, runCli } from "vaapi-vk/internals";

const spec = {
  command: "examples/symbol_stream.ts",
  positionals: "<video>",
  summary:
    "Allocate the symbol-stream buffers, run the zero-writer kernel and validate; with --triadic, encode each frame's luma on the GPU and check it against the CPU.",
  flags: {
    block: { type: "string", value: "B", help: "block size in pixels", default: "16" },
    planes: { type: "string", value: "P", help: "trit planes (digits of each residual)", default: "4" },
    channels: {
      type: "string",
      value: "C",
      help: "1 luma (2 and 3 add chroma: refused until implemented)",
      default: "1",
    },
    frames: { type: "string", value: "N", help: "frames to encode with --triadic", default: "30" },
    triadic: { type: "boolean", help: "encode frames on the GPU and check them against the CPU encoder" },
  },
} satisfies CliSpec<Record<string, CliFlag>>;
const { values, positionals } = parseCli(spec);

await runCli(() => {
  if (positionals.length !== 1) cliUsageError(spec, "give one video");
  const a = {
    video: positionals[0]!,
    block: cliInt(spec, "block", values.block, 1),
    planes: cliInt(spec, "planes", values.planes, 1),
    channels: cliInt(spec, "channels", values.channels, 1, 3),
    frames: cliInt(spec, "frames", values.frames, 1),
  };
  using video = Video.open(a.video);
  const options = {
    width: video.info.width,
    height: video.info.height,
    block: a.block,
    planes: a.planes,
    channels: a.channels,
  };
  using enc = new SymbolEncoder(video.ctx, options);
  enc.writeZero(0);
  const zero = readFrame(enc.read());
  console.log(
    `zero-writer: ${zero.header.width}x${zero.header.height}, ${zero.actions.length} blocks of ${a.block}, ${a.planes} trit planes of ${zero.header.bytesPerPlane} bytes: valid, all SKIP`,
  );
  if (!values.triadic) return;
  let prev: LumaFrame | undefined,
    prevBytes: Uint8Array | null = null;
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
      const equal =
        Buffer.from(stream.trits).equals(Buffer.from(cpu.trits)) &&
        Buffer.from(stream.blocks).equals(Buffer.from(cpu.blocks)) &&
        Buffer.from(stream.header).equals(Buffer.from(cpu.header));
      const rebuilt = decodeFrameCpu(stream, prevBytes);
      const exact = rebuilt.reduce((n, v, i) => n + (v === bytes[i] ? 1 : 0), 0);
      console.log(
        `${String(frame.index).padStart(5)}  ${(s.skipRatio * 100).toFixed(1).padStart(5)}  ${String(s.clampedPixels).padStart(8)}   ${`${s.histogram.minus} / ${s.histogram.zero} / ${s.histogram.plus}`.padEnd(26)} ${String(s.bytes).padStart(12)}  ${String(s.rawLumaBytes).padStart(8)}  ${(s.bytes / s.rawLumaBytes).toFixed(2).padStart(5)}  ${equal ? "yes" : "NO"}       ${exact}/${bytes.length} exact`,
      );
      prev?.buffer[Symbol.dispose]();
      prev = luma;
      prevBytes = bytes;
    }
  } finally {
    prev?.buffer[Symbol.dispose]();
  }
});
