import { ethertypeOf, layerOfEthertype } from './eth.js';
import { checkRange, need, type DecodeStep, type EncodeContext } from './layer-api.js';

/** GRE (RFC 2784 / 2890). NVGRE (RFC 7637) is key = VSID << 8 | FlowID, protocol 0x6558. */
export interface GreSpec {
  type: 'gre';
  /** The C, K, S bits (0x8000, 0x2000, 0x1000) and reserved bits of the first word,
   *  without the version; filled from checksum / key / seq. */
  flags?: number;
  version?: number;
  /** 0x6558 (transparent Ethernet) before an eth layer, else the inner ethertype. */
  protocol?: number;
  /** Written as given when present (sets C; no checksum is computed). */
  checksum?: number;
  key?: number;
  seq?: number;
}

const C = 0x8000;
const K = 0x2000;
const S = 0x1000;
const TEB = 0x6558;

function protocolOf(nextType: string | undefined): number | undefined {
  return nextType === 'eth' ? TEB : ethertypeOf(nextType);
}

export function encodeGre(spec: GreSpec, payload: Buffer, ctx: EncodeContext): Buffer {
  const auto = (spec.checksum !== undefined ? C : 0) | (spec.key !== undefined ? K : 0) | (spec.seq !== undefined ? S : 0);
  const flags = checkRange('gre.flags', spec.flags ?? auto, 0xfff8);
  const protocol = spec.protocol ?? protocolOf(ctx.nextType);
  if (protocol === undefined) throw new Error(`gre.protocol: cannot infer it from the next layer '${ctx.nextType ?? '(none)'}'; give it`);
  const words: Buffer[] = [];
  const head = Buffer.alloc(4);
  head.writeUInt16BE(flags | checkRange('gre.version', spec.version ?? 0, 7), 0);
  head.writeUInt16BE(checkRange('gre.protocol', protocol, 0xffff), 2);
  words.push(head);
  const word = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return b;
  };
  if (flags & C) words.push(word(checkRange('gre.checksum', spec.checksum ?? 0, 0xffff) * 0x10000));
  if (flags & K) words.push(word(checkRange('gre.key', spec.key ?? 0, 0xffffffff)));
  if (flags & S) words.push(word(checkRange('gre.seq', spec.seq ?? 0, 0xffffffff)));
  return Buffer.concat([...words, payload]);
}

export function decodeGre(buf: Buffer, off: number, end: number): DecodeStep<GreSpec> {
  need(off, 4, end, 'gre header');
  const w = buf.readUInt16BE(off);
  const flags = w & 0xfff8;
  const protocol = buf.readUInt16BE(off + 2);
  const layer: GreSpec = { type: 'gre', flags, version: w & 7, protocol };
  let len = 4;
  const next = (): number => {
    need(off + len, 4, end, 'gre optional word');
    const v = buf.readUInt32BE(off + len);
    len += 4;
    return v;
  };
  if (flags & C) layer.checksum = next() >>> 16;
  if (flags & K) layer.key = next();
  if (flags & S) layer.seq = next();
  return { layer, headerLength: len, next: { type: protocol === TEB ? 'eth' : layerOfEthertype(protocol) } };
}
