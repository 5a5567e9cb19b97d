// The issue's two wire targets, judged on a run's own samples: our XDP path against the
// ceiling (>= 70%) and our TC path against nftables DNAT (>= 1.5x), each beside the bare
// forwarder of the same hook (what any datapath could reach there). Windows are taken in
// rounds, one per mode and point, so window i of two modes ran back to back: the ratio
// is taken per round and summarised by its median with a 95% bootstrap interval. A target
// is met when the whole interval clears it, missed when the whole interval falls short.
import { summarize } from '../stats.js';
import type { Metric } from '../result.js';

interface Target {
  label: string;
  ours: string;
  reference: string;
  bare: string;
  goal: number;
}

const TARGETS: Target[] = [
  { label: 'XDP path / ceiling', ours: 'ours-xdp', reference: 'ceiling', bare: 'xdp-fwd', goal: 0.7 },
  { label: 'TC path / nftables DNAT', ours: 'ours-tc', reference: 'nft', bare: 'tc-fwd', goal: 1.5 },
];

export interface TargetRow {
  target: string;
  point: string;
  goal: number;
  median: number;
  ci: [number, number];
  verdict: 'met' | 'missed' | 'inconclusive';
  /** The bare forwarder's ratio to the same reference, when it was measured. */
  bare?: number;
}

/** Per-round ratios a/b of two metrics sampled in the same rounds. */
export function pairedRatios(a: Metric, b: Metric): number[] {
  const n = Math.min(a.samples.length, b.samples.length);
  return Array.from({ length: n }, (_, i) => a.samples[i]! / b.samples[i]!).filter((r) => Number.isFinite(r));
}

/** met: the whole interval clears the goal; missed: the whole interval is below it. */
export function targetVerdict(ci: [number, number], goal: number): 'met' | 'missed' | 'inconclusive' {
  return ci[0] >= goal ? 'met' : ci[1] < goal ? 'missed' : 'inconclusive';
}

/** mode key of a wire metric id: 'ours-xdp-lb@cpu0' -> { mode: 'ours-xdp', where: '@cpu0' } */
function keyOf(m: Metric): { mode: string; where: string; point: string } {
  const [, key, size, flows] = m.id.split('/');
  if (key === undefined) throw new Error(`${m.id}: not a wire metric id (wire/MODE/SIZE/FLOWS)`);
  const at = key.indexOf('@');
  return { mode: String(m.params.mode), where: at < 0 ? '' : key.slice(at), point: `${size}/${flows}` };
}

export function wireTargets(metrics: Metric[]): TargetRow[] {
  const mpps = metrics.filter((m) => m.group === 'wire' && m.id.endsWith('/mpps'));
  const find = (mode: string, where: string, point: string): Metric | undefined =>
    mpps.find((m) => {
      const k = keyOf(m);
      return k.mode === mode && k.where === where && k.point === point;
    });
  const rows: TargetRow[] = [];
  for (const t of TARGETS) {
    for (const m of mpps) {
      const k = keyOf(m);
      if (k.mode !== t.ours) continue;
      const ref = find(t.reference, k.where, k.point);
      if (ref === undefined) continue;
      const ratios = pairedRatios(m, ref);
      if (ratios.length === 0) continue;
      const { median, ci95: ci } = summarize(ratios);
      const bare = find(t.bare, k.where, k.point);
      rows.push({
        target: `${t.label}${k.where === '' ? '' : ` (DUT ${k.where.slice(1)})`}`,
        point: k.point,
        goal: t.goal,
        median,
        ci,
        verdict: targetVerdict(ci, t.goal),
        ...(bare === undefined ? {} : { bare: summarize(pairedRatios(bare, ref)).median }),
      });
    }
  }
  return rows;
}

const x = (v: number): string => v.toFixed(2);

export function wireTargetsMarkdown(metrics: Metric[]): string {
  const rows = wireTargets(metrics);
  if (rows.length === 0) return '';
  return [
    '## Wire targets',
    '',
    'Per-round ratios of the same run (median, 95% bootstrap interval); met = the whole interval clears the goal.',
    '',
    '| target | point | goal | ours | 95% CI | verdict | bare forwarder |',
    '|---|---|---:|---:|---|---|---:|',
    ...rows.map(
      (r) =>
        `| ${r.target} | ${r.point} | ${x(r.goal)} | ${x(r.median)} | ${x(r.ci[0])} .. ${x(r.ci[1])} | ${r.verdict} | ${r.bare === undefined ? '-' : x(r.bare)} |`,
    ),
    '',
  ].join('\n');
}
