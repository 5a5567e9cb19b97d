// Where the DUT's receive work runs in the wire benchmark. A veth's receive side is a
// NAPI poll, normally a softirq on the CPU that queued the frames: with one generator
// thread that is the generator's own CPU, so generator, DUT and sink share one core and
// every figure is a sum of their costs. Threaded NAPI moves an interface's polls into a
// kernel thread; pinned to another CPU at real-time priority (or user processes on that
// CPU would starve it), the DUT gets a core of its own, as in a two-box test.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Topology } from '../../../netns/index.js';

function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Threads named napi/<ifname>-<id>: the name says nothing of the namespace, so callers
 *  tell theirs apart by what appeared when they switched threading on. */
function napiThreads(ifname: string): Set<number> {
  const found = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry) && commOf(Number(entry))?.startsWith(`napi/${ifname}-`)) found.add(Number(entry));
  }
  return found;
}

export interface PinnedReceive {
  pids: number[];
  /** Throws when a pinned thread is gone (the interface's NAPI was re-created unpinned). */
  check(): void;
}

/** Switches host:ifname to threaded NAPI and pins its threads to `cpu`, SCHED_FIFO 50. */
export async function pinReceive(topo: Topology, host: string, ifname: string, cpu: number): Promise<PinnedReceive> {
  const before = napiThreads(ifname);
  await topo.exec(host, ['sh', '-c', `echo 1 > /sys/class/net/${ifname}/threaded`]);
  const pids = [...napiThreads(ifname)].filter((p) => !before.has(p));
  if (pids.length === 0)
    throw new Error(`--dut-cpu: no receive thread appeared for ${host}:${ifname} (threaded NAPI needs the veth's NAPI: GRO or XDP on it)`);
  const names = new Map(pids.map((p) => [p, commOf(p)]));
  for (const pid of pids) {
    execFileSync('taskset', ['-pc', String(cpu), String(pid)], { stdio: 'pipe' });
    execFileSync('chrt', ['-f', '-p', '50', String(pid)], { stdio: 'pipe' });
  }
  return {
    pids,
    check: () => {
      const gone = pids.filter((p) => commOf(p) !== names.get(p));
      if (gone.length > 0)
        throw new Error(`--dut-cpu: the receive thread(s) ${gone.join(', ')} of ${host}:${ifname} went away during the run`);
    },
  };
}
