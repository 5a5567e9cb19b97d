// `fastpath bench tcp`: bulk TCP throughput (iperf3, real sockets, the kernel's default
// offloads unless told otherwise) from the client through the DUT to a backend, for every
// mode. Samples are taken in rounds, one transfer per mode each, so sample i of two modes
// ran back to back and their ratio is fair (report.ts pairs them). Every transfer must
// complete, and the receiver must have read what the sender wrote: iperf3's server stops
// counting when the client says the test is over, so bytes still queued then (at most
// the sender's send buffer plus the receiver's receive buffer per stream) go uncounted;
// anything missing beyond that bound fails the run.
import type { Topology, TopologyDescription } from '../../../netns/index.js';
import { buildTopology } from '../../../netns/index.js';
import { cpsTopology } from '../cps/net.js';
import { makeMetric, type Metric } from '../result.js';
import { IperfServer, iperfTransfer, type Transfer } from './iperf.js';
import { activateTcpMode, OursDut, TCP_MODE_NAMES, TCP_NET, type TcpModeId } from './modes.js';
import { REPORTED_PATHS, type ReportedPath } from './paths.js';

export type Offloads = 'default' | 'off';

export interface TcpOptions {
  modes: TcpModeId[];
  /** Rounds; each round is one transfer per mode. */
  samples: number;
  /** Length of one transfer, whole seconds. */
  seconds: number;
  /** Parallel TCP streams per transfer (iperf3 -P). */
  streams: number;
  offloads: Offloads;
  onSample?: (done: number, total: number) => void;
}

export interface TcpModeReport {
  target: string;
  transfers: Transfer[];
  /** Path counter deltas summed over the mode's transfers (our modes only). */
  paths?: Record<ReportedPath, bigint>;
  /** dp.xdpWarnings() while this mode was attached. */
  xdpWarnings: string[];
}

export interface TcpRun {
  metrics: Metric[];
  report: Partial<Record<TcpModeId, TcpModeReport>>;
}

/** The most bytes one stream can have written but not yet read by the receiving
 *  application: the largest send buffer (client) plus the largest receive buffer (server). */
async function unreadBound(topo: Topology): Promise<number> {
  const max = (v: string | undefined, key: string): number => {
    const n = Number((v ?? '').trim().split(/\s+/)[2]);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${key}: expected 'min default max', got '${v ?? ''}'`);
    return n;
  };
  const w = await topo.sysctls(TCP_NET.client, ['net.ipv4.tcp_wmem']);
  const r = await topo.sysctls(TCP_NET.server, ['net.ipv4.tcp_rmem']);
  return max(w['net.ipv4.tcp_wmem'], 'net.ipv4.tcp_wmem') + max(r['net.ipv4.tcp_rmem'], 'net.ipv4.tcp_rmem');
}

/** Throws unless the transfer moved data and the receiver read all the sender wrote,
 *  give or take what may still have been queued when iperf3 stopped counting. */
export function checkTransfer(x: Transfer, streams: number, boundPerStream: number): void {
  if (x.sentBytes <= 0 || x.receivedBytes <= 0)
    throw new Error(`nothing was transferred (sent ${x.sentBytes}, received ${x.receivedBytes} bytes)`);
  if (x.receivedBytes > x.sentBytes) throw new Error(`the receiver counted ${x.receivedBytes} bytes, more than the ${x.sentBytes} sent`);
  const missing = x.sentBytes - x.receivedBytes;
  if (missing > streams * boundPerStream) {
    throw new Error(
      `the receiver got ${x.receivedBytes} bytes of the ${x.sentBytes} sent: ${missing} missing, more than the ${streams * boundPerStream} that may still have been queued`,
    );
  }
}

export function tcpMetricId(mode: TcpModeId, offloads: Offloads): string {
  return `tcp/${mode}${offloads === 'off' ? '-offloads-off' : ''}/gbps`;
}

/** The cps network (client -> dut -> two backends); with offloads off, on every link end. */
export function tcpTopology(offloads: Offloads): TopologyDescription {
  const base = cpsTopology();
  return {
    ...base,
    name: 'bench-tcp',
    links: (base.links ?? []).map((l) => (offloads === 'off' ? { ...l, offloads: 'off' as const } : l)),
  };
}

export async function runTcp(o: TcpOptions): Promise<TcpRun> {
  if (o.modes.length === 0) throw new Error('modes: expected at least one');
  const report: Partial<Record<TcpModeId, TcpModeReport>> = {};
  for (const mode of o.modes) report[mode] = { target: '', transfers: [], xdpWarnings: [] };
  const total = o.modes.length * o.samples;
  let done = 0;
  let topo: Topology | undefined;
  let server: IperfServer | undefined;
  let ours: OursDut | undefined;
  try {
    topo = await buildTopology(tcpTopology(o.offloads));
    const t = topo;
    server = await IperfServer.start({ netns: t.ns(TCP_NET.server), address: TCP_NET.serverAddr, port: TCP_NET.port });
    const bound = await unreadBound(t);
    let tests = 0;
    const ctx = {
      topo: t,
      ours: (): OursDut => (ours ??= new OursDut(t)),
      warn: (mode: TcpModeId, lines: string[]): void => {
        const r = report[mode]!;
        for (const l of lines) if (!r.xdpWarnings.includes(l)) r.xdpWarnings.push(l);
      },
    };
    for (let round = 0; round < o.samples; round++) {
      for (const mode of o.modes) {
        const r = report[mode]!;
        const active = await activateTcpMode(mode, ctx);
        try {
          r.target = active.target;
          await server.listening(tests + 1);
          const x = await iperfTransfer({
            netns: t.ns(TCP_NET.client),
            server: active.target,
            port: TCP_NET.port,
            bind: TCP_NET.source,
            seconds: o.seconds,
            streams: o.streams,
          }).catch((e: unknown) => {
            throw new Error(`tcp ${mode}, sample ${round + 1}: ${(e as Error).message}`);
          });
          tests++;
          try {
            checkTransfer(x, o.streams, bound);
          } catch (e) {
            throw new Error(`tcp ${mode}, sample ${round + 1}: ${(e as Error).message}`, { cause: e });
          }
          r.transfers.push(x);
          active.verify();
          const d = active.paths();
          if (d !== null) {
            r.paths ??= Object.fromEntries(REPORTED_PATHS.map((k) => [k, 0n])) as Record<ReportedPath, bigint>;
            for (const k of REPORTED_PATHS) r.paths[k] += d[k];
          }
        } finally {
          await active.teardown();
        }
        o.onSample?.(++done, total);
      }
    }
  } finally {
    try {
      await server?.close();
      ours?.destroy();
    } finally {
      await topo?.destroy();
    }
  }
  const metrics = o.modes.map((mode) => {
    const r = report[mode]!;
    const params: Record<string, string | number> = {
      mode,
      offloads: o.offloads,
      seconds: o.seconds,
      streams: o.streams,
      target: r.target,
      source: TCP_NET.source,
      sentBytes: r.transfers.reduce((a, x) => a + x.sentBytes, 0),
      receivedBytes: r.transfers.reduce((a, x) => a + x.receivedBytes, 0),
      retransmits: r.transfers.reduce((a, x) => a + x.retransmits, 0),
    };
    if (r.paths !== undefined) for (const k of REPORTED_PATHS) params[`paths.${k}`] = Number(r.paths[k]);
    if (r.xdpWarnings.length > 0) params.xdpWarnings = r.xdpWarnings.join(' | ');
    return makeMetric({
      id: tcpMetricId(mode, o.offloads),
      group: 'tcp',
      name: `bulk TCP, ${TCP_MODE_NAMES[mode]}${o.offloads === 'off' ? ', offloads off' : ''}`,
      unit: 'Gbps',
      better: 'higher',
      samples: r.transfers.map((x) => x.gbps),
      params,
    });
  });
  return { metrics, report };
}
