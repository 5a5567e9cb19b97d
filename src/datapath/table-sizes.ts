// The control plane addresses these maps by index up to a bound it keeps itself (ids,
// rows per rule, enum names); the object's max_entries must be that bound, or ids the
// control plane accepts would fail at the kernel, or ids it never writes or reads would
// sit in the map. Checked at every load, every mismatch named at once.
import { MAX_MIRR, MAX_TUN, QOS_CLASSES, QOS_PORTS } from './codecs-qos-mirror-tunnel.js';
import { INTF_ARR_MAX, MAX_NH, MAX_ROUTES } from './codecs.js';
import { LB_EP_MAX, LB_RULES_MAX, MAX_LB_RANGE } from './lb-codecs.js';
import { DROP_REASONS, PATHS } from './names.js';
import { COLOURS, MAX_POL } from './policer.js';

interface TableSize {
  map: string;
  entries: number;
  /** Where the control plane's bound is defined. */
  bound: string;
}

const TABLE_SIZES: readonly TableSize[] = [
  { map: 'stats_drop', entries: DROP_REASONS.length, bound: 'names.ts DROP_REASONS' },
  { map: 'stats_path', entries: PATHS.length, bound: 'names.ts PATHS' },
  { map: 'intf_arr', entries: INTF_ARR_MAX, bound: 'codecs.ts INTF_ARR_MAX' },
  { map: 'stats_intf', entries: INTF_ARR_MAX, bound: 'codecs.ts INTF_ARR_MAX' },
  { map: 'nh', entries: MAX_NH, bound: 'codecs.ts MAX_NH' },
  { map: 'stats_nh', entries: MAX_NH, bound: 'codecs.ts MAX_NH' },
  { map: 'stats_route', entries: MAX_ROUTES, bound: 'codecs.ts MAX_ROUTES' },
  { map: 'lb_ep', entries: LB_RULES_MAX * LB_EP_MAX, bound: 'lb-codecs.ts LB_RULES_MAX x LB_EP_MAX' },
  { map: 'lb_sess', entries: LB_RULES_MAX * LB_EP_MAX, bound: 'lb-codecs.ts LB_RULES_MAX x LB_EP_MAX' },
  { map: 'lb_tbl', entries: LB_RULES_MAX, bound: 'lb-codecs.ts LB_RULES_MAX' },
  { map: 'lb_range', entries: MAX_LB_RANGE, bound: 'lb-codecs.ts MAX_LB_RANGE' },
  { map: 'pol', entries: MAX_POL, bound: 'policer.ts MAX_POL' },
  { map: 'stats_pol', entries: MAX_POL * COLOURS.length, bound: 'policer.ts MAX_POL x COLOURS' },
  { map: 'qos', entries: QOS_PORTS * QOS_CLASSES, bound: 'codecs-qos-mirror-tunnel.ts QOS_PORTS x QOS_CLASSES' },
  { map: 'mirr', entries: MAX_MIRR, bound: 'codecs-qos-mirror-tunnel.ts MAX_MIRR' },
  { map: 'stats_mirr', entries: MAX_MIRR, bound: 'codecs-qos-mirror-tunnel.ts MAX_MIRR' },
  { map: 'tun', entries: MAX_TUN, bound: 'codecs-qos-mirror-tunnel.ts MAX_TUN' },
  { map: 'stats_tun', entries: MAX_TUN, bound: 'codecs-qos-mirror-tunnel.ts MAX_TUN' },
];

/** Every table whose max_entries in the object differs from the control plane's bound. */
export function tableSizeMismatches(maxEntries: (map: string) => number): string[] {
  const out: string[] = [];
  for (const s of TABLE_SIZES) {
    const max = maxEntries(s.map);
    if (max !== s.entries) out.push(`map ${s.map}: ${max} entries in the object, the control plane's bound (${s.bound}) is ${s.entries}`);
  }
  return out;
}
