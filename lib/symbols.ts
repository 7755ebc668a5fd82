// The symbol stream contract: what the GPU writes into three SSBOs per frame, and the CPU side
// that writes (reference encoder), reads (validating every field) and decodes it.
//
// For a frame of W x H 8-bit luma with options block (B), planes (P) and channels (C):
//   header  StreamHeader (16 u32): magic 'TRIT', version 1, sizes, and per-frame counters.
//   blocks  one BlockEntry (4 u32) per BxB block, row-major over ceil(W/B) x ceil(H/B) blocks:
//           action (0 SKIP: every residual in the block is zero; 1 CODE), the number of pixels whose
//           residual was clamped, the largest |residual| before clamping, and the number of nonzero
//           digits the block carries over all planes.
//   trits   P planes, each ceil(W*H/5) bytes rounded up to whole u32 words: plane k holds digit k of
//           every pixel's balanced-ternary residual, pixel p = y*W + x at byte p/5, position p%5,
//           as t = digit + 1 in {0, 1, 2}, byte = sum of t_i * 3^i (so 0..242; 3^5 = 243 fits a byte).
//           Padding trits after the last pixel are 1 (digit 0).
// residual = luma[n] - luma[n-1] (luma[-1] = 0), clamped to +-(3^P - 1)/2, the range P digits hold.
// channels: 1 = luma only (implemented). 2 would add one chroma section (Cb) and 3 two (Cb, Cr),
// each at the chroma resolution (ceil(W/2) x ceil(H/2)) with its own blocks and trit planes
// following the luma ones in the same buffers; readers refuse them today.
import { struct, unpack } from "../ffi/struct";
import { VaapiVkError } from "./errors";

export const STREAM_MAGIC = 0x54495254; // 'TRIT' little endian
export const STREAM_VERSION = 1;
export const ACTION_SKIP = 0;
export const ACTION_CODE = 1;

export const StreamHeader = struct("StreamHeader", [
  ["magic", "u32"],
  ["version", "u32"],
  ["width", "u32"],
  ["height", "u32"],
  ["block", "u32"],
  ["planes", "u32"],
  ["channels", "u32"],
  ["blocksX", "u32"],
  ["blocksY", "u32"],
  ["bytesPerPlane", "u32"],
  ["frameIndex", "u32"],
  ["codeBlocks", "u32"],
  ["clampedPixels", "u32"],
  ["nonzeroDigits", "u32"],
  ["reserved0", "u32"],
  ["reserved1", "u32"],
]);
export const BlockEntry = struct("BlockEntry", [
  ["action", "u32"],
  ["clamped", "u32"],
  ["maxAbs", "u32"],
  ["nonzeroDigits", "u32"],
]);

export type StreamOptions = { width: number; height: number; block: number; planes: number; channels: number };

export class SymbolStreamError extends VaapiVkError {
  constructor(message: string) {
    super("BAD_SYMBOL_STREAM", message);
  }
}

export function streamGeometry(o: StreamOptions) {
  if (o.channels !== 1)
    throw new SymbolStreamError(
      `channels ${o.channels}: only 1 (luma) is implemented; 2 and 3 are defined in lib/symbols.ts for later`,
    );
  if (!Number.isInteger(o.block) || o.block < 4 || o.block > 64)
    throw new SymbolStreamError(`block ${o.block}: use 4 to 64`);
  if (!Number.isInteger(o.planes) || o.planes < 1 || o.planes > 5)
    throw new SymbolStreamError(`planes ${o.planes}: use 1 to 5 (5 digits hold +-121)`);
  const pixels = o.width * o.height;
  const bytesPerPlane = Math.ceil(Math.ceil(pixels / 5) / 4) * 4;
  const blocksX = Math.ceil(o.width / o.block),
    blocksY = Math.ceil(o.height / o.block);
  return {
    pixels,
    bytesPerPlane,
    blocksX,
    blocksY,
    blockCount: blocksX * blocksY,
    maxResidual: (3 ** o.planes - 1) / 2,
  };
}

export type SymbolFrame = { header: Uint8Array; blocks: Uint8Array; trits: Uint8Array };

/** The CPU reference encoder: the same stream the GPU writes, bit for bit. `previous` null = frame 0. */
export function encodeFrameCpu(
  o: StreamOptions,
  luma: Uint8Array,
  previous: Uint8Array | null,
  frameIndex: number,
): SymbolFrame {
  const g = streamGeometry(o);
  const trits = new Uint8Array(g.bytesPerPlane * o.planes);
  const tritsOf = new Int8Array(g.pixels * o.planes);
  const blocks = new Uint32Array(g.blockCount * 4);
  let clampedPixels = 0,
    nonzeroDigits = 0;
  for (let p = 0; p < g.pixels; p++) {
    const raw = luma[p]! - (previous ? previous[p]! : 0);
    const r = Math.max(-g.maxResidual, Math.min(g.maxResidual, raw));
    const clamped = r !== raw ? 1 : 0;
    clampedPixels += clamped;
    let v = r,
      nz = 0;
    for (let k = 0; k < o.planes; k++) {
      let d = ((v % 3) + 3) % 3;
      if (d === 2) d = -1;
      v = (v - d) / 3;
      tritsOf[p * o.planes + k] = d;
      if (d !== 0) nz++;
    }
    nonzeroDigits += nz;
    const b = Math.floor(Math.floor(p / o.width) / o.block) * g.blocksX + Math.floor((p % o.width) / o.block);
    if (raw !== 0) blocks[b * 4] = ACTION_CODE;
    blocks[b * 4 + 1]! += clamped;
    blocks[b * 4 + 2] = Math.max(blocks[b * 4 + 2]!, Math.abs(raw));
    blocks[b * 4 + 3]! += nz;
  }
  for (let k = 0; k < o.planes; k++) {
    for (let byte = 0; byte < g.bytesPerPlane; byte++) {
      let value = 0;
      for (let i = 4; i >= 0; i--) {
        const p = byte * 5 + i;
        value = value * 3 + (p < g.pixels ? tritsOf[p * o.planes + k]! + 1 : 1);
      }
      trits[k * g.bytesPerPlane + byte] = value;
    }
  }
  let codeBlocks = 0;
  for (let b = 0; b < g.blockCount; b++) codeBlocks += blocks[b * 4]!;
  const header = new Uint32Array([
    STREAM_MAGIC,
    STREAM_VERSION,
    o.width,
    o.height,
    o.block,
    o.planes,
    o.channels,
    g.blocksX,
    g.blocksY,
    g.bytesPerPlane,
    frameIndex,
    codeBlocks,
    clampedPixels,
    nonzeroDigits,
    0,
    0,
  ]);
  return { header: new Uint8Array(header.buffer), blocks: new Uint8Array(blocks.buffer), trits };
}

/** Validate every field of a frame's stream; returns its header and per-plane digits. */
export function readFrame(frame: SymbolFrame): {
  header: Record<keyof typeof StreamHeader.fields, number>;
  digits: Int8Array[];
  actions: Uint8Array;
} {
  if (frame.header.byteLength < StreamHeader.size)
    throw new SymbolStreamError(`header is ${frame.header.byteLength} bytes, expected ${StreamHeader.size}`);
  const h = unpack(StreamHeader, frame.header) as Record<keyof typeof StreamHeader.fields, number>;
  if (h.magic !== STREAM_MAGIC) throw new SymbolStreamError(`bad magic 0x${h.magic.toString(16)}`);
  if (h.version !== STREAM_VERSION)
    throw new SymbolStreamError(`version ${h.version}, this reader knows ${STREAM_VERSION}`);
  if (!h.width || !h.height) throw new SymbolStreamError(`empty frame ${h.width}x${h.height}`);
  const g = streamGeometry({
    width: h.width,
    height: h.height,
    block: h.block,
    planes: h.planes,
    channels: h.channels,
  });
  if (h.blocksX !== g.blocksX || h.blocksY !== g.blocksY)
    throw new SymbolStreamError(
      `header says ${h.blocksX}x${h.blocksY} blocks, ${h.width}x${h.height} in ${h.block}-pixel blocks is ${g.blocksX}x${g.blocksY}`,
    );
  if (h.bytesPerPlane !== g.bytesPerPlane)
    throw new SymbolStreamError(`header says ${h.bytesPerPlane} bytes a plane, expected ${g.bytesPerPlane}`);
  if (frame.blocks.byteLength < g.blockCount * BlockEntry.size)
    throw new SymbolStreamError(
      `block buffer holds ${frame.blocks.byteLength} bytes, ${g.blockCount} blocks need ${g.blockCount * BlockEntry.size}`,
    );
  if (frame.trits.byteLength < g.bytesPerPlane * h.planes)
    throw new SymbolStreamError(
      `trit buffer holds ${frame.trits.byteLength} bytes, ${h.planes} planes need ${g.bytesPerPlane * h.planes}`,
    );
  const digits = Array.from({ length: h.planes }, () => new Int8Array(g.pixels));
  const nonzeroPerBlock = new Uint32Array(g.blockCount);
  let nonzero = 0;
  for (let k = 0; k < h.planes; k++) {
    for (let byte = 0; byte < g.bytesPerPlane; byte++) {
      let v = frame.trits[k * g.bytesPerPlane + byte]!;
      if (v > 242) throw new SymbolStreamError(`plane ${k} byte ${byte} is ${v}; five trits make at most 242`);
      for (let i = 0; i < 5; i++) {
        const t = v % 3;
        v = (v - t) / 3;
        const p = byte * 5 + i;
        if (p >= g.pixels) {
          if (t !== 1)
            throw new SymbolStreamError(`plane ${k} padding trit after pixel ${g.pixels} is ${t}, expected 1`);
          continue;
        }
        digits[k]![p] = t - 1;
        if (t !== 1) {
          nonzero++;
          nonzeroPerBlock[
            Math.floor(Math.floor(p / h.width) / h.block) * g.blocksX + Math.floor((p % h.width) / h.block)
          ]!++;
        }
      }
    }
  }
  const actions = new Uint8Array(g.blockCount);
  let code = 0,
    clamped = 0;
  for (let b = 0; b < g.blockCount; b++) {
    const e = unpack(BlockEntry, frame.blocks, b);
    if (e.action !== ACTION_SKIP && e.action !== ACTION_CODE)
      throw new SymbolStreamError(`block ${b} has action ${e.action}`);
    if (e.nonzeroDigits !== nonzeroPerBlock[b])
      throw new SymbolStreamError(
        `block ${b} says ${e.nonzeroDigits} nonzero digits, its trits hold ${nonzeroPerBlock[b]}`,
      );
    if (e.action === ACTION_SKIP && (e.nonzeroDigits || e.clamped || e.maxAbs))
      throw new SymbolStreamError(`block ${b} is SKIP but carries residuals`);
    if (e.clamped && e.maxAbs <= g.maxResidual)
      throw new SymbolStreamError(
        `block ${b} says ${e.clamped} pixels were clamped, but its largest residual ${e.maxAbs} fits`,
      );
    actions[b] = e.action;
    code += e.action;
    clamped += e.clamped;
  }
  if (h.codeBlocks !== code)
    throw new SymbolStreamError(`header counts ${h.codeBlocks} CODE blocks, the blocks say ${code}`);
  if (h.clampedPixels !== clamped)
    throw new SymbolStreamError(`header counts ${h.clampedPixels} clamped pixels, the blocks say ${clamped}`);
  if (h.nonzeroDigits !== nonzero)
    throw new SymbolStreamError(`header counts ${h.nonzeroDigits} nonzero digits, the trits hold ${nonzero}`);
  return { header: h, digits, actions };
}

/** Rebuild frame n's luma from frame n-1's (null for frame 0) and frame n's stream. */
export function decodeFrameCpu(frame: SymbolFrame, previous: Uint8Array | null): Uint8Array {
  const { header, digits } = readFrame(frame);
  const out = new Uint8Array(header.width * header.height);
  for (let p = 0; p < out.length; p++) {
    let r = 0;
    for (let k = digits.length - 1; k >= 0; k--) r = r * 3 + digits[k]![p]!;
    out[p] = Math.max(0, Math.min(255, (previous ? previous[p]! : 0) + r));
  }
  return out;
}

/** SKIP ratio, digit histogram and size of one frame's stream. */
export function streamStats(frame: SymbolFrame) {
  const { header, digits, actions } = readFrame(frame);
  const histogram = { minus: 0, zero: 0, plus: 0 };
  for (const plane of digits)
    for (const d of plane) d < 0 ? histogram.minus++ : d > 0 ? histogram.plus++ : histogram.zero++;
  const bytes = frame.header.byteLength + actions.length * BlockEntry.size + header.bytesPerPlane * header.planes;
  return {
    skipRatio: 1 - header.codeBlocks / actions.length,
    clampedPixels: header.clampedPixels,
    histogram,
    bytes,
    rawLumaBytes: header.width * header.height,
  };
}
