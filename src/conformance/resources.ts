// Everything one scenario run creates (datapath pins, topology, root-namespace veths for
// packet mode), torn down on every way out: normal end, failure, timeout, process exit
// and SIGINT/SIGTERM/SIGHUP — unless kept for inspection.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type Datapath, removePins } from '../datapath/index.js';
import { keepPins } from '../datapath/pin-owners.js';
import type { AgentClient, Topology } from '../../netns/index.js';
import { addPairWithLowIndex, standInStem } from './stand-in-links.js';

const live = new Set<RunResources>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function onExit(): void {
  for (const r of [...live]) r.teardownSync();
}

function onSignal(signal: NodeJS.Signals): void {
  onExit();
  // The topology module has its own handler; it exits once its namespaces are gone.
  // Alone, we exit with the conventional status ourselves.
  if (process.listenerCount(signal) <= 1) process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstallIfIdle(): void {
  if (!installed || live.size > 0) return;
  installed = false;
  process.off('exit', onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** pid + random hex, as the naming convention asks. */
export function uniqueSuffix(): string {
  return `${process.pid.toString(16)}${randomBytes(3).toString('hex')}`;
}

/** Stand-in veth pairs made by this process so far: with the pid, a name no other run has. */
let vethPairs = 0;

export class RunResources {
  readonly unique = uniqueSuffix();
  readonly pinRoot = `/sys/fs/bpf/fastpath-${this.unique}`;
  datapath: Datapath | undefined;
  topology: Topology | undefined;
  /** Root-namespace veth names (one end of each pair; deleting it removes both). */
  readonly veths: string[] = [];
  /** Host agents started for this run (the topology also stops them on teardown). */
  readonly agents: AgentClient[] = [];
  private done = false;

  constructor() {
    install();
    live.add(this);
  }

  /** Creates a veth pair in the root namespace, named fp<pid>x<pair><tag>a / ...b (<= 15):
   *  the owner's pid in the name lets a check tell its own links from another run's. */
  addVethPair(tag: string): { a: string; b: string } {
    const stem = standInStem(vethPairs++, tag);
    const a = `${stem}a`;
    const b = `${stem}b`;
    if (a.length > 15) throw new Error(`internal: interface name ${a} is longer than 15 characters`);
    addPairWithLowIndex(a, b);
    this.veths.push(a);
    return { a, b };
  }

  private releaseDatapath(errors: string[]): void {
    try {
      this.datapath?.destroy();
    } catch (e) {
      errors.push((e as Error).message);
    }
    removePins(this.pinRoot);
    this.datapath = undefined;
  }

  private removeVeths(errors: string[]): void {
    for (const name of this.veths.splice(0)) {
      try {
        execFileSync('ip', ['link', 'del', name], { stdio: 'pipe' });
      } catch (e) {
        const msg = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
        if (!msg.includes('Cannot find device')) errors.push(`ip link del ${name}: ${msg.trim()}`);
      }
    }
  }

  /** Tears everything down; returns what went wrong (nothing is left half-removed on
   *  purpose: every part is attempted). */
  async teardown(): Promise<string[]> {
    if (this.done) return [];
    this.done = true;
    const errors: string[] = [];
    this.releaseDatapath(errors);
    try {
      await this.topology?.destroy();
    } catch (e) {
      errors.push((e as Error).message);
    }
    this.removeVeths(errors);
    live.delete(this);
    uninstallIfIdle();
    return errors;
  }

  teardownSync(): void {
    if (this.done) return;
    this.done = true;
    this.releaseDatapath([]);
    try {
      this.topology?.destroySync();
    } catch {
      // best effort on the way out
    }
    this.removeVeths([]);
    live.delete(this);
  }

  /** Leaves everything in place and says how to look at it and how to remove it. */
  keep(): string {
    this.done = true;
    live.delete(this);
    uninstallIfIdle();
    // Agents would keep this process alive; the namespaces stay without them.
    for (const a of this.agents) a.kill();
    // Kept on purpose: a sweep leaves these pins alone (as it leaves the topology).
    keepPins(this.pinRoot);
    const lines = [`kept for inspection: maps pinned under ${this.pinRoot}/`];
    lines.push(`  inspect: bpftool map dump pinned ${this.pinRoot}/<map>   (maps: ls ${this.pinRoot})`);
    if (this.topology !== undefined) {
      this.topology.detach();
      const ns = Object.values(this.topology.namespaces());
      lines.push(`  namespaces: ${ns.join(', ')}`);
      lines.push(`  inspect: ip netns exec ${ns[0]} ip -d link; tc -n ${ns[0]} filter show dev <ifname> ingress`);
      lines.push(`  tear down: fastpath topology down --run-id ${this.topology.runId}; rm -rf ${this.pinRoot}`);
    } else {
      lines.push(`  tear down: rm -rf ${this.pinRoot}${this.veths.map((v) => `; ip link del ${v}`).join('')}`);
    }
    if (this.topology !== undefined && this.veths.length > 0) lines.push(`  also: ${this.veths.map((v) => `ip link del ${v}`).join('; ')}`);
    return lines.join('\n');
  }
}
