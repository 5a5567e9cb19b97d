// Wire mode: the scenario's topology built for real, the datapath loaded and attached in
// the dut's namespace, and real frames and flows sent by host agents.
import { setTimeout as sleep } from 'node:timers/promises';
import { type AgentClient, type ClientReport, buildTopology } from '../../netns/index.js';
import { Datapath } from '../datapath/index.js';
import { buildPacket, decodePacket } from '../packet/index.js';
import { Ager } from './age.js';
import { checkFields, comparePacket } from './compare.js';
import { dumpDatapath } from './dumps.js';
import { runFlood } from './flood.js';
import type { FloodRecord } from './flood-types.js';
import { appliesTo, evaluate, snapshot } from './expectations.js';
import type { RunResources } from './resources.js';
import { type ModeRun, NotRunnableHere } from './run-record.js';
import { applySection, attachList, dutInterfaces, dutLinks } from './topology-view.js';
import { EventCounts } from './event-counts.js';
import type { InjectStep, Scenario } from './types.js';
import { HostMacs, InjectMatcher } from './wire-match.js';
import { quietHosts } from './quiet-hosts.js';
import { type WireCell, cellName, xdpForwards } from './cells.js';
import { hostCounterChecks, readHostCounters } from './host-counters.js';
import { runBulk, runHttp } from './real-clients.js';
import type { Topology, TopologyDescription } from '../../netns/index.js';
import { splitEndpoint } from './endpoint.js';

class Agents {
  private readonly agents = new Map<string, Promise<AgentClient>>();

  readonly macs: HostMacs;

  constructor(private readonly res: RunResources) {
    this.macs = new HostMacs(res.topology!);
  }

  of(host: string): Promise<AgentClient> {
    let a = this.agents.get(host);
    if (a === undefined) {
      a = this.res.topology!.startAgent(host);
      void a.then(
        (agent) => this.res.agents.push(agent),
        () => undefined,
      );
      this.agents.set(host, a);
    }
    return a;
  }
}

function dropTotal(dp: Datapath): bigint {
  return Object.entries(dp.drops()).reduce((sum, [name, c]) => (name === 'none' ? sum : sum + c.packets), 0n);
}

async function captureAt(agents: Agents, endpoints: string[], send: () => Promise<unknown>): Promise<Map<string, Buffer[]>> {
  const started = await Promise.all(
    endpoints.map(async (ep) => {
      const [host, ifname] = splitEndpoint(ep);
      const agent = await agents.of(host);
      return { ep, agent, id: (await agent.captureStart({ ifname })).captureId };
    }),
  );
  const sending = await send().then(
    () => null,
    (e: unknown) => ({ error: e }),
  );
  // Stopping settles the capture file, so frames still in flight are kept.
  const stopped = await Promise.all(started.map(async (c) => [c.ep, (await c.agent.captureStop(c.id)).raw] as const));
  const frames = new Map<string, Buffer[]>(stopped);
  if (sending !== null) throw sending.error;
  return frames;
}

async function runInject(dp: Datapath, s: Scenario, inj: InjectStep, index: number, agents: Agents, out: ModeRun): Promise<void> {
  const label = `steps[${index}] inject${inj.name !== undefined ? ` '${inj.name}'` : ''}`;
  const input = buildPacket(inj.packet);
  const [host, ifname] = splitEndpoint(inj.from);
  const watch = dutLinks(s.topology, s.dut)
    .map((l) => l.peer)
    .filter((p) => p !== inj.from);
  const dropsBefore = dropTotal(dp);
  const sender = await agents.of(host);
  const ts = Date.now() / 1000;
  const frames = await captureAt(agents, watch, async () => {
    await sender.l2Send(ifname, [input]);
    await sleep(50);
  });
  const dropped = dropTotal(dp) - dropsBefore;
  const expected = inj.expect.packet === undefined ? undefined : buildPacket(inj.expect.packet);
  const matcher = new InjectMatcher(input, expected);
  const own = new Map(await Promise.all(watch.map(async (ep) => [ep, await agents.macs.of(splitEndpoint(ep)[0])] as const)));
  const arrivedAt = (ep: string): Buffer[] => (frames.get(ep) ?? []).filter((f) => matcher.matches(f, own.get(ep) ?? new Set()));
  const arrived = watch.flatMap((ep) => arrivedAt(ep).map((f) => ({ ep, f })));
  const want = inj.expect.verdict;
  if (want !== 'forward') {
    const ok = arrived.length === 0 && (want === 'drop' ? dropped >= 1n : dropped === 0n);
    const what =
      arrived.length > 0 ? `it arrived at ${[...new Set(arrived.map((a) => a.ep))].join(', ')}` : `the drop counters moved by ${dropped}`;
    out.checks.push({ name: `${label}: verdict ${want}`, ok, ...(ok ? {} : { detail: `expected ${want}; ${what}` }) });
    return;
  }
  const at = frames.get(inj.expect.out!) ?? [];
  const candidates = arrivedAt(inj.expect.out!);
  const elsewhere = [...new Set(arrived.filter((a) => a.ep !== inj.expect.out).map((a) => a.ep))];
  if (candidates.length === 0) {
    const seen =
      at
        .map((f) =>
          decodePacket(f)
            .layers.map((l) => l.type)
            .join('/'),
        )
        .join('; ') || 'nothing';
    out.checks.push({
      name: `${label}: verdict forward to ${inj.expect.out}`,
      ok: false,
      detail: `nothing like it arrived at ${inj.expect.out} (captured there: ${seen})${elsewhere.length > 0 ? `; it arrived at ${elsewhere.join(', ')}` : ''}; drop counters moved by ${dropped}`,
    });
    return;
  }
  out.checks.push({ name: `${label}: verdict forward to ${inj.expect.out}`, ok: true });
  if (inj.expect.fields !== undefined) {
    const fieldProblems = candidates.map((f) => checkFields(f, inj.expect.fields!));
    const best = fieldProblems.reduce((a, b) => (b.length < a.length ? b : a));
    out.checks.push({ name: `${label}: fields`, ok: best.length === 0, ...(best.length === 0 ? {} : { detail: best.join('\n') }) });
  }
  if (expected === undefined) return;
  const results = candidates.map((f) => comparePacket(expected, f, inj.expect.mask));
  const good = results.find((r) => r.ok);
  const best = results.reduce((a, b) => (b.diff.split('\n').length < a.diff.split('\n').length ? b : a));
  out.checks.push({ name: `${label}: output bytes`, ok: good !== undefined, ...(good ? {} : { detail: best.diff }) });
  if (good === undefined) {
    out.diffs.push(`${label} (expected vs actual at ${inj.expect.out}):\n${best.diff}`);
    out.exchange.push({ data: expected, ts });
  }
}

async function runSend(
  agents: Agents,
  step: Scenario['steps'][number] & { kind: 'send' },
  sends: Map<string, ClientReport>,
): Promise<void> {
  const s = step.send;
  const agent = await agents.of(s.from);
  const args = {
    addr: s.to,
    port: s.port,
    count: s.count ?? 1,
    concurrency: s.concurrency ?? 1,
    timeoutMs: s.timeoutMs ?? 3000,
    ...(s.size !== undefined ? { message: 'x'.repeat(s.size) } : {}),
  };
  if (s.proto === 'sctp') sends.set(s.id, await sctpAssociations(agent, args));
  else sends.set(s.id, s.proto === 'tcp' ? await agent.tcpClient(args) : await agent.udpClient(args));
}

/** One association per count with the agent's SCTP peer, each exchanging one DATA message,
 *  as a ClientReport (answeredBy = the server that answered it). */
async function sctpAssociations(
  agent: AgentClient,
  args: { addr: string; port: number; count: number; timeoutMs: number },
): Promise<ClientReport> {
  const results: ClientReport['results'] = [];
  for (let index = 0; index < args.count; index++) {
    const started = process.hrtime.bigint();
    try {
      const r = await agent.sctpClient({ addr: args.addr, port: args.port, messages: 1, finish: 'shutdown', timeoutMs: args.timeoutMs });
      const x = r.results[0];
      results.push({
        index,
        answeredBy: x?.answeredBy ?? null,
        latencyNs: x?.latencyNs ?? null,
        localPort: r.localPort,
        error: x?.error ?? (x === undefined ? 'no exchange' : null),
        timedOut: false,
      });
    } catch (e) {
      results.push({
        index,
        answeredBy: null,
        latencyNs: Number(process.hrtime.bigint() - started),
        localPort: null,
        error: (e as Error).message,
        timedOut: false,
      });
    }
  }
  const answers: Record<string, number> = {};
  for (const r of results) if (r.answeredBy !== null) answers[r.answeredBy] = (answers[r.answeredBy] ?? 0) + 1;
  const errors = results.filter((r) => r.answeredBy === null).length;
  return { results, answers, errors, timeouts: 0 };
}

/** The scenario's topology with every link's offloads set by the cell. */
function topologyIn(cell: WireCell, t: TopologyDescription): TopologyDescription {
  return { ...t, links: (t.links ?? []).map((l) => ({ ...l, offloads: cell.offloads })) };
}

/** Tx checksum offload off on the dut's ends, checked: a scenario that relies on the
 * dut's kernel completing sums must not pass because ethtool did nothing. */
async function softwareTxChecksum(topo: Topology, dut: string, ifnames: string[]): Promise<void> {
  for (const ifname of ifnames) {
    await topo.exec(dut, ['ethtool', '-K', ifname, 'tx', 'off']);
    const features = await topo.exec(dut, ['ethtool', '-k', ifname]);
    if (!/^tx-checksumming: off/m.test(features.stdout))
      throw new Error(`wire.dutTxChecksum: tx checksum offload still on at ${dut}:${ifname}`);
  }
}

const XDP_MODE = { 'xdp-native': 'driver', 'xdp-generic': 'generic' } as const;

export async function runWireMode(s: Scenario, res: RunResources, out: ModeRun, object: string, cell: WireCell): Promise<void> {
  let topo;
  try {
    topo = await buildTopology(topologyIn(cell, s.topology));
  } catch (e) {
    const message = (e as Error).message;
    if (message.startsWith('cannot build this topology here')) throw new NotRunnableHere(message);
    throw e;
  }
  res.topology = topo;
  out.log.push(`topology ${topo.runId}: ${Object.values(topo.namespaces()).join(', ')}`);
  const dp = Datapath.load({ object, pinRoot: res.pinRoot, netns: topo.ns(s.dut) });
  res.datapath = dp;
  await quietHosts(topo, s.wire?.quietHosts ?? []);
  const peers = dutLinks(s.topology, s.dut);
  // GRO at both ends of the dut's links, as NIC drivers default to: a veth takes
  // redirected XDP frames only while its peer has GRO on (or XDP).
  if (cell.hook !== 'tc' && cell.gro) {
    await Promise.all(
      peers.flatMap((l) => [
        topo.exec(l.peerHost, ['ethtool', '-K', l.peerIfname, 'gro', 'on']),
        topo.exec(s.dut, ['ethtool', '-K', l.dutIfname, 'gro', 'on']),
      ]),
    );
  }
  if (s.wire?.dutTxChecksum === 'software')
    await softwareTxChecksum(
      topo,
      s.dut,
      peers.map((l) => l.dutIfname),
    );
  applySection(dp, s.datapath);
  const xdp = cell.hook === 'tc' ? {} : { xdp: XDP_MODE[cell.hook] };
  for (const ifname of attachList(s.datapath)) dp.attach({ ifname, ...xdp });
  out.log.push(`cell: ${cellName(cell)}`, ...dp.xdpWarnings());
  const agents = new Agents(res);
  const hosts = s.topology.hosts.map((h) => h.name);
  const countersBefore = await readHostCounters(topo, hosts);
  // Whole-run captures on every host end of a dut link: the pcap of the exchange.
  const runCaptures = await Promise.all(
    peers.map(async (l) => {
      const agent = await agents.of(l.peerHost);
      return { agent, id: (await agent.captureStart({ ifname: l.peerIfname })).captureId };
    }),
  );
  const sends = new Map<string, ClientReport>();
  const floods = new Map<string, FloodRecord>();
  const dutDevices = new Map(dutInterfaces(s.topology, s.dut).map((n) => [n, n]));
  const events = new EventCounts(dp);
  const before = snapshot(dp, dutDevices, events);
  const ager = new Ager(dp);
  try {
    for (const step of s.steps) {
      if (!appliesTo(step, 'wire')) continue;
      switch (step.kind) {
        case 'server': {
          const agent = await agents.of(step.server.host);
          const args = { port: step.server.port, ...(step.server.address !== undefined ? { address: step.server.address } : {}) };
          const start = {
            tcp: () => agent.tcpServer(args),
            udp: () => agent.udpServer(args),
            sctp: () => agent.sctpServer(args),
            http: () => agent.httpServer(args),
            bulk: () => agent.bulkServer(args),
          }[step.server.proto];
          await start();
          break;
        }
        case 'send':
          await runSend(agents, step, sends);
          break;
        case 'http': {
          const r = await runHttp(dp, topo, step.http, step.index, xdpForwards(cell));
          sends.set(step.http.id, r.report);
          out.checks.push(...r.checks);
          out.notes.push(r.note);
          break;
        }
        case 'bulk': {
          const r = await runBulk(dp, await agents.of(step.bulk.from), step.bulk, step.index, xdpForwards(cell));
          sends.set(step.bulk.id, r.report);
          out.checks.push(...r.checks);
          out.notes.push(r.note);
          break;
        }
        case 'inject':
          try {
            await runInject(dp, s, step.inject, step.index, agents, out);
          } catch (e) {
            out.checks.push({ name: `steps[${step.index}] inject`, ok: false, detail: (e as Error).message });
          }
          break;
        case 'config':
          applySection(dp, step.config);
          break;
        case 'wait':
          await sleep(step.wait.ms, undefined, { signal: out.signal });
          break;
        case 'age':
          out.checks.push(...ager.run(step.age, step.index));
          break;
        case 'flood': {
          const f = await runFlood({ dp, agentOf: (h) => agents.of(h), signal: out.signal }, step.flood, step.index);
          floods.set(step.flood.id, f.record);
          out.checks.push(f.check);
          out.notes.push(f.note);
          break;
        }
        case 'policerState':
          throw new Error(`steps[${step.index}]: a policerState step is test control and runs in packet mode only`);
      }
    }
    out.checks.push(...evaluate(s.expect, 'wire', before, snapshot(dp, dutDevices, events), sends, floods));
    out.checks.push(...hostCounterChecks(countersBefore, await readHostCounters(topo, hosts), s.wire?.allowHostCounters));
  } finally {
    ager.stop();
    events.close();
    out.dumps = dumpDatapath(dp);
    const captured: { data: Buffer; ts: number }[] = [];
    for (const c of runCaptures) {
      try {
        const r = await c.agent.captureStop(c.id);
        r.frames.forEach((f, i) => captured.push({ data: r.raw[i]!, ts: f.timestampUs / 1e6 }));
      } catch (e) {
        out.log.push(`capture: ${(e as Error).message}`);
      }
    }
    // The whole-run captures are the exchange; expected frames that were not seen follow.
    out.exchange.unshift(...captured.sort((a, b) => a.ts - b.ts));
  }
}
