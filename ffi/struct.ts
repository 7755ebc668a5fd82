// One description per C struct, used both to write and to read it. Offsets follow the
// x86-64 / aarch64 LP64 C rules (natural alignment), and test/layout.test.ts checks every
// layout against offsetof() from the real headers.
import { ptr as bunPtr, type Pointer } from "bun:ffi";

export type Scalar = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "u64" | "i64" | "f32" | "f64" | "ptr";
/** Any struct layout, as a field type (its own field names and values do not matter there). */
type AnyLayout = StructLayout<string, unknown>;
export type FieldType = Scalar | { array: Scalar | AnyLayout; count: number } | AnyLayout;

/** What reading a field of type T gives: 64-bit integers as bigint, other scalars (pointers too) as numbers. */
export type ValueOf<T> = T extends "u64" | "i64"
  ? bigint
  : T extends Scalar
    ? number
    : T extends { array: infer E; count: number }
      ? ValueOf<E>[]
      : T extends StructLayout<string, infer V>
        ? V
        : never;

/** A struct's field values, by name, from its fields tuple. */
type ValuesOf<Fs extends readonly (readonly [string, FieldType])[]> = { [E in Fs[number] as E[0]]: ValueOf<E[1]> };

const scalarSize: Record<Scalar, number> = {
  u8: 1,
  i8: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  u64: 8,
  i64: 8,
  f32: 4,
  f64: 8,
  ptr: 8,
};

export type FieldInfo = { name: string; type: FieldType; offset: number; size: number; align: number };

export interface StructLayout<F extends string, V = Record<F, unknown>> {
  /** Type only: what reading the struct gives (see ValueOf). */
  readonly __values?: V;
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly fields: Record<F, FieldInfo>;
  readonly offsets: Record<F, number>;
}

function sizeAlign(t: FieldType): [number, number] {
  if (typeof t === "string") return [scalarSize[t], scalarSize[t]];
  if ("array" in t) {
    const [s, a] = sizeAlign(t.array);
    return [s * t.count, a];
  }
  return [t.size, t.align];
}

/** Describe a C struct by its fields in declaration order. */
export function struct<const Fs extends readonly (readonly [string, FieldType])[]>(
  name: string,
  fields: Fs,
): StructLayout<Fs[number][0], ValuesOf<Fs>> {
  type F = Fs[number][0];
  let offset = 0;
  let maxAlign = 1;
  const out = {} as Record<F, FieldInfo>;
  const offsets = {} as Record<F, number>;
  for (const [fname, type] of fields as readonly (readonly [F, FieldType])[]) {
    const [size, align] = sizeAlign(type);
    offset = Math.ceil(offset / align) * align;
    out[fname] = { name: fname, type, offset, size, align };
    offsets[fname] = offset;
    offset += size;
    maxAlign = Math.max(maxAlign, align);
  }
  return { name, size: Math.ceil(offset / maxAlign) * maxAlign, align: maxAlign, fields: out, offsets };
}

export type Value = number | bigint | Pointer | null | ArrayBufferView | Value[] | { [k: string]: Value };

function writeScalar(dv: DataView, off: number, t: Scalar, v: Value): void {
  switch (t) {
    case "u8":
      dv.setUint8(off, Number(v));
      return;
    case "i8":
      dv.setInt8(off, Number(v));
      return;
    case "u16":
      dv.setUint16(off, Number(v), true);
      return;
    case "i16":
      dv.setInt16(off, Number(v), true);
      return;
    case "u32":
      dv.setUint32(off, Number(v) >>> 0, true);
      return;
    case "i32":
      dv.setInt32(off, Number(v), true);
      return;
    case "u64":
      dv.setBigUint64(off, BigInt(v as number | bigint), true);
      return;
    case "i64":
      dv.setBigInt64(off, BigInt(v as number | bigint), true);
      return;
    case "f32":
      dv.setFloat32(off, Number(v), true);
      return;
    case "f64":
      dv.setFloat64(off, Number(v), true);
      return;
    case "ptr": {
      // A typed array given for a pointer field means "point at its bytes"; the caller keeps it alive.
      const p = v == null ? 0 : ArrayBuffer.isView(v) ? bunPtr(v as DataView) : Number(v);
      dv.setBigUint64(off, BigInt(p), true);
      return;
    }
  }
}

function readScalar(dv: DataView, off: number, t: Scalar): number | bigint {
  switch (t) {
    case "u8":
      return dv.getUint8(off);
    case "i8":
      return dv.getInt8(off);
    case "u16":
      return dv.getUint16(off, true);
    case "i16":
      return dv.getInt16(off, true);
    case "u32":
      return dv.getUint32(off, true);
    case "i32":
      return dv.getInt32(off, true);
    case "u64":
      return dv.getBigUint64(off, true);
    case "i64":
      return dv.getBigInt64(off, true);
    case "f32":
      return dv.getFloat32(off, true);
    case "f64":
      return dv.getFloat64(off, true);
    case "ptr":
      return Number(dv.getBigUint64(off, true));
  }
}

function writeField(dv: DataView, base: number, t: FieldType, v: Value): void {
  if (typeof t === "string") {
    writeScalar(dv, base, t, v);
    return;
  }
  if ("array" in t) {
    const [es] = sizeAlign(t.array);
    (v as Value[]).forEach((item, i) => {
      writeField(dv, base + i * es, t.array, item);
    });
    return;
  }
  writeInto(t, dv, v as Record<string, Value>, base);
}

function readField(dv: DataView, base: number, t: FieldType): unknown {
  if (typeof t === "string") return readScalar(dv, base, t);
  if ("array" in t) {
    const [es] = sizeAlign(t.array);
    return Array.from({ length: t.count }, (_, i) => readField(dv, base + i * es, t.array));
  }
  return readFrom(t, dv, base);
}

/** Write the given fields (others untouched) of `layout` at `base` in `dv`. */
export function writeInto<F extends string, V>(
  layout: StructLayout<F, V>,
  dv: DataView,
  values: Partial<Record<F, Value>>,
  base = 0,
): void {
  for (const k in values) {
    const f = layout.fields[k as F];
    if (!f) throw new TypeError(`${layout.name} has no field ${k}`);
    const v = values[k as F];
    if (v !== undefined) writeField(dv, base + f.offset, f.type, v);
  }
}

/** Read every field of `layout` at `base` in `dv`. */
export function readFrom<F extends string, V>(layout: StructLayout<F, V>, dv: DataView, base = 0): V {
  const out = {} as Record<F, unknown>;
  for (const k in layout.fields) out[k] = readField(dv, base + layout.fields[k].offset, layout.fields[k].type);
  return out as V;
}

/** A zeroed buffer holding one struct with the given fields set. */
export function pack<F extends string, V>(layout: StructLayout<F, V>, values: Partial<Record<F, Value>> = {}): Buffer {
  const buf = Buffer.alloc(layout.size);
  writeInto(layout, new DataView(buf.buffer, buf.byteOffset, buf.byteLength), values);
  return buf;
}

/** A zeroed array of `count` structs, each set from `items[i]`. */
export function packArray<F extends string, V>(layout: StructLayout<F, V>, items: Partial<Record<F, Value>>[]): Buffer {
  const buf = Buffer.alloc(Math.max(1, items.length) * layout.size);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  items.forEach((it, i) => {
    writeInto(layout, dv, it, i * layout.size);
  });
  return buf;
}

export function unpack<F extends string, V>(layout: StructLayout<F, V>, buf: Uint8Array, index = 0): V {
  return readFrom(layout, new DataView(buf.buffer, buf.byteOffset, buf.byteLength), index * layout.size);
}

/** Read one field of the struct at `buf` (a hot path that needs two fields of a large struct). */
export function unpackField<F extends string, V extends Record<F, unknown>, K extends F>(
  layout: StructLayout<F, V>,
  buf: Uint8Array,
  field: K,
): V[K] {
  const f = layout.fields[field];
  return readField(new DataView(buf.buffer, buf.byteOffset, buf.byteLength), f.offset, f.type) as V[K];
}

/** A field layout known only by offset (libav structs change between major versions). */
export type PartialLayout<F extends string> = { readonly name: string; readonly offsets: Record<F, number> };

/** Read a NUL-terminated char array field. */
export function cString(bytes: number[] | Uint8Array): string {
  const arr = Uint8Array.from(bytes as ArrayLike<number>);
  const end = arr.indexOf(0);
  return new TextDecoder().decode(end < 0 ? arr : arr.subarray(0, end));
}
