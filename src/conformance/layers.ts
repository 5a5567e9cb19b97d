// Packet layers as written in a scenario -> src/packet LayerSpecs. YAML has no bytes, so
// byte fields are written {hex: '0a0b'}, and payload/trailer layers take text, hex or size.
import { type LayerSpec, buildPacket } from '../packet/index.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** Turns every {hex: '...'} object into a Buffer, recursively. */
function bytesIn(value: unknown, field: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => bytesIn(v, `${field}[${i}]`));
  if (!isObj(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'hex') return hexBytes(value.hex, `${field}.hex`);
  return Object.fromEntries(keys.map((k) => [k, bytesIn(value[k], `${field}.${k}`)]));
}

function hexBytes(v: unknown, field: string): Buffer {
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(v))
    throw new Error(`${field}: expected an even number of hex digits, got ${JSON.stringify(v)}`);
  return Buffer.from(v, 'hex');
}

/** Bytes 0, 1, 2, ... (mod 256): a payload of a given size that is easy to recognise. */
function patternBytes(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = i & 0xff;
  return b;
}

function payloadData(layer: Obj, field: string): Buffer {
  const given = ['text', 'hex', 'size', 'data'].filter((k) => k in layer);
  if (given.length !== 1)
    throw new Error(
      `${field}: a ${String(layer.type)} layer takes exactly one of text, hex, size (got ${given.length === 0 ? 'none' : given.join(', ')})`,
    );
  if ('text' in layer) return Buffer.from(String(layer.text), 'utf8');
  if ('hex' in layer) return hexBytes(layer.hex, `${field}.hex`);
  if ('size' in layer) return patternBytes(Number(layer.size));
  const data = bytesIn(layer.data, `${field}.data`);
  if (!Buffer.isBuffer(data)) throw new Error(`${field}.data: expected {hex: '...'}`);
  return data;
}

/** Converts; throws naming the field (`field` is the path of the layer list). */
export function toLayerSpecs(layers: unknown[], field: string): LayerSpec[] {
  return layers.map((raw, i) => {
    const f = `${field}[${i}]`;
    if (!isObj(raw)) throw new Error(`${f}: expected a mapping`);
    if (raw.type === 'payload' || raw.type === 'trailer') {
      const extra = Object.keys(raw).filter((k) => !['type', 'text', 'hex', 'size', 'data'].includes(k));
      if (extra.length > 0) throw new Error(`${f}.${extra[0]}: unknown field for a ${raw.type} layer`);
      return { type: raw.type, data: payloadData(raw, f) };
    }
    for (const k of ['text', 'hex', 'size']) {
      if (k in raw) throw new Error(`${f}.${k}: only payload and trailer layers take ${k}`);
    }
    return bytesIn(raw, f) as LayerSpec;
  });
}

/** Builds the bytes; the builder's message is prefixed with the field. */
export function buildLayers(layers: LayerSpec[], field: string): Buffer {
  try {
    return buildPacket(layers);
  } catch (e) {
    throw new Error(`${field}: ${(e as Error).message}`, { cause: e });
  }
}
