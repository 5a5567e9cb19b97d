import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './addr.js';
import { crc32c } from './crc32c.js';
import { checkRange, need, padTo, type DecodeStep } from './layer-api.js';

export type SctpParam =
  | { type: 'ipv4'; addr: string }
  | { type: 'ipv6'; addr: string }
  | { type: 'cookie'; data: Buffer }
  | { type: 'heartbeatInfo'; data: Buffer }
  | { type: 'raw'; code: number; data: Buffer };

/** An error cause (ABORT, ERROR): code and the bytes after its 4-byte header. */
export interface SctpCause {
  code: number;
  data?: Buffer;
}

interface ChunkCommon {
  /** The chunk flags byte; filled from the named flags when absent. */
  flags?: number;
  /** Excludes padding; filled in when absent. */
  chunkLength?: number;
}

export interface SctpInitFields {
  initiateTag: number;
  arwnd?: number;
  outStreams?: number;
  inStreams?: number;
  initialTsn: number;
  params?: SctpParam[];
}

export type SctpChunk = ChunkCommon &
  (
    | {
        type: 'data';
        tsn: number;
        streamId?: number;
        streamSeq?: number;
        ppid?: number;
        data: Buffer;
        /** Flag bits; by default a whole message (B and E set). */
        unordered?: boolean;
        beginning?: boolean;
        ending?: boolean;
      }
    | ({ type: 'init' } & SctpInitFields)
    | ({ type: 'init-ack' } & SctpInitFields)
    | { type: 'sack'; cumTsnAck: number; arwnd?: number; gapBlocks?: { start: number; end: number }[]; dupTsns?: number[] }
    | { type: 'heartbeat'; params?: SctpParam[] }
    | { type: 'heartbeat-ack'; params?: SctpParam[] }
    /** tBit: the verification tag is the sender's own (reflected) tag. */
    | { type: 'abort'; tBit?: boolean; causes?: SctpCause[] }
    | { type: 'shutdown'; cumTsnAck: number }
    | { type: 'shutdown-ack' }
    | { type: 'error'; causes?: SctpCause[] }
    | { type: 'cookie-echo'; cookie: Buffer }
    | { type: 'cookie-ack' }
    | { type: 'shutdown-complete'; tBit?: boolean }
    | { type: 'unknown'; code: number; value: Buffer }
  );

export type SctpChunkType = SctpChunk['type'];

export interface SctpSpec {
  type: 'sctp';
  sport: number;
  dport: number;
  vtag?: number;
  /** The CRC32c value (stored little-endian on the wire); computed when absent. */
  checksum?: number;
  chunks: SctpChunk[];
}

const CHUNK_CODES: Record<Exclude<SctpChunkType, 'unknown'>, number> = {
  data: 0,
  init: 1,
  'init-ack': 2,
  sack: 3,
  heartbeat: 4,
  'heartbeat-ack': 5,
  abort: 6,
  shutdown: 7,
  'shutdown-ack': 8,
  error: 9,
  'cookie-echo': 10,
  'cookie-ack': 11,
  'shutdown-complete': 14,
};
const CHUNK_NAMES = new Map(Object.entries(CHUNK_CODES).map(([name, code]) => [code, name as SctpChunkType]));

const PARAM_CODES = { heartbeatInfo: 1, ipv4: 5, ipv6: 6, cookie: 7 } as const;

function tlv(code: number, value: Buffer, field: string): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(checkRange(`${field}.code`, code, 0xffff), 0);
  h.writeUInt16BE(checkRange(`${field} length`, 4 + value.length, 0xffff), 2);
  return Buffer.concat([h, value]);
}

/** Parameters and causes are padded to 4 bytes, except that the last one's padding is the chunk's. */
function joinPadded(items: Buffer[]): Buffer {
  return Buffer.concat(items.map((b, i) => (i + 1 < items.length ? padTo(b, 4) : b)));
}

function encodeParam(p: SctpParam, field: string): Buffer {
  switch (p.type) {
    case 'ipv4':
      return tlv(PARAM_CODES.ipv4, parseIpv4(p.addr, `${field}.addr`), field);
    case 'ipv6':
      return tlv(PARAM_CODES.ipv6, parseIpv6(p.addr, `${field}.addr`), field);
    case 'cookie':
      return tlv(PARAM_CODES.cookie, p.data, field);
    case 'heartbeatInfo':
      return tlv(PARAM_CODES.heartbeatInfo, p.data, field);
    case 'raw':
      return tlv(p.code, p.data, field);
  }
}

function decodeTlvs(bytes: Buffer, what: string): { code: number; value: Buffer }[] {
  const out = [];
  for (let i = 0; i < bytes.length;) {
    if (i + 4 > bytes.length) throw new Error(`${what}: ${bytes.length - i} stray bytes`);
    const len = bytes.readUInt16BE(i + 2);
    if (len < 4 || i + len > bytes.length) throw new Error(`${what}: length ${len} at byte ${i} does not fit`);
    out.push({ code: bytes.readUInt16BE(i), value: Buffer.from(bytes.subarray(i + 4, i + len)) });
    i += (len + 3) & ~3;
  }
  return out;
}

function decodeParams(bytes: Buffer): SctpParam[] {
  return decodeTlvs(bytes, 'parameters').map(({ code, value }): SctpParam => {
    if (code === PARAM_CODES.ipv4 && value.length === 4) return { type: 'ipv4', addr: formatIpv4(value) };
    if (code === PARAM_CODES.ipv6 && value.length === 16) return { type: 'ipv6', addr: formatIpv6(value) };
    if (code === PARAM_CODES.cookie) return { type: 'cookie', data: value };
    if (code === PARAM_CODES.heartbeatInfo) return { type: 'heartbeatInfo', data: value };
    return { type: 'raw', code, data: value };
  });
}

function u32(field: string, v: number | undefined, fallback = 0): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(checkRange(field, v ?? fallback, 0xffffffff));
  return b;
}

function u16(field: string, v: number | undefined, fallback = 0): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(checkRange(field, v ?? fallback, 0xffff));
  return b;
}

function chunkValue(c: SctpChunk, f: string): { flags: number; value: Buffer } {
  switch (c.type) {
    case 'data': {
      const flags = (c.unordered ? 4 : 0) | ((c.beginning ?? true) ? 2 : 0) | ((c.ending ?? true) ? 1 : 0);
      return {
        flags,
        value: Buffer.concat([
          u32(`${f}.tsn`, c.tsn),
          u16(`${f}.streamId`, c.streamId),
          u16(`${f}.streamSeq`, c.streamSeq),
          u32(`${f}.ppid`, c.ppid),
          c.data,
        ]),
      };
    }
    case 'init':
    case 'init-ack':
      return {
        flags: 0,
        value: Buffer.concat([
          u32(`${f}.initiateTag`, c.initiateTag),
          u32(`${f}.arwnd`, c.arwnd, 65536),
          u16(`${f}.outStreams`, c.outStreams, 10),
          u16(`${f}.inStreams`, c.inStreams, 10),
          u32(`${f}.initialTsn`, c.initialTsn),
          joinPadded((c.params ?? []).map((p, i) => encodeParam(p, `${f}.params[${i}]`))),
        ]),
      };
    case 'sack': {
      const gaps = c.gapBlocks ?? [];
      const dups = c.dupTsns ?? [];
      return {
        flags: 0,
        value: Buffer.concat([
          u32(`${f}.cumTsnAck`, c.cumTsnAck),
          u32(`${f}.arwnd`, c.arwnd, 65536),
          u16(`${f}.gapBlocks`, gaps.length),
          u16(`${f}.dupTsns`, dups.length),
          ...gaps.flatMap((g, i) => [u16(`${f}.gapBlocks[${i}].start`, g.start), u16(`${f}.gapBlocks[${i}].end`, g.end)]),
          ...dups.map((d, i) => u32(`${f}.dupTsns[${i}]`, d)),
        ]),
      };
    }
    case 'heartbeat':
    case 'heartbeat-ack':
      return { flags: 0, value: joinPadded((c.params ?? []).map((p, i) => encodeParam(p, `${f}.params[${i}]`))) };
    case 'abort':
    case 'error':
      return {
        flags: c.type === 'abort' && c.tBit ? 1 : 0,
        value: joinPadded((c.causes ?? []).map((k, i) => tlv(k.code, k.data ?? Buffer.alloc(0), `${f}.causes[${i}]`))),
      };
    case 'shutdown':
      return { flags: 0, value: u32(`${f}.cumTsnAck`, c.cumTsnAck) };
    case 'shutdown-ack':
    case 'cookie-ack':
      return { flags: 0, value: Buffer.alloc(0) };
    case 'shutdown-complete':
      return { flags: c.tBit ? 1 : 0, value: Buffer.alloc(0) };
    case 'cookie-echo':
      return { flags: 0, value: c.cookie };
    case 'unknown':
      return { flags: 0, value: c.value };
  }
}

export function encodeChunk(c: SctpChunk, field: string): Buffer {
  const { flags, value } = chunkValue(c, field);
  const code = c.type === 'unknown' ? checkRange(`${field}.code`, c.code, 0xff) : CHUNK_CODES[c.type];
  const h = Buffer.alloc(4);
  h[0] = code;
  h[1] = checkRange(`${field}.flags`, c.flags ?? flags, 0xff);
  h.writeUInt16BE(checkRange(`${field}.chunkLength`, c.chunkLength ?? 4 + value.length, 0xffff), 2);
  return padTo(Buffer.concat([h, value]), 4);
}

export function encodeSctp(spec: SctpSpec, payload: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(checkRange('sctp.sport', spec.sport, 0xffff), 0);
  h.writeUInt16BE(checkRange('sctp.dport', spec.dport, 0xffff), 2);
  h.writeUInt32BE(checkRange('sctp.vtag', spec.vtag ?? 0, 0xffffffff), 4);
  const packet = Buffer.concat([h, ...spec.chunks.map((c, i) => encodeChunk(c, `sctp.chunks[${i}]`)), payload]);
  packet.writeUInt32LE(spec.checksum !== undefined ? checkRange('sctp.checksum', spec.checksum, 0xffffffff) : crc32c(packet), 8);
  return packet;
}

function decodeChunk(code: number, flags: number, chunkLength: number, v: Buffer): SctpChunk {
  const type = CHUNK_NAMES.get(code);
  const base = { flags, chunkLength };
  const short = (n: number): void => {
    if (v.length < n) throw new Error(`${type} chunk: value of ${v.length} bytes is shorter than ${n}`);
  };
  switch (type) {
    case 'data':
      short(12);
      return {
        type,
        ...base,
        tsn: v.readUInt32BE(0),
        streamId: v.readUInt16BE(4),
        streamSeq: v.readUInt16BE(6),
        ppid: v.readUInt32BE(8),
        data: Buffer.from(v.subarray(12)),
        unordered: (flags & 4) !== 0,
        beginning: (flags & 2) !== 0,
        ending: (flags & 1) !== 0,
      };
    case 'init':
    case 'init-ack':
      short(16);
      return {
        type,
        ...base,
        initiateTag: v.readUInt32BE(0),
        arwnd: v.readUInt32BE(4),
        outStreams: v.readUInt16BE(8),
        inStreams: v.readUInt16BE(10),
        initialTsn: v.readUInt32BE(12),
        params: decodeParams(v.subarray(16)),
      };
    case 'sack': {
      short(12);
      const nGaps = v.readUInt16BE(8);
      const nDups = v.readUInt16BE(10);
      short(12 + nGaps * 4 + nDups * 4);
      const gapBlocks = [];
      for (let i = 0; i < nGaps; i++) gapBlocks.push({ start: v.readUInt16BE(12 + i * 4), end: v.readUInt16BE(14 + i * 4) });
      const dupTsns = [];
      for (let i = 0; i < nDups; i++) dupTsns.push(v.readUInt32BE(12 + nGaps * 4 + i * 4));
      return { type, ...base, cumTsnAck: v.readUInt32BE(0), arwnd: v.readUInt32BE(4), gapBlocks, dupTsns };
    }
    case 'heartbeat':
    case 'heartbeat-ack':
      return { type, ...base, params: decodeParams(v) };
    case 'abort':
      return { type, ...base, tBit: (flags & 1) !== 0, causes: decodeTlvs(v, 'causes').map((k) => ({ code: k.code, data: k.value })) };
    case 'error':
      return { type, ...base, causes: decodeTlvs(v, 'causes').map((k) => ({ code: k.code, data: k.value })) };
    case 'shutdown':
      short(4);
      return { type, ...base, cumTsnAck: v.readUInt32BE(0) };
    case 'shutdown-ack':
    case 'cookie-ack':
      return { type, ...base };
    case 'shutdown-complete':
      return { type, ...base, tBit: (flags & 1) !== 0 };
    case 'cookie-echo':
      return { type, ...base, cookie: Buffer.from(v) };
    default:
      return { type: 'unknown', ...base, code, value: Buffer.from(v) };
  }
}

export function decodeSctp(buf: Buffer, off: number, end: number): DecodeStep<SctpSpec> {
  need(off, 12, end, 'sctp common header');
  const layer: SctpSpec = {
    type: 'sctp',
    sport: buf.readUInt16BE(off),
    dport: buf.readUInt16BE(off + 2),
    vtag: buf.readUInt32BE(off + 4),
    checksum: buf.readUInt32LE(off + 8),
    chunks: [],
  };
  const packet = Buffer.from(buf.subarray(off, end));
  packet.writeUInt32LE(0, 8);
  const expected = crc32c(packet);
  const checksums = [{ field: 'checksum', valid: expected === layer.checksum, expected, actual: layer.checksum ?? 0 }];
  let p = off + 12;
  while (p < end) {
    if (p + 4 > end)
      return {
        layer,
        headerLength: p - off,
        checksums,
        error: `sctp.chunks[${layer.chunks.length}]: ${end - p} stray bytes after the last chunk`,
      };
    const chunkLength = buf.readUInt16BE(p + 2);
    if (chunkLength < 4 || p + chunkLength > end) {
      return {
        layer,
        headerLength: p - off,
        checksums,
        error: `sctp.chunks[${layer.chunks.length}].chunkLength: ${chunkLength} does not fit in the ${end - p} bytes left`,
      };
    }
    try {
      layer.chunks.push(decodeChunk(buf[p]!, buf[p + 1]!, chunkLength, buf.subarray(p + 4, p + chunkLength)));
    } catch (e) {
      return { layer, headerLength: p - off, checksums, error: `sctp.chunks[${layer.chunks.length}]: ${(e as Error).message}` };
    }
    p += (chunkLength + 3) & ~3;
  }
  return { layer, headerLength: Math.min(p, end) - off, checksums };
}
