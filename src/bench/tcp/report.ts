// The bulk TCP part of a report: Gbit/s per mode, the two ratio targets judged on the
// run's own paired samples (sample i of each mode ran in the same round), which hook
// carried our modes' packets, and what the datapath warned about its XDP path.
import type { Metric } from '../result.js';
import { summarize } from '../stats.js';
import { pairedRatios, targetVerdict } from '../wire/targets.js';
import { REPORTED_PATHS } from './paths.js';

interface TcpTarget {
  label: string;
  ours: string;
  reference: string;
  goal: number;
}

const TARGETS: TcpTarget[] = [
  { label: 'ours on TC / nftables DNAT', ours: 'ours-tc', reference: 'nft', goal: 1.0 },
  { label: 'ours with XDP (native) / ours on TC', ours: 'ours-xdp-native', reference: 'ours-tc', goal: 1.0 },
  { label: 'ours with XDP (generic) / ours on TC', ours: 'ours-xdp-generic', reference: 'ours-tc', goal: 1.0 },
];

export interface TcpTargetRow {
  target: string;
  offloads: string;
  goal: number;
  median: number;
  ci: [number, number];
  verdict: 'met' | 'missed' | 'inconclusive';
}

const tcpMetrics = (metrics: Metric[]): Metric[] => metrics.filter((m) => m.group === 'tcp' && m.unit === 'Gbps');

export function tcpTargets(metrics: Metric[]): TcpTargetRow[] {
  const tcp = tcpMetrics(metrics);
  const rows: TcpTargetRow[] = [];
  for (const offloads of [...new Set(tcp.map((m) => String(m.params.offloads)))]) {
    const find = (mode: string): Metric | undefined => tcp.find((m) => m.params.mode === mode && String(m.params.offloads) === offloads);
    for (const t of TARGETS) {
      const a = find(t.ours);
      const b = find(t.reference);
      if (a === undefined || b === undefined) continue;
      const ratios = pairedRatios(a, b);
      if (ratios.length === 0) continue;
      const { median, ci95: ci } = summarize(ratios);
      rows.push({ target: t.label, offloads, goal: t.goal, median, ci, verdict: targetVerdict(ci, t.goal) });
    }
  }
  return rows;
}

const f2 = (v: number): string => v.toFixed(2);

/** Gbit/s per mode (median, IQR), for the terminal and the summary. */
export function tcpTable(metrics: Metric[]): string {
  const tcp = tcpMetrics(metrics);
  if (tcp.length === 0) return '';
  return [
    'Bulk TCP (iperf3): Gbit/s at the receiver, median over the transfers',
    '',
    '| mode | offloads | Gbit/s | IQR | n | retransmits |',
    '|---|---|---:|---:|---:|---:|',
    ...tcp.map(
      (m) =>
        `| ${m.params.mode} | ${m.params.offloads} | ${f2(m.summary.median)} | ${f2(m.summary.q1)} .. ${f2(m.summary.q3)} | ${m.summary.n} | ${m.params.retransmits ?? '-'} |`,
    ),
    '',
  ].join('\n');
}

/** Targets, path counters and XDP warnings; '' when the run has no tcp metrics. */
export function tcpReportMarkdown(metrics: Metric[]): string {
  const tcp = tcpMetrics(metrics);
  if (tcp.length === 0) return '';
  const out: string[] = [];
  const rows = tcpTargets(metrics);
  if (rows.length > 0) {
    out.push(
      '## Bulk TCP targets',
      '',
      'Per-round ratios of the same run (median, 95% bootstrap interval); met = the whole interval clears the goal.',
      '',
      '| target | offloads | goal | ours | 95% CI | verdict |',
      '|---|---|---:|---:|---|---|',
      ...rows.map(
        (r) => `| ${r.target} | ${r.offloads} | ${f2(r.goal)} | ${f2(r.median)} | ${f2(r.ci[0])} .. ${f2(r.ci[1])} | ${r.verdict} |`,
      ),
      '',
    );
  }
  const ours = tcp.filter((m) => `paths.${REPORTED_PATHS[0]}` in m.params);
  if (ours.length > 0) {
    out.push(
      '## Bulk TCP: which hook carried our packets',
      '',
      "Path counter deltas (packets, both directions) summed over each mode's transfers: xdp_fast_hit forwarded by XDP;",
      'xdp_pass_* left by XDP to TC (partial checksum, longer than the out MTU, out port takes no XDP frames); tc_fast_hit / tc_slow forwarded by TC.',
      '',
      `| mode | offloads | ${REPORTED_PATHS.join(' | ')} |`,
      `|---|---|${REPORTED_PATHS.map(() => '---:').join('|')}|`,
      ...ours.map(
        (m) => `| ${m.params.mode} | ${m.params.offloads} | ${REPORTED_PATHS.map((k) => String(m.params[`paths.${k}`])).join(' | ')} |`,
      ),
      '',
    );
  }
  const warned = tcp.filter((m) => typeof m.params.xdpWarnings === 'string');
  if (warned.length > 0) {
    out.push('XDP warnings of the datapath (dp.xdpWarnings()):', '');
    for (const m of warned)
      for (const w of String(m.params.xdpWarnings).split(' | ')) out.push(`- ${m.params.mode} (offloads ${m.params.offloads}): ${w}`);
    out.push('');
  } else if (tcp.some((m) => String(m.params.mode).startsWith('ours-xdp'))) {
    out.push('XDP warnings of the datapath (dp.xdpWarnings()): none.', '');
  }
  return out.join('\n');
}
