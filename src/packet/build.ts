import { encodeArp } from './arp.js';
import { parseIpv4, parseIpv6 } from './addr.js';
import type { PseudoSource } from './checksum.js';
import { encodeEth } from './eth.js';
import { encodeGre } from './gre.js';
import { encodeGtpu } from './gtpu.js';
import { encodeIcmp } from './icmp.js';
import { encodeIcmpv6 } from './icmpv6.js';
import { encodeIpv4 } from './ipv4.js';
import { encodeIpv6 } from './ipv6.js';
import type { EncodeContext } from './layer-api.js';
import { encodeSctp } from './sctp.js';
import { encodeTcp } from './tcp.js';
import type { LayerSpec } from './types.js';
import { encodeUdp } from './udp.js';
import { encodeVlan } from './vlan.js';
import { encodeVxlan } from './vxlan.js';

function encodeLayer(spec: LayerSpec, payload: Buffer, ctx: EncodeContext): Buffer {
  switch (spec.type) {
    case 'eth':
      return encodeEth(spec, payload, ctx);
    case 'vlan':
      return encodeVlan(spec, payload, ctx);
    case 'arp':
      return encodeArp(spec, payload);
    case 'ipv4':
      return encodeIpv4(spec, payload, ctx);
    case 'ipv6':
      return encodeIpv6(spec, payload, ctx);
    case 'tcp':
      return encodeTcp(spec, payload, ctx);
    case 'udp':
      return encodeUdp(spec, payload, ctx);
    case 'sctp':
      return encodeSctp(spec, payload);
    case 'icmp':
      return encodeIcmp(spec, payload);
    case 'icmpv6':
      return encodeIcmpv6(spec, payload, ctx);
    case 'vxlan':
      return encodeVxlan(spec, payload);
    case 'gtpu':
      return encodeGtpu(spec, payload);
    case 'gre':
      return encodeGre(spec, payload, ctx);
    case 'payload':
    case 'trailer':
      return Buffer.concat([spec.data, payload]);
    default:
      throw new Error(`layers: unknown layer type '${(spec as { type: string }).type}'`);
  }
}

function pseudoSourceOf(spec: LayerSpec, index: number): PseudoSource | undefined {
  if (spec.type === 'ipv4') {
    return { version: 4, src: parseIpv4(spec.src, `layers[${index}].src`), dst: parseIpv4(spec.dst, `layers[${index}].dst`) };
  }
  if (spec.type === 'ipv6') {
    return { version: 6, src: parseIpv6(spec.src, `layers[${index}].src`), dst: parseIpv6(spec.dst, `layers[${index}].dst`) };
  }
  return undefined;
}

/**
 * Build a packet from its layers, outermost first. Built innermost first so every header
 * sees its payload (lengths, checksums); a trailing 'trailer' layer is appended last and
 * counted in no length.
 */
export function buildPacket(layers: LayerSpec[]): Buffer {
  if (!Array.isArray(layers) || layers.length === 0) throw new Error('layers: need at least one layer');
  let last = layers.length;
  while (last > 0 && layers[last - 1]!.type === 'trailer') last--;
  const trailer = Buffer.concat(layers.slice(last).map((l) => (l as { data: Buffer }).data));
  const ips = layers.map((l, i) => pseudoSourceOf(l, i));
  let bytes: Buffer = Buffer.alloc(0);
  for (let i = last - 1; i >= 0; i--) {
    let ip: PseudoSource | undefined;
    for (let j = i - 1; j >= 0 && !ip; j--) ip = ips[j];
    const ctx: EncodeContext = { nextType: i + 1 < last ? layers[i + 1]!.type : undefined, ip };
    try {
      bytes = encodeLayer(layers[i]!, bytes, ctx);
    } catch (e) {
      throw new Error(`layers[${i}] (${layers[i]!.type}): ${(e as Error).message}`, { cause: e });
    }
  }
  return Buffer.concat([bytes, trailer]);
}
