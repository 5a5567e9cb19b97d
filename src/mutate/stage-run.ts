// One stage of the suite run against a sandbox as a child process in its own process
// group, killed whole at its time limit (a mutant may loop forever) or on Ctrl-C.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../conformance/paths.js';

/** The conformance stages cheapest first (packet mode ~1-2 min, the fuzz pass seconds, wire
 *  mode a few minutes per cell), then the datapath tests: they now cost less than one wire
 *  cell, but a kill there before wire would leave the conformance score (packet, fuzz and
 *  wire kills) not knowing whether wire mode catches the mutant. */
export const STAGES = ['packet', 'fuzz', 'wire', 'unit'] as const;
export type Stage = (typeof STAGES)[number];

export interface StageOutcome {
  stage: Stage;
  /** pass: the suite passed (the mutant lives on); fail / timeout: killed. */
  status: 'pass' | 'fail' | 'timeout';
  seconds: number;
  /** The failing tests or scenarios (from the TAP 'not ok' lines). */
  failures: string[];
  log: string;
}

export interface StageOptions {
  /** Only scenarios whose name matches (packet and wire stages). */
  filter?: string;
  /** The wire stage's cells (conformance --cells; default its users matrix). */
  cells?: string;
  timeoutMs?: Partial<Record<Stage, number>>;
}

const DEFAULT_TIMEOUT_MS: Record<Stage, number> = { packet: 10 * 60_000, wire: 30 * 60_000, fuzz: 10 * 60_000, unit: 40 * 60_000 };

/** The command of a stage, run with the sandbox as working directory. */
export function stageCommand(stage: Stage, dir: string, options: StageOptions): string[] {
  const cli = [process.execPath, join(dir, 'dist', 'src', 'cli.js'), 'conformance', '--runs-dir', join(dir, 'runs')];
  const filter = options.filter !== undefined ? ['--filter', options.filter] : [];
  switch (stage) {
    case 'packet':
      return [...cli, '--mode', 'packet', '--bail', ...filter];
    case 'wire':
      return [...cli, '--mode', 'wire', '--bail', ...(options.cells !== undefined ? ['--cells', options.cells] : []), ...filter];
    case 'fuzz':
      return [...cli, '--fuzz'];
    case 'unit':
      return [
        process.execPath,
        join(dir, 'node_modules', 'ava', 'entrypoints', 'cli.mjs'),
        '--tap',
        '--fail-fast',
        '--concurrency',
        '1',
        'dist/test/datapath/*.test.js',
      ];
  }
}

const live = new Set<number>();
let stopping = false;

/** A signal asked the run to stop. */
export function stopRequested(): boolean {
  return stopping;
}
let handlersInstalled = false;

function killGroups(): void {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}

/** Ctrl-C or SIGTERM: stop every running stage (its process group) and report it. */
export function stopOnSignals(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      stopping = true;
      killGroups();
      process.exitCode = 130;
    });
  }
  process.once('exit', killGroups);
}

/** `fastpath topology sweep` of this checkout (not a sandbox's, whose code is mutated). */
function sweepDeadOwners(): string {
  try {
    return execFileSync(process.execPath, [join(repoRoot, 'dist', 'src', 'cli.js'), 'topology', 'sweep'], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (e) {
    return `topology sweep failed: ${(e as Error).message}\n`;
  }
}

export function runStage(stage: Stage, dir: string, logFile: string, options: StageOptions = {}): Promise<StageOutcome> {
  stopOnSignals();
  const [cmd, ...args] = stageCommand(stage, dir, options);
  const timeoutMs = options.timeoutMs?.[stage] ?? DEFAULT_TIMEOUT_MS[stage];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logFile);
    const child = spawn(cmd!, args, { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    let out = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      log.write(d);
    });
    child.stderr.on('data', (d: Buffer) => log.write(d));
    if (child.pid !== undefined) live.add(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* gone */
      }
      // The runner tears down its namespaces on SIGTERM; a hung one is killed outright.
      setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 30_000).unref();
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (child.pid !== undefined) live.delete(child.pid);
      // A stage killed outright (a mutant that hangs ignores SIGTERM) could not tear down
      // its namespaces, veths and pins: the sweep removes what dead processes left.
      if (timedOut || code === null) log.write(sweepDeadOwners());
      log.end();
      const failures = [...out.matchAll(/^not ok \d+ - (.*)$/gm)].map((m) => m[1]!.replace(/\s+#.*$/, '').trim());
      const seconds = (performance.now() - started) / 1000;
      const status = timedOut ? 'timeout' : code === 0 ? 'pass' : 'fail';
      resolve({
        stage,
        status,
        seconds,
        failures: status === 'fail' && failures.length === 0 ? [`exit status ${code}`] : failures,
        log: logFile,
      });
    });
  });
}
