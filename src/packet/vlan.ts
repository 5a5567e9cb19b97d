import { inferEthertype, layerOfEthertype } from './eth.js';
import { checkRange, need, type DecodeStep, type EncodeContext } from './layer-api.js';

/** An 802.1Q tag: TCI plus the encapsulated ethertype (the TPID is the outer ethertype). */
export interface VlanSpec {
  type: 'vlan';
  vid: number;
  pcp?: number;
  dei?: boolean;
  ethertype?: number;
}

export function encodeVlan(spec: VlanSpec, payload: Buffer, ctx: EncodeContext): Buffer {
  const h = Buffer.alloc(4);
  const tci = (checkRange('vlan.pcp', spec.pcp ?? 0, 7) << 13) | ((spec.dei ? 1 : 0) << 12) | checkRange('vlan.vid', spec.vid, 0xfff);
  h.writeUInt16BE(tci, 0);
  h.writeUInt16BE(inferEthertype('vlan', spec.ethertype, ctx), 2);
  return Buffer.concat([h, payload]);
}

export function decodeVlan(buf: Buffer, off: number, end: number): DecodeStep<VlanSpec> {
  need(off, 4, end, 'vlan tag');
  const tci = buf.readUInt16BE(off);
  const ethertype = buf.readUInt16BE(off + 2);
  return {
    layer: { type: 'vlan', vid: tci & 0xfff, pcp: tci >> 13, dei: (tci & 0x1000) !== 0, ethertype },
    headerLength: 4,
    next: { type: layerOfEthertype(ethertype) },
  };
}
