import { formatIpv6, formatMac, parseIpv6, parseMac } from './addr.js';
import { l4Checksum } from './checksum.js';
import { icmpTypeNumber } from './icmp.js';
import { checkRange, need, type DecodeContext, type DecodeStep, type EncodeContext } from './layer-api.js';
import { checkL4 } from './l4-checksum.js';

export const ICMPV6_TYPES = {
  'dest-unreachable': 1,
  'packet-too-big': 2,
  'time-exceeded': 3,
  'parameter-problem': 4,
  'echo-request': 128,
  'echo-reply': 129,
  'router-solicitation': 133,
  'router-advertisement': 134,
  'neighbor-solicitation': 135,
  'neighbor-advertisement': 136,
} as const;

/** Source (1) / target (2) link-layer address, or any other option as its bytes after type+length. */
export type NdOption = { type: 'sll' | 'tll'; mac: string } | { type: number; data: Buffer };

export interface Icmpv6Spec {
  type: 'icmpv6';
  icmpType: number | keyof typeof ICMPV6_TYPES;
  code?: number;
  checksum?: number;
  /** Echo. */
  id?: number;
  seq?: number;
  /** The second 32-bit word for every non-echo type (NA flags live in its top bits). */
  rest?: number;
  /** Neighbour advertisement flags; used only when rest is absent. */
  naFlags?: { router?: boolean; solicited?: boolean; override?: boolean };
  /** Neighbour solicitation / advertisement. */
  target?: string;
  ndOptions?: NdOption[];
}

const ERROR_TYPES = new Set([1, 2, 3, 4]);

function encodeNdOption(o: NdOption, field: string): Buffer {
  if (typeof o.type !== 'number') {
    return Buffer.concat([Buffer.from([o.type === 'sll' ? 1 : 2, 1]), parseMac(o.mac, `${field}.mac`)]);
  }
  const total = 2 + o.data.length;
  if (total % 8 !== 0) throw new Error(`${field}.data: option length ${total} is not a multiple of 8`);
  return Buffer.concat([Buffer.from([checkRange(`${field}.type`, o.type, 0xff), total / 8]), o.data]);
}

function decodeNdOptions(bytes: Buffer): NdOption[] | undefined {
  const out: NdOption[] = [];
  for (let i = 0; i < bytes.length;) {
    const len = (bytes[i + 1] ?? 0) * 8;
    if (len === 0 || i + len > bytes.length) return undefined;
    const type = bytes[i]!;
    if ((type === 1 || type === 2) && len === 8) out.push({ type: type === 1 ? 'sll' : 'tll', mac: formatMac(bytes, i + 2) });
    else out.push({ type, data: Buffer.from(bytes.subarray(i + 2, i + len)) });
    i += len;
  }
  return out;
}

export function encodeIcmpv6(spec: Icmpv6Spec, payload: Buffer, ctx: EncodeContext): Buffer {
  const icmpType = icmpTypeNumber(spec.icmpType, ICMPV6_TYPES, 'icmpv6.icmpType');
  const h = Buffer.alloc(8);
  h[0] = icmpType;
  h[1] = checkRange('icmpv6.code', spec.code ?? 0, 0xff);
  if ((icmpType === 128 || icmpType === 129) && spec.rest === undefined) {
    h.writeUInt16BE(checkRange('icmpv6.id', spec.id ?? 0, 0xffff), 4);
    h.writeUInt16BE(checkRange('icmpv6.seq', spec.seq ?? 0, 0xffff), 6);
  } else {
    const f = spec.naFlags ?? {};
    const flagWord = ((f.router ? 0x80 : 0) | (f.solicited ? 0x40 : 0) | (f.override ? 0x20 : 0)) << 24;
    h.writeUInt32BE(checkRange('icmpv6.rest', spec.rest ?? flagWord >>> 0, 0xffffffff), 4);
  }
  const parts: Buffer[] = [h];
  if (icmpType === 135 || icmpType === 136) {
    parts.push(parseIpv6(spec.target ?? '::', 'icmpv6.target'));
    (spec.ndOptions ?? []).forEach((o, i) => parts.push(encodeNdOption(o, `icmpv6.ndOptions[${i}]`)));
  }
  const msg = Buffer.concat([...parts, payload]);
  let checksum = spec.checksum;
  if (checksum === undefined) {
    if (!ctx.ip) throw new Error('icmpv6.checksum: no enclosing ipv6 layer to compute it from; give it');
    checksum = l4Checksum(ctx.ip, 58, msg);
  }
  msg.writeUInt16BE(checkRange('icmpv6.checksum', checksum, 0xffff), 2);
  return msg;
}

export function decodeIcmpv6(buf: Buffer, off: number, end: number, ctx: DecodeContext): DecodeStep<Icmpv6Spec> {
  need(off, 8, end, 'icmpv6 header');
  const icmpType = buf[off]!;
  const layer: Icmpv6Spec = { type: 'icmpv6', icmpType, code: buf[off + 1], checksum: buf.readUInt16BE(off + 2) };
  let headerLength = 8;
  if (icmpType === 128 || icmpType === 129) {
    layer.id = buf.readUInt16BE(off + 4);
    layer.seq = buf.readUInt16BE(off + 6);
  } else {
    layer.rest = buf.readUInt32BE(off + 4);
  }
  if (icmpType === 136) {
    const top = buf[off + 4]!;
    layer.naFlags = { router: (top & 0x80) !== 0, solicited: (top & 0x40) !== 0, override: (top & 0x20) !== 0 };
  }
  if ((icmpType === 135 || icmpType === 136) && end - off >= 24) {
    const options = decodeNdOptions(buf.subarray(off + 24, end));
    if (options) {
      layer.target = formatIpv6(buf, off + 8);
      layer.ndOptions = options;
      headerLength = end - off;
    }
  }
  const checksums = checkL4(ctx, 58, buf.subarray(off, end), 2);
  const quoted = ERROR_TYPES.has(icmpType) && end - off >= 8 + 40;
  return { layer, headerLength, checksums, next: { type: quoted ? 'ipv6' : 'payload' }, embedded: quoted || ctx.embedded };
}
