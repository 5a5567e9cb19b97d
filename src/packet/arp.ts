import { formatIpv4, formatMac, parseIpv4, parseMac } from './addr.js';
import { checkRange, need, type DecodeStep } from './layer-api.js';

/** ARP for Ethernet/IPv4 (htype 1, ptype 0x0800); other sizes are not built or decoded. */
export interface ArpSpec {
  type: 'arp';
  htype?: number;
  ptype?: number;
  hlen?: number;
  plen?: number;
  /** 1 = request, 2 = reply. */
  op: number;
  sha: string;
  spa: string;
  tha?: string;
  tpa: string;
}

export function encodeArp(spec: ArpSpec, payload: Buffer): Buffer {
  const h = Buffer.alloc(28);
  h.writeUInt16BE(checkRange('arp.htype', spec.htype ?? 1, 0xffff), 0);
  h.writeUInt16BE(checkRange('arp.ptype', spec.ptype ?? 0x0800, 0xffff), 2);
  h[4] = checkRange('arp.hlen', spec.hlen ?? 6, 0xff);
  h[5] = checkRange('arp.plen', spec.plen ?? 4, 0xff);
  h.writeUInt16BE(checkRange('arp.op', spec.op, 0xffff), 6);
  parseMac(spec.sha, 'arp.sha').copy(h, 8);
  parseIpv4(spec.spa, 'arp.spa').copy(h, 14);
  parseMac(spec.tha ?? '00:00:00:00:00:00', 'arp.tha').copy(h, 18);
  parseIpv4(spec.tpa, 'arp.tpa').copy(h, 24);
  return Buffer.concat([h, payload]);
}

export function decodeArp(buf: Buffer, off: number, end: number): DecodeStep<ArpSpec> {
  need(off, 8, end, 'arp header');
  const hlen = buf[off + 4];
  const plen = buf[off + 5];
  const layer: ArpSpec = {
    type: 'arp',
    htype: buf.readUInt16BE(off),
    ptype: buf.readUInt16BE(off + 2),
    hlen,
    plen,
    op: buf.readUInt16BE(off + 6),
    sha: '',
    spa: '',
    tha: '',
    tpa: '',
  };
  if (hlen !== 6 || plen !== 4) {
    return { layer, headerLength: 8, error: `arp: hlen ${hlen} / plen ${plen} is not Ethernet/IPv4 (6/4)` };
  }
  need(off, 28, end, 'arp body');
  layer.sha = formatMac(buf, off + 8);
  layer.spa = formatIpv4(buf, off + 14);
  layer.tha = formatMac(buf, off + 18);
  layer.tpa = formatIpv4(buf, off + 24);
  return { layer, headerLength: 28, next: { type: 'payload' } };
}
