// Who owns each pin root: one small record per root under /run/fastpath/pins, written
// before the pins are made, so `fastpath topology sweep` can remove the pins of a process
// that died without cleaning up (SIGKILL) and never touch a live process's pins, nor
// state a `dp up --keep-state` left for the next one on purpose.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processStartTime } from '../../netns/topology/state.js';

export const PIN_OWNERS_DIR = '/run/fastpath/pins';

export interface PinOwner {
  root: string;
  pid: number;
  pidStart: string;
  /** Left on purpose for the next owner (dp up --keep-state). */
  kept?: boolean;
}

function fileOf(root: string): string {
  return join(PIN_OWNERS_DIR, `${root.replace(/^\/+/, '').replace(/\//g, '-')}.json`);
}

/** This process owns root from now on, unless another live process already does. */
export function recordPinOwner(root: string): void {
  mkdirSync(PIN_OWNERS_DIR, { recursive: true });
  const current = readOwner(fileOf(root));
  if (current !== undefined && current.pid !== process.pid && !ownerGone(current)) return;
  const owner: PinOwner = { root, pid: process.pid, pidStart: processStartTime(process.pid) ?? '' };
  writeFileSync(fileOf(root), `${JSON.stringify(owner)}\n`);
}

export function keepPins(root: string): void {
  const owner = readOwner(fileOf(root));
  if (owner !== undefined) writeFileSync(fileOf(root), `${JSON.stringify({ ...owner, kept: true })}\n`);
}

export function forgetPinOwner(root: string): void {
  rmSync(fileOf(root), { force: true });
}

function readOwner(file: string): PinOwner | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PinOwner;
  } catch {
    return undefined;
  }
}

export function pinOwners(): PinOwner[] {
  let names: string[];
  try {
    names = readdirSync(PIN_OWNERS_DIR);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json'))
    .map((n) => readOwner(join(PIN_OWNERS_DIR, n)))
    .filter((o): o is PinOwner => o !== undefined);
}

export function ownerGone(o: PinOwner): boolean {
  const start = processStartTime(o.pid);
  return start === null || start !== o.pidStart;
}

/** Removes the pins of every root whose owner died (kept roots too with `all`). */
export function sweepPins(removePins: (root: string) => void, all = false): string[] {
  const removed: string[] = [];
  for (const o of pinOwners()) {
    // A record whose pins someone removed by hand is only bookkeeping left over.
    if (!existsSync(o.root)) {
      forgetPinOwner(o.root);
      continue;
    }
    if (!ownerGone(o) || (o.kept === true && !all)) continue;
    removePins(o.root);
    forgetPinOwner(o.root);
    removed.push(o.root);
  }
  return removed;
}
