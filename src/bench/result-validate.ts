// Structural validation of a result file. The first problem found is reported with the
// path of the field (e.g. "metrics[2].summary.ci95[1]: expected a finite number").
import type { Fingerprint } from './fingerprint.js';
import { RESULT_SCHEMA, UNITS, type BenchResult } from './result-types.js';

type Record_ = Record<string, unknown>;

function fail(field: string, problem: string): never {
  throw new Error(`${field}: ${problem}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined) return String(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function object(value: unknown, field: string): Record_ {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, `expected an object, got ${describe(value)}`);
  return value as Record_;
}

function string(value: unknown, field: string, nonEmpty = true): string {
  if (typeof value !== 'string') fail(field, `expected a string, got ${describe(value)}`);
  if (nonEmpty && value === '') fail(field, 'expected a non-empty string');
  return value;
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, `expected a finite number, got ${describe(value)}`);
  return value;
}

function nullable<T>(value: unknown, field: string, check: (v: unknown, f: string) => T): T | null {
  return value === null ? null : check(value, field);
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(field, `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

function validateEnvironment(value: unknown, field: string): Fingerprint {
  const env = object(value, field);
  string(env.hostname, `${field}.hostname`, false);
  nullable(env.kernel, `${field}.kernel`, string);
  const cpu = object(env.cpu, `${field}.cpu`);
  nullable(cpu.model, `${field}.cpu.model`, string);
  nullable(cpu.count, `${field}.cpu.count`, finite);
  nullable(env.clang, `${field}.clang`, string);
  nullable(env.libbpf, `${field}.libbpf`, string);
  string(env.node, `${field}.node`);
  const git = object(env.git, `${field}.git`);
  nullable(git.commit, `${field}.git.commit`, string);
  if (git.dirty !== null && typeof git.dirty !== 'boolean')
    fail(`${field}.git.dirty`, `expected true, false or null, got ${describe(git.dirty)}`);
  const jit = object(env.jit, `${field}.jit`);
  for (const key of ['enable', 'harden', 'kallsyms']) nullable(jit[key], `${field}.jit.${key}`, finite);
  nullable(env.governor, `${field}.governor`, string);
  return env as unknown as Fingerprint;
}

function validateMetric(value: unknown, field: string): void {
  const m = object(value, field);
  string(m.id, `${field}.id`);
  string(m.group, `${field}.group`, false);
  string(m.name, `${field}.name`);
  oneOf(m.unit, `${field}.unit`, UNITS);
  oneOf(m.better, `${field}.better`, ['lower', 'higher'] as const);
  if (!Array.isArray(m.samples)) fail(`${field}.samples`, `expected an array of numbers, got ${describe(m.samples)}`);
  if (m.samples.length === 0) fail(`${field}.samples`, 'expected at least 1 sample, got 0');
  m.samples.forEach((s, i) => finite(s, `${field}.samples[${i}]`));

  const summary = object(m.summary, `${field}.summary`);
  const n = finite(summary.n, `${field}.summary.n`);
  if (n !== m.samples.length) fail(`${field}.summary.n`, `is ${n} but there are ${m.samples.length} samples`);
  for (const key of ['median', 'q1', 'q3', 'iqr', 'mean']) finite(summary[key], `${field}.summary.${key}`);
  const ci = summary.ci95;
  if (!Array.isArray(ci) || ci.length !== 2) fail(`${field}.summary.ci95`, `expected [lo, hi], got ${describe(ci)}`);
  const lo = finite(ci[0], `${field}.summary.ci95[0]`);
  const hi = finite(ci[1], `${field}.summary.ci95[1]`);
  if (lo > hi) fail(`${field}.summary.ci95`, `lower bound ${lo} is above upper bound ${hi}`);

  if (m.calibration !== undefined) {
    const c = object(m.calibration, `${field}.calibration`);
    string(c.name, `${field}.calibration.name`);
    finite(c.median, `${field}.calibration.median`);
  }
  if (m.ratio !== undefined) {
    const r = object(m.ratio, `${field}.ratio`);
    string(r.to, `${field}.ratio.to`);
    finite(r.value, `${field}.ratio.value`);
  }
  const params = object(m.params, `${field}.params`);
  for (const [key, v] of Object.entries(params)) {
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) {
      fail(`${field}.params.${key}`, `expected a string or a finite number, got ${describe(v)}`);
    }
  }
}

function validateNdr(value: unknown, field: string): void {
  const r = object(value, field);
  string(r.metric, `${field}.metric`);
  string(r.label, `${field}.label`);
  for (const key of ['lossPct', 'resolutionPct', 'maxPps', 'ndrPps']) finite(r[key], `${field}.${key}`);
  if (!Array.isArray(r.steps)) fail(`${field}.steps`, `expected an array, got ${describe(r.steps)}`);
  r.steps.forEach((step, i) => {
    const s = object(step, `${field}.steps[${i}]`);
    for (const key of ['targetPps', 'offeredPps', 'offered', 'received', 'receivedPps', 'lossPct', 'stalls'])
      finite(s[key], `${field}.steps[${i}].${key}`);
    if (typeof s.pass !== 'boolean') fail(`${field}.steps[${i}].pass`, `expected true or false, got ${describe(s.pass)}`);
  });
}

function validateDut(value: unknown, field: string): void {
  const d = object(value, field);
  string(d.target, `${field}.target`);
  string(d.config, `${field}.config`);
  string(d.pinRoot, `${field}.pinRoot`);
  validateEnvironment(d.environment, `${field}.environment`);
}

export function validateResult(value: unknown): BenchResult {
  const root = object(value, '(root)');
  if (root.schema !== RESULT_SCHEMA) fail('schema', `expected '${RESULT_SCHEMA}', got ${describe(root.schema)}`);
  const runId = string(root.runId, 'runId');
  if (!/^[A-Za-z0-9._-]+$/.test(runId) || runId.startsWith('.')) {
    fail('runId', `expected letters, digits, '.', '_' or '-' (it names a directory), got ${describe(runId)}`);
  }
  const startedAt = string(root.startedAt, 'startedAt');
  if (Number.isNaN(Date.parse(startedAt))) fail('startedAt', `expected an ISO 8601 time, got ${describe(startedAt)}`);
  validateEnvironment(root.environment, 'environment');
  if (!Array.isArray(root.metrics)) fail('metrics', `expected an array, got ${describe(root.metrics)}`);
  const seen = new Set<string>();
  root.metrics.forEach((metric, i) => {
    validateMetric(metric, `metrics[${i}]`);
    const id = (metric as { id: string }).id;
    if (seen.has(id)) fail(`metrics[${i}].id`, `duplicate id '${id}'`);
    seen.add(id);
  });
  if (root.ndr !== undefined) {
    if (!Array.isArray(root.ndr)) fail('ndr', `expected an array, got ${describe(root.ndr)}`);
    root.ndr.forEach((r, i) => {
      validateNdr(r, `ndr[${i}]`);
      const metric = (r as { metric: string }).metric;
      if (!seen.has(metric)) fail(`ndr[${i}].metric`, `no metric '${metric}' in the file`);
    });
  }
  if (root.dut !== undefined) validateDut(root.dut, 'dut');
  return root as unknown as BenchResult;
}
