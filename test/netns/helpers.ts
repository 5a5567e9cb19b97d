// Shared checks for the netns tests: what a run left on the machine.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { STATE_DIR } from '../../netns/topology/state.js';

export function namespacesOf(runId: string): string[] {
  return existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(`fp-${runId}-`)).sort() : [];
}

export function stateFileExists(runId: string): boolean {
  return existsSync(`${STATE_DIR}/${runId}.json`);
}

/** Alive and not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until check() is true or the budget runs out; returns the last result. */
export async function eventually(check: () => boolean, attempts = 150, stepMs = 20): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (check()) return true;
    await sleep(stepMs);
  }
  return check();
}

/** Everything a run can leave: namespaces, its state file, its agent processes. */
export function leftovers(runId: string, agentPids: number[] = []): string[] {
  return [
    ...namespacesOf(runId).map((n) => `namespace ${n}`),
    ...(stateFileExists(runId) ? [`state file ${STATE_DIR}/${runId}.json`] : []),
    ...agentPids.filter(processAlive).map((p) => `agent process ${p}`),
  ];
}
