// Packet mode's stand-in veth pairs live in the root namespace, named
// fp<pid>x<pair><tag>a / ...b: the owner's pid in the name lets `fastpath topology sweep`
// remove the pairs of a process that died without tearing down (SIGKILLed after a hang),
// and never touch a live process's.
import { execFileSync } from 'node:child_process';
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

/** Deletes every stand-in pair whose owner is dead; returns the links deleted. */
export function sweepDeadStandIns(): string[] {
  const links = JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[];
  const removed: string[] = [];
  for (const { ifname } of links) {
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
