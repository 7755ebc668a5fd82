// A software frame's planes read back from its memfd, for comparing with ffmpeg's rawvideo output.
import { type FrameDescriptor, PIXEL_FORMATS, pixelFormatOf } from "vaapi-vk";

/** The frame's planes, tightly packed (as ffmpeg's rawvideo writes them), read from its memfd. */
export function packedPlanes(d: FrameDescriptor): Buffer {
  const mem = Bun.mmap(`/proc/self/fd/${d.objects[0]!.fd}`, { shared: true });
  const geometry = PIXEL_FORMATS[pixelFormatOf(d)].planes;
  const parts: Buffer[] = [];
  d.layers[0]!.planes.forEach((p, i) => {
    const g = geometry[i]!;
    const rowBytes = Math.ceil(d.width / g.widthDiv) * g.bytesPerElement;
    for (let y = 0; y < Math.ceil(d.height / g.heightDiv); y++)
      parts.push(Buffer.from(mem.subarray(p.offset + y * p.pitch, p.offset + y * p.pitch + rowBytes)));
  });
  return Buffer.concat(parts);
}
