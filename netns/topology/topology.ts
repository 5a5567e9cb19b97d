// A built topology: real namespace names, command execution inside a host, agents, and a
// teardown that is safe to call any number of times from any exit path.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { AgentClient } from '../agent/client.js';
import { track, untrack } from './lifecycle.js';
import { inspectNamespace, type NamespaceView, readSysctls } from './inspect.js';
import { killPids, removeNamespace, removeNamespaceSync } from './remove.js';
import { run, type RunResult } from './run.js';
import { processStartTime, removeState, type RunState, scratchDirOf, writeState } from './state.js';
import type { TopologyDescription } from './types.js';

const RUN_ID = /^[A-Za-z0-9_]{1,24}$/;

export function newRunId(): string {
  return `${process.pid}x${randomBytes(4).toString('hex')}`;
}

export function checkRunId(runId: string): void {
  if (!RUN_ID.test(runId)) throw new Error(`runId: '${runId}' must be 1..24 letters, digits or '_'`);
}

export function namespaceName(runId: string, host: string): string {
  return `fp-${runId}-${host}`;
}

export class Topology {
  readonly warnings: string[] = [];
  private readonly state: RunState;
  private readonly agents = new Set<AgentClient>();
  private destroying: Promise<void> | null = null;
  /** The build under way, if any: teardown lets it settle first. */
  building: Promise<void> | null = null;

  constructor(
    readonly runId: string,
    readonly description: TopologyDescription,
    source?: string,
  ) {
    this.state = {
      runId,
      pid: process.pid,
      pidStart: processStartTime(process.pid) ?? '',
      createdAt: new Date().toISOString(),
      namespaces: [],
      agentPids: [],
      ...(source !== undefined ? { source } : {}),
    };
    track(this);
  }

  get destroyed(): boolean {
    return this.destroying !== null;
  }

  /** The namespace of a host, e.g. fp-1234x0a1b2c3d-client. */
  ns(host: string): string {
    if (!this.description.hosts.some((h) => h.name === host)) {
      throw new Error(`host: '${host}' is not in this topology (hosts: ${this.description.hosts.map((h) => h.name).join(', ')})`);
    }
    return namespaceName(this.runId, host);
  }

  /** host name -> namespace name. */
  namespaces(): Record<string, string> {
    return Object.fromEntries(this.description.hosts.map((h) => [h.name, this.ns(h.name)]));
  }

  /** The interface names of a host (veth ends, then VLAN sub-interfaces), as created. */
  interfaces(host: string): string[] {
    this.ns(host);
    const names: string[] = [];
    for (const link of this.description.links ?? []) {
      for (const end of [link.a, link.b]) {
        if (end.host !== host) continue;
        names.push(end.ifname);
        for (const v of end.vlans ?? []) names.push(v.ifname ?? `${end.ifname}.${v.id}`);
      }
    }
    return names;
  }

  /** Records a namespace before it is created, so a SIGKILL right after still leaves a
   *  trace the sweep can follow. */
  recordNamespace(ns: string): void {
    this.state.namespaces.push(ns);
    writeState(this.state);
  }

  /** Runs argv inside a host's namespace; rejects with the command's stderr on failure. */
  exec(host: string, argv: string[], input?: string): Promise<RunResult> {
    if (this.destroying !== null) return Promise.reject(new Error(`topology ${this.runId} is torn down`));
    return run('ip', ['netns', 'exec', this.ns(host), ...argv], input);
  }

  /** Interfaces, addresses, routes and neighbours of a host as the kernel has them. */
  inspect(host: string): Promise<NamespaceView> {
    return inspectNamespace(this.ns(host));
  }

  sysctls(host: string, keys: string[]): Promise<Record<string, string>> {
    return readSysctls(this.ns(host), keys);
  }

  /** Where agents put captures by default; removed with the topology, so copy a pcap
   *  that must outlive it (or give capture-start an explicit file). */
  get scratchDir(): string {
    return scratchDirOf(this.runId);
  }

  /** Starts a host agent in a host's namespace; it answers with `name` (default: host). */
  async startAgent(host: string, options: { name?: string } = {}): Promise<AgentClient> {
    if (this.destroying !== null) throw new Error(`topology ${this.runId} is torn down`);
    mkdirSync(this.scratchDir, { recursive: true });
    const agent = await AgentClient.start({ netns: this.ns(host), name: options.name ?? host, scratchDir: this.scratchDir });
    this.agents.add(agent);
    this.state.agentPids.push(agent.pid);
    writeState(this.state);
    void agent.exited.then(() => {
      this.agents.delete(agent);
      this.state.agentPids = this.state.agentPids.filter((p) => p !== agent.pid);
      if (this.destroying === null) writeState(this.state);
    });
    return agent;
  }

  /** Leaves the topology up after this process exits (`fastpath topology up`): the state
   *  file no longer names a live owner, and only `topology down` removes it. */
  detach(): void {
    this.state.manual = true;
    writeState(this.state);
    untrack(this);
  }

  destroy(): Promise<void> {
    if (this.destroying === null) this.destroying = this.teardown();
    return this.destroying;
  }

  private async teardown(): Promise<void> {
    try {
      await this.building?.catch(() => undefined);
      await Promise.allSettled([...this.agents].map((a) => a.close()));
      killPids(this.state.agentPids);
      const results = await Promise.allSettled(this.state.namespaces.map((ns) => removeNamespace(ns)));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length > 0) throw new Error(`teardown of ${this.runId}: ${failed.map((f) => (f.reason as Error).message).join('; ')}`);
      rmSync(this.scratchDir, { recursive: true, force: true });
      removeState(this.runId);
    } finally {
      untrack(this);
    }
  }

  /** The exit-path teardown: nothing asynchronous runs any more. */
  destroySync(): void {
    if (this.destroying === null) this.destroying = Promise.resolve();
    for (const a of this.agents) a.kill();
    killPids(this.state.agentPids);
    for (const ns of this.state.namespaces) removeNamespaceSync(ns);
    rmSync(this.scratchDir, { recursive: true, force: true });
    removeState(this.runId);
    untrack(this);
  }
}
