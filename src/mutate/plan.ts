// A run's plan (DIR/plan.json) and how a resumed run finds its mutants again after the
// checkout's source moved on (bpf/ reorganised, code reformatted): each mutant is looked
// up by id in the checkout's source, its place updated, and the run's snapshot replaced by
// that source, so the sandboxes build what the checkout's harness expects. A mutant whose
// statement is gone is dropped when it has no verdict yet; a verdict already given stands.
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROL_PLANE_FILES, type Mutant, defaultSources, enumerateMutants, lineKeyedIds } from './mutants.js';
import type { Operator } from './operators.js';
import { snapshotSources } from './sandbox.js';
import type { Stage } from './stage-run.js';

/** 1: ids keyed by file and line text (mutants.ts lineKeyedIds); 2: by function and statement. */
export const PLAN_VERSION = 2;

export interface DroppedMutant {
  id: string;
  file: string;
  line: number;
  reason: string;
}

export interface Relocation {
  at: string;
  /** Mutants whose place changed. */
  moved: number;
  dropped: DroppedMutant[];
}

export interface Plan {
  version: 1 | 2;
  created: string;
  seed: number;
  sample: number;
  operators: Operator[];
  stages: Stage[];
  filter?: string;
  /** Wire-stage cells for every mutant (default: chosen per mutant, wire-cells.ts). */
  cells?: string;
  mutants: Mutant[];
  /** Each resume that found the checkout's source changed. */
  relocations?: Relocation[];
}

function filesUnder(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, join(rel, e.name)) : [join(rel, e.name)]))
    .sort();
}

function sameTree(a: string, b: string): boolean {
  if (!existsSync(a) || !existsSync(b)) return false;
  const fa = filesUnder(a);
  const fb = filesUnder(b);
  return fa.length === fb.length && fa.every((f, i) => f === fb[i] && readFileSync(join(a, f)).equals(readFileSync(join(b, f))));
}

/** The checkout's mutants by the plan's kind of id. */
function byPlanId(all: readonly Mutant[], version: Plan['version']): Map<string, Mutant> {
  if (version === 2) return new Map(all.map((m) => [m.id, m]));
  const out = new Map<string, Mutant>();
  for (const file of new Set(all.map((m) => m.file))) {
    const ofFile = all.filter((m) => m.file === file);
    lineKeyedIds(ofFile).forEach((id, i) => out.set(id, ofFile[i]!));
  }
  return out;
}

/**
 * When the checkout's source (bpf/ and the control-plane modules) differs from the run's
 * snapshot: finds the plan's mutants in it, replaces the snapshot and rewrites plan.json.
 * Returns what changed, or null when the source is the snapshot's.
 */
export function relocatePlan(root: string, runDir: string, plan: Plan, hasVerdict: (id: string) => boolean): Relocation | null {
  const snapshot = join(runDir, 'source');
  const fresh = join(runDir, 'source.next');
  rmSync(fresh, { recursive: true, force: true });
  snapshotSources(root, fresh, CONTROL_PLANE_FILES);
  if (sameTree(fresh, snapshot)) {
    rmSync(fresh, { recursive: true, force: true });
    return null;
  }
  const found = byPlanId(enumerateMutants(fresh, defaultSources(fresh), plan.operators), plan.version);
  const dropped: DroppedMutant[] = [];
  let moved = 0;
  const mutants: Mutant[] = [];
  for (const m of plan.mutants) {
    const now = found.get(m.id);
    if (now !== undefined) {
      if (now.file !== m.file || now.start !== m.start) moved++;
      mutants.push({ ...now, id: m.id });
    } else if (hasVerdict(m.id)) {
      mutants.push(m);
    } else {
      dropped.push({ id: m.id, file: m.file, line: m.line, reason: 'its statement is not in the source any more' });
    }
  }
  const relocation: Relocation = { at: new Date().toISOString(), moved, dropped };
  rmSync(snapshot, { recursive: true, force: true });
  renameSync(fresh, snapshot);
  plan.mutants = mutants;
  plan.relocations = [...(plan.relocations ?? []), relocation];
  writeFileSync(join(runDir, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
  return relocation;
}
