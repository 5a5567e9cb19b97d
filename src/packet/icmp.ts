import { ipChecksum } from './checksum.js';
import { checkRange, need, type DecodeContext, type DecodeStep } from './layer-api.js';

export const ICMP_TYPES = {
  'echo-reply': 0,
  'dest-unreachable': 3,
  'echo-request': 8,
  'time-exceeded': 11,
  'parameter-problem': 12,
} as const;

/** Types whose body is a quoted IPv4 packet (decoded as the next layers). */
const ERROR_TYPES = new Set([3, 4, 5, 11, 12]);
const ECHO_TYPES = new Set([0, 8, 13, 14]);

export interface IcmpSpec {
  type: 'icmp';
  icmpType: number | keyof typeof ICMP_TYPES;
  code?: number;
  checksum?: number;
  /** Echo: identifier and sequence number (the second 32-bit word). */
  id?: number;
  seq?: number;
  /** Other types: the second 32-bit word as a number (e.g. next-hop MTU). */
  rest?: number;
}

export function icmpTypeNumber(t: number | string, names: Record<string, number>, field: string): number {
  if (typeof t === 'number') return checkRange(field, t, 0xff);
  const n = names[t];
  if (n === undefined) throw new Error(`${field}: unknown name '${t}' (one of ${Object.keys(names).join(', ')})`);
  return n;
}

export function encodeIcmp(spec: IcmpSpec, payload: Buffer): Buffer {
  const icmpType = icmpTypeNumber(spec.icmpType, ICMP_TYPES, 'icmp.icmpType');
  const h = Buffer.alloc(8);
  h[0] = icmpType;
  h[1] = checkRange('icmp.code', spec.code ?? 0, 0xff);
  if (ECHO_TYPES.has(icmpType) && spec.rest === undefined) {
    h.writeUInt16BE(checkRange('icmp.id', spec.id ?? 0, 0xffff), 4);
    h.writeUInt16BE(checkRange('icmp.seq', spec.seq ?? 0, 0xffff), 6);
  } else {
    h.writeUInt32BE(checkRange('icmp.rest', spec.rest ?? 0, 0xffffffff), 4);
  }
  const msg = Buffer.concat([h, payload]);
  msg.writeUInt16BE(spec.checksum !== undefined ? checkRange('icmp.checksum', spec.checksum, 0xffff) : ipChecksum(msg), 2);
  return msg;
}

export function decodeIcmp(buf: Buffer, off: number, end: number, ctx: DecodeContext): DecodeStep<IcmpSpec> {
  need(off, 8, end, 'icmp header');
  const icmpType = buf[off]!;
  const layer: IcmpSpec = { type: 'icmp', icmpType, code: buf[off + 1], checksum: buf.readUInt16BE(off + 2) };
  if (ECHO_TYPES.has(icmpType)) {
    layer.id = buf.readUInt16BE(off + 4);
    layer.seq = buf.readUInt16BE(off + 6);
  } else {
    layer.rest = buf.readUInt32BE(off + 4);
  }
  const checksums = [];
  if (!ctx.ip?.fragmented) {
    const msg = Buffer.from(buf.subarray(off, end));
    msg.writeUInt16BE(0, 2);
    const expected = ipChecksum(msg);
    checksums.push({ field: 'checksum', valid: expected === layer.checksum, expected, actual: layer.checksum ?? 0 });
  }
  const quoted = ERROR_TYPES.has(icmpType) && end - off >= 8 + 20;
  return { layer, headerLength: 8, checksums, next: { type: quoted ? 'ipv4' : 'payload' }, embedded: quoted || ctx.embedded };
}
