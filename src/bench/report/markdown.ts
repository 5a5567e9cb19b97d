// The Markdown summary of one run: a table people read, then the environment it ran in.
import type { Fingerprint } from '../fingerprint.js';
import type { BenchResult, Metric } from '../result.js';
import { formatNumber, formatWithUnit } from './format.js';
import { tcpReportMarkdown } from '../tcp/report.js';
import { wireTargetsMarkdown } from '../wire/targets.js';
import { ndrMarkdown } from '../wire/ndr-report.js';

/** Makes text safe inside a table cell. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

function calibrationCell(m: Metric): string {
  return m.calibration === undefined ? '-' : `${formatWithUnit(m.calibration.median, m.unit)} (${m.calibration.name})`;
}

function ratioCell(m: Metric): string {
  return m.ratio === undefined ? '-' : `${formatNumber(m.ratio.value)} x ${m.ratio.to}`;
}

export function metricsTable(metrics: Metric[]): string {
  const rows = metrics.map((m) => [
    m.group,
    m.name,
    formatWithUnit(m.summary.median, m.unit),
    `[${formatNumber(m.summary.ci95[0])}, ${formatNumber(m.summary.ci95[1])}]`,
    formatNumber(m.summary.iqr),
    String(m.summary.n),
    calibrationCell(m),
    ratioCell(m),
  ]);
  return table(['Group', 'Metric', 'Median', '95% CI', 'IQR', 'n', 'Calibration', 'Ratio'], rows);
}

const unknown = (value: string | number | null): string => (value === null ? 'unknown' : String(value));

export function environmentLines(env: Fingerprint): string[] {
  const commit = env.git.commit === null ? 'unknown' : `${env.git.commit}${env.git.dirty ? ' (dirty)' : ''}`;
  return [
    `- Host: ${env.hostname}`,
    `- Kernel: ${unknown(env.kernel)}`,
    `- CPU: ${unknown(env.cpu.model)} x ${unknown(env.cpu.count)}`,
    `- Governor: ${unknown(env.governor)}`,
    `- BPF JIT: enable=${unknown(env.jit.enable)} harden=${unknown(env.jit.harden)} kallsyms=${unknown(env.jit.kallsyms)}`,
    `- Clang: ${unknown(env.clang)}`,
    `- libbpf: ${unknown(env.libbpf)}`,
    `- Node: ${env.node}`,
    `- Commit: ${commit}`,
  ];
}

export function summaryMarkdown(result: BenchResult): string {
  const parts = [
    `# Benchmark run ${result.runId}`,
    '',
    `Started ${result.startedAt}. Medians with a 95% bootstrap interval; micro figures are net of the calibration shown beside them.`,
    '',
    result.metrics.length === 0 ? '_No metrics._' : metricsTable(result.metrics),
    '',
    ...(wireTargetsMarkdown(result.metrics) === '' ? [] : [wireTargetsMarkdown(result.metrics)]),
    ...(tcpReportMarkdown(result.metrics) === '' ? [] : [tcpReportMarkdown(result.metrics)]),
    ...(ndrMarkdown(result.ndr) === '' ? [] : [ndrMarkdown(result.ndr)]),
    '## Environment',
    '',
    ...(result.dut === undefined ? [] : ['The generator and sink ran here:', '']),
    ...environmentLines(result.environment),
    '',
    ...(result.dut === undefined
      ? []
      : [
          `## DUT: ${result.dut.target}`,
          '',
          `\`fastpath dp up ${result.dut.config} --pin-root ${result.dut.pinRoot}\` ran there, in this environment:`,
          '',
          ...environmentLines(result.dut.environment),
          '',
        ]),
  ];
  return parts.join('\n');
}
