// What one scenario run in one mode gathers: the checks, the frames of the exchange (for
// the failure pcap), layer diffs and the datapath dump.
import type { PcapRecord } from '../packet/index.js';
import type { Check } from './types.js';

export interface ModeRun {
  checks: Check[];
  exchange: PcapRecord[];
  diffs: string[];
  dumps?: string;
  log: string[];
  /** Measurements shown on a pass too (ScenarioResult.notes). */
  notes: string[];
  /** Inject steps replayed through the slow path (differential check), and how many differed. */
  differential: { checked: number; mismatched: number };
  /** Aborted when the run's time is up: waits end at once. */
  signal: AbortSignal;
}

export function newModeRun(signal: AbortSignal): ModeRun {
  return { checks: [], exchange: [], diffs: [], log: [], notes: [], differential: { checked: 0, mismatched: 0 }, signal };
}

/** The run cannot happen on this machine (a kernel feature is missing): a skip, not a
 *  failure, with the reason shown. */
export class NotRunnableHere extends Error {
  override readonly name = 'NotRunnableHere';
}
