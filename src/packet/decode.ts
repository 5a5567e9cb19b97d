import { decodeArp } from './arp.js';
import { decodeEth } from './eth.js';
import { decodeGre } from './gre.js';
import { decodeGtpu } from './gtpu.js';
import { decodeIcmp } from './icmp.js';
import { decodeIcmpv6 } from './icmpv6.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { DecodeError, type ChecksumCheck, type DecodeContext, type DecodeStep } from './layer-api.js';
import { decodeSctp } from './sctp.js';
import { decodeTcp } from './tcp.js';
import type { DecodedLayer, DecodedPacket, LayerSpec } from './types.js';
import { decodeUdp } from './udp.js';
import { decodeVlan } from './vlan.js';
import { decodeVxlan } from './vxlan.js';

export type FirstLayer = 'eth' | 'ipv4' | 'ipv6' | 'sctp' | 'tcp' | 'udp' | 'icmp' | 'icmpv6';

function decodeLayer(type: string, buf: Buffer, off: number, end: number, ctx: DecodeContext): DecodeStep<LayerSpec> {
  switch (type) {
    case 'eth':
      return decodeEth(buf, off, end);
    case 'vlan':
      return decodeVlan(buf, off, end);
    case 'arp':
      return decodeArp(buf, off, end);
    case 'ipv4':
      return decodeIpv4(buf, off, end, ctx.embedded);
    case 'ipv6':
      return decodeIpv6(buf, off, end, ctx.embedded);
    case 'tcp':
      return decodeTcp(buf, off, end, ctx);
    case 'udp':
      return decodeUdp(buf, off, end, ctx);
    case 'sctp':
      return decodeSctp(buf, off, end);
    case 'icmp':
      return decodeIcmp(buf, off, end, ctx);
    case 'icmpv6':
      return decodeIcmpv6(buf, off, end, ctx);
    case 'vxlan':
      return decodeVxlan(buf, off, end);
    case 'gtpu':
      return decodeGtpu(buf, off, end);
    case 'gre':
      return decodeGre(buf, off, end);
    default:
      throw new DecodeError(off, `no decoder for layer '${type}'`);
  }
}

/** Name of the layer at `index` in reports: its type, with [n] for the n-th repeat (n >= 1). */
export function layerName(layers: { type: string }[], index: number): string {
  const n = layers.slice(0, index).filter((l) => l.type === layers[index]!.type).length;
  return n === 0 ? layers[index]!.type : `${layers[index]!.type}[${n}]`;
}

/**
 * Decode every layer it can. Malformed input yields the decoded prefix plus `error`; this
 * never throws.
 */
export function decodePacket(buf: Buffer, opts: { first?: FirstLayer } = {}): DecodedPacket {
  const layers: DecodedLayer[] = [];
  const checksums: ChecksumCheck[] = [];
  let type: string = opts.first ?? 'eth';
  let off = 0;
  let end = buf.length;
  let trailerStart: number | undefined;
  let ctx: DecodeContext = { embedded: false };
  for (;;) {
    if (type === 'payload') {
      if (off < end) layers.push({ type: 'payload', data: Buffer.from(buf.subarray(off, end)), offset: off, length: end - off });
      break;
    }
    let step: DecodeStep<LayerSpec>;
    try {
      step = decodeLayer(type, buf, off, end, ctx);
    } catch (e) {
      const offset = e instanceof DecodeError ? e.offset : off;
      const name = layerName([...layers, { type }], layers.length);
      return finish({ layers, checksums, error: { layer: name, offset, message: (e as Error).message } });
    }
    const index = layers.length;
    layers.push({ ...step.layer, offset: off, length: step.headerLength });
    const name = layerName(layers, index);
    for (const c of step.checksums ?? []) checksums.push({ layer: name, index, ...c });
    if (step.error) return finish({ layers, checksums, error: { layer: name, offset: off, message: step.error } });
    const nextEnd = step.next?.end ?? end;
    if (nextEnd < end && trailerStart === undefined && !ctx.embedded) trailerStart = nextEnd;
    ctx = { ip: step.ip ?? ctx.ip, embedded: step.embedded ?? ctx.embedded };
    off += step.headerLength;
    end = nextEnd;
    if (!step.next) break;
    type = step.next.type;
  }
  if (trailerStart !== undefined && trailerStart < buf.length) {
    layers.push({
      type: 'trailer',
      data: Buffer.from(buf.subarray(trailerStart)),
      offset: trailerStart,
      length: buf.length - trailerStart,
    });
  }
  return finish({ layers, checksums });

  function finish(p: DecodedPacket): DecodedPacket {
    return p.error ? p : { layers: p.layers, checksums: p.checksums };
  }
}
