// Shared synthetic result files for the bench tests (no kernel involved: these check the
// file format, the reports and the comparison logic).
import type { Fingerprint } from '../../src/bench/fingerprint.js';
import { makeMetric, type BenchResult, type Metric, type MetricInput } from '../../src/bench/result.js';

export const fingerprint: Fingerprint = {
  hostname: 'bench-host',
  kernel: '6.18.0',
  cpu: { model: 'Test CPU 3000', count: 2 },
  clang: 'Debian clang version 19.1.7',
  libbpf: '1.1',
  node: 'v20.19.0',
  git: { commit: '0123456789abcdef0123456789abcdef01234567', dirty: false },
  jit: { enable: 1, harden: 0, kallsyms: 1 },
  governor: null,
};

export function result(runId: string, metrics: Metric[], environment: Fingerprint = fingerprint): BenchResult {
  return { schema: 'fastpath-bench/1', runId, startedAt: '2026-11-24T20:00:00.000Z', environment, metrics };
}

/** Deterministic, tie-rich samples around `base` (range base .. base+22). */
export function spread(n: number, base: number, stride = 37): number[] {
  return Array.from({ length: n }, (_, i) => base + ((i * stride) % 23));
}

export function metric(id: string, samples: number[], overrides: Partial<MetricInput> = {}): Metric {
  return makeMetric({ id, group: 'micro', name: id, unit: 'ns/pkt', better: 'lower', samples, params: {}, ...overrides });
}

/** A copy of a result as its JSON file holds it, broken at `path` ('metrics.1.unit'):
 *  the field set to value, or removed when value is undefined. */
export function brokenCopy(r: BenchResult, path: string, value: unknown): unknown {
  const copy: unknown = JSON.parse(JSON.stringify(r));
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce((o, k) => o[k] as Record<string, unknown>, copy as Record<string, unknown>);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}
