// Shared checks for the netns tests: what a run left on the machine.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { STATE_DIR } from '../../netns/topology/state.js';

export function namespacesOf(runId: string): string[] {
  return existsSync('/run/netns')
    ? readdirSync('/run/netns')
        .filter((n) => n.startsWith(`fp-${runId}-`))
        .sort()
    : [];
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

/** Everything a run can leave: namespaces, state file, scratch directory, agent processes. */
export function leftovers(runId: string, agentPids: number[] = []): string[] {
  return [
    ...namespacesOf(runId).map((n) => `namespace ${n}`),
    ...(stateFileExists(runId) ? [`state file ${STATE_DIR}/${runId}.json`] : []),
    ...(existsSync(`/tmp/fastpath-${runId}`) ? [`scratch directory /tmp/fastpath-${runId}`] : []),
    ...agentPids.filter(processAlive).map((p) => `agent process ${p}`),
  ];
}

/** Runs a CLI main() with stdout/stderr captured. */
export async function captureOutput(fn: () => Promise<number>): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = (chunk: string) => (out.push(String(chunk)), true);
  process.stderr.write = (chunk: string) => (err.push(String(chunk)), true);
  try {
    const status = await fn();
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = origOut;
    process.stderr.write = origErr;
  }
}
