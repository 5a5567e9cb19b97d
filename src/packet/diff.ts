import { decodePacket, layerName, type FirstLayer } from './decode.js';
import type { DecodedLayer, DecodedPacket } from './types.js';

export interface FieldDiff {
  layer: string;
  field: string;
  expected: string;
  actual: string;
}

/** A field allowed to differ: layer is a type ('ipv4') or a name ('ipv4[1]'); no field masks the whole layer. */
export interface FieldMask {
  layer: string;
  field?: string;
}

const HEX_FIELDS = new Set(['checksum', 'ethertype', 'vtag', 'initiateTag']);
const ABSENT = '(absent)';

function flatten(value: unknown, prefix: string, out: Map<string, string>, key: string): void {
  if (value === undefined) return;
  if (Buffer.isBuffer(value)) {
    out.set(prefix, value.toString('hex'));
    return;
  }
  if (Array.isArray(value)) {
    out.set(`${prefix}.count`, String(value.length));
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out, key));
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out, k);
    return;
  }
  if (typeof value === 'number' && HEX_FIELDS.has(key)) {
    out.set(prefix, `0x${value.toString(16)}`);
    return;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value === null) {
    out.set(prefix, String(value));
  }
}

function fieldsOf(layer: DecodedLayer): Map<string, string> {
  const { offset: _o, length: _l, type: _t, ...fields } = layer;
  const out = new Map<string, string>();
  flatten(fields, '', out, '');
  return out;
}

function masked(masks: FieldMask[], type: string, name: string, field: string): boolean {
  return masks.some(
    (m) =>
      (m.layer === type || m.layer === name) &&
      (m.field === undefined || field === m.field || field.startsWith(`${m.field}.`) || field.startsWith(`${m.field}[`)),
  );
}

export function diffDecoded(expected: DecodedPacket, actual: DecodedPacket, masks: FieldMask[] = []): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  const n = Math.max(expected.layers.length, actual.layers.length);
  for (let i = 0; i < n; i++) {
    const e = expected.layers[i];
    const a = actual.layers[i];
    const name = layerName((e ? expected : actual).layers, i);
    if (!e || !a || e.type !== a.type) {
      if (!masked(masks, (e ?? a)!.type, name, 'type'))
        diffs.push({ layer: name, field: 'type', expected: e?.type ?? ABSENT, actual: a?.type ?? ABSENT });
      continue;
    }
    const ef = fieldsOf(e);
    const af = fieldsOf(a);
    const keys = [...ef.keys(), ...[...af.keys()].filter((k) => !ef.has(k))];
    for (const k of keys) {
      const ev = ef.get(k) ?? ABSENT;
      const av = af.get(k) ?? ABSENT;
      if (ev !== av && !masked(masks, e.type, name, k)) diffs.push({ layer: name, field: k, expected: ev, actual: av });
    }
  }
  const ee = expected.error ? `${expected.error.layer}: ${expected.error.message}` : ABSENT;
  const ae = actual.error ? `${actual.error.layer}: ${actual.error.message}` : ABSENT;
  if (ee !== ae) diffs.push({ layer: 'decode', field: 'error', expected: ee, actual: ae });
  return diffs;
}

/** Layer-by-layer differences between two packets, both decoded from `first` (default eth). */
export function diffPackets(expected: Buffer, actual: Buffer, opts: { mask?: FieldMask[]; first?: FirstLayer } = {}): FieldDiff[] {
  const first = opts.first ? { first: opts.first } : {};
  return diffDecoded(decodePacket(expected, first), decodePacket(actual, first), opts.mask ?? []);
}

export function renderDiff(diffs: FieldDiff[]): string {
  if (diffs.length === 0) return 'no differences';
  return diffs.map((d) => `${d.layer}.${d.field}: expected ${d.expected}, actual ${d.actual}`).join('\n');
}
