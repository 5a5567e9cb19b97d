// The shape of a benchmark result file: its schema tag, units, metrics (result.ts writes
// and reads them, result-validate.ts checks a file against this).
import type { Fingerprint } from './fingerprint.js';
import type { Summary } from './stats.js';
import type { NdrRecord } from './wire/ndr-types.js';

export const RESULT_SCHEMA = 'fastpath-bench/1';

/** Units a metric may carry. Extend here (and nowhere else) when a benchmark needs one. */
export const UNITS = [
  'ns/pkt',
  'ns/op',
  'ns',
  'us',
  'ms',
  'Mpps',
  'Gbps',
  'entries/s',
  'conn/s',
  'req/s',
  'ops/s',
  'bytes',
  'ratio',
  '%',
] as const;
export type Unit = (typeof UNITS)[number];

export interface Calibration {
  /** The calibration's own metric id or description, e.g. 'micro/empty-tc'. */
  name: string;
  median: number;
}

export interface Metric {
  /** Unique in the file and stable across runs: compare matches metrics by id. */
  id: string;
  group: string;
  name: string;
  unit: Unit;
  better: 'lower' | 'higher';
  samples: number[];
  summary: Summary;
  calibration?: Calibration;
  /** This metric's median relative to another metric's (e.g. the veth ceiling). */
  ratio?: { to: string; value: number };
  params: Record<string, string | number>;
}

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  runId: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  environment: Fingerprint;
  metrics: Metric[];
  /** `bench wire --ndr`: every throughput search with its trials. */
  ndr?: NdrRecord[];
  /** `bench wire --dut ssh://…`: the DUT host that ran the datapath, and its environment. */
  dut?: DutRecord;
}

export interface DutRecord {
  /** ssh://user@host:port */
  target: string;
  /** The config file `fastpath dp up` ran on the DUT (its local name here). */
  config: string;
  pinRoot: string;
  environment: Fingerprint;
}
