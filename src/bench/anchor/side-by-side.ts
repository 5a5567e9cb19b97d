// `fastpath bench micro --anchor-loxilb DIR`: loxilb's TC datapath and ours timed side by
// side in one run: loxibench, our cases, loxibench, our cases, ... for N rounds, this
// process and loxibench pinned to the same CPU, every figure the same statistic (median of
// repeat=1 calls minus the interleaved empty program's median). Reported per pair: the
// median over rounds of each side's net and raw median and of the per-round ratio ours /
// loxilb. Absolute figures drift between rounds on a shared VM; the ratios of one round
// share its drift.
import { execFileSync } from 'node:child_process';
import { median } from '../stats.js';
import { makeMetric, type Metric } from '../result.js';
import type { MicroCase } from '../micro/cases.js';
import { runMicro } from '../micro/run.js';
import { LOXI_CASES, type LoxiCase, type LoxiFigure, runLoxibench } from './loxibench.js';

export interface AnchorPair {
  ours: string;
  loxi: LoxiCase;
  /** The bar from the issue: ours / loxilb at most this. */
  goal: number;
}

/** loxilb's same-method figures exist for IPv4 TCP and UDP fast hits and the TCP SYN; our
 *  UDP first packet, SCTP INIT and IPv6 cases are set against the nearest of them. */
export const ANCHOR_PAIRS: AnchorPair[] = [
  { ours: 'micro/tc/lb-tcp-v4-fast', loxi: 'tcpFast', goal: 0.5 },
  { ours: 'micro/xdp/lb-tcp-v4-fast', loxi: 'tcpFast', goal: 0.5 },
  { ours: 'micro/tc/lb-udp-v4-fast', loxi: 'udpFast', goal: 0.5 },
  { ours: 'micro/xdp/lb-udp-v4-fast', loxi: 'udpFast', goal: 0.5 },
  { ours: 'micro/tc/lb-tcp-v6-fast', loxi: 'tcpFast', goal: 0.5 },
  { ours: 'micro/tc/lb-udp-v6-fast', loxi: 'udpFast', goal: 0.5 },
  { ours: 'micro/xdp/lb-tcp-v6-fast', loxi: 'tcpFast', goal: 0.5 },
  { ours: 'micro/xdp/lb-udp-v6-fast', loxi: 'udpFast', goal: 0.5 },
  { ours: 'micro/tc/lb-tcp-v4-new', loxi: 'tcpSyn', goal: 0.35 },
  { ours: 'micro/tc/lb-tcp-v6-new', loxi: 'tcpSyn', goal: 0.35 },
  { ours: 'micro/tc/lb-udp-v4-new', loxi: 'tcpSyn', goal: 0.35 },
  { ours: 'micro/tc/lb-udp-v6-new', loxi: 'tcpSyn', goal: 0.35 },
  { ours: 'micro/tc/lb-sctp-v4-new', loxi: 'tcpSyn', goal: 0.35 },
];

export interface SideBySideOptions {
  dir: string;
  cpu: number;
  rounds: number;
  samples: number;
  /** Every micro case; the paired ones are picked by id. */
  cases: MicroCase[];
  log?: (line: string) => void;
}

export interface PairFigures {
  pair: AnchorPair;
  loxiNet: number[];
  loxiRaw: number[];
  oursNet: number[];
  oursRaw: number[];
  ratioNet: number[];
  ratioRaw: number[];
}

export interface SideBySide {
  metrics: Metric[];
  pairs: PairFigures[];
  markdown: string;
}

function affinityOf(pid: number): string {
  const out = execFileSync('taskset', ['-p', String(pid)], { encoding: 'utf8' });
  const mask = /:\s*([0-9a-f]+)\s*$/.exec(out.trim());
  if (mask === null) throw new Error(`taskset -p ${pid}: unexpected output '${out.trim()}'`);
  return mask[1]!;
}

/** Pins every thread of this process to `cpu` and returns how to undo it. */
function pinSelf(cpu: number): () => void {
  const before = affinityOf(process.pid);
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
  return () => void execFileSync('taskset', ['-a', '-p', before, String(process.pid)], { stdio: 'ignore' });
}

const fmt = (x: number, digits = 0): string => x.toFixed(digits);

function markdown(o: SideBySideOptions, pairs: PairFigures[]): string {
  const rows = pairs.map((f) => {
    const ratio = median(f.ratioNet);
    return (
      `| ${f.pair.ours} | ${LOXI_CASES[f.pair.loxi]} | ${fmt(median(f.loxiNet))} | ${fmt(median(f.oursNet))} | ` +
      `**${fmt(ratio, 2)}** | ${fmt(median(f.loxiRaw))} | ${fmt(median(f.oursRaw))} | ${fmt(median(f.ratioRaw), 2)} | ` +
      `≤ ${f.pair.goal} ${ratio <= f.pair.goal ? 'met' : 'not met'} | ${f.ratioNet.map((r) => fmt(r, 2)).join(' ')} |`
    );
  });
  return [
    `## Side by side with loxilb (${o.rounds} interleaved rounds, CPU ${o.cpu}, ${o.samples} samples per side)`,
    '',
    'ns per packet, each side the median of repeat=1 calls minus the median of its empty program (net) and before the subtraction (raw); ' +
      'figures are medians over rounds, ratios the median of the per-round ratios ours / loxilb.',
    '',
    '| ours | loxilb case | loxilb net | ours net | ratio net | loxilb raw | ours raw | ratio raw | goal | per-round net ratios |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---|',
    ...rows,
    '',
  ].join('\n');
}

export function runSideBySide(o: SideBySideOptions): SideBySide {
  const cases = ANCHOR_PAIRS.map((p) => {
    const c = o.cases.find((x) => x.id === p.ours);
    if (c === undefined) throw new Error(`anchor: no micro case '${p.ours}'`);
    return c;
  });
  const pairs: PairFigures[] = ANCHOR_PAIRS.map((pair) => ({
    pair,
    loxiNet: [],
    loxiRaw: [],
    oursNet: [],
    oursRaw: [],
    ratioNet: [],
    ratioRaw: [],
  }));
  const unpin = pinSelf(o.cpu);
  try {
    for (let round = 0; round < o.rounds; round++) {
      o.log?.(`anchor round ${round + 1}/${o.rounds}: loxibench`);
      const loxi: Record<LoxiCase, LoxiFigure> = runLoxibench(o.dir, o.cpu, o.samples);
      o.log?.(`anchor round ${round + 1}/${o.rounds}: fastpath`);
      const ours = new Map(runMicro({ samples: o.samples, warmup: 200, cases }).map((m) => [m.id, m]));
      for (const f of pairs) {
        const m = ours.get(f.pair.ours)!;
        const l = loxi[f.pair.loxi];
        const raw = Number(m.params.rawMedianNs);
        f.loxiNet.push(l.netMedian);
        f.loxiRaw.push(l.rawMedian);
        f.oursNet.push(m.summary.median);
        f.oursRaw.push(raw);
        f.ratioNet.push(m.summary.median / l.netMedian);
        f.ratioRaw.push(raw / l.rawMedian);
      }
    }
  } finally {
    unpin();
  }
  const metrics: Metric[] = [];
  const seen = new Set<LoxiCase>();
  for (const f of pairs) {
    if (!seen.has(f.pair.loxi)) {
      seen.add(f.pair.loxi);
      metrics.push(
        makeMetric({
          id: `anchor/loxilb/${f.pair.loxi}`,
          group: 'anchor',
          name: `loxilb ${LOXI_CASES[f.pair.loxi]} (net, one sample per round)`,
          unit: 'ns/pkt',
          better: 'lower',
          samples: f.loxiNet,
          params: { rawMedianNs: median(f.loxiRaw), cpu: o.cpu, rounds: o.rounds },
        }),
      );
    }
    const id = f.pair.ours.replace(/^micro\//, '');
    metrics.push(
      makeMetric({
        id: `anchor/ours/${id}`,
        group: 'anchor',
        name: `${f.pair.ours} interleaved with loxibench (net, one sample per round)`,
        unit: 'ns/pkt',
        better: 'lower',
        samples: f.oursNet,
        params: { rawMedianNs: median(f.oursRaw), cpu: o.cpu, rounds: o.rounds },
      }),
    );
    metrics.push(
      makeMetric({
        id: `anchor/ratio/${id}`,
        group: 'anchor',
        name: `${f.pair.ours} / loxilb ${f.pair.loxi} (net, per round)`,
        unit: 'ratio',
        better: 'lower',
        samples: f.ratioNet,
        params: { rawRatio: median(f.ratioRaw), goal: f.pair.goal, loxilbCase: f.pair.loxi },
      }),
    );
  }
  return { metrics, pairs, markdown: markdown(o, pairs) };
}
