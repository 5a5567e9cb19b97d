// Names of the enums in bpf/include/common.h and events.h, in index order. Their lengths are checked
// against the max_entries of stats_drop / stats_path at load (table-sizes.ts).

export const DROP_REASONS = [
  'none',
  'eth_trunc',
  'vlan_trunc',
  'ip4_trunc',
  'ip4_version',
  'ip4_ihl',
  'ip4_len_short',
  'ip4_len_beyond',
  'ip6_trunc',
  'ip6_version',
  'ip6_len_beyond',
  'ip6_ext_trunc',
  'tcp_trunc',
  'tcp_doff',
  'udp_trunc',
  'udp_len',
  'sctp_trunc',
  'icmp_trunc',
  'icmp6_trunc',
  'rewrite',
  'ct_invalid',
  'ct_collision',
  'ip4_csum',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export const PATHS = [
  'tc_fast_hit',
  'tc_slow',
  'xdp_fast_hit',
  'xdp_pass',
  'fc_stale',
  'tailcall_fail',
  'stack_not_ip',
  'stack_unparsed',
  'stack_intf_miss',
  'stack_l2_mcast',
  'stack_dmac_miss',
  'stack_route_miss',
  'stack_local',
  'stack_ttl',
  'stack_nh_miss',
  'stack_not_l3',
  'l2_fwd',
  'l3_fwd',
  'event_lost',
  'event_limited',
  'fc_install',
  'fc_retire',
  'ct_new',
  'ct_close',
  'lb_no_ep',
  'icmp_err_nat',
  'xdp_pass_csum',
  'xdp_pass_mtu',
  'xdp_pass_egress',
] as const;
export type PathCounter = (typeof PATHS)[number];

export const EVENT_TYPES: Record<number, string> = { 1: 'mac-learn', 2: 'route-miss', 3: 'nh-miss' };
