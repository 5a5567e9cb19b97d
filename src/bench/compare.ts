// Compares two benchmark result files metric by metric. A metric regressed when the
// difference is significant (two-sided Mann-Whitney U on the raw samples, p < alpha) AND
// its median moved the wrong way by more than the threshold: significance alone flags
// harmless nanoseconds on 2000 samples, a threshold alone flags noise.
import type { Fingerprint } from './fingerprint.js';
import type { BenchResult, Metric } from './result.js';
import { hodgesLehmannShift, mannWhitneyU } from './stats.js';

export type Verdict = 'regression' | 'improvement' | 'no significant change' | 'missing';

export interface CompareOptions {
  /** Relative change of the median that matters, as a fraction (default 0.05 = 5%). */
  threshold?: number;
  /** Significance level of the two-sided test (default 0.01). */
  alpha?: number;
}

export interface MetricComparison {
  id: string;
  name: string;
  unit: string;
  better: 'lower' | 'higher';
  baseMedian: number;
  currentMedian: number;
  /** (current - base) / |base| of the medians. */
  delta: number;
  /** Hodges-Lehmann shift of current relative to base, in the metric's unit. */
  shift: number;
  p: number;
  verdict: Exclude<Verdict, 'missing'>;
}

export interface Comparison {
  base: { runId: string; commit: string | null };
  current: { runId: string; commit: string | null };
  threshold: number;
  alpha: number;
  rows: MetricComparison[];
  onlyInBase: string[];
  onlyInCurrent: string[];
  /** Fingerprint fields that differ, e.g. 'kernel: 6.1.0 -> 6.18.0'. */
  environmentChanges: string[];
}

export function relativeDelta(base: number, current: number): number {
  if (base === current) return 0;
  if (base === 0) return current > 0 ? Infinity : -Infinity;
  return (current - base) / Math.abs(base);
}

export function verdictOf(
  better: 'lower' | 'higher',
  delta: number,
  p: number,
  threshold: number,
  alpha: number,
): MetricComparison['verdict'] {
  if (!(p < alpha)) return 'no significant change';
  const worsening = better === 'lower' ? delta : -delta;
  if (worsening > threshold) return 'regression';
  if (worsening < -threshold) return 'improvement';
  return 'no significant change';
}

function compareMetric(base: Metric, current: Metric, threshold: number, alpha: number): MetricComparison {
  const delta = relativeDelta(base.summary.median, current.summary.median);
  const { p } = mannWhitneyU(base.samples, current.samples);
  return {
    id: base.id,
    name: current.name,
    unit: current.unit,
    better: current.better,
    baseMedian: base.summary.median,
    currentMedian: current.summary.median,
    delta,
    shift: hodgesLehmannShift(base.samples, current.samples),
    p,
    verdict: verdictOf(current.better, delta, p, threshold, alpha),
  };
}

function environmentChanges(a: Fingerprint, b: Fingerprint): string[] {
  const fields: Array<[string, (f: Fingerprint) => unknown]> = [
    ['kernel', (f) => f.kernel],
    ['cpu', (f) => (f.cpu.model === null ? null : `${f.cpu.model} x ${f.cpu.count}`)],
    ['clang', (f) => f.clang],
    ['libbpf', (f) => f.libbpf],
    ['node', (f) => f.node],
    ['jit', (f) => `enable=${f.jit.enable} harden=${f.jit.harden} kallsyms=${f.jit.kallsyms}`],
    ['governor', (f) => f.governor],
    ['hostname', (f) => f.hostname],
  ];
  const changes: string[] = [];
  for (const [name, get] of fields) {
    const [x, y] = [get(a), get(b)];
    if (x !== y) changes.push(`${name}: ${String(x)} -> ${String(y)}`);
  }
  return changes;
}

function checkOptions(threshold: number, alpha: number): void {
  if (!(threshold >= 0) || !Number.isFinite(threshold)) throw new Error(`threshold: expected a non-negative fraction, got ${threshold}`);
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha: expected a number in (0, 1), got ${alpha}`);
}

/** baseName/currentName label the files in errors about mismatched metrics. */
export function compareResults(
  base: BenchResult,
  current: BenchResult,
  options: CompareOptions = {},
  names: { base: string; current: string } = { base: 'base', current: 'current' },
): Comparison {
  const threshold = options.threshold ?? 0.05;
  const alpha = options.alpha ?? 0.01;
  checkOptions(threshold, alpha);
  const currentById = new Map(current.metrics.map((m, i) => [m.id, { m, i }]));
  const baseIds = new Set(base.metrics.map((m) => m.id));
  const rows: MetricComparison[] = [];
  for (const b of base.metrics) {
    const found = currentById.get(b.id);
    if (found === undefined) continue;
    for (const key of ['unit', 'better'] as const) {
      if (found.m[key] !== b[key]) {
        throw new Error(
          `${names.current}: metrics[${found.i}].${key}: '${found.m[key]}' differs from ${names.base}'s '${b[key]}' for metric '${b.id}'`,
        );
      }
    }
    rows.push(compareMetric(b, found.m, threshold, alpha));
  }
  return {
    base: { runId: base.runId, commit: base.environment.git.commit },
    current: { runId: current.runId, commit: current.environment.git.commit },
    threshold,
    alpha,
    rows,
    onlyInBase: base.metrics.filter((m) => !currentById.has(m.id)).map((m) => m.id),
    onlyInCurrent: current.metrics.filter((m) => !baseIds.has(m.id)).map((m) => m.id),
    environmentChanges: environmentChanges(base.environment, current.environment),
  };
}

export function regressions(comparison: Comparison): MetricComparison[] {
  return comparison.rows.filter((r) => r.verdict === 'regression');
}
