// Codecs of the policer, QoS, mirror and tunnel maps (listed in map-codecs.ts, checked
// against BTF at every load like the others). Layouts: bpf/include/policer.h, qos.h, mirror.h, tunnel.h.
import { counterCodec } from './codecs.js';
import { policerCodec } from './policer.js';
import { type FieldKind, type FieldSpec, type MapCodec, mapCodec as mc, structCodec, u32Codec } from './struct-codec.js';

function f(name: string, offset: number, size: number, kind: FieldKind): FieldSpec {
  return { name, offset, size, kind };
}

export interface QosRaw {
  priority: number;
  dscp: number;
  flags: number;
  pad?: number;
}
export interface MirrorRaw {
  ifindex: number;
  vlan: number;
  flags: number;
}
export interface TunRaw {
  type: number;
  flags: number;
  qfi: number;
  flow_id: number;
  key: number;
  saddr: Buffer;
  daddr: Buffer;
  dmac: Buffer;
  smac: Buffer;
  ifindex: number;
  sport_be: number;
  pad?: number;
}
export interface TunTermKeyRaw {
  daddr: Buffer;
  key: number;
  type: number;
  pad?: Buffer;
}
export interface TunTermRaw {
  bd: number;
  flags: number;
  qfi: number;
  nh_id: number;
}
export interface TunDstKeyRaw {
  addr: Buffer;
  zone: number;
  pad?: number;
}

export const qosCodec = structCodec<QosRaw>('fp_qos', 8, [
  f('priority', 0, 4, 'u32'),
  f('dscp', 4, 1, 'u8'),
  f('flags', 5, 1, 'u8'),
  f('pad', 6, 2, 'u16'),
]);
export const mirrorCodec = structCodec<MirrorRaw>('fp_mirror', 8, [
  f('ifindex', 0, 4, 'u32'),
  f('vlan', 4, 2, 'u16'),
  f('flags', 6, 2, 'u16'),
]);
export const tunCodec = structCodec<TunRaw>('fp_tun', 36, [
  f('type', 0, 1, 'u8'),
  f('flags', 1, 1, 'u8'),
  f('qfi', 2, 1, 'u8'),
  f('flow_id', 3, 1, 'u8'),
  f('key', 4, 4, 'u32'),
  f('saddr', 8, 4, 'bytes'),
  f('daddr', 12, 4, 'bytes'),
  f('dmac', 16, 6, 'bytes'),
  f('smac', 22, 6, 'bytes'),
  f('ifindex', 28, 4, 'u32'),
  f('sport_be', 32, 2, 'be16'),
  f('pad', 34, 2, 'u16'),
]);
export const tunTermKeyCodec = structCodec<TunTermKeyRaw>('fp_tun_term_key', 12, [
  f('daddr', 0, 4, 'bytes'),
  f('key', 4, 4, 'u32'),
  f('type', 8, 1, 'u8'),
  f('pad', 9, 3, 'bytes'),
]);
export const tunTermCodec = structCodec<TunTermRaw>('fp_tun_term', 8, [
  f('bd', 0, 2, 'u16'),
  f('flags', 2, 1, 'u8'),
  f('qfi', 3, 1, 'u8'),
  f('nh_id', 4, 4, 'u32'),
]);
export const tunDstKeyCodec = structCodec<TunDstKeyRaw>('fp_tun_dst_key', 8, [
  f('addr', 0, 4, 'bytes'),
  f('zone', 4, 2, 'u16'),
  f('pad', 6, 2, 'u16'),
]);

/** Flag bits and limits of these maps (their concern headers in bpf/include). */
export const QOS_F_VALID = 1;
export const QOS_F_DSCP = 2;
export const QOS_PORTS = 512;
export const QOS_CLASSES = 8;
export const MIRR_F_VALID = 1;
export const MIRR_F_INGRESS = 2;
export const MIRR_F_EGRESS = 4;
export const MAX_MIRR = 32;
export const MAX_TUN = 1024;
export const TUN_F_QFI = 1;
export const TERM_F_QFI = 1;
export const DMAC_F_TUNNEL = 1;
export const TUN_TYPES = ['none', 'vxlan', 'nvgre', 'gtpu', 'ipip'] as const;

export const QOS_MIRROR_TUNNEL_MAP_CODECS: readonly MapCodec[] = [
  mc('pol', u32Codec, policerCodec),
  mc('stats_pol', u32Codec, counterCodec),
  mc('qos', u32Codec, qosCodec),
  mc('mirr', u32Codec, mirrorCodec),
  mc('stats_mirr', u32Codec, counterCodec),
  mc('tun', u32Codec, tunCodec),
  mc('tun_term', tunTermKeyCodec, tunTermCodec),
  mc('tun_dst', tunDstKeyCodec, u32Codec),
  mc('stats_tun', u32Codec, counterCodec),
];

/** The policer, QoS, mirror and tunnel configuration maps (compared whole in the
 *  no-partial-state tests). */
export const QOS_MIRROR_TUNNEL_MAPS = ['pol', 'qos', 'mirr', 'tun', 'tun_term', 'tun_dst'] as const;
