// One codec per map key and value, mirroring the structs of bpf/include byte for byte.
// checkCodecsAgainstBtf (btf-check.ts) proves the mirror at every load.
import { type FieldKind, type FieldSpec, type MapCodec, mapCodec as mc, structCodec, u32Codec } from './struct-codec.js';

export type { MapCodec } from './struct-codec.js';

function f(name: string, offset: number, size: number, kind: FieldKind): FieldSpec {
  return { name, offset, size, kind };
}

export interface IntfKeyRaw {
  ifindex: number;
  vlan: number;
  pad?: number;
}
export interface IntfRaw {
  port: number;
  zone: number;
  bd: number;
  policer: number;
  mirror: number;
  flags: number;
}
export interface MacKeyRaw {
  mac: Buffer;
  bd: number;
}
export interface SmacRaw {
  event_ns: bigint;
  port: number;
  flags: number;
}
export interface RmacRaw {
  flags: number;
}
export interface DmacRaw {
  ifindex: number;
  vlan: number;
  flags: number;
}
export interface Rt4KeyRaw {
  prefixlen: number;
  zone_be: number;
  addr: Buffer;
}
export interface Rt6KeyRaw {
  prefixlen: number;
  zone_be: number;
  addr: Buffer;
}
export interface RouteRaw {
  route_id: number;
  flags: number;
  nh_count: number;
  nh: number[];
}
export interface NhRaw {
  dmac: Buffer;
  smac: Buffer;
  ifindex: number;
  vlan: number;
  flags: number;
}
export interface FlowKeyRaw {
  saddr: Buffer;
  daddr: Buffer;
  sport_be: number;
  dport_be: number;
  zone: number;
  proto: number;
  family: number;
}
export interface FcRaw {
  generation: bigint;
  dmac: Buffer;
  smac: Buffer;
  ifindex: number;
  vlan: number;
  flags: number;
  route_id: number;
  nh_id: number;
  nat_saddr: Buffer;
  nat_daddr: Buffer;
  nat_sport_be: number;
  nat_dport_be: number;
  csum_addr?: number;
  csum_port?: number;
  hits?: bigint;
  sctp_vtag?: number;
  policer?: number;
  mtu?: number;
  /** Not a field any more (the last 8 bytes became csum_addr / csum_port); ignored. */
  pad?: Buffer;
}
export interface CfgRaw {
  generation: bigint;
  event_interval_ns: bigint;
  flags: number;
  qos_ports: number[];
  pad: number;
}
/** fp_cfg.flags: some mirror copies egress. */
export const CFG_F_EGRESS_MIRR = 1;
/** fp_cfg.flags: tun_dst has entries. */
export const CFG_F_TUN_DST = 2;
export const CFG_QOS_WORDS = 16;
export interface CounterRaw {
  packets: bigint;
  bytes: bigint;
}
export interface EventRaw {
  type: number;
  family: number;
  ifindex: number;
  id: number;
  zone: number;
  bd: number;
  vlan: number;
  mac: Buffer;
  addr: Buffer;
  ts_ns: bigint;
}

export const intfKeyCodec = structCodec<IntfKeyRaw>('fp_intf_key', 8, [
  f('ifindex', 0, 4, 'u32'),
  f('vlan', 4, 2, 'u16'),
  f('pad', 6, 2, 'u16'),
]);
export const intfCodec = structCodec<IntfRaw>('fp_intf', 12, [
  f('port', 0, 2, 'u16'),
  f('zone', 2, 2, 'u16'),
  f('bd', 4, 2, 'u16'),
  f('policer', 6, 2, 'u16'),
  f('mirror', 8, 2, 'u16'),
  f('flags', 10, 2, 'u16'),
]);
export interface IntfSlotRaw {
  intf: Buffer;
  valid: number;
  pad?: number;
}
export const intfSlotCodec = structCodec<IntfSlotRaw>('fp_intf_slot', 16, [
  f('intf', 0, 12, 'bytes'),
  f('valid', 12, 2, 'u16'),
  f('pad', 14, 2, 'u16'),
]);
export const INTF_ARR_MAX = 4096;
export const macKeyCodec = structCodec<MacKeyRaw>('fp_mac_key', 8, [f('mac', 0, 6, 'bytes'), f('bd', 6, 2, 'u16')]);
export const smacCodec = structCodec<SmacRaw>('fp_smac', 16, [
  f('event_ns', 0, 8, 'u64'),
  f('port', 8, 4, 'u32'),
  f('flags', 12, 4, 'u32'),
]);
export const rmacCodec = structCodec<RmacRaw>('fp_rmac', 4, [f('flags', 0, 4, 'u32')]);
export const dmacCodec = structCodec<DmacRaw>('fp_dmac', 8, [f('ifindex', 0, 4, 'u32'), f('vlan', 4, 2, 'u16'), f('flags', 6, 2, 'u16')]);
export const rt4KeyCodec = structCodec<Rt4KeyRaw>('fp_rt4_key', 12, [
  f('prefixlen', 0, 4, 'u32'),
  f('zone_be', 4, 4, 'be32'),
  f('addr', 8, 4, 'bytes'),
]);
export const rt6KeyCodec = structCodec<Rt6KeyRaw>('fp_rt6_key', 24, [
  f('prefixlen', 0, 4, 'u32'),
  f('zone_be', 4, 4, 'be32'),
  f('addr', 8, 16, 'bytes'),
]);
export const ECMP_MAX = 4;
export const routeCodec = structCodec<RouteRaw>('fp_route', 24, [
  f('route_id', 0, 4, 'u32'),
  f('flags', 4, 2, 'u16'),
  f('nh_count', 6, 2, 'u16'),
  f('nh', 8, 4 * ECMP_MAX, 'u32[]'),
]);
export const nhCodec = structCodec<NhRaw>('fp_nh', 20, [
  f('dmac', 0, 6, 'bytes'),
  f('smac', 6, 6, 'bytes'),
  f('ifindex', 12, 4, 'u32'),
  f('vlan', 16, 2, 'u16'),
  f('flags', 18, 2, 'u16'),
]);
export const flowKeyCodec = structCodec<FlowKeyRaw>('fp_flow_key', 40, [
  f('saddr', 0, 16, 'bytes'),
  f('daddr', 16, 16, 'bytes'),
  f('sport_be', 32, 2, 'be16'),
  f('dport_be', 34, 2, 'be16'),
  f('zone', 36, 2, 'u16'),
  f('proto', 38, 1, 'u8'),
  f('family', 39, 1, 'u8'),
]);
export const fcCodec = structCodec<FcRaw>('fp_fc_value', 104, [
  f('generation', 0, 8, 'u64'),
  f('dmac', 8, 6, 'bytes'),
  f('smac', 14, 6, 'bytes'),
  f('ifindex', 20, 4, 'u32'),
  f('vlan', 24, 2, 'u16'),
  f('flags', 26, 2, 'u16'),
  f('route_id', 28, 4, 'u32'),
  f('nh_id', 32, 4, 'u32'),
  f('nat_saddr', 36, 16, 'bytes'),
  f('nat_daddr', 52, 16, 'bytes'),
  f('nat_sport_be', 68, 2, 'be16'),
  f('nat_dport_be', 70, 2, 'be16'),
  f('csum_addr', 72, 4, 'u32'),
  f('csum_port', 76, 4, 'u32'),
  f('hits', 80, 8, 'u64'),
  f('sctp_vtag', 88, 4, 'u32'),
  f('policer', 92, 4, 'u32'),
  f('mtu', 96, 2, 'u16'),
]);
export const cfgCodec = structCodec<CfgRaw>('fp_cfg', 88, [
  f('generation', 0, 8, 'u64'),
  f('event_interval_ns', 8, 8, 'u64'),
  f('flags', 16, 4, 'u32'),
  f('qos_ports', 20, 4 * CFG_QOS_WORDS, 'u32[]'),
  f('pad', 84, 4, 'u32'),
]);
export const counterCodec = structCodec<CounterRaw>('fp_counter', 16, [f('packets', 0, 8, 'u64'), f('bytes', 8, 8, 'u64')]);
/** The events ring buffer record (a ring buffer has no BTF key/value to check against). */
export const eventCodec = structCodec<EventRaw>('fp_event', 48, [
  f('type', 0, 2, 'u16'),
  f('family', 2, 2, 'u16'),
  f('ifindex', 4, 4, 'u32'),
  f('id', 8, 4, 'u32'),
  f('zone', 12, 2, 'u16'),
  f('bd', 14, 2, 'u16'),
  f('vlan', 16, 2, 'u16'),
  f('mac', 18, 6, 'bytes'),
  f('addr', 24, 16, 'bytes'),
  f('ts_ns', 40, 8, 'u64'),
]);

/** The forwarding maps (map-codecs.ts lists every map). */
export const FORWARDING_MAP_CODECS: readonly MapCodec[] = [
  mc('intf', intfKeyCodec, intfCodec),
  mc('smac', macKeyCodec, smacCodec),
  mc('rmac', macKeyCodec, rmacCodec),
  mc('dmac', macKeyCodec, dmacCodec),
  mc('rt_v4', rt4KeyCodec, routeCodec),
  mc('rt_v6', rt6KeyCodec, routeCodec),
  mc('nh', u32Codec, nhCodec),
  mc('fc', flowKeyCodec, fcCodec),
  mc('cfg', u32Codec, cfgCodec),
  mc('stats_intf', u32Codec, counterCodec),
  mc('stats_route', u32Codec, counterCodec),
  mc('stats_nh', u32Codec, counterCodec),
  mc('stats_drop', u32Codec, counterCodec),
  mc('stats_path', u32Codec, counterCodec),
  mc('intf_arr', u32Codec, intfSlotCodec),
];

/** Flag bits and limits from the concern headers of bpf/include. */
export const INTF_F_L3 = 1;
export const INTF_F_LEARN = 2;
/** The device takes redirected XDP frames (set from the kernel's ndo-xmit feature bit). */
export const INTF_F_XDP_TX = 4;
/** xdpTx 'on': INTF_F_XDP_TX set whatever the kernel says (control plane only). */
export const INTF_F_XDP_TX_ON = 8;
export const SMAC_F_KNOWN = 1;
export const RT_F_LOCAL = 1;
export const NH_F_VALID = 1;
export const FC_F_DEC_TTL = 1;
export const FC_F_SNAT = 2;
export const FC_F_DNAT = 4;
export const FC_F_CT = 8;
/** Cached with an out port that takes XDP frames: the XDP entry may forward the hit. */
export const FC_F_XDP_TX = 16;
export const PGM_CT = 2;
export const PGM_SLOW = 1;
export const MAX_NH = 4096;
export const MAX_ROUTES = 32768 + 2048;
