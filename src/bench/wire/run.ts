// `fastpath bench wire`: Mpps and Gbps through the DUT for every mode, frame size and
// flow count, with every figure's ratio to the ceiling of the same size and flow count.
import { readFileSync } from 'node:fs';
import { buildTopology, type Topology } from '../../../netns/index.js';
import { makeMetric, withRatio, type Metric } from '../result.js';
import { summarize } from '../stats.js';
import { DATAPATH_SCENARIOS } from './dut-datapath.js';
import { LiveFramesGenerator, type FrameSpec } from './generator.js';
import { Interrupt } from './interrupt.js';
import { answerFlows } from './answer.js';
import { measurePoint } from './measure.js';
import { searchNdr, type NdrSearch } from './ndr.js';
import type { NdrRecord } from './ndr-types.js';
import { activateMode, MODE_NAMES, type WireModeId } from './modes.js';
import { WIRE_NET, wireTopology } from './net.js';
import { Sink } from './sink.js';
import { pinReceive } from './napi.js';

export interface WireOptions {
  sizes: number[];
  flows: number[];
  modes: WireModeId[];
  samples: number;
  durationMs: number;
  warmupMs: number;
  /** Key of DATAPATH_SCENARIOS for the ours-* modes. */
  datapath: string;
  /** Named interfaces instead of the veth topology: frames leave by `iface` (this
   *  namespace) and are counted on `peerIface`; whatever connects them is measured. */
  iface?: { iface: string; peerIface: string };
  /** Runs the DUT ingress's receive work (threaded NAPI, SCHED_FIFO) on this CPU
   *  instead of in the generator's softirq: a core of its own, as in a two-box test. */
  dutCpu?: number;
  /** After each point's maximum forwarding rate, search its RFC 2544 throughput. */
  ndr?: { lossPct: number; resolutionPct: number };
  /** --iface: the generated frames' destination MAC (default: the peer interface's, right
   *  for a wire or a bridge; a routing DUT wants its ingress MAC) and addresses. */
  frame?: { dstMac?: string; src?: string; dst?: string };
  /** Called after every window (see wireWindowCount). */
  onPoint?: (done: number, total: number) => void;
  log?: (line: string) => void;
}

export interface WireRun {
  metrics: Metric[];
  /** Frames the sink counted per mode, over all windows. */
  received: Record<string, bigint>;
  ndr: NdrRecord[];
}

/** Measurement windows in a run (what onPoint counts). */
export function wireWindowCount(o: WireOptions): number {
  return (o.iface === undefined ? o.modes.length : 1) * o.sizes.length * o.flows.length * o.samples;
}

function pointOf(
  mode: string,
  path: string,
  size: number,
  flows: number,
  o: WireOptions,
): { base: string; label: string; params: Record<string, string | number> } {
  const params = {
    mode,
    path,
    size,
    flows,
    durationMs: o.durationMs,
    datapath: o.datapath,
    ...(o.dutCpu !== undefined ? { dutCpu: o.dutCpu } : {}),
  };
  const ours = mode.startsWith('ours-');
  // Our figures under another datapath configuration get ids of their own, so compare
  // never matches routed forwarding against load balancing; the same for a DUT on a core
  // of its own against the shared-core arrangement.
  const key = `${ours && o.datapath !== 'routed' ? `${mode}-${o.datapath}` : mode}${o.dutCpu !== undefined ? `@cpu${o.dutCpu}` : ''}`;
  const where = o.dutCpu !== undefined ? `, DUT on CPU ${o.dutCpu}` : '';
  const label = `${MODE_NAMES[mode as WireModeId]}${ours ? ` (${o.datapath})` : ''}${where}, ${size} B, ${flows} flow${flows === 1 ? '' : 's'}`;
  return { base: `wire/${key}/${size}B/${flows}f`, label, params };
}

function pointMetrics(mode: string, path: string, size: number, flows: number, pps: number[], o: WireOptions): Metric[] {
  const { base, label, params } = pointOf(mode, path, size, flows, o);
  const mpps = pps.map((p) => p / 1e6);
  return [
    makeMetric({ id: `${base}/mpps`, group: 'wire', name: `${label}: Mpps`, unit: 'Mpps', better: 'higher', samples: mpps, params }),
    // Gbps of Ethernet frames with FCS, without preamble and inter-frame gap.
    makeMetric({
      id: `${base}/gbps`,
      group: 'wire',
      name: `${label}: Gbps`,
      unit: 'Gbps',
      better: 'higher',
      samples: mpps.map((m) => (m * size * 8) / 1000),
      params,
    }),
  ];
}

/** The search's NDR as a metric of its own (one sample) and the search for the file. */
function ndrResult(
  mode: string,
  path: string,
  size: number,
  flows: number,
  search: NdrSearch,
  o: WireOptions,
): { metric: Metric; record: NdrRecord } {
  const { base, label, params } = pointOf(mode, path, size, flows, o);
  const metric = makeMetric({
    id: `${base}/ndr-mpps`,
    group: 'wire',
    name: `${label}: NDR at <= ${search.lossPct}% loss, Mpps`,
    unit: 'Mpps',
    better: 'higher',
    samples: [search.ndrPps / 1e6],
    params: { ...params, lossPct: search.lossPct, resolutionPct: search.resolutionPct, trials: search.steps.length },
  });
  return { metric, record: { ...search, metric: metric.id, label } };
}

async function searchPoint(
  gen: LiveFramesGenerator,
  counter: Sink,
  spec: FrameSpec,
  maxPps: number,
  o: WireOptions & { checkInterrupt: () => void },
  answer?: () => void,
): Promise<NdrSearch> {
  const ndr = o.ndr!;
  let trial = 0;
  return searchNdr(gen, counter, spec, maxPps, {
    ...ndr,
    trialMs: o.durationMs,
    warmupMs: Math.max(o.warmupMs, spec.flows / 100),
    checkInterrupt: o.checkInterrupt,
    answer,
    onStep: (s) =>
      o.log?.(
        `ndr ${spec.size} B ${spec.flows}f trial ${++trial}: ${(s.offeredPps / 1e3).toFixed(1)} kpps offered, ${s.lossPct.toFixed(3)}% loss: ${s.pass ? 'pass' : 'fail'}`,
      ),
  });
}

// Modes that put an XDP program on the DUT ingress run last, so that if a detach ever
// leaves something behind there (see the ceiling in modes.ts) no other mode measures it.
const RUN_ORDER: WireModeId[] = ['kernel', 'nft', 'tc-fwd', 'ours-tc', 'ours-xdp', 'xdp-fwd', 'ceiling'];

const PATH_OF: Record<WireModeId, string> = {
  ceiling: 'xdp-drop',
  kernel: 'kernel',
  nft: 'kernel+nft',
  'ours-tc': 'tc',
  'ours-xdp': 'xdp',
  'xdp-fwd': 'xdp',
  'tc-fwd': 'tc',
};

function withCeilingRatios(metrics: Metric[]): Metric[] {
  const byId = new Map(metrics.map((m) => [m.id, m]));
  return metrics.map((m) => {
    if (m.params.mode === 'ceiling' || m.params.mode === 'path') return m;
    const ref = byId.get(m.id.replace(/^wire\/[^/@]+/, 'wire/ceiling'));
    return ref === undefined ? m : withRatio(m, ref);
  });
}

async function runOnTopology(o: WireOptions): Promise<WireRun> {
  const scenario = DATAPATH_SCENARIOS[o.datapath];
  if (scenario === undefined)
    throw new Error(`datapath: unknown scenario '${o.datapath}' (known: ${Object.keys(DATAPATH_SCENARIOS).join(', ')})`);
  const metrics: Metric[] = [];
  const received: Record<string, bigint> = {};
  const ndr: { metric: Metric; record: NdrRecord }[] = [];
  const total = wireWindowCount(o);
  let done = 0;
  let topo: Topology | undefined;
  let sink: Sink | undefined;
  let gen: LiveFramesGenerator | undefined;
  let interrupt: Interrupt | undefined;
  try {
    topo = await buildTopology(wireTopology());
    interrupt = new Interrupt([() => gen?.requestStop()]);
    const point = { ...o, checkInterrupt: () => interrupt?.check() };
    // The DUT ingress has no XDP program in the kernel, nft and TC modes: GRO gives it
    // the NAPI without which the generator's veth drops every XDP_TX frame.
    await topo.exec('dut', ['ethtool', '-K', WIRE_NET.dutIn, 'gro', 'on']);
    sink = new Sink();
    sink.attachXdp({ ifname: 'eth0', netns: topo.ns('sink') });
    const pinned = o.dutCpu !== undefined ? await pinReceive(topo, 'dut', WIRE_NET.dutIn, o.dutCpu) : undefined;
    gen = new LiveFramesGenerator({ ifname: 'eth0', netns: topo.ns('gen') });
    const maxFlows = Math.max(...o.flows);
    const modes = RUN_ORDER.filter((m) => o.modes.includes(m));
    const pps = new Map<string, number[]>();
    // Rounds: every mode and point gets one window per round, so whatever else the
    // machine does over the run spreads over all modes alike instead of hitting one.
    for (let round = 0; round < o.samples; round++) {
      for (const mode of modes) {
        const active = await activateMode(mode, { topo, sink, scenario, maxFlows });
        const counter = active.counter ?? sink;
        try {
          const before = counter.read().packets;
          for (const size of o.sizes) {
            for (const flows of o.flows) {
              const spec: FrameSpec = {
                size,
                flows,
                dstMac: WIRE_NET.dutInMac,
                srcMac: WIRE_NET.genMac,
                src: WIRE_NET.genAddr,
                dst: active.destination,
              };
              const answer = (): void => answerFlows(topo!, spec);
              const measured = await measurePoint(gen, counter, spec, { ...point, samples: 1, answer });
              const key = `${mode} ${size} ${flows}`;
              pps.set(key, [...(pps.get(key) ?? []), ...measured.pps]);
              o.onPoint?.(++done, total);
              if (o.ndr !== undefined && round === o.samples - 1) {
                const search = await searchPoint(gen, counter, spec, summarize(pps.get(key)!).median, point, answer);
                ndr.push(ndrResult(mode, PATH_OF[mode], size, flows, search, o));
              }
            }
          }
          received[mode] = (received[mode] ?? 0n) + counter.read().packets - before;
          active.verify();
          pinned?.check();
        } finally {
          await active.teardown();
        }
      }
    }
    for (const mode of modes) {
      for (const size of o.sizes) {
        for (const flows of o.flows)
          metrics.push(...pointMetrics(mode, PATH_OF[mode], size, flows, pps.get(`${mode} ${size} ${flows}`)!, o));
      }
    }
  } finally {
    const errors: string[] = [];
    if (gen !== undefined) await gen.close().catch((e: Error) => errors.push(e.message));
    try {
      sink?.close();
    } catch (e) {
      errors.push((e as Error).message);
    }
    if (topo !== undefined) await topo.destroy().catch((e: Error) => errors.push(e.message));
    interrupt?.dispose();
    if (errors.length > 0) o.log?.(`wire teardown: ${errors.join('; ')}`);
  }
  return { metrics: [...withCeilingRatios(metrics), ...ndr.map((n) => n.metric)], received, ndr: ndr.map((n) => n.record) };
}

function macOf(ifname: string): string {
  try {
    return readFileSync(`/sys/class/net/${ifname}/address`, 'utf8').trim();
  } catch {
    throw new Error(`--peer-iface: no interface '${ifname}' in this namespace`);
  }
}

async function runOnInterfaces(o: WireOptions, names: { iface: string; peerIface: string }): Promise<WireRun> {
  const metrics: Metric[] = [];
  const ndr: NdrRecord[] = [];
  const dstMac = o.frame?.dstMac ?? macOf(names.peerIface);
  let srcMac: string;
  try {
    srcMac = macOf(names.iface);
  } catch {
    throw new Error(`--iface: no interface '${names.iface}' in this namespace`);
  }
  const total = wireWindowCount(o);
  let done = 0;
  const sink = new Sink();
  let gen: LiveFramesGenerator | undefined;
  const interrupt = new Interrupt([() => gen?.requestStop()]);
  const point = { ...o, checkInterrupt: () => interrupt.check() };
  try {
    // XDP where the driver allows it (it also gives a veth peer the NAPI XDP_TX needs);
    // TC otherwise.
    try {
      sink.attachXdp({ ifname: names.peerIface });
    } catch (e) {
      o.log?.(`sink: XDP on ${names.peerIface} refused (${(e as Error).message}); counting on TC ingress`);
      sink.attachTc({ ifname: names.peerIface });
    }
    gen = new LiveFramesGenerator({ ifname: names.iface });
    const before = sink.read().packets;
    for (const size of o.sizes) {
      for (const flows of o.flows) {
        const spec: FrameSpec = {
          size,
          flows,
          dstMac,
          srcMac,
          src: o.frame?.src ?? WIRE_NET.genAddr,
          dst: o.frame?.dst ?? WIRE_NET.sinkAddr,
        };
        const measured = await measurePoint(gen, sink, spec, point);
        metrics.push(...pointMetrics('path', 'external', size, flows, measured.pps, o));
        done += o.samples;
        o.onPoint?.(done, total);
        if (o.ndr !== undefined) {
          const { metric, record } = ndrResult(
            'path',
            'external',
            size,
            flows,
            await searchPoint(gen, sink, spec, summarize(measured.pps).median, point),
            o,
          );
          metrics.push(metric);
          ndr.push(record);
        }
      }
    }
    return { metrics, received: { path: sink.read().packets - before }, ndr };
  } finally {
    try {
      if (gen !== undefined) await gen.close();
    } finally {
      interrupt.dispose();
      sink.close();
    }
  }
}

export function runWire(o: WireOptions): Promise<WireRun> {
  return o.iface === undefined ? runOnTopology(o) : runOnInterfaces(o, o.iface);
}
