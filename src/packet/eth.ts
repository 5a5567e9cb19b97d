import { formatMac, parseMac } from './addr.js';
import { checkRange, need, type DecodeStep, type EncodeContext } from './layer-api.js';

export interface EthSpec {
  type: 'eth';
  dst?: string;
  src?: string;
  /** Filled from the next layer (vlan, arp, ipv4, ipv6) unless given. */
  ethertype?: number;
}

export function ethertypeOf(nextType: string | undefined): number | undefined {
  switch (nextType) {
    case 'vlan':
      return 0x8100;
    case 'arp':
      return 0x0806;
    case 'ipv4':
      return 0x0800;
    case 'ipv6':
      return 0x86dd;
    default:
      return undefined;
  }
}

export function layerOfEthertype(ethertype: number): string {
  switch (ethertype) {
    case 0x8100:
    case 0x88a8:
      return 'vlan';
    case 0x0806:
      return 'arp';
    case 0x0800:
      return 'ipv4';
    case 0x86dd:
      return 'ipv6';
    default:
      return 'payload';
  }
}

export function inferEthertype(layer: string, given: number | undefined, ctx: EncodeContext): number {
  const value = given ?? ethertypeOf(ctx.nextType);
  if (value === undefined) {
    throw new Error(`${layer}.ethertype: cannot infer it from the next layer '${ctx.nextType ?? '(none)'}'; give it`);
  }
  return checkRange(`${layer}.ethertype`, value, 0xffff);
}

export function encodeEth(spec: EthSpec, payload: Buffer, ctx: EncodeContext): Buffer {
  const h = Buffer.alloc(14);
  parseMac(spec.dst ?? '00:00:00:00:00:00', 'eth.dst').copy(h, 0);
  parseMac(spec.src ?? '00:00:00:00:00:00', 'eth.src').copy(h, 6);
  h.writeUInt16BE(inferEthertype('eth', spec.ethertype, ctx), 12);
  return Buffer.concat([h, payload]);
}

export function decodeEth(buf: Buffer, off: number, end: number): DecodeStep<EthSpec> {
  need(off, 14, end, 'eth header');
  const ethertype = buf.readUInt16BE(off + 12);
  return {
    layer: { type: 'eth', dst: formatMac(buf, off), src: formatMac(buf, off + 6), ethertype },
    headerLength: 14,
    next: { type: layerOfEthertype(ethertype) },
  };
}
