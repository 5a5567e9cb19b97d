// Writes one run's directory: results/runs/<runId>/{result.json, metrics.csv,
// samples.csv, summary.md, medians-<unit>.svg, boxplot-<unit>.svg}. Everything is written
// into a hidden temporary directory first and renamed into place, so a failure leaves no
// half-written run behind.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRunsDir } from '../paths.js';
import { serializeResult, type BenchResult, type Metric } from '../result.js';
import { metricsCsv, samplesCsv } from './csv.js';
import { summaryMarkdown } from './markdown.js';
import { barChartSvg, boxPlotSvg, boxRowOf, unitSlug } from './svg.js';

export interface WrittenRun {
  dir: string;
  /** File names inside dir, in the order written. */
  files: string[];
}

function byUnit(metrics: Metric[]): Map<string, Metric[]> {
  const groups = new Map<string, Metric[]>();
  for (const m of metrics) groups.set(m.unit, [...(groups.get(m.unit) ?? []), m]);
  return groups;
}

const chartLabel = (m: Metric): string => (m.group === '' ? m.name : `${m.group}: ${m.name}`);

/** The files of a run as name -> contents, without touching the disk. */
export function renderRun(result: BenchResult): Map<string, string> {
  const files = new Map<string, string>();
  files.set('result.json', serializeResult(result));
  files.set('metrics.csv', metricsCsv(result));
  files.set('samples.csv', samplesCsv(result));
  files.set('summary.md', summaryMarkdown(result));
  for (const [unit, metrics] of byUnit(result.metrics)) {
    const slug = unitSlug(unit);
    const bars = metrics.map((m) => ({ label: chartLabel(m), median: m.summary.median, lo: m.summary.ci95[0], hi: m.summary.ci95[1] }));
    files.set(`medians-${slug}.svg`, barChartSvg(`Medians (${unit}), run ${result.runId}`, unit, bars));
    const boxes = metrics.map((m) => boxRowOf(chartLabel(m), m.samples));
    files.set(`boxplot-${slug}.svg`, boxPlotSvg(`Samples (${unit}), run ${result.runId}`, unit, boxes));
  }
  return files;
}

export function writeRun(result: BenchResult, runsDir: string = defaultRunsDir): WrittenRun {
  const files = renderRun(result); // validates before anything touches the disk
  const dir = join(runsDir, result.runId);
  if (existsSync(dir)) throw new Error(`runId: ${dir} already exists; run ids must be unique`);
  mkdirSync(runsDir, { recursive: true });
  const staging = join(runsDir, `.${result.runId}.${process.pid}.tmp`);
  try {
    mkdirSync(staging);
    for (const [name, text] of files) writeFileSync(join(staging, name), text);
    renameSync(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return { dir, files: [...files.keys()] };
}
