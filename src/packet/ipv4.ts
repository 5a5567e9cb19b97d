import { formatIpv4, parseIpv4 } from './addr.js';
import { ipChecksum } from './checksum.js';
import { checkRange, ipProtocolOf, layerOfIpProtocol, need, padTo, type DecodeStep, type EncodeContext } from './layer-api.js';

/** type 0 (end of list) and 1 (no-op) are one byte; others are type, length, data. */
export type Ipv4Option = { type: number; data?: Buffer } | { raw: Buffer };

export interface Ipv4Spec {
  type: 'ipv4';
  src: string;
  dst: string;
  version?: number;
  /** Header length in 32-bit words; filled from the options. */
  ihl?: number;
  /** The whole byte; when absent it is dscp << 2 | ecn. */
  tos?: number;
  dscp?: number;
  ecn?: number;
  totalLength?: number;
  id?: number;
  flags?: { df?: boolean; mf?: boolean; reserved?: boolean };
  /** In 8-byte units. */
  fragOffset?: number;
  ttl?: number;
  protocol?: number;
  checksum?: number;
  options?: Ipv4Option[];
}

export function encodeIpv4Options(options: Ipv4Option[], field: string): Buffer {
  const parts = options.map((o, i) => {
    if ('raw' in o) return o.raw;
    const type = checkRange(`${field}[${i}].type`, o.type, 0xff);
    if (type <= 1) return Buffer.from([type]);
    const data = o.data ?? Buffer.alloc(0);
    checkRange(`${field}[${i}].data length`, data.length, 253);
    return Buffer.concat([Buffer.from([type, data.length + 2]), data]);
  });
  return Buffer.concat(parts);
}

export function decodeIpv4Options(bytes: Buffer): Ipv4Option[] {
  const out: Ipv4Option[] = [];
  let i = 0;
  while (i < bytes.length) {
    const type = bytes[i]!;
    if (type === 0) {
      out.push({ type: 0 });
      const rest = bytes.subarray(i + 1);
      if (rest.some((b) => b !== 0)) out.push({ raw: Buffer.from(rest) });
      return out;
    }
    if (type === 1) {
      out.push({ type: 1 });
      i++;
      continue;
    }
    const len = bytes[i + 1];
    if (len === undefined || len < 2 || i + len > bytes.length) {
      out.push({ raw: Buffer.from(bytes.subarray(i)) });
      return out;
    }
    out.push({ type, data: Buffer.from(bytes.subarray(i + 2, i + len)) });
    i += len;
  }
  return out;
}

export function encodeIpv4(spec: Ipv4Spec, payload: Buffer, ctx: EncodeContext): Buffer {
  const options = padTo(encodeIpv4Options(spec.options ?? [], 'ipv4.options'), 4);
  if (options.length > 40) throw new Error(`ipv4.options: ${options.length} bytes is more than 40`);
  const ihl = checkRange('ipv4.ihl', spec.ihl ?? 5 + options.length / 4, 15);
  const h = Buffer.alloc(20 + options.length);
  h[0] = (checkRange('ipv4.version', spec.version ?? 4, 15) << 4) | ihl;
  h[1] =
    spec.tos !== undefined
      ? checkRange('ipv4.tos', spec.tos, 0xff)
      : (checkRange('ipv4.dscp', spec.dscp ?? 0, 63) << 2) | checkRange('ipv4.ecn', spec.ecn ?? 0, 3);
  h.writeUInt16BE(checkRange('ipv4.totalLength', spec.totalLength ?? h.length + payload.length, 0xffff), 2);
  h.writeUInt16BE(checkRange('ipv4.id', spec.id ?? 0, 0xffff), 4);
  const f = spec.flags ?? {};
  const flagBits = (f.reserved ? 4 : 0) | (f.df ? 2 : 0) | (f.mf ? 1 : 0);
  h.writeUInt16BE((flagBits << 13) | checkRange('ipv4.fragOffset', spec.fragOffset ?? 0, 0x1fff), 6);
  h[8] = checkRange('ipv4.ttl', spec.ttl ?? 64, 0xff);
  // Nothing or opaque bytes after the header: 59, "no next header".
  const protocol =
    spec.protocol ?? ipProtocolOf(ctx.nextType) ?? (ctx.nextType === undefined || ctx.nextType === 'payload' ? 59 : undefined);
  if (protocol === undefined) {
    throw new Error(`ipv4.protocol: cannot infer it from the next layer '${ctx.nextType ?? '(none)'}'; give it`);
  }
  h[9] = checkRange('ipv4.protocol', protocol, 0xff);
  parseIpv4(spec.src, 'ipv4.src').copy(h, 12);
  parseIpv4(spec.dst, 'ipv4.dst').copy(h, 16);
  options.copy(h, 20);
  h.writeUInt16BE(spec.checksum !== undefined ? checkRange('ipv4.checksum', spec.checksum, 0xffff) : ipChecksum(h), 10);
  return Buffer.concat([h, payload]);
}

export function decodeIpv4(buf: Buffer, off: number, end: number, embedded: boolean): DecodeStep<Ipv4Spec> {
  need(off, 20, end, 'ipv4 header');
  const version = buf[off]! >> 4;
  const ihl = buf[off]! & 0x0f;
  const tos = buf[off + 1]!;
  const totalLength = buf.readUInt16BE(off + 2);
  const frag = buf.readUInt16BE(off + 6);
  const layer: Ipv4Spec = {
    type: 'ipv4',
    src: formatIpv4(buf, off + 12),
    dst: formatIpv4(buf, off + 16),
    version,
    ihl,
    dscp: tos >> 2,
    ecn: tos & 3,
    totalLength,
    id: buf.readUInt16BE(off + 4),
    flags: { df: (frag & 0x4000) !== 0, mf: (frag & 0x2000) !== 0, reserved: (frag & 0x8000) !== 0 },
    fragOffset: frag & 0x1fff,
    ttl: buf[off + 8],
    protocol: buf[off + 9],
    checksum: buf.readUInt16BE(off + 10),
    options: [],
  };
  if (version !== 4) return { layer, headerLength: 20, error: `ipv4.version: ${version}, expected 4` };
  if (ihl < 5) return { layer, headerLength: 20, error: `ipv4.ihl: ${ihl} is below the minimum 5` };
  const hlen = ihl * 4;
  need(off, hlen, end, 'ipv4 options');
  layer.options = decodeIpv4Options(buf.subarray(off + 20, off + hlen));
  const header = Buffer.from(buf.subarray(off, off + hlen));
  header.writeUInt16BE(0, 10);
  const checksums = [
    { field: 'checksum', valid: ipChecksum(header) === layer.checksum, expected: ipChecksum(header), actual: layer.checksum ?? 0 },
  ];
  const src = buf.subarray(off + 12, off + 16);
  const dst = buf.subarray(off + 16, off + 20);
  const fragmented = (frag & 0x2000) !== 0 || (frag & 0x1fff) !== 0;
  const ip = { version: 4 as const, src: Buffer.from(src), dst: Buffer.from(dst), fragmented };
  if (totalLength < hlen) {
    return { layer, headerLength: hlen, checksums, error: `ipv4.totalLength: ${totalLength} is shorter than the header (${hlen})` };
  }
  let innerEnd = off + totalLength;
  if (innerEnd > end) {
    // A quoted packet inside an ICMP error is routinely cut short; a frame is not.
    if (!embedded) {
      return {
        layer,
        headerLength: hlen,
        checksums,
        error: `ipv4.totalLength: ${totalLength} runs past the end of the frame (${end - off} bytes)`,
      };
    }
    innerEnd = end;
    ip.fragmented = true;
  }
  const nextType = (frag & 0x1fff) !== 0 ? 'payload' : layerOfIpProtocol(layer.protocol ?? 0, 4);
  return { layer, headerLength: hlen, checksums, next: { type: nextType, end: innerEnd }, ip };
}
