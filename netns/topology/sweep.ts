// Removes what earlier runs left: namespaces and agent processes of runs whose owner
// process is dead. A live run's objects, and topologies left up on purpose by
// `fastpath topology up`, are never touched.
import { killPids, removeNamespace } from './remove.js';
import { rmSync } from 'node:fs';
import { listStates, ownerAlive, readState, removeState, type RunState, scratchDirOf } from './state.js';

export interface SweepReport {
  runId: string;
  namespaces: string[];
}

export async function removeRun(state: RunState): Promise<SweepReport> {
  killPids(state.agentPids);
  for (const ns of state.namespaces) await removeNamespace(ns);
  rmSync(scratchDirOf(state.runId), { recursive: true, force: true });
  removeState(state.runId);
  return { runId: state.runId, namespaces: state.namespaces };
}

/** Removes every stale run (owner dead, not left up on purpose); returns what it removed. */
export async function sweepStale(options: { includeManual?: boolean } = {}): Promise<SweepReport[]> {
  const removed: SweepReport[] = [];
  for (const state of listStates()) {
    if (state.manual === true ? options.includeManual !== true : ownerAlive(state)) continue;
    removed.push(await removeRun(state));
  }
  return removed;
}

/** Tears down one run by id, whoever built it, unless its owner is still alive. */
export async function removeRunById(runId: string): Promise<SweepReport> {
  const state = readState(runId);
  if (state === null) throw new Error(`--run-id: no run '${runId}' (no state file)`);
  if (state.manual !== true && ownerAlive(state)) {
    throw new Error(`--run-id: run '${runId}' is still owned by live process ${state.pid}; stop that process instead`);
  }
  return removeRun(state);
}
