// The last step of every `fastpath bench` subcommand: fingerprint the machine, assemble
// the result file and write the run directory (JSON, CSV, Markdown, SVG).
import { collectFingerprint, type FingerprintOptions } from './fingerprint.js';
import { newResult, type BenchResult, type Metric } from './result.js';
import { summaryMarkdown } from './report/markdown.js';
import { writeRun, type WrittenRun } from './report/write-run.js';

export interface RecordOptions extends FingerprintOptions {
  /** Parent of the run directory (default results/runs in the checkout). */
  runsDir?: string;
  /** When the measurements began (default: now). */
  startedAt?: Date;
  /** Throughput searches and the remote DUT, when the run had them. */
  extra?: Pick<BenchResult, 'ndr' | 'dut'>;
}

export interface RecordedRun extends WrittenRun {
  result: BenchResult;
  /** The summary.md text, for printing. */
  summary: string;
}

export async function recordRun(metrics: Metric[], options: RecordOptions = {}): Promise<RecordedRun> {
  const environment = await collectFingerprint(options);
  const result = newResult(environment, metrics, options.startedAt, options.extra);
  const written = writeRun(result, options.runsDir);
  return { ...written, result, summary: summaryMarkdown(result) };
}
