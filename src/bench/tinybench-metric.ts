// Turns a tinybench task (control-plane operations: rule install, endpoint change, CT
// dump) into a result-file Metric, keeping every latency sample so `fastpath compare`
// can test significance on them. The Bench must be created with retainSamples: true.
import { makeMetric, type Metric, type Unit } from './result.js';

/** The part of a tinybench Task this adapter reads (tinybench 6). */
export interface TinybenchTaskLike {
  name: string;
  result: { state: string; latency?: { samples?: readonly number[] } };
}

export interface TinybenchMetricOptions {
  id: string;
  group: string;
  name?: string;
  params?: Record<string, string | number>;
  /** 'latency' (default): ns per operation, lower is better. 'rate': items per second
   *  with `itemsPerOp` items done by one call (e.g. 1_000_000 entries per CT dump). */
  mode?: 'latency' | 'rate';
  itemsPerOp?: number;
  /** Unit for mode 'rate' (default 'ops/s'). */
  rateUnit?: Extract<Unit, 'ops/s' | 'entries/s' | 'conn/s' | 'req/s'>;
}

export function metricFromTinybench(task: TinybenchTaskLike, options: TinybenchMetricOptions): Metric {
  const { state } = task.result;
  if (state !== 'completed') throw new Error(`task '${task.name}': expected state 'completed', got '${state}'`);
  const samplesMs = task.result.latency?.samples;
  if (samplesMs === undefined || samplesMs.length === 0) {
    throw new Error(`task '${task.name}': no latency samples (create the Bench with retainSamples: true)`);
  }
  const mode = options.mode ?? 'latency';
  const common = { id: options.id, group: options.group, name: options.name ?? task.name, params: options.params ?? {} };
  if (mode === 'latency') {
    return makeMetric({ ...common, unit: 'ns/op', better: 'lower', samples: samplesMs.map((ms) => ms * 1e6) });
  }
  const items = options.itemsPerOp ?? 1;
  if (!(items > 0)) throw new Error(`itemsPerOp: expected a positive number, got ${items}`);
  const zero = samplesMs.findIndex((ms) => !(ms > 0));
  if (zero !== -1) throw new Error(`task '${task.name}': latency sample ${zero} is ${samplesMs[zero]} ms; a rate needs positive durations`);
  return makeMetric({
    ...common,
    unit: options.rateUnit ?? 'ops/s',
    better: 'higher',
    samples: samplesMs.map((ms) => (items * 1000) / ms),
  });
}
