// `fastpath bench cps`: TCP connections per second (each connection: connect, one
// request line, the backend's name back, close) and UDP requests per second (one datagram
// each way) through the DUT, with connection latency percentiles, for every mode.
import type { ClientReport, Topology } from '../../../netns/index.js';
import { buildTopology } from '../../../netns/index.js';
import { makeMetric, type Metric } from '../result.js';
import { quantile } from '../stats.js';
import { CPS_DATAPATH_SCENARIOS } from './dut-datapath.js';
import { activateCpsMode, CPS_MODE_NAMES, type CpsModeId } from './modes.js';
import { CPS_NET, cpsTopology } from './net.js';

export interface CpsOptions {
  modes: CpsModeId[];
  /** Batches per mode; each batch is one sample of every metric. */
  samples: number;
  /** TCP connections per batch. */
  connections: number;
  /** UDP requests per batch. */
  requests: number;
  concurrency: number;
  /** Key of CPS_DATAPATH_SCENARIOS for ours-tc. */
  datapath: string;
  timeoutMs?: number;
  onSample?: (done: number, total: number) => void;
}

export interface CpsModeReport {
  targets: string[];
  source: string;
  /** Connections attempted, answers per backend name, failures. */
  connections: number;
  answers: Record<string, number>;
  errors: number;
  timeouts: number;
  requests: number;
  udpAnswers: Record<string, number>;
  udpErrors: number;
  udpTimeouts: number;
}

export interface CpsRun {
  metrics: Metric[];
  report: Record<string, CpsModeReport>;
}

/** n split over k targets as evenly as possible (the first ones get the remainder). */
export function split(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

async function batch(
  targets: string[],
  total: number,
  concurrency: number,
  one: (addr: string, count: number, concurrency: number) => Promise<ClientReport>,
): Promise<{ reports: ClientReport[]; seconds: number }> {
  const counts = split(total, targets.length);
  const per = Math.max(1, Math.ceil(concurrency / targets.length));
  const t0 = process.hrtime.bigint();
  const reports = await Promise.all(targets.map((addr, i) => (counts[i]! > 0 ? one(addr, counts[i]!, per) : Promise.resolve(null))));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { reports: reports.filter((r): r is ClientReport => r !== null), seconds };
}

export async function runCps(o: CpsOptions): Promise<CpsRun> {
  const scenario = CPS_DATAPATH_SCENARIOS[o.datapath];
  if (scenario === undefined)
    throw new Error(`datapath: unknown scenario '${o.datapath}' (known: ${Object.keys(CPS_DATAPATH_SCENARIOS).join(', ')})`);
  const n = CPS_NET;
  const timeoutMs = o.timeoutMs ?? 3000;
  const metrics: Metric[] = [];
  const report: Record<string, CpsModeReport> = {};
  const total = o.modes.length * o.samples;
  let done = 0;
  let topo: Topology | undefined;
  try {
    topo = await buildTopology(cpsTopology());
    const [client, ...backends] = await Promise.all([
      topo.startAgent('client'),
      topo.startAgent('backend1', { name: n.backendNames[0] }),
      topo.startAgent('backend2', { name: n.backendNames[1] }),
    ]);
    for (const b of backends) {
      await b.tcpServer({ port: n.tcpPort });
      await b.udpServer({ port: n.udpPort });
    }
    for (const mode of o.modes) {
      const active = await activateCpsMode(mode, topo, scenario);
      const r: CpsModeReport = {
        targets: active.targets,
        source: active.source,
        connections: 0,
        answers: {},
        errors: 0,
        timeouts: 0,
        requests: 0,
        udpAnswers: {},
        udpErrors: 0,
        udpTimeouts: 0,
      };
      const conn: number[] = [];
      const req: number[] = [];
      const pct: Record<'p50' | 'p90' | 'p99', number[]> = { p50: [], p90: [], p99: [] };
      try {
        for (let s = 0; s < o.samples; s++) {
          const tcp = await batch(active.targets, o.connections, o.concurrency, (addr, count, concurrency) =>
            client.tcpClient({ addr, port: n.tcpPort, count, concurrency, timeoutMs, localAddress: active.source }),
          );
          const latencies: number[] = [];
          let answered = 0;
          for (const rep of tcp.reports) {
            add(r.answers, rep.answers);
            r.errors += rep.errors;
            r.timeouts += rep.timeouts;
            for (const x of rep.results) if (x.answeredBy !== null && x.latencyNs !== null) latencies.push(x.latencyNs / 1000);
            answered += Object.values(rep.answers).reduce((a, b) => a + b, 0);
          }
          r.connections += o.connections;
          if (latencies.length === 0) {
            const why = [...new Set(tcp.reports.flatMap((rep) => rep.results.map((x) => x.error)))].join('; ');
            throw new Error(`cps ${mode}: no connection was answered (errors ${r.errors}, timeouts ${r.timeouts}: ${why})`);
          }
          conn.push(answered / tcp.seconds);
          pct.p50.push(quantile(latencies, 0.5));
          pct.p90.push(quantile(latencies, 0.9));
          pct.p99.push(quantile(latencies, 0.99));

          const udp = await batch(active.targets, o.requests, o.concurrency, (addr, count, concurrency) =>
            client.udpClient({ addr, port: n.udpPort, count, concurrency, timeoutMs, localAddress: active.source }),
          );
          let udpAnswered = 0;
          for (const rep of udp.reports) {
            add(r.udpAnswers, rep.answers);
            r.udpErrors += rep.errors;
            r.udpTimeouts += rep.timeouts;
            udpAnswered += Object.values(rep.answers).reduce((a, b) => a + b, 0);
          }
          r.requests += o.requests;
          req.push(udpAnswered / udp.seconds);
          o.onSample?.(++done, total);
        }
        for (const name of [...Object.keys(r.answers), ...Object.keys(r.udpAnswers)]) {
          if (!(n.backendNames as readonly string[]).includes(name))
            throw new Error(`cps ${mode}: an answer came from '${name}', which is no backend`);
        }
        active.verify();
      } finally {
        await active.teardown();
      }
      report[mode] = r;
      const params = {
        mode,
        connections: o.connections,
        requests: o.requests,
        concurrency: o.concurrency,
        datapath: o.datapath,
        targets: active.targets.join(' '),
        source: active.source,
      };
      const ours = mode.startsWith('ours-');
      const label = `${CPS_MODE_NAMES[mode]}${ours ? ` (${o.datapath})` : ''}`;
      // Own ids under another datapath configuration: compare never mixes routed and LB.
      const idMode = ours && o.datapath !== 'routed' ? `${mode}-${o.datapath}` : mode;
      metrics.push(
        makeMetric({
          id: `cps/${idMode}/tcp-conn-per-s`,
          group: 'cps',
          name: `${label}: TCP connections/s`,
          unit: 'conn/s',
          better: 'higher',
          samples: conn,
          params,
        }),
        makeMetric({
          id: `cps/${idMode}/udp-req-per-s`,
          group: 'cps',
          name: `${label}: UDP requests/s`,
          unit: 'req/s',
          better: 'higher',
          samples: req,
          params,
        }),
        ...(['p50', 'p90', 'p99'] as const).map((p) =>
          makeMetric({
            id: `cps/${idMode}/tcp-latency-${p}`,
            group: 'cps',
            name: `${label}: TCP connection latency ${p}`,
            unit: 'us',
            better: 'lower',
            samples: pct[p],
            params,
          }),
        ),
      );
    }
  } finally {
    await topo?.destroy();
  }
  return { metrics, report };
}
