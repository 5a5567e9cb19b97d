// Compact Markdown tables of a run: wire Mpps (and ratio to the ceiling) per mode x
// frame size x flow count, and the cps figures per mode. For the terminal and results/.
import type { Metric } from '../result.js';

const fmt = (v: number, digits: number): string => v.toFixed(digits);

export function wireTable(metrics: Metric[]): string {
  // The forwarding rates (not the NDRs of --ndr, which have their own table).
  const wire = metrics.filter((m) => m.group === 'wire' && m.id.endsWith('/mpps'));
  if (wire.length === 0) return '';
  const modeOf = (m: Metric): string => m.id.split('/')[1]!;
  const modes = [...new Set(wire.map(modeOf))];
  const points = [...new Set(wire.map((m) => `${m.params.size}B/${m.params.flows}f`))];
  const cell = (mode: string, point: string): string => {
    const m = wire.find((x) => modeOf(x) === mode && `${x.params.size}B/${x.params.flows}f` === point);
    if (m === undefined) return '-';
    const gbps = metrics.find((x) => x.id === m.id.replace(/mpps$/, 'gbps'));
    const ratio = m.ratio === undefined ? '' : ` (${fmt(m.ratio.value * 100, 0)}%)`;
    return `${fmt(m.summary.median, 3)}${ratio}${gbps === undefined ? '' : ` / ${fmt(gbps.summary.median, 2)} Gbps`}`;
  };
  return [
    'Wire: median Mpps (% of the ceiling of the same size and flows) / Gbps',
    '',
    `| mode | ${points.join(' | ')} |`,
    `|---|${points.map(() => '---:').join('|')}|`,
    ...modes.map((mode) => `| ${mode} | ${points.map((p) => cell(mode, p)).join(' | ')} |`),
    '',
  ].join('\n');
}

export function cpsTable(metrics: Metric[]): string {
  const cps = metrics.filter((m) => m.group === 'cps');
  if (cps.length === 0) return '';
  const modes = [...new Set(cps.map((m) => m.id.split('/')[1]!))];
  const get = (mode: string, kind: string): string => {
    const m = cps.find((x) => x.id === `cps/${mode}/${kind}`);
    return m === undefined ? '-' : fmt(m.summary.median, 0);
  };
  return [
    'CPS: medians over the batches',
    '',
    '| mode | TCP conn/s | UDP req/s | latency p50 µs | p90 µs | p99 µs |',
    '|---|---:|---:|---:|---:|---:|',
    ...modes.map(
      (mode) =>
        `| ${mode} | ${['tcp-conn-per-s', 'udp-req-per-s', 'tcp-latency-p50', 'tcp-latency-p90', 'tcp-latency-p99'].map((k) => get(mode, k)).join(' | ')} |`,
    ),
    '',
  ].join('\n');
}
