// Packet mode's stand-in veth pairs live in the root namespace, named
// fp<pid>x<pair><tag>a / ...b: the owner's pid in the name lets `fastpath topology sweep`
// remove the pairs of a process that died without tearing down (SIGKILLed after a hang),
// and never touch a live process's.
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { INTF_ARR_MAX } from '../datapath/codecs.js';
import { processStartTime } from '../../netns/topology/state.js';

/** The name stem of this process's pair number `pair` (both ends add a or b). */
export function standInStem(pair: number, tag: string): string {
  return `fp${process.pid}x${pair.toString(36)}${tag}`;
}

/** The owner pid a stand-in link's name carries, or undefined for any other link. */
export function standInOwner(ifname: string): number | undefined {
  const m = /^fp(\d+)x[0-9a-z]*[ab]$/.exec(ifname);
  return m === null ? undefined : Number(m[1]);
}

/** The root namespace's links. */
function rootLinks(): { ifname: string; ifindex: number }[] {
  return JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string; ifindex: number }[];
}

/**
 * Creates the pair with end a at an unused ifindex below INTF_ARR_MAX, as the interfaces
 * of a fresh namespace have: the root namespace's next ifindex grows with every link ever
 * made, and the datapath addresses its per-interface counters and port array by ifindex
 * below that bound only. Another process may take the index between the choice and the
 * add, so a refused index is retried with another.
 */
export function addPairWithLowIndex(a: string, b: string): void {
  const used = new Set(
    (JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { ifindex: number }[]).map((l) => l.ifindex),
  );
  const free: number[] = [];
  for (let i = 64; i < INTF_ARR_MAX; i++) if (!used.has(i)) free.push(i);
  let last: unknown;
  for (let attempt = 0; attempt < 8 && free.length > 0; attempt++) {
    const index = free.splice(randomInt(free.length), 1)[0]!;
    try {
      execFileSync('ip', ['link', 'add', a, 'index', String(index), 'type', 'veth', 'peer', 'name', b], { stdio: 'pipe' });
      return;
    } catch (e) {
      last = e;
      if (!((e as { stderr?: Buffer }).stderr?.toString() ?? '').includes('exists')) break;
    }
  }
  const why = (last as { stderr?: Buffer } | undefined)?.stderr?.toString().trim() ?? 'no free ifindex below the bound';
  throw new Error(`ip link add ${a} index <below ${INTF_ARR_MAX}> type veth peer name ${b}: ${why}`);
}

/** Deletes every stand-in pair whose owner is dead; returns the links deleted. */
export function sweepDeadStandIns(): string[] {
  const removed: string[] = [];
  for (const { ifname } of rootLinks()) {
    const owner = standInOwner(ifname);
    if (owner === undefined || processStartTime(owner) !== null) continue;
    try {
      execFileSync('ip', ['link', 'del', ifname], { stdio: 'pipe' });
      removed.push(ifname);
    } catch (e) {
      // Deleting one end of a pair removes the other.
      if (!((e as { stderr?: Buffer }).stderr?.toString() ?? '').includes('Cannot find device')) throw e;
    }
  }
  return removed;
}
