// The benchmark result file (JSON): raw samples, their summary and the environment, so a
// later `fastpath compare` can test significance on the samples themselves.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { validateResult } from './result-validate.js';
import type { Fingerprint } from './fingerprint.js';
import { type BenchResult, type Metric, RESULT_SCHEMA } from './result-types.js';
import { summarize } from './stats.js';

export { RESULT_SCHEMA, UNITS, type Unit, type Calibration, type Metric, type BenchResult, type DutRecord } from './result-types.js';

export type MetricInput = Omit<Metric, 'summary'>;

/** A metric with its summary computed from the samples (seeded, so reproducible). */
export function makeMetric(input: MetricInput): Metric {
  const { id, group, name, unit, better, samples, calibration, ratio, params } = input;
  const metric: Metric = { id, group, name, unit, better, samples: [...samples], summary: summarize(samples), params: { ...params } };
  if (calibration !== undefined) metric.calibration = { ...calibration };
  if (ratio !== undefined) metric.ratio = { ...ratio };
  return metric;
}

/** Run ids sort by time and never collide: 20261124T211530Z-3fa9c2. */
export function newRunId(at: Date = new Date()): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function newResult(
  environment: Fingerprint,
  metrics: Metric[],
  startedAt: Date = new Date(),
  extra: Pick<BenchResult, 'ndr' | 'dut'> = {},
): BenchResult {
  return {
    schema: RESULT_SCHEMA,
    runId: newRunId(startedAt),
    startedAt: startedAt.toISOString(),
    environment,
    metrics,
    ...(extra.ndr !== undefined && extra.ndr.length > 0 ? { ndr: extra.ndr } : {}),
    ...(extra.dut !== undefined ? { dut: extra.dut } : {}),
  };
}

/** Pretty JSON with every number array on one line (thousands of samples stay readable). */
export function serializeResult(result: BenchResult): string {
  validateResult(result);
  const pretty = JSON.stringify(result, null, 2);
  return pretty.replace(/\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]/g, (_, inner: string) => `[${inner.replace(/\s+/g, '')}]`) + '\n';
}

/** Validates, then writes atomically (temp file + rename). */
export function writeResult(path: string, result: BenchResult): void {
  const text = serializeResult(result);
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** Reads and validates; errors name the file and the offending field. */
export function readResult(path: string): BenchResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  return parseResult(text, path);
}

export function parseResult(text: string, source: string): BenchResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  try {
    return validateResult(value);
  } catch (err) {
    throw new Error(`${source}: ${(err as Error).message}`, { cause: err });
  }
}

/** The metric with its median expressed as a ratio to `reference`'s median (e.g. the veth
 *  ceiling measured in the same run). */
export function withRatio(metric: Metric, reference: Metric): Metric {
  if (metric.unit !== reference.unit) {
    throw new Error(`ratio: metric '${metric.id}' is in ${metric.unit} but reference '${reference.id}' is in ${reference.unit}`);
  }
  if (reference.summary.median === 0) throw new Error(`ratio: reference '${reference.id}' has a zero median`);
  return { ...metric, ratio: { to: reference.id, value: metric.summary.median / reference.summary.median } };
}
