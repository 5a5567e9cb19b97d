import { checkRange, need, type DecodeContext, type DecodeStep, type EncodeContext } from './layer-api.js';
import { checkL4 } from './l4-checksum.js';
import { tcpUdpChecksum } from './tcp.js';

export interface UdpSpec {
  type: 'udp';
  /** Defaults to the tunnel port when the next layer is vxlan or gtpu. */
  sport?: number;
  dport?: number;
  udpLength?: number;
  /** Over IPv4, 0 means "no checksum". */
  checksum?: number;
}

export const VXLAN_PORTS = [4789, 8472];
export const GTPU_PORT = 2152;

function tunnelPort(nextType: string | undefined): number | undefined {
  if (nextType === 'vxlan') return 4789;
  if (nextType === 'gtpu') return GTPU_PORT;
  return undefined;
}

export function encodeUdp(spec: UdpSpec, payload: Buffer, ctx: EncodeContext): Buffer {
  const port = tunnelPort(ctx.nextType);
  const sport = spec.sport ?? port;
  const dport = spec.dport ?? port;
  if (sport === undefined) throw new Error('udp.sport: missing');
  if (dport === undefined) throw new Error('udp.dport: missing');
  const h = Buffer.alloc(8);
  h.writeUInt16BE(checkRange('udp.sport', sport, 0xffff), 0);
  h.writeUInt16BE(checkRange('udp.dport', dport, 0xffff), 2);
  h.writeUInt16BE(checkRange('udp.udpLength', spec.udpLength ?? 8 + payload.length, 0xffff), 4);
  const segment = Buffer.concat([h, payload]);
  let checksum = tcpUdpChecksum('udp', spec.checksum, ctx.ip, 17, segment);
  // A computed zero is sent as all ones (RFC 768); zero on the wire means none.
  if (spec.checksum === undefined && checksum === 0) checksum = 0xffff;
  segment.writeUInt16BE(checksum, 6);
  return segment;
}

export function decodeUdp(buf: Buffer, off: number, end: number, ctx: DecodeContext): DecodeStep<UdpSpec> {
  need(off, 8, end, 'udp header');
  const layer: UdpSpec = {
    type: 'udp',
    sport: buf.readUInt16BE(off),
    dport: buf.readUInt16BE(off + 2),
    udpLength: buf.readUInt16BE(off + 4),
    checksum: buf.readUInt16BE(off + 6),
  };
  const udpLength = layer.udpLength ?? 0;
  if (udpLength < 8) return { layer, headerLength: 8, error: `udp.udpLength: ${udpLength} is below the minimum 8` };
  let innerEnd = off + udpLength;
  if (innerEnd > end) {
    if (!ctx.embedded)
      return { layer, headerLength: 8, error: `udp.udpLength: ${udpLength} runs past the end of the IP payload (${end - off} bytes)` };
    innerEnd = end;
  }
  let checksums: DecodeStep<UdpSpec>['checksums'] = [];
  if (!(layer.checksum === 0 && ctx.ip?.version === 4)) {
    checksums = checkL4(ctx, 17, buf.subarray(off, innerEnd), 6);
    // A zero sum is sent as 0xffff.
    const c = checksums?.[0];
    if (c && c.expected === 0) checksums = [{ ...c, expected: 0xffff, valid: c.actual === 0xffff }];
  }
  const dport = layer.dport ?? 0;
  const sport = layer.sport ?? 0;
  let nextType = 'payload';
  if (VXLAN_PORTS.includes(dport)) nextType = 'vxlan';
  else if (dport === GTPU_PORT || sport === GTPU_PORT) nextType = 'gtpu';
  return { layer, headerLength: 8, checksums, next: { type: nextType, end: innerEnd } };
}
