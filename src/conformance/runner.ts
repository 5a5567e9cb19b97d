// Runs validated scenarios, one isolated run per (scenario, mode), in a fixed order, each
// within its time budget, and writes failure artefacts.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePcap } from '../packet/index.js';
import { loadScenarios } from './loader.js';
import { type FuzzOptions, runFuzz } from './fuzz/run.js';
import { type BeforeInject, runPacketMode } from './packet-mode.js';
import { datapathObject, defaultRunsDir } from './paths.js';
import { RunResources } from './resources.js';
import { type ModeRun, NotRunnableHere, newModeRun } from './run-record.js';
import { selectFiles } from './select.js';
import { type WireCell, DEFAULT_MATRIX, MATRICES, cellId, cellName, parseCellId } from './cells.js';
import {
  type Mode,
  type Scenario,
  type ScenarioError,
  type ScenarioResult,
  type SuiteResult,
  MODES,
  formatScenarioError,
} from './types.js';
import { runWireMode } from './wire-mode.js';
import { runTitle } from './reporters.js';

export interface ConformanceOptions {
  /** Files, directories or globs; default every scenarios/*.yaml. */
  paths?: string[];
  /** Only scenarios whose name matches. */
  filter?: RegExp;
  mode?: Mode | 'both';
  /** Wire-mode cells (cells.ts); default the 'users' matrix. */
  cells?: WireCell[];
  keepOnFailure?: boolean;
  /** Stop at the first failure: the runs after it are reported as skipped, the fuzz pass
   *  is not run (a mutation stage needs one failure, not all of them). */
  bail?: boolean;
  /** The datapath object (default build/bpf/fastpath.bpf.o). */
  object?: string;
  /** Where results/runs/<runId>/ goes (default results/runs). */
  runsDir?: string;
  runId?: string;
  /** Called before each run and after it (for TAP and progress). */
  onPlan?: (planned: PlannedRun[]) => void;
  onResult?: (result: ScenarioResult, index: number) => void;
  /** Diagnostics (kept resources, teardown problems); default stderr. */
  log?: (line: string) => void;
  /** Run the seeded fuzz pass after the scenarios (its result is SuiteResult.fuzz). */
  fuzz?: FuzzOptions;
  /** Run no scenario (with fuzz: the fuzz pass alone). */
  skipScenarios?: boolean;
  /** Test-only: called before each packet-mode inject step. */
  beforeInject?: BeforeInject;
}

export interface PlannedRun {
  scenario: Scenario;
  mode: Mode;
  /** Wire mode: the cell this run is in. */
  cell?: WireCell;
  /** Set when the scenario does not run in this mode. */
  skip?: string;
}

/** Thrown when a selected file is invalid: nothing was run. */
export class ScenarioLoadError extends Error {
  constructor(readonly errors: ScenarioError[]) {
    super(
      `${errors.length} problem${errors.length === 1 ? '' : 's'} in the scenario files; nothing was run:\n${errors.map(formatScenarioError).join('\n')}`,
    );
    this.name = 'ScenarioLoadError';
  }
}

export function newConformanceRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `conformance-${stamp}-${process.pid.toString(16)}${randomBytes(3).toString('hex')}`;
}

/** The run's cells that a scenario takes part in (its wire.cells narrow them). */
function cellsOf(scenario: Scenario, cells: WireCell[]): WireCell[] {
  const own = scenario.wire?.cells;
  if (own === undefined) return cells;
  const wanted = new Set(
    own.map((id) => {
      const c = parseCellId(id);
      return typeof c === 'string' ? id : cellId(c);
    }),
  );
  return cells.filter((c) => wanted.has(cellId(c)));
}

export function plan(scenarios: Scenario[], mode: Mode | 'both', cells: WireCell[] = MATRICES[DEFAULT_MATRIX]): PlannedRun[] {
  const wanted = mode === 'both' ? MODES : [mode];
  const out: PlannedRun[] = [];
  for (const scenario of scenarios) {
    for (const m of wanted) {
      if (!scenario.modes.includes(m)) {
        if (mode !== 'both') out.push({ scenario, mode: m, skip: `${scenario.name} has no ${m} mode` });
      } else if (m === 'packet') {
        out.push({ scenario, mode: m });
      } else {
        const own = cellsOf(scenario, cells);
        for (const cell of own) out.push({ scenario, mode: m, cell });
        if (own.length === 0)
          out.push({
            scenario,
            mode: m,
            skip: `${scenario.name} runs in none of this run's cells (its wire.cells: ${scenario.wire?.cells?.join(', ')})`,
          });
      }
    }
  }
  return out;
}

/** Rejects when ms pass first; the work is then aborted and given a moment to finish its
 *  own clean-up (dumps, captures) before the caller tears its resources down. */
function withTimeout<T>(work: Promise<T>, ms: number, what: string, abort: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const settled = work.then(
    () => undefined,
    () => undefined,
  );
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      const grace = new Promise((resolve) => setTimeout(resolve, 2000).unref());
      void Promise.race([settled, grace]).then(() => reject(new Error(`${what}: timed out after ${ms} ms`)));
    }, ms);
  });
  // Once aborted, the work's own failure (an aborted wait) is not the news: the timeout is.
  const unlessAborted = work.catch((e: unknown) => {
    if (abort.signal.aborted) return new Promise<never>(() => undefined);
    throw e;
  });
  return Promise.race([unlessAborted, timeout]).finally(() => clearTimeout(timer));
}

/** stem: the artefact file names' stem, the mode (and the cell in wire mode). */
async function writeArtifacts(dir: string, stem: string, run: ModeRun, result: ScenarioResult): Promise<void> {
  const mode = stem;
  mkdirSync(dir, { recursive: true });
  await writePcap(join(dir, `${mode}.pcap`), run.exchange);
  const failed = result.checks.filter((c) => !c.ok);
  const lines = [`${runTitle(result)}: ${result.error ?? `${failed.length} failed check${failed.length === 1 ? '' : 's'}`}`, ''];
  for (const c of failed) lines.push(`not ok: ${c.name}`, ...(c.detail ?? '').split('\n').map((l) => `  ${l}`), '');
  if (run.diffs.length > 0) lines.push('layer-by-layer diffs:', ...run.diffs, '');
  if (run.log.length > 0) lines.push('log:', ...run.log.map((l) => `  ${l}`), '');
  writeFileSync(join(dir, `${mode}.diff.txt`), lines.join('\n'));
  writeFileSync(join(dir, `${mode}.maps.txt`), run.dumps ?? 'the datapath was not loaded\n');
}

async function runOne(p: PlannedRun, options: ConformanceOptions, runDir: string): Promise<ScenarioResult> {
  const { scenario, mode, cell } = p;
  const base = { scenario: scenario.name, file: scenario.file, mode, ...(cell !== undefined ? { cell: cellName(cell) } : {}) };
  const label = `${scenario.name} (${mode}${cell !== undefined ? `, ${cellName(cell)}` : ''})`;
  if (p.skip !== undefined) return { ...base, status: 'skip', durationMs: 0, checks: [], skipReason: p.skip };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const res = new RunResources();
  const abort = new AbortController();
  const run = newModeRun(abort.signal);
  const started = performance.now();
  let error: string | undefined;
  try {
    const object = options.object ?? datapathObject;
    const exec =
      mode === 'packet'
        ? runPacketMode(scenario, res, run, object, options.beforeInject)
        : runWireMode(scenario, res, run, object, cell ?? MATRICES.tc[0]!);
    await withTimeout(exec, scenario.timeoutMs, label, abort);
  } catch (e) {
    if (e instanceof NotRunnableHere) {
      const problems = await res.teardown();
      const why = problems.length > 0 ? `; teardown: ${problems.join('; ')}` : '';
      return {
        ...base,
        status: problems.length > 0 ? 'fail' : 'skip',
        durationMs: Math.round(performance.now() - started),
        checks: [],
        skipReason: `not runnable here: ${e.message}${why}`,
        ...(problems.length > 0 ? { error: `teardown: ${problems.join('; ')}` } : {}),
      };
    }
    error = (e as Error).message;
  }
  const durationMs = Math.round(performance.now() - started);
  const failed = error !== undefined || run.checks.length === 0 || run.checks.some((c) => !c.ok);
  if (error === undefined && run.checks.length === 0) error = 'no check ran (the scenario has nothing to verify in this mode)';
  const result: ScenarioResult = {
    ...base,
    status: failed ? 'fail' : 'pass',
    durationMs,
    checks: run.checks,
    ...(error !== undefined ? { error } : {}),
    ...(mode === 'packet' ? { differential: { ...run.differential } } : {}),
    ...(run.notes.length > 0 ? { notes: run.notes } : {}),
  };
  if (failed) {
    const dir = join(runDir, scenario.name);
    try {
      await writeArtifacts(dir, cell !== undefined ? `${mode}-${cellId(cell).replace(/\//g, '-')}` : mode, run, result);
      result.artifactsDir = dir;
    } catch (e) {
      log(`${label}: could not write artefacts: ${(e as Error).message}`);
    }
  }
  if (failed && options.keepOnFailure === true) {
    log(`${label} failed; ${res.keep()}`);
  } else {
    const problems = await res.teardown();
    if (problems.length > 0) {
      result.status = 'fail';
      result.error = `${result.error !== undefined ? `${result.error}; ` : ''}teardown: ${problems.join('; ')}`;
    }
  }
  return result;
}

/** Validates every selected file first (throws ScenarioLoadError, running nothing, when
 *  one is invalid), then runs them. */
export async function runConformance(options: ConformanceOptions = {}): Promise<SuiteResult> {
  const files = selectFiles(options.paths ?? []);
  const loaded = loadScenarios(files);
  if (loaded.errors.length > 0) throw new ScenarioLoadError(loaded.errors);
  const selected =
    options.skipScenarios === true ? [] : loaded.scenarios.filter((s) => options.filter === undefined || options.filter.test(s.name));
  const runs = plan(selected, options.mode ?? 'both', options.cells);
  options.onPlan?.(runs);
  const runId = options.runId ?? newConformanceRunId();
  const runDir = join(options.runsDir ?? defaultRunsDir, runId);
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const results: ScenarioResult[] = [];
  let bailedAt: string | undefined;
  for (const [i, p] of runs.entries()) {
    const r = await runOne(bailedAt === undefined ? p : { ...p, skip: `not run: --bail after ${bailedAt} failed` }, options, runDir);
    results.push(r);
    options.onResult?.(r, i);
    if (options.bail === true && r.status === 'fail' && bailedAt === undefined)
      bailedAt = `${r.scenario} (${r.mode}${r.cell !== undefined ? `, ${r.cell}` : ''})`;
  }
  const fuzz =
    options.fuzz !== undefined && bailedAt === undefined
      ? await runFuzz({
          ...options.fuzz,
          runId,
          runsDir: options.runsDir ?? defaultRunsDir,
          ...(options.object !== undefined ? { object: options.object } : {}),
        })
      : undefined;
  return {
    runId,
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    results,
    ...(fuzz !== undefined ? { fuzz } : {}),
    passed: results.filter((r) => r.status === 'pass').length,
    failed: results.filter((r) => r.status === 'fail').length,
    skipped: results.filter((r) => r.status === 'skip').length,
    differential: {
      checked: results.reduce((n, r) => n + (r.differential?.checked ?? 0), 0),
      mismatched: results.reduce((n, r) => n + (r.differential?.mismatched ?? 0), 0),
    },
  };
}
