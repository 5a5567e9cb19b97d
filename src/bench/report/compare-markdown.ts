// The comparison as Markdown, sized for a pull-request comment.
import type { Comparison, MetricComparison } from '../compare.js';
import { formatNumber, formatP, formatPercent } from './format.js';
import { table } from './markdown.js';

function runLabel(run: Comparison['base']): string {
  return run.commit === null ? `\`${run.runId}\`` : `\`${run.runId}\` (commit ${run.commit.slice(0, 12)})`;
}

function verdictCell(verdict: MetricComparison['verdict']): string {
  return verdict === 'regression' ? '**REGRESSION**' : verdict;
}

function signed(value: number): string {
  return value > 0 ? `+${formatNumber(value)}` : formatNumber(value);
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function comparisonMarkdown(c: Comparison): string {
  const tally = (v: MetricComparison['verdict']): number => c.rows.filter((r) => r.verdict === v).length;
  const lines = [
    '## Benchmark comparison',
    '',
    `Base ${runLabel(c.base)} vs current ${runLabel(c.current)}. A regression is a change that is significant ` +
      `(two-sided Mann-Whitney U, p < ${c.alpha}) and worse than ${formatNumber(c.threshold * 100)}% on the median.`,
    '',
    `${count(tally('regression'), 'regression')}, ${count(tally('improvement'), 'improvement')}, ${tally('no significant change')} without significant change, ${c.onlyInBase.length + c.onlyInCurrent.length} missing.`,
    '',
  ];
  if (c.rows.length > 0) {
    const rows = c.rows.map((r) => [
      `\`${r.id}\``,
      r.unit,
      r.better,
      formatNumber(r.baseMedian),
      formatNumber(r.currentMedian),
      formatPercent(r.delta),
      signed(r.shift),
      formatP(r.p),
      verdictCell(r.verdict),
    ]);
    lines.push(table(['Metric', 'Unit', 'Better', 'Base median', 'Current median', 'Delta', 'Shift (HL)', 'p', 'Verdict'], rows), '');
  }
  const missing = [
    ...c.onlyInBase.map((id) => `- \`${id}\`: missing in current (only in base)`),
    ...c.onlyInCurrent.map((id) => `- \`${id}\`: missing in base (only in current)`),
  ];
  if (missing.length > 0) lines.push('Metrics in one file only:', '', ...missing, '');
  if (c.environmentChanges.length > 0) {
    lines.push('Environment differs (the numbers may not be comparable):', '', ...c.environmentChanges.map((e) => `- ${e}`), '');
  }
  return lines.join('\n');
}
