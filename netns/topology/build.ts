// Builds a validated description with iproute2. Every veth is created straight into its
// namespaces, so nothing ever lives in the root namespace; any failure tears down what
// was built so far before the error reaches the caller.
import { existsSync } from 'node:fs';
import { kernelProblems } from './kernel.js';
import { signalTeardown } from './lifecycle.js';
import { commandExists, run } from './run.js';
import { statePath } from './state.js';
import { checkRunId, namespaceName, newRunId, Topology } from './topology.js';
import type { BuildOptions, HostDescription, LinkDescription, LinkEndDescription, TopologyDescription } from './types.js';
import { validateTopology } from './validate.js';

export interface BuildTopologyOptions extends BuildOptions {
  /** The file the description came from (recorded for `topology down FILE`). */
  source?: string;
}

const OFFLOADS = ['rx', 'tx', 'tso', 'gso', 'gro', 'sg'];

/** One ip(8) call of the build; refuses once teardown has begun (a signal arrived), so
 *  nothing is created behind the teardown's back. */
function step(topo: Topology, args: string[]): Promise<unknown> {
  if (topo.destroyed) return Promise.reject(new Error(`topology ${topo.runId}: torn down while it was being built`));
  return run('ip', args);
}

function ipn(topo: Topology, ns: string, ...args: string[]): Promise<unknown> {
  return step(topo, ['-n', ns, ...args]);
}

async function createHost(topo: Topology, host: HostDescription): Promise<void> {
  const ns = namespaceName(topo.runId, host.name);
  topo.recordNamespace(ns);
  await step(topo, ['netns', 'add', ns]);
  await ipn(topo, ns, 'link', 'set', 'lo', 'up');
  // Addresses get nodad, and new interfaces inherit accept_dad=0, so IPv6 works at once.
  await step(topo, ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
}

function endOptions(end: LinkEndDescription, ns: string, mtu: number | undefined): string[] {
  const opts = ['name', end.ifname];
  if (end.mac !== undefined) opts.push('address', end.mac);
  if (mtu !== undefined) opts.push('mtu', String(mtu));
  opts.push('netns', ns);
  return opts;
}

async function addAddresses(topo: Topology, ns: string, ifname: string, addresses: string[] | undefined): Promise<void> {
  for (const cidr of addresses ?? []) {
    const extra = cidr.includes(':') ? ['nodad'] : [];
    await ipn(topo, ns, 'addr', 'add', cidr, 'dev', ifname, ...extra);
  }
}

async function createLink(topo: Topology, link: LinkDescription, hasEthtool: boolean, index: number): Promise<void> {
  const nsA = namespaceName(topo.runId, link.a.host);
  const nsB = namespaceName(topo.runId, link.b.host);
  await step(topo, ['link', 'add', ...endOptions(link.a, nsA, link.mtu), 'type', 'veth', 'peer', ...endOptions(link.b, nsB, link.mtu)]);
  for (const [end, ns] of [
    [link.a, nsA],
    [link.b, nsB],
  ] as const) {
    if (link.offloads === 'off') {
      if (hasEthtool) await step(topo, ['netns', 'exec', ns, 'ethtool', '-K', end.ifname, ...OFFLOADS.flatMap((o) => [o, 'off'])]);
      else topo.warnings.push(`links[${index}].offloads: ethtool is not installed; offloads of ${end.host}:${end.ifname} left on`);
    }
    await addAddresses(topo, ns, end.ifname, end.addresses);
    await ipn(topo, ns, 'link', 'set', end.ifname, 'up');
    for (const vlan of end.vlans ?? []) {
      const name = vlan.ifname ?? `${end.ifname}.${vlan.id}`;
      const args = ['link', 'add', 'link', end.ifname, 'name', name];
      if (vlan.mac !== undefined) args.push('address', vlan.mac);
      if (link.mtu !== undefined) args.push('mtu', String(link.mtu));
      await ipn(topo, ns, ...args, 'type', 'vlan', 'id', String(vlan.id));
      await addAddresses(topo, ns, name, vlan.addresses);
      await ipn(topo, ns, 'link', 'set', name, 'up');
    }
  }
}

function sysctlAssignments(host: HostDescription): string[] {
  const out: string[] = [];
  if (host.forwarding === true) out.push('net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1');
  if (host.forwarding === false) out.push('net.ipv4.ip_forward=0', 'net.ipv6.conf.all.forwarding=0');
  for (const [key, value] of Object.entries(host.sysctls ?? {})) {
    out.push(`${key}=${typeof value === 'boolean' ? (value ? 1 : 0) : value}`);
  }
  return out;
}

async function configureHost(topo: Topology, host: HostDescription): Promise<void> {
  const ns = namespaceName(topo.runId, host.name);
  const assignments = sysctlAssignments(host);
  if (assignments.length > 0) await step(topo, ['netns', 'exec', ns, 'sysctl', '-q', '-w', ...assignments]);
  for (const route of host.routes ?? []) {
    const family = route.dst === 'default' ? (route.via?.includes(':') ? '-6' : '-4') : route.dst.includes(':') ? '-6' : '-4';
    const args = [family, 'route', 'add', route.dst];
    if (route.via !== undefined) args.push('via', route.via);
    if (route.dev !== undefined) args.push('dev', route.dev);
    await ipn(topo, ns, ...args);
  }
  for (const n of host.neighbours ?? []) {
    await ipn(topo, ns, 'neigh', 'replace', n.ip, 'lladdr', n.mac, 'dev', n.dev, 'nud', 'permanent');
  }
}

/** Like Promise.all, but settles every step first so teardown never races a step that is
 *  still creating something. */
async function allOrFirstError(steps: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(steps);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/** Validates (nothing is created when that fails), then builds. The result is torn down on
 *  destroy(), on process exit and on SIGINT/SIGTERM/SIGHUP. */
export async function buildTopology(input: unknown, options: BuildTopologyOptions = {}): Promise<Topology> {
  const desc = validateTopology(input);
  const unsupported = kernelProblems(desc);
  if (unsupported.length > 0) throw new Error(`cannot build this topology here: ${unsupported.join('; ')}`);
  const runId = options.runId ?? newRunId();
  checkRunId(runId);
  if (existsSync(statePath(runId))) throw new Error(`runId: a run named '${runId}' already exists (${statePath(runId)})`);
  const taken = desc.hosts.map((h) => namespaceName(runId, h.name)).filter((ns) => existsSync(`/run/netns/${ns}`));
  if (taken.length > 0) throw new Error(`runId: namespace ${taken.join(', ')} already exists`);
  const topo = new Topology(runId, desc, options.source);
  const building = buildSteps(topo, desc);
  topo.building = building;
  try {
    await building;
  } catch (err) {
    await topo.destroy().catch(() => undefined);
    // Interrupted by a signal: let the process die of it rather than of this error.
    await signalTeardown();
    throw err;
  } finally {
    topo.building = null;
  }
  return topo;
}

async function buildSteps(topo: Topology, desc: TopologyDescription): Promise<void> {
  const hasEthtool = (desc.links ?? []).some((l) => l.offloads === 'off') ? await commandExists('ethtool') : false;
  await allOrFirstError(desc.hosts.map((h) => createHost(topo, h)));
  for (const [i, link] of (desc.links ?? []).entries()) await createLink(topo, link, hasEthtool, i);
  await allOrFirstError(desc.hosts.map((h) => configureHost(topo, h)));
}
