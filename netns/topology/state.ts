// One small JSON file per run under /run/fastpath records who owns what, so a later run can
// remove what a SIGKILLed run left behind without ever touching a live run's objects.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STATE_DIR = '/run/fastpath';

export interface RunState {
  runId: string;
  /** Owner process and its start time (field 22 of /proc/PID/stat), which tells a dead
   *  owner from a recycled pid. */
  pid: number;
  pidStart: string;
  createdAt: string;
  /** Namespaces this run created or was about to create (written before `ip netns add`). */
  namespaces: string[];
  /** Agent processes started inside those namespaces. */
  agentPids: number[];
  /** Set by `fastpath topology up`: the topology outlives its builder on purpose and only
   *  `topology down` removes it; sweeps leave it alone. */
  manual?: boolean;
  /** The description file it was built from, when there was one (for `topology down FILE`). */
  source?: string;
}

export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export function ownerAlive(state: Pick<RunState, 'pid' | 'pidStart'>): boolean {
  const start = processStartTime(state.pid);
  return start !== null && start === state.pidStart;
}

/** Per-run scratch directory (default capture files). */
export function scratchDirOf(runId: string): string {
  return `/tmp/fastpath-${runId}`;
}

export function statePath(runId: string): string {
  return join(STATE_DIR, `${runId}.json`);
}

export function writeState(state: RunState): void {
  mkdirSync(STATE_DIR, { recursive: true });
  const tmp = join(STATE_DIR, `.${state.runId}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, statePath(state.runId));
}

export function removeState(runId: string): void {
  rmSync(statePath(runId), { force: true });
}

export function readState(runId: string): RunState | null {
  try {
    return JSON.parse(readFileSync(statePath(runId), 'utf8')) as RunState;
  } catch {
    return null;
  }
}

export function listStates(): RunState[] {
  let names: string[];
  try {
    names = readdirSync(STATE_DIR);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json'))
    .map((n) => readState(n.slice(0, -'.json'.length)))
    .filter((s): s is RunState => s !== null);
}
