// Removing namespaces: first every process still inside (agents, their tcpdumps), because
// a namespace with a process in it outlives `ip netns del` together with its veths.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { run, runSyncQuiet } from './run.js';

export function namespaceExists(ns: string): boolean {
  return existsSync(`/run/netns/${ns}`);
}

function parsePids(out: string | null): number[] {
  return (out ?? '')
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0 && n !== process.pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export async function removeNamespace(ns: string): Promise<void> {
  if (!namespaceExists(ns)) return;
  const pids = parsePids((await run('ip', ['netns', 'pids', ns]).catch(() => null))?.stdout ?? null);
  killAll(pids);
  for (let i = 0; i < 100 && pids.some(alive); i++) await sleep(20);
  await run('ip', ['netns', 'del', ns]).catch((err: unknown) => {
    if (namespaceExists(ns)) throw err;
  });
}

export function removeNamespaceSync(ns: string): void {
  if (!namespaceExists(ns)) return;
  killAll(parsePids(runSyncQuiet('ip', ['netns', 'pids', ns])));
  runSyncQuiet('ip', ['netns', 'del', ns]);
}

/** Kills processes we started (agents) by pid; used before their namespaces go. */
export function killPids(pids: number[]): void {
  killAll(pids.filter((p) => p !== process.pid));
}
