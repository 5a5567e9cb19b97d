// A fixed-layout C struct <-> JS object codec, declared field by field so the same
// declaration can be checked against the object's BTF (see btf-check.ts).

export type FieldKind = 'u8' | 'u16' | 'u32' | 'u64' | 'be16' | 'be32' | 'bytes' | 'u32[]';

export interface FieldSpec {
  /** Member name exactly as in the struct's bpf/include header. */
  name: string;
  offset: number;
  /** Bytes the member occupies. */
  size: number;
  kind: FieldKind;
}

export type FieldValue = number | bigint | Buffer | number[];

export interface StructCodec<T> {
  /** C type name, e.g. 'fp_route' (or 'u32' for a scalar key). */
  readonly cName: string;
  readonly size: number;
  readonly fields: readonly FieldSpec[];
  encode(value: T): Buffer;
  decode(buf: Buffer): T;
}

export function writeField(buf: Buffer, f: FieldSpec, v: FieldValue): void {
  switch (f.kind) {
    case 'u8':
      buf.writeUInt8(v as number, f.offset);
      return;
    case 'u16':
      buf.writeUInt16LE(v as number, f.offset);
      return;
    case 'u32':
      buf.writeUInt32LE(v as number, f.offset);
      return;
    case 'u64':
      buf.writeBigUInt64LE(BigInt(v as number | bigint), f.offset);
      return;
    case 'be16':
      buf.writeUInt16BE(v as number, f.offset);
      return;
    case 'be32':
      buf.writeUInt32BE(v as number, f.offset);
      return;
    case 'bytes': {
      const b = v as Buffer;
      if (b.length > f.size) throw new Error(`${f.name}: ${b.length} bytes do not fit in ${f.size}`);
      b.copy(buf, f.offset);
      return;
    }
    case 'u32[]':
      (v as number[]).forEach((x, i) => buf.writeUInt32LE(x, f.offset + 4 * i));
      return;
  }
}

export function readField(buf: Buffer, f: FieldSpec): FieldValue {
  switch (f.kind) {
    case 'u8':
      return buf.readUInt8(f.offset);
    case 'u16':
      return buf.readUInt16LE(f.offset);
    case 'u32':
      return buf.readUInt32LE(f.offset);
    case 'u64':
      return buf.readBigUInt64LE(f.offset);
    case 'be16':
      return buf.readUInt16BE(f.offset);
    case 'be32':
      return buf.readUInt32BE(f.offset);
    case 'bytes':
      return Buffer.from(buf.subarray(f.offset, f.offset + f.size));
    case 'u32[]': {
      const out: number[] = [];
      for (let i = 0; i < f.size / 4; i++) out.push(buf.readUInt32LE(f.offset + 4 * i));
      return out;
    }
  }
}

/** Lays fields out as declared; the object type maps field name -> value. */
export function structCodec<T extends object>(cName: string, size: number, fields: FieldSpec[]): StructCodec<T> {
  for (const f of fields) {
    if (f.offset + f.size > size) throw new Error(`codec ${cName}: field ${f.name} ends past ${size}`);
  }
  return {
    cName,
    size,
    fields,
    encode(value: T): Buffer {
      const buf = Buffer.alloc(size);
      const rec = value as Record<string, FieldValue | undefined>;
      for (const f of fields) {
        const v = rec[f.name];
        if (v !== undefined) writeField(buf, f, v);
      }
      return buf;
    },
    decode(buf: Buffer): T {
      if (buf.length < size) throw new Error(`codec ${cName}: ${buf.length} bytes, need ${size}`);
      const out: Record<string, FieldValue> = {};
      for (const f of fields) out[f.name] = readField(buf, f);
      return out as T;
    },
  };
}

/** A bare 32-bit host-order integer key or value. */
export const u32Codec: StructCodec<number> = {
  cName: 'u32',
  size: 4,
  fields: [],
  encode(v: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  },
  decode(b: Buffer): number {
    return b.readUInt32LE(0);
  },
};

/** A map's key and value codecs, checked against the object's BTF at every load. */
export interface MapCodec {
  map: string;
  key: StructCodec<unknown>;
  value: StructCodec<unknown>;
}

export function mapCodec<K, V>(map: string, key: StructCodec<K>, value: StructCodec<V>): MapCodec {
  return { map, key, value };
}
