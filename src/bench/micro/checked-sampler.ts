// A timed test-run call whose answer is checked: a benchmark of a program that returns the
// wrong verdict or writes the wrong bytes must fail, not report a fast figure. Every call
// asks for its output packet (copied out after the kernel's timed window, so it costs the
// figure nothing); every call's verdict is compared, and every `compareEvery`-th output
// (the first always) against the expected frames, byte for byte.
import type { BpfProgram, TestRunOptions } from '../../../native/index.js';
import { diffPackets, renderDiff } from '../../packet/index.js';
import type { TimedRun } from '../micro-timer.js';

export interface Expectation {
  /** The return value every call must give (TC_ACT_REDIRECT, XDP_REDIRECT, ...). */
  verdict: number;
  /** The output frame, or the frames any one of which is right (e.g. one per endpoint a
   *  selection algorithm may pick). */
  output: Buffer[];
}

export class MicroCheckError extends Error {}

export interface CheckedSamplerOptions {
  /** Names the case in an error. */
  caseId: string;
  /** Runs before every call, untimed. */
  reset?: () => void;
  /** Outputs compared: the first and then every N-th (default 1: all). */
  compareEvery?: number;
}

export interface CheckCounts {
  calls: number;
  outputsCompared: number;
}

function mismatch(caseId: string, call: number, what: string): MicroCheckError {
  return new MicroCheckError(`${caseId}: timed call ${call}: ${what}`);
}

function describeOutput(expected: Buffer[], actual: Buffer): string {
  const closest = expected.reduce(
    (best, e) => {
      const d = diffPackets(e, actual);
      return best === null || d.length < best.length ? d : best;
    },
    null as ReturnType<typeof diffPackets> | null,
  );
  const diff = closest === null || closest.length === 0 ? '(lengths or undecoded bytes differ)' : renderDiff(closest);
  return `output differs from the expected frame${expected.length > 1 ? ` (closest of ${expected.length})` : ''}:\n${diff}`;
}

/** A run() for measureTestRun that throws MicroCheckError on a wrong verdict or output;
 *  `counts` tells afterwards how many calls and comparisons were made. */
export function checkedSampler(
  program: BpfProgram,
  input: Buffer,
  expect: Expectation,
  o: CheckedSamplerOptions,
): { run: () => TimedRun; counts: CheckCounts } {
  if (expect.output.length === 0) throw new Error(`${o.caseId}: expectation: at least one expected output frame`);
  const every = o.compareEvery ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new Error(`compareEvery: expected a positive integer, got ${every}`);
  const room = Math.max(...expect.output.map((b) => b.length), input.length) + 64;
  const counts: CheckCounts = { calls: 0, outputsCompared: 0 };
  const run = (): TimedRun => {
    o.reset?.();
    const options: TestRunOptions = { data: Buffer.from(input), repeat: 1, dataSizeOut: room };
    const r = program.testRun(options);
    const call = counts.calls++;
    if (r.retval !== expect.verdict) throw mismatch(o.caseId, call, `verdict ${r.retval}, expected ${expect.verdict}`);
    if (call % every === 0) {
      counts.outputsCompared++;
      if (r.data === null) throw mismatch(o.caseId, call, 'no output packet');
      const out = r.data;
      if (!expect.output.some((e) => e.equals(out))) throw mismatch(o.caseId, call, describeOutput(expect.output, out));
    }
    return r;
  };
  return { run, counts };
}
