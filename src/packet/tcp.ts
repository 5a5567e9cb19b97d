import { l4Checksum, type PseudoSource } from './checksum.js';
import { checkRange, need, type DecodeContext, type DecodeStep, type EncodeContext } from './layer-api.js';
import { checkL4 } from './l4-checksum.js';

export type TcpOption =
  | { kind: 'eol' }
  | { kind: 'nop' }
  | { kind: 'mss'; value: number }
  | { kind: 'wscale'; value: number }
  | { kind: 'sackPerm' }
  | { kind: 'sack'; blocks: { left: number; right: number }[] }
  | { kind: 'timestamps'; tsval: number; tsecr: number }
  /** Any bytes as they are (kind and length included). */
  | { kind: 'raw'; data: Buffer };

export interface TcpFlags {
  fin?: boolean;
  syn?: boolean;
  rst?: boolean;
  psh?: boolean;
  ack?: boolean;
  urg?: boolean;
  ece?: boolean;
  cwr?: boolean;
  ae?: boolean;
}

export interface TcpSpec {
  type: 'tcp';
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  /** Header length in 32-bit words; filled from the options. */
  dataOffset?: number;
  /** The three bits between the data offset and AE. */
  reserved?: number;
  flags?: TcpFlags;
  window?: number;
  checksum?: number;
  urgent?: number;
  options?: TcpOption[];
}

const FLAG_BITS: [keyof TcpFlags, number][] = [
  ['fin', 0x001],
  ['syn', 0x002],
  ['rst', 0x004],
  ['psh', 0x008],
  ['ack', 0x010],
  ['urg', 0x020],
  ['ece', 0x040],
  ['cwr', 0x080],
  ['ae', 0x100],
];

function encodeOption(o: TcpOption, field: string): Buffer {
  switch (o.kind) {
    case 'eol':
      return Buffer.from([0]);
    case 'nop':
      return Buffer.from([1]);
    case 'mss': {
      const b = Buffer.from([2, 4, 0, 0]);
      b.writeUInt16BE(checkRange(`${field}.value`, o.value, 0xffff), 2);
      return b;
    }
    case 'wscale':
      return Buffer.from([3, 3, checkRange(`${field}.value`, o.value, 0xff)]);
    case 'sackPerm':
      return Buffer.from([4, 2]);
    case 'sack': {
      const b = Buffer.alloc(2 + o.blocks.length * 8);
      b[0] = 5;
      b[1] = b.length;
      o.blocks.forEach((blk, i) => {
        b.writeUInt32BE(blk.left >>> 0, 2 + i * 8);
        b.writeUInt32BE(blk.right >>> 0, 6 + i * 8);
      });
      return b;
    }
    case 'timestamps': {
      const b = Buffer.alloc(10);
      b[0] = 8;
      b[1] = 10;
      b.writeUInt32BE(checkRange(`${field}.tsval`, o.tsval, 0xffffffff), 2);
      b.writeUInt32BE(checkRange(`${field}.tsecr`, o.tsecr, 0xffffffff), 6);
      return b;
    }
    case 'raw':
      return o.data;
  }
}

export function decodeTcpOptions(bytes: Buffer): TcpOption[] {
  const out: TcpOption[] = [];
  for (let i = 0; i < bytes.length;) {
    const kind = bytes[i];
    if (kind === 0) {
      out.push({ kind: 'eol' });
      const rest = bytes.subarray(i + 1);
      if (rest.some((b) => b !== 0)) out.push({ kind: 'raw', data: Buffer.from(rest) });
      return out;
    }
    if (kind === 1) {
      out.push({ kind: 'nop' });
      i++;
      continue;
    }
    const len = bytes[i + 1];
    if (len === undefined || len < 2 || i + len > bytes.length) {
      out.push({ kind: 'raw', data: Buffer.from(bytes.subarray(i)) });
      return out;
    }
    const v = bytes.subarray(i, i + len);
    if (kind === 2 && len === 4) out.push({ kind: 'mss', value: v.readUInt16BE(2) });
    else if (kind === 3 && len === 3) out.push({ kind: 'wscale', value: v[2]! });
    else if (kind === 4 && len === 2) out.push({ kind: 'sackPerm' });
    else if (kind === 8 && len === 10) out.push({ kind: 'timestamps', tsval: v.readUInt32BE(2), tsecr: v.readUInt32BE(6) });
    else if (kind === 5 && (len - 2) % 8 === 0) {
      const blocks = [];
      for (let b = 2; b < len; b += 8) blocks.push({ left: v.readUInt32BE(b), right: v.readUInt32BE(b + 4) });
      out.push({ kind: 'sack', blocks });
    } else out.push({ kind: 'raw', data: Buffer.from(v) });
    i += len;
  }
  return out;
}

export function encodeTcp(spec: TcpSpec, payload: Buffer, ctx: EncodeContext): Buffer {
  let options = Buffer.concat((spec.options ?? []).map((o, i) => encodeOption(o, `tcp.options[${i}]`)));
  const wantedWords = spec.dataOffset ?? Math.ceil((20 + options.length) / 4);
  checkRange('tcp.dataOffset', wantedWords, 15);
  // Pad the options with zeros to the header length (or to a word boundary).
  const optionRoom = Math.max(wantedWords * 4 - 20, options.length);
  options = Buffer.concat([options, Buffer.alloc(optionRoom - options.length)]);
  const h = Buffer.alloc(20 + options.length);
  h.writeUInt16BE(checkRange('tcp.sport', spec.sport, 0xffff), 0);
  h.writeUInt16BE(checkRange('tcp.dport', spec.dport, 0xffff), 2);
  h.writeUInt32BE(checkRange('tcp.seq', spec.seq ?? 0, 0xffffffff), 4);
  h.writeUInt32BE(checkRange('tcp.ack', spec.ack ?? 0, 0xffffffff), 8);
  let flags = 0;
  for (const [name, bit] of FLAG_BITS) if (spec.flags?.[name]) flags |= bit;
  h.writeUInt16BE((wantedWords << 12) | (checkRange('tcp.reserved', spec.reserved ?? 0, 7) << 9) | flags, 12);
  h.writeUInt16BE(checkRange('tcp.window', spec.window ?? 65535, 0xffff), 14);
  h.writeUInt16BE(checkRange('tcp.urgent', spec.urgent ?? 0, 0xffff), 18);
  options.copy(h, 20);
  const segment = Buffer.concat([h, payload]);
  segment.writeUInt16BE(tcpUdpChecksum('tcp', spec.checksum, ctx.ip, 6, segment), 16);
  return segment;
}

export function tcpUdpChecksum(
  layer: string,
  given: number | undefined,
  ip: PseudoSource | undefined,
  protocol: number,
  segment: Buffer,
): number {
  if (given !== undefined) return checkRange(`${layer}.checksum`, given, 0xffff);
  if (!ip) throw new Error(`${layer}.checksum: no enclosing ipv4/ipv6 layer to compute it from; give it`);
  return l4Checksum(ip, protocol, segment);
}

export function decodeTcp(buf: Buffer, off: number, end: number, ctx: DecodeContext): DecodeStep<TcpSpec> {
  need(off, 20, end, 'tcp header');
  const word = buf.readUInt16BE(off + 12);
  const dataOffset = word >> 12;
  const flags: TcpFlags = {};
  for (const [name, bit] of FLAG_BITS) flags[name] = (word & bit) !== 0;
  const layer: TcpSpec = {
    type: 'tcp',
    sport: buf.readUInt16BE(off),
    dport: buf.readUInt16BE(off + 2),
    seq: buf.readUInt32BE(off + 4),
    ack: buf.readUInt32BE(off + 8),
    dataOffset,
    reserved: (word >> 9) & 7,
    flags,
    window: buf.readUInt16BE(off + 14),
    checksum: buf.readUInt16BE(off + 16),
    urgent: buf.readUInt16BE(off + 18),
    options: [],
  };
  if (dataOffset < 5) return { layer, headerLength: 20, error: `tcp.dataOffset: ${dataOffset} is below the minimum 5` };
  need(off, dataOffset * 4, end, 'tcp options');
  layer.options = decodeTcpOptions(buf.subarray(off + 20, off + dataOffset * 4));
  const checksums = checkL4(ctx, 6, buf.subarray(off, end), 16);
  return { layer, headerLength: dataOffset * 4, checksums, next: { type: 'payload' } };
}
