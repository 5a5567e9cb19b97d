import { formatIpv6, parseIpv6 } from './addr.js';
import { checkRange, ipProtocolOf, layerOfIpProtocol, need, type DecodeStep, type EncodeContext } from './layer-api.js';

/** Option in a hop-by-hop or destination-options header: type 0 is Pad1, 1 is PadN. */
export interface Ipv6Option {
  type: number;
  data?: Buffer;
  /** The length byte, when it must disagree with data (a malformed option). */
  length?: number;
  /** Exact bytes, for a malformed option that is not even type + length. */
  raw?: Buffer;
}

export type Ipv6Extension =
  | { type: 'hopByHop' | 'destOpts'; nextHeader?: number; hdrExtLen?: number; options?: Ipv6Option[] }
  | {
      type: 'routing';
      nextHeader?: number;
      hdrExtLen?: number;
      routingType?: number;
      segmentsLeft?: number;
      /** Types 0 and 2: the 4 reserved bytes then addresses. */
      reserved?: number;
      addresses?: string[];
      /** Other types: the bytes after the first 4. */
      data?: Buffer;
    }
  | { type: 'fragment'; nextHeader?: number; reserved?: number; fragOffset?: number; res2?: number; mf?: boolean; id?: number };

export interface Ipv6Spec {
  type: 'ipv6';
  src: string;
  dst: string;
  version?: number;
  trafficClass?: number;
  flowLabel?: number;
  payloadLength?: number;
  nextHeader?: number;
  hopLimit?: number;
  extensions?: Ipv6Extension[];
}

const EXT_NUMBER = { hopByHop: 0, routing: 43, fragment: 44, destOpts: 60 } as const;

function encodeOptions(options: Ipv6Option[], field: string): Buffer {
  const body = Buffer.concat(
    options.map((o, i) => {
      if (o.raw) return o.raw;
      const type = checkRange(`${field}[${i}].type`, o.type, 0xff);
      if (type === 0) return Buffer.from([0]);
      const data = o.data ?? Buffer.alloc(0);
      const length = checkRange(`${field}[${i}].length`, o.length ?? data.length, 0xff);
      return Buffer.concat([Buffer.from([type, length]), data]);
    }),
  );
  // The header is 2 bytes + options, a multiple of 8: pad with Pad1 or PadN.
  const pad = (8 - ((body.length + 2) % 8)) % 8;
  if (pad === 0) return body;
  if (pad === 1) return Buffer.concat([body, Buffer.from([0])]);
  return Buffer.concat([body, Buffer.from([1, pad - 2]), Buffer.alloc(pad - 2)]);
}

function decodeOptions(bytes: Buffer): Ipv6Option[] {
  const out: Ipv6Option[] = [];
  for (let i = 0; i < bytes.length;) {
    const type = bytes[i]!;
    if (type === 0) {
      out.push({ type: 0 });
      i++;
      continue;
    }
    if (i + 1 >= bytes.length) {
      out.push({ type, raw: Buffer.from([type]) });
      i++;
      continue;
    }
    const len = bytes[i + 1]!;
    const data = Buffer.from(bytes.subarray(i + 2, i + 2 + len));
    out.push(data.length === len ? { type, data } : { type, length: len, data });
    i += 2 + len;
  }
  return out;
}

function encodeExtension(ext: Ipv6Extension, nextHeader: number, field: string): Buffer {
  const nh = checkRange(`${field}.nextHeader`, ext.nextHeader ?? nextHeader, 0xff);
  if (ext.type === 'fragment') {
    const h = Buffer.alloc(8);
    h[0] = nh;
    h[1] = checkRange(`${field}.reserved`, ext.reserved ?? 0, 0xff);
    h.writeUInt16BE(
      (checkRange(`${field}.fragOffset`, ext.fragOffset ?? 0, 0x1fff) << 3) |
        (checkRange(`${field}.res2`, ext.res2 ?? 0, 3) << 1) |
        (ext.mf ? 1 : 0),
      2,
    );
    h.writeUInt32BE(checkRange(`${field}.id`, ext.id ?? 0, 0xffffffff), 4);
    return h;
  }
  let body: Buffer;
  if (ext.type === 'routing') {
    const head = Buffer.from([ext.routingType ?? 0, ext.segmentsLeft ?? ext.addresses?.length ?? 0]);
    let rest: Buffer;
    if (ext.addresses) {
      const reserved = Buffer.alloc(4);
      reserved.writeUInt32BE(checkRange(`${field}.reserved`, ext.reserved ?? 0, 0xffffffff));
      rest = Buffer.concat([reserved, ...ext.addresses.map((a, i) => parseIpv6(a, `${field}.addresses[${i}]`))]);
    } else {
      rest = ext.data ?? Buffer.alloc(4);
    }
    body = Buffer.concat([head, rest]);
  } else {
    body = encodeOptions(ext.options ?? [], `${field}.options`);
  }
  if ((body.length + 2) % 8 !== 0) {
    throw new Error(`${field}: header length ${body.length + 2} is not a multiple of 8`);
  }
  const len = checkRange(`${field}.hdrExtLen`, ext.hdrExtLen ?? (body.length + 2) / 8 - 1, 0xff);
  return Buffer.concat([Buffer.from([nh, len]), body]);
}

export function encodeIpv6(spec: Ipv6Spec, payload: Buffer, ctx: EncodeContext): Buffer {
  const exts = spec.extensions ?? [];
  const upper = ipProtocolOf(ctx.nextType) ?? (ctx.nextType === undefined || ctx.nextType === 'payload' ? 59 : undefined);
  let nextHeader = upper;
  const encoded: Buffer[] = [];
  for (let i = exts.length - 1; i >= 0; i--) {
    if (nextHeader === undefined && exts[i]!.nextHeader === undefined) {
      throw new Error(`ipv6.extensions[${i}].nextHeader: cannot infer it from the next layer '${ctx.nextType}'; give it`);
    }
    encoded.unshift(encodeExtension(exts[i]!, nextHeader ?? 0, `ipv6.extensions[${i}]`));
    nextHeader = EXT_NUMBER[exts[i]!.type];
  }
  const first = spec.nextHeader ?? nextHeader;
  if (first === undefined) {
    throw new Error(`ipv6.nextHeader: cannot infer it from the next layer '${ctx.nextType}'; give it`);
  }
  const rest = Buffer.concat([...encoded, payload]);
  const h = Buffer.alloc(40);
  h.writeUInt32BE(
    ((checkRange('ipv6.version', spec.version ?? 6, 15) << 28) |
      (checkRange('ipv6.trafficClass', spec.trafficClass ?? 0, 0xff) << 20) |
      checkRange('ipv6.flowLabel', spec.flowLabel ?? 0, 0xfffff)) >>>
      0,
    0,
  );
  h.writeUInt16BE(checkRange('ipv6.payloadLength', spec.payloadLength ?? rest.length, 0xffff), 4);
  h[6] = checkRange('ipv6.nextHeader', first, 0xff);
  h[7] = checkRange('ipv6.hopLimit', spec.hopLimit ?? 64, 0xff);
  parseIpv6(spec.src, 'ipv6.src').copy(h, 8);
  parseIpv6(spec.dst, 'ipv6.dst').copy(h, 24);
  return Buffer.concat([h, rest]);
}

export function decodeIpv6(buf: Buffer, off: number, end: number, embedded: boolean): DecodeStep<Ipv6Spec> {
  need(off, 40, end, 'ipv6 header');
  const word = buf.readUInt32BE(off);
  const payloadLength = buf.readUInt16BE(off + 4);
  const layer: Ipv6Spec = {
    type: 'ipv6',
    src: formatIpv6(buf, off + 8),
    dst: formatIpv6(buf, off + 24),
    version: word >>> 28,
    trafficClass: (word >>> 20) & 0xff,
    flowLabel: word & 0xfffff,
    payloadLength,
    nextHeader: buf[off + 6],
    hopLimit: buf[off + 7],
    extensions: [],
  };
  if (layer.version !== 6) return { layer, headerLength: 40, error: `ipv6.version: ${layer.version}, expected 6` };
  let innerEnd = off + 40 + payloadLength;
  let fragmented = false;
  if (innerEnd > end) {
    if (!embedded) {
      return {
        layer,
        headerLength: 40,
        error: `ipv6.payloadLength: ${payloadLength} runs past the end of the frame (${end - off - 40} bytes)`,
      };
    }
    innerEnd = end;
    fragmented = true;
  }
  let nh = layer.nextHeader ?? 0;
  let p = off + 40;
  let laterFragment = false;
  const exts = layer.extensions ?? [];
  while (nh === 0 || nh === 43 || nh === 44 || nh === 60) {
    need(p, 8, innerEnd, 'ipv6 extension header');
    const next = buf[p]!;
    if (nh === 44) {
      const f = buf.readUInt16BE(p + 2);
      exts.push({
        type: 'fragment',
        nextHeader: next,
        reserved: buf[p + 1],
        fragOffset: f >> 3,
        res2: (f >> 1) & 3,
        mf: (f & 1) === 1,
        id: buf.readUInt32BE(p + 4),
      });
      fragmented = true;
      laterFragment = f >> 3 !== 0;
      p += 8;
    } else {
      const hdrExtLen = buf[p + 1]!;
      const len = (hdrExtLen + 1) * 8;
      need(p, len, innerEnd, 'ipv6 extension header');
      if (nh === 43) {
        const routingType = buf[p + 2];
        const segmentsLeft = buf[p + 3];
        if ((routingType === 0 || routingType === 2) && (len - 8) % 16 === 0) {
          const addresses: string[] = [];
          for (let a = p + 8; a < p + len; a += 16) addresses.push(formatIpv6(buf, a));
          exts.push({
            type: 'routing',
            nextHeader: next,
            hdrExtLen,
            routingType,
            segmentsLeft,
            reserved: buf.readUInt32BE(p + 4),
            addresses,
          });
        } else {
          exts.push({
            type: 'routing',
            nextHeader: next,
            hdrExtLen,
            routingType,
            segmentsLeft,
            data: Buffer.from(buf.subarray(p + 4, p + len)),
          });
        }
      } else {
        exts.push({
          type: nh === 0 ? 'hopByHop' : 'destOpts',
          nextHeader: next,
          hdrExtLen,
          options: decodeOptions(buf.subarray(p + 2, p + len)),
        });
      }
      p += len;
    }
    nh = next;
    if (laterFragment) break;
  }
  const ip = {
    version: 6 as const,
    src: Buffer.from(buf.subarray(off + 8, off + 24)),
    dst: Buffer.from(buf.subarray(off + 24, off + 40)),
    fragmented,
  };
  const nextType = laterFragment ? 'payload' : layerOfIpProtocol(nh, 6);
  return { layer, headerLength: p - off, next: { type: nextType, end: innerEnd }, ip };
}
