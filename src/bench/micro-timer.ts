// Timing core of the micro benchmarks (BPF_PROG_TEST_RUN).
//
// Two mistakes this module exists to prevent:
// 1. Timing a rewritten packet. With repeat > 1 the kernel runs the program again and
//    again on the same buffer, so from the second iteration on a NAT program sees its own
//    output (already translated, or a flow it just created) instead of the input. We take
//    one sample per repeat=1 call instead, each on a fresh copy of the input, and
//    detectMutation()/checkRepeat() refuse repeat > 1 for a program that rewrites.
// 2. Reporting the test-run overhead as program cost. A repeat=1 call includes the
//    kernel's per-call set-up inside the timed window, so an empty program on the same
//    packet is measured the same way, interleaved with the subject in alternating blocks
//    (drift, frequency changes and noise hit both), and its median is subtracted.
// Type-only: erased at run time, so the timing core never loads the addon itself.
import type { TestRunOptions, TestRunResult } from '../../native/index.js';
import { median } from './stats.js';

export interface TimedRun {
  /** Kernel-reported duration of one call, ns. */
  duration: number;
}

export interface MeasureOptions {
  /** One repeat=1 test-run of the subject on a fresh copy of the input packet. */
  run: () => TimedRun;
  /** The same for the empty calibration program on the same packet. */
  calibrate: () => TimedRun;
  /** Samples kept per side (default 2000). */
  samples?: number;
  /** Calls per side discarded first, to warm caches and the JIT image (default 200). */
  warmup?: number;
  /** Calls per block before switching side (default 50). */
  blockSize?: number;
  /** Called after each block with the samples taken so far (both sides, warm-up excluded). */
  onProgress?: (done: number, total: number) => void;
}

export interface TestRunMeasurement {
  /** Subject samples minus the calibration median, ns. */
  samples: number[];
  /** Subject samples as measured. */
  raw: number[];
  /** Calibration samples as measured. */
  calibration: number[];
  calibrationMedian: number;
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${field}: expected a positive integer, got ${value}`);
  return value;
}

function timed(fn: () => TimedRun, field: string): number {
  const result = fn();
  const d = result?.duration;
  if (typeof d !== 'number' || !Number.isFinite(d) || d < 0) {
    throw new Error(`${field}().duration: expected a non-negative number of ns, got ${String(d)}`);
  }
  return d;
}

export function measureTestRun(options: MeasureOptions): TestRunMeasurement {
  const samples = positiveInteger(options.samples ?? 2000, 'samples');
  const warmup = options.warmup ?? 200;
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`warmup: expected a non-negative integer, got ${warmup}`);
  const blockSize = positiveInteger(options.blockSize ?? 50, 'blockSize');
  const { run, calibrate } = options;
  if (typeof run !== 'function') throw new Error('run: expected a function');
  if (typeof calibrate !== 'function') throw new Error('calibrate: expected a function');

  for (let i = 0; i < warmup; i++) {
    timed(run, 'run');
    timed(calibrate, 'calibrate');
  }
  const raw: number[] = [];
  const calibration: number[] = [];
  const takeBlock = (fn: () => TimedRun, field: string, into: number[]): void => {
    const end = Math.min(samples, into.length + blockSize);
    while (into.length < end) into.push(timed(fn, field));
  };
  for (let block = 0; raw.length < samples || calibration.length < samples; block++) {
    // ABBA order: neither side always runs right after the other.
    if (block % 2 === 0) {
      takeBlock(run, 'run', raw);
      takeBlock(calibrate, 'calibrate', calibration);
    } else {
      takeBlock(calibrate, 'calibrate', calibration);
      takeBlock(run, 'run', raw);
    }
    options.onProgress?.(raw.length + calibration.length, 2 * samples);
  }
  const calibrationMedian = median(calibration);
  return { samples: raw.map((d) => d - calibrationMedian), raw, calibration, calibrationMedian };
}

/** What measureTestRun needs from an addon program (BpfProgram satisfies it). */
export interface TestRunnable {
  testRun(options: TestRunOptions): TestRunResult;
}

export interface PacketInput {
  data: Buffer;
  /** struct __sk_buff / xdp_md bytes, if the program needs a ctx. */
  ctx?: Buffer;
}

/** A run() for measureTestRun: one repeat=1 call on a fresh copy of the input. `reset`
 *  runs before every call and is not timed (the kernel times only the program), e.g. to
 *  delete the CT entry so every sample is a new flow. */
export function testRunSampler(program: TestRunnable, input: PacketInput, reset?: () => void): () => TimedRun {
  return () => {
    reset?.();
    const options: TestRunOptions = { data: Buffer.from(input.data), repeat: 1, dataSizeOut: 0 };
    if (input.ctx !== undefined) options.ctx = Buffer.from(input.ctx);
    return program.testRun(options);
  };
}

/** Runs a program `repeat` times on a copy of `data` and returns the output packet. */
export type PacketRun = (data: Buffer, repeat: number) => { data: Buffer | null };

export function packetRunOf(program: TestRunnable, ctx?: Buffer): PacketRun {
  return (data, repeat) => {
    const options: TestRunOptions = { data: Buffer.from(data), repeat, dataSizeOut: data.length + 512 };
    if (ctx !== undefined) options.ctx = Buffer.from(ctx);
    return program.testRun(options);
  };
}

export interface MutationReport {
  /** The program's output after one iteration differs from its input. */
  mutates: boolean;
  /** First differing byte offset (the shorter length when only the lengths differ). */
  firstDifference: number | null;
  inputLength: number;
  outputLength: number;
  /** For a mutating program: whether a repeat=2 run gives exactly what a second repeat=1
   *  run over the first output gives, i.e. the second iteration timed the rewritten
   *  packet. null when the program does not mutate. */
  reTimesRewritten: boolean | null;
}

function firstDifference(a: Buffer, b: Buffer): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? null : n;
}

function outputOf(run: PacketRun, data: Buffer, repeat: number): Buffer {
  const out = run(Buffer.from(data), repeat).data;
  if (out === null) throw new Error('run: returned no output packet (ask for data out) so a rewrite cannot be seen');
  return out;
}

export function detectMutation(input: Buffer, run: PacketRun): MutationReport {
  const once = outputOf(run, input, 1);
  const offset = firstDifference(input, once);
  const report: MutationReport = {
    mutates: offset !== null,
    firstDifference: offset,
    inputLength: input.length,
    outputLength: once.length,
    reTimesRewritten: null,
  };
  if (report.mutates) {
    const repeatedTwice = outputOf(run, input, 2);
    const onceMore = outputOf(run, once, 1);
    report.reTimesRewritten = repeatedTwice.equals(onceMore);
  }
  return report;
}

/** Throws when `repeat` > 1 would time a rewritten packet; returns the report otherwise. */
export function checkRepeat(input: Buffer, run: PacketRun, repeat: number): MutationReport {
  positiveInteger(repeat, 'repeat');
  const report = detectMutation(input, run);
  if (repeat > 1 && report.mutates) {
    const where =
      report.inputLength === report.outputLength
        ? `byte ${report.firstDifference}`
        : `the length (${report.inputLength} -> ${report.outputLength} bytes)`;
    const evidence = report.reTimesRewritten ? '; a repeat=2 run was seen to process its own output' : '';
    throw new Error(
      `repeat: ${repeat} refused: the program rewrites the packet (${where} changes${evidence}), so every iteration after the first would time the rewritten packet; use repeat=1 samples minus a calibration (measureTestRun)`,
    );
  }
  return report;
}
