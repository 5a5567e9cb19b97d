// The differential check: a packet the fast path (flow cache) handled is replayed through
// the slow path with the flow cache emptied, and both must give the same verdict and the
// same bytes. The replay leaves no trace: every state and counter map is restored after it,
// so the scenario's own expectations see only the real packets.
import type { TestRunResult } from '../../native/index.js';
import type { Datapath, PathCounter } from '../datapath/index.js';
import { comparePacket } from './compare.js';
import { PACKET_STATE_MAPS, captureMaps, restoreMaps } from './map-state.js';
import type { Check } from './types.js';

export interface DifferentialOutcome {
  check: Check;
  /** The layer diff (fast path as expected, slow path as actual) on a byte mismatch. */
  diff?: string;
  slow: TestRunResult | null;
}

function pathCount(dp: Datapath, name: PathCounter): bigint {
  return dp.paths()[name].packets;
}

/** True when the last run took the TC fast path: tc_fast_hit moved by one. */
export function fastHitsNow(dp: Datapath): bigint {
  return pathCount(dp, 'tc_fast_hit');
}

export function replayThroughSlowPath(dp: Datapath, label: string, fast: TestRunResult, run: () => TestRunResult): DifferentialOutcome {
  const name = `${label}: differential (slow path with the flow cache off gives the fast path's verdict and bytes)`;
  const saved = captureMaps(dp, PACKET_STATE_MAPS);
  let slow: TestRunResult;
  let slowEntries: bigint;
  let fastHits: bigint;
  try {
    const fc = dp.map('fc');
    for (const k of fc.keys()) fc.delete(k);
    const slowBefore = pathCount(dp, 'tc_slow');
    const fastBefore = pathCount(dp, 'tc_fast_hit');
    slow = run();
    slowEntries = pathCount(dp, 'tc_slow') - slowBefore;
    fastHits = pathCount(dp, 'tc_fast_hit') - fastBefore;
  } finally {
    restoreMaps(saved);
  }
  const problems: string[] = [];
  if (slowEntries !== 1n || fastHits !== 0n)
    problems.push(`the replay did not take the slow path (tc_slow +${slowEntries}, tc_fast_hit +${fastHits})`);
  if (slow.retval !== fast.retval) problems.push(`verdict: fast path retval ${fast.retval}, slow path retval ${slow.retval}`);
  let diff: string | undefined;
  if (fast.data !== null && slow.data !== null && !fast.data.equals(slow.data)) {
    diff = comparePacket(fast.data, slow.data, undefined).diff;
    problems.push(`bytes differ (fast path as expected, slow path as actual):\n${diff}`);
  } else if ((fast.data === null) !== (slow.data === null)) {
    problems.push(
      `output: fast path ${fast.data === null ? 'none' : `${fast.data.length} bytes`}, slow path ${slow.data === null ? 'none' : `${slow.data.length} bytes`}`,
    );
  }
  const check: Check = { name, ok: problems.length === 0, ...(problems.length === 0 ? {} : { detail: problems.join('\n') }) };
  return { check, slow, ...(diff !== undefined ? { diff } : {}) };
}
