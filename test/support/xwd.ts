// Reading an X window dump (xwd's format, XWDFile.h): a big-endian header of 25 CARD32s, the
// window's name, the colormap, then the pixels. The 24- and 32-bit TrueColor dumps Xvfb makes.
export function readXwd(file: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const field = (i: number) => view.getUint32(i * 4, false);
  const [headerSize, , , , width, height] = [0, 1, 2, 3, 4, 5].map(field) as number[];
  const byteOrder = field(7),
    bitsPerPixel = field(11),
    bytesPerLine = field(12);
  const [redMask, greenMask, blueMask] = [14, 15, 16].map(field) as number[];
  const colors = field(19);
  if (bitsPerPixel !== 32 && bitsPerPixel !== 24)
    throw new Error(`xwd: ${bitsPerPixel} bits a pixel; 24 and 32 are read`);
  const bytes = bitsPerPixel / 8;
  const pixels = headerSize! + colors * 12;
  const shift = (mask: number) => 31 - Math.clz32(mask & -mask);
  const rgba = new Uint8Array(width! * height! * 4);
  for (let y = 0; y < height!; y++)
    for (let x = 0; x < width!; x++) {
      const at = pixels + y * bytesPerLine + x * bytes;
      const v =
        bytes === 4
          ? view.getUint32(at, byteOrder === 0)
          : byteOrder === 0
            ? file[at]! | (file[at + 1]! << 8) | (file[at + 2]! << 16)
            : (file[at]! << 16) | (file[at + 1]! << 8) | file[at + 2]!;
      rgba.set(
        [
          (v & redMask!) >>> shift(redMask!),
          (v & greenMask!) >>> shift(greenMask!),
          (v & blueMask!) >>> shift(blueMask!),
          255,
        ],
        (y * width! + x) * 4,
      );
    }
  return { width: width!, height: height!, rgba };
}
