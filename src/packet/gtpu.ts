import { checkRange, need, type DecodeStep } from './layer-api.js';

/** GTP-U extension headers: the PDU session container (type 0x85, TS 38.415) or raw. */
export type GtpExtension =
  | {
      type: 'pduSession';
      /** 0 = downlink, 1 = uplink. */
      pduType: number;
      qfi: number;
      /** Downlink only. */
      ppp?: boolean;
      rqi?: boolean;
      /** Low 4 bits of the first byte. */
      spare?: number;
    }
  /** content: the bytes between the length byte and the next-type byte. */
  | { type: 'raw'; extType: number; content: Buffer };

export interface GtpuSpec {
  type: 'gtpu';
  version?: number;
  /** Protocol type: 1 = GTP. */
  pt?: number;
  /** Low 3 bits E, S, PN; filled from extensions/seq/npdu. */
  flags?: number;
  /** 255 = G-PDU (carries an IP packet). */
  msgType?: number;
  /** Bytes after the 8-byte mandatory header. */
  gtpLength?: number;
  teid: number;
  seq?: number;
  npdu?: number;
  extensions?: GtpExtension[];
}

const PDU_SESSION = 0x85;

function encodeExtension(e: GtpExtension, nextType: number, field: string): Buffer {
  if (e.type === 'raw') {
    if ((e.content.length + 2) % 4 !== 0) throw new Error(`${field}.content: ${e.content.length + 2} bytes is not a multiple of 4`);
    return Buffer.concat([Buffer.from([(e.content.length + 2) / 4]), e.content, Buffer.from([nextType])]);
  }
  const pduType = checkRange(`${field}.pduType`, e.pduType, 15);
  const qfi = checkRange(`${field}.qfi`, e.qfi, 63);
  const second = pduType === 0 ? (e.ppp ? 0x80 : 0) | (e.rqi ? 0x40 : 0) | qfi : qfi;
  return Buffer.from([1, (pduType << 4) | checkRange(`${field}.spare`, e.spare ?? 0, 15), second, nextType]);
}

function extTypeOf(e: GtpExtension): number {
  return e.type === 'raw' ? e.extType : PDU_SESSION;
}

export function encodeGtpu(spec: GtpuSpec, payload: Buffer): Buffer {
  const exts = spec.extensions ?? [];
  const autoFlags = (exts.length ? 4 : 0) | (spec.seq !== undefined ? 2 : 0) | (spec.npdu !== undefined ? 1 : 0);
  const flags = checkRange('gtpu.flags', spec.flags ?? autoFlags, 7);
  const optional = flags !== 0 ? Buffer.alloc(4) : Buffer.alloc(0);
  if (flags !== 0) {
    optional.writeUInt16BE(checkRange('gtpu.seq', spec.seq ?? 0, 0xffff), 0);
    optional[2] = checkRange('gtpu.npdu', spec.npdu ?? 0, 0xff);
    optional[3] = exts.length ? extTypeOf(exts[0]!) : 0;
  }
  const extBytes = exts.map((e, i) => encodeExtension(e, i + 1 < exts.length ? extTypeOf(exts[i + 1]!) : 0, `gtpu.extensions[${i}]`));
  const rest = Buffer.concat([optional, ...extBytes, payload]);
  const h = Buffer.alloc(8);
  h[0] = (checkRange('gtpu.version', spec.version ?? 1, 7) << 5) | (checkRange('gtpu.pt', spec.pt ?? 1, 1) << 4) | flags;
  h[1] = checkRange('gtpu.msgType', spec.msgType ?? 255, 0xff);
  h.writeUInt16BE(checkRange('gtpu.gtpLength', spec.gtpLength ?? rest.length, 0xffff), 2);
  h.writeUInt32BE(checkRange('gtpu.teid', spec.teid, 0xffffffff), 4);
  return Buffer.concat([h, rest]);
}

export function decodeGtpu(buf: Buffer, off: number, end: number): DecodeStep<GtpuSpec> {
  need(off, 8, end, 'gtpu header');
  const flags = buf[off]! & 7;
  const gtpLength = buf.readUInt16BE(off + 2);
  const layer: GtpuSpec = {
    type: 'gtpu',
    version: buf[off]! >> 5,
    pt: (buf[off]! >> 4) & 1,
    flags,
    msgType: buf[off + 1],
    gtpLength,
    teid: buf.readUInt32BE(off + 4),
  };
  if (off + 8 + gtpLength > end) {
    return { layer, headerLength: 8, error: `gtpu.gtpLength: ${gtpLength} runs past the end of the UDP payload (${end - off - 8} bytes)` };
  }
  const innerEnd = off + 8 + gtpLength;
  let p = off + 8;
  if (flags !== 0) {
    need(p, 4, innerEnd, 'gtpu optional fields');
    layer.seq = buf.readUInt16BE(p);
    layer.npdu = buf[p + 2];
    let extType = buf[p + 3]!;
    p += 4;
    const exts: GtpExtension[] = [];
    while (extType !== 0 && flags & 4) {
      need(p, 1, innerEnd, 'gtpu extension header');
      const len = buf[p]! * 4;
      if (len === 0) return { layer, headerLength: p - off, error: `gtpu.extensions[${exts.length}]: length 0` };
      need(p, len, innerEnd, 'gtpu extension header');
      const content = buf.subarray(p + 1, p + len - 1);
      if (extType === PDU_SESSION && len === 4) {
        const pduType = content[0]! >> 4;
        exts.push(
          pduType === 0
            ? {
                type: 'pduSession',
                pduType,
                spare: content[0]! & 15,
                ppp: (content[1]! & 0x80) !== 0,
                rqi: (content[1]! & 0x40) !== 0,
                qfi: content[1]! & 63,
              }
            : { type: 'pduSession', pduType, spare: content[0]! & 15, qfi: content[1]! & 63 },
        );
      } else {
        exts.push({ type: 'raw', extType, content: Buffer.from(content) });
      }
      extType = buf[p + len - 1]!;
      p += len;
    }
    layer.extensions = exts;
  }
  let nextType = 'payload';
  if (layer.msgType === 255 && p < innerEnd) {
    const v = buf[p]! >> 4;
    nextType = v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : 'payload';
  }
  return { layer, headerLength: p - off, next: { type: nextType, end: innerEnd } };
}
