// The path counters a bulk TCP report shows for our modes: which hook carried the packets.
export const REPORTED_PATHS = ['xdp_fast_hit', 'xdp_pass_csum', 'xdp_pass_mtu', 'xdp_pass_egress', 'tc_fast_hit', 'tc_slow'] as const;
export type ReportedPath = (typeof REPORTED_PATHS)[number];
