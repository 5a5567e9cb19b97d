// One mutant from edit to verdict: sandbox, build, compare with the original program,
// load through the verifier, then the stages cheapest first until one fails.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Mutant, mutantDiff } from './mutants.js';
import { type Base, buildObject, codeDigest, makeSandbox } from './sandbox.js';
import { type Stage, type StageOptions, runStage, stopRequested } from './stage-run.js';
import { LOAD_CHECK_EXIT } from './load-check-status.js';

export type MutantStatus = 'killed' | 'survived' | 'stillborn' | 'equivalent';

export interface StageRecord {
  stage: Stage;
  status: 'pass' | 'fail' | 'timeout';
  seconds: number;
  failures: string[];
}

export interface MutantResult {
  id: string;
  file: string;
  line: number;
  operator: string;
  diff: string;
  status: MutantStatus;
  /** killed: the stage that failed. */
  killedBy?: Stage;
  /** stillborn: what refused it. */
  stillbornBy?: StillbornBy;
  /** stillborn: the compiler's, verifier's or loader's message; equivalent: the reviewed reason. */
  detail?: string;
  /** survived without a run: the built program is instruction for instruction the original's. */
  codeIdentical?: boolean;
  stages: StageRecord[];
  seconds: number;
  /** Verdicts this one replaced (--retry-survivors), oldest first. */
  earlier?: EarlierVerdict[];
}

/** A verdict a retry replaced: what it was and when it was reached. */
export interface EarlierVerdict {
  status: MutantStatus;
  killedBy?: Stage;
  /** When the retry replaced it (ISO time). */
  replaced: string;
}

export interface MutantRunOptions {
  root: string;
  /** Where sandboxes go (removed after each mutant). */
  workDir: string;
  /** Where stage logs go (kept). */
  logDir: string;
  stages: readonly Stage[];
  stageOptions: StageOptions;
  base: Base;
  /** Called as each stage starts. */
  onStage?: (stage: Stage) => void;
}

const run = promisify(execFile);

/** What refused a stillborn mutant: the compiler (or node's syntax check), the kernel's
 *  verifier, or our loader (the object's maps disagree with the control plane). */
export type StillbornBy = 'build' | 'verifier' | 'loader';

async function loadCheck(dir: string, object: string): Promise<{ by: StillbornBy; detail: string } | null> {
  try {
    await run(process.execPath, [join(dir, 'dist', 'src', 'mutate', 'load-check.js'), object], { cwd: dir, encoding: 'utf8' });
    return null;
  } catch (e) {
    const err = e as { stderr?: string; message: string; code?: number };
    const detail = (err.stderr ?? err.message).trim().split('\n').slice(-12).join('\n');
    return { by: err.code === LOAD_CHECK_EXIT.loader ? 'loader' : 'verifier', detail };
  }
}

async function syntaxCheck(file: string): Promise<string | null> {
  try {
    await run(process.execPath, ['--check', file], { encoding: 'utf8' });
    return null;
  } catch (e) {
    return ((e as { stderr?: string }).stderr ?? '').trim().split('\n').slice(0, 8).join('\n');
  }
}

export async function runMutant(m: Mutant, o: MutantRunOptions): Promise<MutantResult> {
  const started = performance.now();
  const base = { id: m.id, file: m.file, line: m.line, operator: m.operator, diff: mutantDiff(m), stages: [] as StageRecord[] };
  const done = (r: Omit<MutantResult, keyof typeof base | 'seconds'> & Partial<MutantResult>): MutantResult => ({
    ...base,
    ...r,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  });
  const dir = join(o.workDir, m.id);
  try {
    const sb = makeSandbox(o.root, o.base, dir, m);
    if (m.file.startsWith('bpf/')) {
      const err = await buildObject(sb);
      if (err !== null) return done({ status: 'stillborn', stillbornBy: 'build', detail: err });
      if ((await codeDigest(sb.object)) === o.base.digest) return done({ status: 'survived', codeIdentical: true });
    } else {
      const err = await syntaxCheck(join(dir, m.file));
      if (err !== null) return done({ status: 'stillborn', stillbornBy: 'build', detail: err });
    }
    const refused = await loadCheck(dir, sb.object);
    if (refused !== null) return done({ status: 'stillborn', stillbornBy: refused.by, detail: refused.detail });
    mkdirSync(join(o.logDir, m.id), { recursive: true });
    const stages: StageRecord[] = [];
    for (const stage of o.stages) {
      if (stopRequested()) break;
      o.onStage?.(stage);
      const r = await runStage(stage, dir, join(o.logDir, m.id, `${stage}.log`), o.stageOptions);
      stages.push({ stage, status: r.status, seconds: Math.round(r.seconds * 100) / 100, failures: r.failures.slice(0, 20) });
      if (r.status !== 'pass') return done({ status: 'killed', killedBy: stage, stages });
    }
    return done({ status: 'survived', stages });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
