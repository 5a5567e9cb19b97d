// Comparing an output packet with the expected one: exact bytes, or layer by layer with
// masks for fields that legitimately vary.
import { type FieldMask, decodePacket, diffPackets, layerName, renderDiff } from '../packet/index.js';

export interface Comparison {
  ok: boolean;
  /** The layer-by-layer diff (empty when ok). */
  diff: string;
}

export function comparePacket(expected: Buffer, actual: Buffer, mask: FieldMask[] | undefined): Comparison {
  if (mask === undefined || mask.length === 0) {
    if (expected.equals(actual)) return { ok: true, diff: '' };
    const fields = diffPackets(expected, actual);
    const byteNote = `bytes differ (expected ${expected.length}, actual ${actual.length})`;
    return { ok: false, diff: fields.length === 0 ? byteNote : renderDiff(fields) };
  }
  const fields = diffPackets(expected, actual, { mask });
  return { ok: fields.length === 0, diff: fields.length === 0 ? '' : renderDiff(fields) };
}

/** The last bytes of a frame: routing rewrites headers, never the end of the payload. */
export function tailOf(frame: Buffer, n = 8): Buffer {
  return frame.subarray(Math.max(14, frame.length - n));
}

export function hasTail(frame: Buffer, tail: Buffer): boolean {
  return frame.length >= tail.length && frame.subarray(frame.length - tail.length).equals(tail);
}

/** Checks named fields of a decoded packet: keys are '<layer>.<field>' where layer is a
 *  type ('ipv4') or a numbered name ('ipv4[1]' = the second); values compare as text. */
export function checkFields(frame: Buffer, want: Record<string, unknown>): string[] {
  const decoded = decodePacket(frame);
  const problems: string[] = [];
  for (const [key, expected] of Object.entries(want)) {
    const dot = key.indexOf('.');
    const layer = decoded.layers.find((_, i) => layerName(decoded.layers, i) === key.slice(0, dot));
    if (layer === undefined) {
      problems.push(`${key}: the packet has no ${key.slice(0, dot)} layer`);
      continue;
    }
    let value: unknown = layer;
    for (const part of key.slice(dot + 1).split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    const text = Buffer.isBuffer(value) ? value.toString('hex') : String(value);
    if (text !== String(expected)) problems.push(`${key}: expected ${String(expected)}, actual ${value === undefined ? '(absent)' : text}`);
  }
  return problems;
}
