// CSV for spreadsheets and scripts: one row per metric with its summary, and the raw
// samples in long form (metric id, index, value). Full precision, via csv-stringify.
import { stringify } from 'csv-stringify/sync';
import type { BenchResult } from '../result.js';

export const METRIC_COLUMNS = [
  'id',
  'group',
  'name',
  'unit',
  'better',
  'n',
  'median',
  'q1',
  'q3',
  'iqr',
  'mean',
  'ci95_lo',
  'ci95_hi',
  'calibration_name',
  'calibration_median',
  'ratio_to',
  'ratio_value',
  'params',
] as const;

/** params as `key=value` pairs joined by ';', keys sorted so the text is stable. */
export function formatParams(params: Record<string, string | number>): string {
  return Object.keys(params)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join(';');
}

export function metricsCsv(result: BenchResult): string {
  const rows = result.metrics.map((m) => [
    m.id,
    m.group,
    m.name,
    m.unit,
    m.better,
    m.summary.n,
    m.summary.median,
    m.summary.q1,
    m.summary.q3,
    m.summary.iqr,
    m.summary.mean,
    m.summary.ci95[0],
    m.summary.ci95[1],
    m.calibration?.name ?? '',
    m.calibration?.median ?? '',
    m.ratio?.to ?? '',
    m.ratio?.value ?? '',
    formatParams(m.params),
  ]);
  return stringify(rows, { header: true, columns: [...METRIC_COLUMNS] });
}

export function samplesCsv(result: BenchResult): string {
  const rows: Array<[string, number, number]> = [];
  for (const m of result.metrics) m.samples.forEach((value, index) => rows.push([m.id, index, value]));
  return stringify(rows, { header: true, columns: ['id', 'index', 'value'] });
}
