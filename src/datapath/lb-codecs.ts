// Codecs of the CT and LB maps, mirroring bpf/include/ct.h and lb.h byte for byte (listed in
// map-codecs.ts, checked against BTF at every load with the others).
import { type FlowKeyRaw, flowKeyCodec } from './codecs.js';
import { type FieldKind, type FieldSpec, type MapCodec, mapCodec as mc, structCodec, u32Codec } from './struct-codec.js';

function f(name: string, offset: number, size: number, kind: FieldKind): FieldSpec {
  return { name, offset, size, kind };
}

export const LB_EP_MAX = 64;
export const LB_RULES_MAX = 256;
export const LB_TBL_MAX = 6421;
/** lb_range: zone, protocol, family and VIP bits before the port prefix. */
export const LB_RANGE_FIXED_BITS = 160;
export const LB_RANGE_PREFIXES = 30;
export const MAX_LB_RANGE = LB_RULES_MAX * LB_RANGE_PREFIXES;
export const MAX_CT = 512 * 1024;

/** A connection is keyed by its flow (struct fp_flow_key, as the flow cache). */
export type CtKeyRaw = FlowKeyRaw;
export interface CtRaw {
  seen_ns: bigint;
  peer: Buffer;
  nat_saddr: Buffer;
  nat_daddr: Buffer;
  nat_sport_be: number;
  nat_dport_be: number;
  flags: number;
  state: number;
  fin: number;
  rule_id: number;
  ep: number;
  seq: number[];
  pkts: number;
  policer?: number;
}
/** port_end_be: 0 for an exact-port rule, else the last port of a range rule. */
export interface LbKeyRaw {
  vip: Buffer;
  port_be: number;
  zone: number;
  proto: number;
  family: number;
  port_end_be?: number;
}
export interface LbRangeKeyRaw {
  prefixlen: number;
  zone: number;
  proto: number;
  family: number;
  vip: Buffer;
  port_be: number;
  pad?: number;
}
export interface LbRaw {
  rule_id: number;
  mode: number;
  algo: number;
  n_ep: number;
  tbl_size: number;
  rr_hint: number;
  active: bigint;
  persist_ns: bigint;
  snat_addr: Buffer;
  policer?: number;
  pad?: number;
  pad2?: number;
}
export interface LbEpRaw {
  addr: Buffer;
  port_be: number;
  weight: number;
  pad?: number;
}
export interface LbTblRaw {
  ep: Buffer;
  pad?: Buffer;
}
export interface PersistKeyRaw {
  addr: Buffer;
  rule_id: number;
}
export interface PersistRaw {
  ts_ns: bigint;
  ep: number;
  pad?: number;
}
export interface FragKeyRaw {
  saddr: Buffer;
  daddr: Buffer;
  id: number;
  zone: number;
  proto: number;
  family: number;
}

export const ctKeyCodec = flowKeyCodec;
export const ctCodec = structCodec<CtRaw>('fp_ct', 112, [
  f('seen_ns', 0, 8, 'u64'),
  f('peer', 8, 40, 'bytes'),
  f('nat_saddr', 48, 16, 'bytes'),
  f('nat_daddr', 64, 16, 'bytes'),
  f('nat_sport_be', 80, 2, 'be16'),
  f('nat_dport_be', 82, 2, 'be16'),
  f('flags', 84, 2, 'u16'),
  f('state', 86, 1, 'u8'),
  f('fin', 87, 1, 'u8'),
  f('rule_id', 88, 4, 'u32'),
  f('ep', 92, 4, 'u32'),
  f('seq', 96, 8, 'u32[]'),
  f('pkts', 104, 4, 'u32'),
  f('policer', 108, 4, 'u32'),
]);
export const lbKeyCodec = structCodec<LbKeyRaw>('fp_lb_key', 24, [
  f('vip', 0, 16, 'bytes'),
  f('port_be', 16, 2, 'be16'),
  f('zone', 18, 2, 'u16'),
  f('proto', 20, 1, 'u8'),
  f('family', 21, 1, 'u8'),
  f('port_end_be', 22, 2, 'be16'),
]);
export const lbRangeKeyCodec = structCodec<LbRangeKeyRaw>('fp_lb_range_key', 28, [
  f('prefixlen', 0, 4, 'u32'),
  f('zone', 4, 2, 'u16'),
  f('proto', 6, 1, 'u8'),
  f('family', 7, 1, 'u8'),
  f('vip', 8, 16, 'bytes'),
  f('port_be', 24, 2, 'be16'),
  f('pad', 26, 2, 'u16'),
]);
export const lbCodec = structCodec<LbRaw>('fp_lb', 56, [
  f('rule_id', 0, 4, 'u32'),
  f('mode', 4, 1, 'u8'),
  f('algo', 5, 1, 'u8'),
  f('n_ep', 6, 2, 'u16'),
  f('tbl_size', 8, 4, 'u32'),
  f('rr_hint', 12, 4, 'u32'),
  f('active', 16, 8, 'u64'),
  f('persist_ns', 24, 8, 'u64'),
  f('snat_addr', 32, 16, 'bytes'),
  f('policer', 48, 2, 'u16'),
  f('pad', 50, 2, 'u16'),
  f('pad2', 52, 4, 'u32'),
]);
export const lbEpCodec = structCodec<LbEpRaw>('fp_lb_ep', 24, [
  f('addr', 0, 16, 'bytes'),
  f('port_be', 16, 2, 'be16'),
  f('weight', 18, 2, 'u16'),
  f('pad', 20, 4, 'u32'),
]);
export const lbTblCodec = structCodec<LbTblRaw>('fp_lb_tbl', LB_TBL_MAX + 3, [
  f('ep', 0, LB_TBL_MAX, 'bytes'),
  f('pad', LB_TBL_MAX, 3, 'bytes'),
]);
export const persistKeyCodec = structCodec<PersistKeyRaw>('fp_persist_key', 20, [f('addr', 0, 16, 'bytes'), f('rule_id', 16, 4, 'u32')]);
export const persistCodec = structCodec<PersistRaw>('fp_persist', 16, [
  f('ts_ns', 0, 8, 'u64'),
  f('ep', 8, 4, 'u32'),
  f('pad', 12, 4, 'u32'),
]);
export const fragKeyCodec = structCodec<FragKeyRaw>('fp_frag_key', 40, [
  f('saddr', 0, 16, 'bytes'),
  f('daddr', 16, 16, 'bytes'),
  f('id', 32, 4, 'u32'),
  f('zone', 36, 2, 'u16'),
  f('proto', 38, 1, 'u8'),
  f('family', 39, 1, 'u8'),
]);

export const LB_MAP_CODECS: readonly MapCodec[] = [
  mc('ct', ctKeyCodec, ctCodec),
  mc('lb', lbKeyCodec, lbCodec),
  mc('lb_range', lbRangeKeyCodec, lbKeyCodec),
  mc('lb_ep', u32Codec, lbEpCodec),
  mc('lb_sess', u32Codec, u32Codec),
  mc('lb_tbl', u32Codec, lbTblCodec),
  mc('lb_persist', persistKeyCodec, persistCodec),
  mc('ct_frag', fragKeyCodec, ctKeyCodec),
];

export const CT_F_REPLY = 1;
export const CT_F_SNAT = 2;
export const CT_F_DNAT = 4;
export const CT_F_DSR = 8;
export const CT_F_PICKUP = 16;
export const CT_F_IPIP = 32;

/** enum fp_ct_state, in order. */
export const CT_STATES = [
  'none',
  'syn_sent',
  'syn_recv',
  'established',
  'fin_wait',
  'closing',
  'new',
  'unidirectional',
  'sctp_init',
  'sctp_init_ack',
  'sctp_cookie_echo',
  'sctp_shutdown',
  'sctp_shutdown_ack',
] as const;
export type CtState = (typeof CT_STATES)[number];

export const LB_MODES = ['dnat', 'onearm', 'fullnat', 'dsr', 'dsr-ipip'] as const;
export type LbMode = (typeof LB_MODES)[number];
export const LB_ALGOS = ['rr', 'hash', 'maglev', 'lc', 'persist', 'wrr', 'n3'] as const;
export type LbAlgo = (typeof LB_ALGOS)[number];
