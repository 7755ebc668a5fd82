// The DRM PRIME frame description every source produces and every import consumes.
import { z } from "zod";
import { InvalidArgumentError } from "./errors";
import { fourccName, modifierName } from "./formats";

const int = z.number().int();
const num = z.number();

// The shape is checked here; whether the numbers make a valid frame (whole, in range) is
// planImport's job (BAD_LAYOUT, with what is wrong).
export const DrmPlaneSchema = z.object({ object: num, offset: num, pitch: num });
export const DrmObjectSchema = z.object({ fd: num, size: num, modifier: z.bigint() });
export const DrmLayerSchema = z.object({ fourcc: int.nonnegative(), planes: z.array(DrmPlaneSchema) });

export const DrmFrameDescriptorSchema = z.object({
  width: num,
  height: num,
  objects: z.array(DrmObjectSchema),
  layers: z.array(DrmLayerSchema),
});

export type DrmFrameDescriptor = z.infer<typeof DrmFrameDescriptorSchema>;

export const ColorInfoSchema = z.object({
  /** AVColorSpace: 1 BT.709, 5/6 BT.601, 9/10 BT.2020, 2 unspecified. */
  colorspace: int.default(2),
  /** AVColorRange: 1 limited (MPEG), 2 full (JPEG), 0 unspecified. */
  colorRange: int.default(0),
  colorPrimaries: int.default(2),
  colorTrc: int.default(2),
  /** AVChromaLocation: 1 left (MPEG-2/H.264 default), 2 center, 3 top-left. */
  chromaLocation: int.default(0),
});
export type ColorInfo = z.infer<typeof ColorInfoSchema>;

/** A descriptor plus what a source knows about the frame. */
export type FrameDescriptor = DrmFrameDescriptor & { color: ColorInfo; pts?: bigint | undefined };

export function parseDescriptor(desc: unknown): DrmFrameDescriptor {
  const r = DrmFrameDescriptorSchema.safeParse(desc);
  if (!r.success) throw new InvalidArgumentError("DRM frame descriptor", z.prettifyError(r.error));
  return r.data;
}

/** One line per object and plane, for --debug and error messages. */
export function describeDescriptor(d: DrmFrameDescriptor): string {
  const objects = d.objects.map(
    (o, i) => `  object ${i}: fd ${o.fd}, ${o.size} bytes, modifier ${modifierName(o.modifier)}`,
  );
  const layers = d.layers.map((l, i) =>
    [
      `  layer ${i}: ${fourccName(l.fourcc)}, ${l.planes.length} plane(s)`,
      ...l.planes.map((p, j) => `    plane ${j}: object ${p.object}, offset ${p.offset}, pitch ${p.pitch}`),
    ].join("\n"),
  );
  return [`${d.width}x${d.height}`, ...objects, ...layers].join("\n");
}
