// Reads a struct by its BTF layout: integers as numbers (64-bit as bigint), byte arrays
// as hex, other arrays as lists, nested structs as objects. For inspecting state that is
// not a control-plane ABI (the per-CPU scratch of the parser).
import type { BtfType } from '../../native/index.js';

export type BtfValue = number | bigint | string | BtfValue[] | { [name: string]: BtfValue };

export function readBtf(buf: Buffer, off: number, type: BtfType): BtfValue {
  switch (type.kind) {
    case 'int':
    case 'enum':
      if (type.size === 1) return buf.readUInt8(off);
      if (type.size === 2) return buf.readUInt16LE(off);
      if (type.size === 4) return buf.readUInt32LE(off);
      return buf.readBigUInt64LE(off);
    case 'array': {
      const el = type.element!;
      if (el.size === 1) return buf.subarray(off, off + (type.length ?? 0)).toString('hex');
      return Array.from({ length: type.length ?? 0 }, (_, i) => readBtf(buf, off + i * el.size, el));
    }
    case 'struct': {
      const out: Record<string, BtfValue> = {};
      for (const m of type.members ?? []) out[m.name] = readBtf(buf, off + m.offset, m.type);
      return out;
    }
    default:
      return buf.subarray(off, off + type.size).toString('hex');
  }
}
