import { checkRange, need, type DecodeStep } from './layer-api.js';

export interface VxlanSpec {
  type: 'vxlan';
  vni: number;
  /** 0x08 = the I flag (VNI valid). */
  flags?: number;
  reserved1?: number;
  reserved2?: number;
}

export function encodeVxlan(spec: VxlanSpec, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(
    ((checkRange('vxlan.flags', spec.flags ?? 0x08, 0xff) << 24) | checkRange('vxlan.reserved1', spec.reserved1 ?? 0, 0xffffff)) >>> 0,
    0,
  );
  h.writeUInt32BE(((checkRange('vxlan.vni', spec.vni, 0xffffff) << 8) | checkRange('vxlan.reserved2', spec.reserved2 ?? 0, 0xff)) >>> 0, 4);
  return Buffer.concat([h, payload]);
}

export function decodeVxlan(buf: Buffer, off: number, end: number): DecodeStep<VxlanSpec> {
  need(off, 8, end, 'vxlan header');
  const w0 = buf.readUInt32BE(off);
  const w1 = buf.readUInt32BE(off + 4);
  return {
    layer: { type: 'vxlan', flags: w0 >>> 24, reserved1: w0 & 0xffffff, vni: w1 >>> 8, reserved2: w1 & 0xff },
    headerLength: 8,
    next: { type: 'eth' },
  };
}
