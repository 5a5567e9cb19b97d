// `fastpath mutate`: seeds faults into the datapath's C and the control plane's map
// computations, runs the suite against each (own sandbox, own pin roots, N at a time),
// and writes the score, who killed what, and every survivor's diff (Markdown and JSON).
// A run lives in a directory: plan.json (the sample), mutants/<id>.json (one verdict
// each, written as it is known), so --resume DIR continues where a stopped run stopped.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ProgressBar } from '../bench/report/progress.js';
import { parseCells } from '../conformance/cells.js';
import { repoRoot } from '../conformance/paths.js';
import { loadEquivalents } from './equivalents.js';
import { enclosingFunction, exercisedBy, readScenarioTags } from './exercised-by.js';
import { type MutantResult, runMutant } from './mutant-run.js';
import { CONTROL_PLANE_FILES, type Mutant, defaultSources, enumerateMutants, mutantDiff, sampleMutants } from './mutants.js';
import { OPERATORS, type Operator } from './operators.js';
import { PLAN_VERSION, type Plan, relocatePlan } from './plan.js';
import { CONFORMANCE_STAGES, type Session, buildReport, renderMarkdown, validateReport } from './report.js';
import { type Base, makeBase, snapshotSources } from './sandbox.js';
import { STAGES, type Stage, stopOnSignals, stopRequested } from './stage-run.js';
import { wireCellsFor } from './wire-cells.js';

export type { Plan } from './plan.js';

export const EQUIVALENTS_FILE = join(repoRoot, 'results', 'mutation', 'equivalent-mutants.yaml');

export const HELP = `usage: fastpath mutate [options]

Mutation testing: seeds one fault at a time into the datapath's C (bpf/fastpath.bpf.c and
bpf/include/*.h) and into the control plane where it computes map contents (Maglev and
WRR tables, rule values and persistence timeouts, generation bumps, connection ageing),
builds and loads each mutant in a sandbox of its own, and runs the suite against it in
stages, cheapest first, stopping at the first failure. A mutant that fails to build or
to pass the verifier is stillborn and not counted; one on the reviewed list of
equivalent mutants (results/mutation/equivalent-mutants.yaml) is not run or counted.

options:
  --sample N        mutants to draw (default 20), spread over files and operators
  --seed S          sampling seed (default 1); the same seed draws the same mutants
  --operators LIST  comma-separated, from: ${OPERATORS.join(', ')} (default all)
  --stages LIST     comma-separated, from: ${STAGES.join(', ')} (default all, in this order)
  --filter RE       packet and wire stages run only scenarios matching RE
  --cells LIST      the wire stage's cells for every mutant (conformance --cells); default
                    tc/off (plus tc/on for partial-checksum code, a function named
                    partial), and every XDP cell of the users matrix for a mutant of XDP
                    code (a file or function named xdp)
  --jobs N          mutants run in parallel (default 1)
  --json FILE       also write the JSON report to FILE
  --out DIR         run directory (default results/runs/mutate-<time>)
  --resume DIR      continue the run in DIR (its sample, seed and stages); --jobs may change.
                    If bpf/ or the control-plane modules changed since, its mutants are
                    found again by id (function and statement, not line) in the new source
  --report          with --resume: rewrite DIR's reports from its verdicts and the current
                    equivalent list, run nothing (after a review adds to the list)
  --retry-survivors with --resume: run again, on the current tree and suite (after checks
                    were added), every mutant the conformance stages let through: the
                    survivors and those only the datapath tests killed; the report keeps
                    each earlier verdict and the score as first run beside the current one
  --ids LIST        run exactly these mutants (comma-separated ids from --list), no sampling
  --list            print the sampled mutants and their diffs, run nothing
  --help            this text

Writes DIR/report.md and DIR/report.json after every mutant. Exit status: 0 done (whatever
the score), 1 a mutant could not be run, 2 bad arguments.`;

interface Args {
  sample: number;
  seed: number;
  operators: Operator[];
  stages: Stage[];
  filter?: string;
  cells?: string;
  jobs: number;
  json?: string;
  out?: string;
  resume?: string;
  ids?: string[];
  list: boolean;
  report: boolean;
  retrySurvivors: boolean;
  help: boolean;
}

function integer(option: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new Error(`${option}: expected an integer in ${min}..${max}, got '${text}'`);
  return n;
}

function listOf<T extends string>(option: string, text: string, allowed: readonly T[]): T[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = items.filter((s) => !allowed.includes(s as T));
  if (bad.length > 0 || items.length === 0)
    throw new Error(`${option}: unknown ${bad.map((b) => `'${b}'`).join(', ') || 'empty list'} (expected from: ${allowed.join(', ')})`);
  return allowed.filter((a) => items.includes(a));
}

export function parseArgs(argv: string[]): Args {
  const a: Args = {
    sample: 20,
    seed: 1,
    operators: [...OPERATORS],
    stages: [...STAGES],
    jobs: 1,
    list: false,
    report: false,
    retrySurvivors: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const opt = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${opt}: needs a value`);
      return v;
    };
    switch (opt) {
      case '--help':
      case '-h':
        a.help = true;
        break;
      case '--list':
        a.list = true;
        break;
      case '--report':
        a.report = true;
        break;
      case '--retry-survivors':
        a.retrySurvivors = true;
        break;
      case '--sample':
        a.sample = integer(opt, value(), 1, 100_000);
        break;
      case '--seed':
        a.seed = integer(opt, value(), 0, 0xffffffff);
        break;
      case '--jobs':
        a.jobs = integer(opt, value(), 1, 64);
        break;
      case '--operators':
        a.operators = listOf(opt, value(), OPERATORS);
        break;
      case '--stages':
        a.stages = listOf(opt, value(), STAGES);
        break;
      case '--filter': {
        const re = value();
        try {
          new RegExp(re);
        } catch (e) {
          throw new Error(`--filter: ${(e as Error).message}`, { cause: e });
        }
        a.filter = re;
        break;
      }
      case '--cells': {
        const cells = value();
        try {
          parseCells(cells);
        } catch (e) {
          throw new Error(`--cells: ${(e as Error).message}`, { cause: e });
        }
        a.cells = cells;
        break;
      }
      case '--json':
        a.json = value();
        break;
      case '--out':
        a.out = value();
        break;
      case '--resume':
        a.resume = value();
        break;
      case '--ids': {
        const ids = value()
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== '');
        const bad = ids.filter((x) => !/^[0-9a-f]{12}$/.test(x));
        if (ids.length === 0 || bad.length > 0)
          throw new Error(`--ids: expected mutant ids (12 hex digits), got ${bad.map((b) => `'${b}'`).join(', ') || 'none'}`);
        a.ids = ids;
        break;
      }
      default:
        throw new Error(`unknown option '${opt}' (see --help)`);
    }
  }
  if (a.report && a.resume === undefined) throw new Error('--report needs --resume DIR (the run whose reports to rewrite)');
  if (a.retrySurvivors && a.resume === undefined)
    throw new Error('--retry-survivors needs --resume DIR (the run whose survivors to run again)');
  if (a.retrySurvivors && a.report) throw new Error('--retry-survivors and --report: --report runs nothing');
  if (a.resume !== undefined && a.out !== undefined) throw new Error('--resume and --out: give one (the run directory)');
  if (a.resume !== undefined && a.cells !== undefined) throw new Error("--resume and --cells: a resumed run keeps its plan's cells");
  return a;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function readResults(dir: string): Map<string, MutantResult> {
  const out = new Map<string, MutantResult>();
  const d = join(dir, 'mutants');
  if (!existsSync(d)) return out;
  for (const f of readdirSync(d).filter((x) => x.endsWith('.json'))) {
    const r = readJson<MutantResult>(join(d, f));
    out.set(r.id, r);
  }
  return out;
}

function stamp(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export interface RunMutationOptions {
  root: string;
  runDir: string;
  plan: Plan;
  jobs: number;
  equivalentsFile: string;
  json?: string;
  /** Write the reports from the recorded verdicts only (no mutant runs, no session). */
  reportOnly?: boolean;
  /** Run again what the conformance stages let through (survived, or killed by unit only);
   *  each new verdict keeps the one it replaces. */
  retrySurvivors?: boolean;
  /** A verdict ('verdict') or a stage starting ('stage'), with a line saying which. */
  onProgress?: (done: number, total: number, note: string, kind: 'verdict' | 'stage') => void;
}

/** The conformance stages did not kill it: a survivor, or a kill by the datapath tests. */
function throughConformance(r: MutantResult): boolean {
  return r.status === 'survived' || (r.status === 'killed' && r.killedBy !== undefined && !CONFORMANCE_STAGES.includes(r.killedBy));
}

/** Runs what the plan still lacks and writes the reports; returns the report. */
export async function runMutation(o: RunMutationOptions): Promise<ReturnType<typeof buildReport>> {
  const { root, runDir, plan } = o;
  const equivalents = loadEquivalents(o.equivalentsFile);
  const results = readResults(runDir);
  mkdirSync(join(runDir, 'mutants'), { recursive: true });
  const sessionsFile = join(runDir, 'sessions.json');
  const sessions: Session[] = existsSync(sessionsFile) ? readJson<Session[]>(sessionsFile) : [];
  const started = new Date();
  const t0 = performance.now();
  let ran = 0;
  const scenarios = readScenarioTags(join(root, 'scenarios'));
  const texts = new Map<string, string>();
  const textOf = (f: string): string | undefined => {
    const file = join(runDir, 'source', f);
    if (!texts.has(f) && existsSync(file)) texts.set(f, readFileSync(file, 'utf8'));
    return texts.get(f);
  };
  // Plans of version 1 do not name the function; a verdict kept across a relocation may
  // name a file the snapshot no longer has.
  const functionOf = (m: Mutant): string | undefined => {
    if (m.function !== undefined) return m.function;
    const text = textOf(m.file);
    return text === undefined ? undefined : enclosingFunction(text, m.line);
  };

  const write = (): ReturnType<typeof buildReport> => {
    const session: Session = {
      started: started.toISOString(),
      ended: new Date().toISOString(),
      seconds: Math.round((performance.now() - t0) / 1000),
      jobs: o.jobs,
      ran,
    };
    const all = o.reportOnly === true ? sessions : [...sessions, session];
    if (o.reportOnly !== true) writeFileSync(sessionsFile, `${JSON.stringify(all, null, 2)}\n`);
    const ordered = plan.mutants.map((m) => results.get(m.id)).filter((r): r is MutantResult => r !== undefined);
    const ex = new Map<string, string[]>();
    for (const r of ordered.filter((x) => x.status === 'survived')) {
      const m = plan.mutants.find((x) => x.id === r.id)!;
      ex.set(r.id, exercisedBy(m.file, functionOf(m), scenarios));
    }
    const report = buildReport({
      runDir,
      seed: plan.seed,
      sample: plan.sample,
      operators: plan.operators,
      stages: plan.stages,
      sessions: all,
      planned: plan.mutants.length,
      results: ordered,
      exercisedBy: ex,
    });
    const problems = validateReport(report);
    if (problems.length > 0) throw new Error(`report: ${problems.join('; ')}`);
    const json = `${JSON.stringify(report, null, 2)}\n`;
    writeFileSync(join(runDir, 'report.json'), json);
    writeFileSync(join(runDir, 'report.md'), renderMarkdown(report));
    if (o.json !== undefined) writeFileSync(o.json, json);
    return report;
  };

  for (const m of plan.mutants) {
    const eq = equivalents.get(m.id);
    if (eq !== undefined && results.get(m.id)?.status !== 'equivalent') {
      results.set(m.id, {
        id: m.id,
        file: m.file,
        line: m.line,
        operator: m.operator,
        diff: mutantDiff(m),
        status: 'equivalent',
        detail: eq.reason,
        stages: [],
        seconds: 0,
      });
    }
  }
  if (o.reportOnly === true) return write();
  const retried = new Map<string, MutantResult>();
  if (o.retrySurvivors === true)
    for (const m of plan.mutants) {
      const r = results.get(m.id);
      if (r !== undefined && throughConformance(r)) retried.set(m.id, r);
    }
  const todo = plan.mutants.filter((m) => !results.has(m.id) || retried.has(m.id));
  const awaitingRetry = new Set(retried.keys());
  const done = (): number => results.size - awaitingRetry.size;
  const total = plan.mutants.length;
  stopOnSignals();
  const workDir = join(tmpdir(), `fastpath-mutate-${process.pid}`);
  let next = 0;
  let base: Base | undefined;
  o.onProgress?.(done(), total, retried.size > 0 ? `starting (${retried.size} conformance survivors again)` : 'starting', 'verdict');
  const worker = async (): Promise<void> => {
    while (next < todo.length && !stopRequested()) {
      const m = todo[next++]!;
      const fresh = await runMutant(m, {
        root,
        workDir,
        logDir: join(runDir, 'logs'),
        stages: plan.stages,
        base: base!,
        stageOptions: {
          ...(plan.filter !== undefined ? { filter: plan.filter } : {}),
          cells: plan.cells ?? wireCellsFor(m.file, functionOf(m)),
        },
        onStage: (st) => o.onProgress?.(done(), total, `${m.id} ${m.file}:${m.line} ${m.operator}: ${st}`, 'stage'),
      });
      if (stopRequested()) break;
      const before = retried.get(m.id);
      const r: MutantResult =
        before === undefined
          ? fresh
          : {
              ...fresh,
              earlier: [
                ...(before.earlier ?? []),
                { status: before.status, ...(before.killedBy ? { killedBy: before.killedBy } : {}), replaced: new Date().toISOString() },
              ],
            };
      results.set(m.id, r);
      awaitingRetry.delete(m.id);
      ran++;
      writeFileSync(join(runDir, 'mutants', `${m.id}.json`), `${JSON.stringify(r, null, 2)}\n`);
      write();
      o.onProgress?.(done(), total, `${m.id} ${r.status}${r.killedBy ? ` by ${r.killedBy}` : ''}`, 'verdict');
    }
  };
  try {
    if (todo.length > 0) base = await makeBase(root, join(runDir, 'source'), join(workDir, 'base'));
    await Promise.all(Array.from({ length: Math.min(o.jobs, Math.max(1, todo.length)) }, worker));
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return write();
}

function pick(all: readonly Mutant[], ids: readonly string[]): Mutant[] {
  const byId = new Map(all.map((m) => [m.id, m]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new Error(`--ids: no mutant ${missing.join(', ')} in this checkout (the source may have changed)`);
  return ids.map((id) => byId.get(id)!);
}

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`fastpath mutate: ${(e as Error).message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const root = repoRoot;
  try {
    let runDir: string;
    let plan: Plan;
    if (args.resume !== undefined) {
      runDir = resolve(args.resume);
      if (!existsSync(join(runDir, 'plan.json'))) throw new Error(`--resume: no plan.json in ${runDir}`);
      plan = readJson<Plan>(join(runDir, 'plan.json'));
      const moved = args.report ? null : relocatePlan(root, runDir, plan, (id) => existsSync(join(runDir, 'mutants', `${id}.json`)));
      if (moved !== null) {
        process.stderr.write(
          `fastpath mutate: the source changed since the run was planned: ${moved.moved} mutants found at new places, ${moved.dropped.length} without a verdict dropped (their statement is gone)${moved.dropped.map((d) => `\n  ${d.id} ${d.file}:${d.line}`).join('')}\n`,
        );
      }
    } else {
      runDir = resolve(args.out ?? join(root, 'results', 'runs', `mutate-${stamp()}`));
      if (existsSync(join(runDir, 'plan.json'))) throw new Error(`--out: ${runDir} already holds a run (use --resume)`);
      const source = args.list ? join(tmpdir(), `fastpath-mutate-list-${process.pid}`) : join(runDir, 'source');
      snapshotSources(root, source, CONTROL_PLANE_FILES);
      const all = enumerateMutants(source, defaultSources(source), args.operators);
      if (args.list) rmSync(source, { recursive: true, force: true });
      plan = {
        version: PLAN_VERSION,
        created: new Date().toISOString(),
        seed: args.seed,
        sample: args.sample,
        operators: args.operators,
        stages: args.stages,
        ...(args.filter !== undefined ? { filter: args.filter } : {}),
        ...(args.cells !== undefined ? { cells: args.cells } : {}),
        mutants: args.ids !== undefined ? pick(all, args.ids) : sampleMutants(all, args.sample, args.seed),
      };
      if (args.list) {
        process.stdout.write(
          `${all.length} mutants over ${new Set(all.map((m) => m.file)).size} files; sample of ${plan.mutants.length} (seed ${args.seed}):\n`,
        );
        for (const m of plan.mutants)
          process.stdout.write(`\n${m.id} ${m.operator}${m.function !== undefined ? ` in ${m.function}` : ''}\n${mutantDiff(m)}\n`);
        return 0;
      }
      mkdirSync(runDir, { recursive: true });
      writeFileSync(join(runDir, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
    }
    process.stderr.write(
      `fastpath mutate: ${plan.mutants.length} mutants, stages ${plan.stages.join(' -> ')}, jobs ${args.jobs}, run directory ${runDir}\n`,
    );
    let bar: ProgressBar | undefined;
    const report = await runMutation({
      root,
      runDir,
      plan,
      jobs: args.jobs,
      equivalentsFile: EQUIVALENTS_FILE,
      reportOnly: args.report,
      retrySurvivors: args.retrySurvivors,
      ...(args.json !== undefined ? { json: args.json } : {}),
      onProgress: (done, total, note, kind) => {
        bar?.finish();
        // On a terminal a bar names the mutant and stage running; elsewhere one line per verdict.
        bar = new ProgressBar(`mutate: ${note}`.slice(0, 90), total, { stream: process.stderr });
        bar.update(done);
        if (!bar.enabled && kind === 'verdict') process.stderr.write(`mutate ${done}/${total}: ${note}\n`);
      },
    });
    bar?.finish();
    const s = report.score;
    const f = (x: typeof s.all): string => (x.score === null ? 'n/a' : `${(x.score * 100).toFixed(1)}% (${x.killed}/${x.counted})`);
    process.stdout.write(
      `mutants: ${report.counts.done}/${report.counts.planned} done, ${report.counts.killed} killed, ${report.counts.survived} survived, ${report.counts.stillborn} stillborn, ${report.counts.equivalent} equivalent\n`,
    );
    process.stdout.write(`score: conformance ${f(s.conformance)}, all stages ${f(s.all)}\nreport: ${join(runDir, 'report.md')}\n`);
    return stopRequested() ? 130 : 0;
  } catch (e) {
    process.stderr.write(`fastpath mutate: ${(e as Error).message}\n`);
    return 1;
  }
}
