// Reader of policers with their colour counters.
import type { BpfMap } from '../../native/index.js';
import { type PolicerState, decodePolicers } from './policer.js';
import { readCounters } from './readers.js';

export function readPolicers(pol: BpfMap, statsPol: BpfMap): PolicerState[] {
  return decodePolicers(pol, readCounters(statsPol));
}
