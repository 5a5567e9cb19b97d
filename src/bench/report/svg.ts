// A small SVG writer for the two charts of a run: medians as horizontal bars with 95% CI
// whiskers, and box plots of the samples. Self-contained (no fonts or scripts to fetch),
// so the files render the same in a browser, an image viewer or rsvg-convert.
import { quantileSorted, sortedCopy } from '../stats.js';
import { formatNumber } from './format.js';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const LABEL_SIZE = 13;
const TICK_SIZE = 12;
const TITLE_SIZE = 16;
const ROW_HEIGHT = 30;
const PLOT_WIDTH = 560;
const TOP = 48;
const RIGHT_MARGIN = 90;
const AXIS_HEIGHT = 58;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Coordinates rounded to 0.1 px: stable text, no float noise. */
function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export interface Axis {
  min: number;
  max: number;
  ticks: number[];
}

/** An axis covering [lo, hi] with about `count` round ticks (1, 2 or 5 times a power of 10). */
export function niceAxis(lo: number, hi: number, count = 6): Axis {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error(`axis: expected finite bounds, got [${lo}, ${hi}]`);
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  // Round to the nearest of 1, 2, 5, 10 on a log scale (thresholds at their geometric means).
  const step = (fraction >= Math.sqrt(50) ? 10 : fraction >= Math.sqrt(10) ? 5 : fraction >= Math.sqrt(2) ? 2 : 1) * power;
  const first = Math.floor(lo / step);
  const last = Math.ceil(hi / step);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { min: ticks[0]!, max: ticks[ticks.length - 1]!, ticks };
}

interface Frame {
  width: number;
  height: number;
  left: number;
  x: (value: number) => number;
  rowY: (index: number) => number;
  plotBottom: number;
}

function frame(labels: string[], axis: Axis): Frame {
  const longest = Math.max(8, ...labels.map((l) => l.length));
  const left = Math.min(380, Math.round(longest * LABEL_SIZE * 0.62) + 24);
  const plotBottom = TOP + labels.length * ROW_HEIGHT + 8;
  return {
    width: left + PLOT_WIDTH + RIGHT_MARGIN,
    height: plotBottom + AXIS_HEIGHT,
    left,
    x: (value) => left + ((value - axis.min) / (axis.max - axis.min)) * PLOT_WIDTH,
    rowY: (index) => TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2,
    plotBottom,
  };
}

function document(f: Frame, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="${FONT}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${f.width}" height="${f.height}" fill="#ffffff"/>`,
    `<text x="${px(f.width / 2)}" y="28" font-size="${TITLE_SIZE}" font-weight="bold" text-anchor="middle" fill="#111111">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function axisElements(f: Frame, axis: Axis, caption: string): string[] {
  const out: string[] = [];
  for (const tick of axis.ticks) {
    const x = px(f.x(tick));
    out.push(`<line x1="${x}" y1="${TOP - 6}" x2="${x}" y2="${f.plotBottom}" stroke="#e2e2e2" stroke-width="1"/>`);
    out.push(`<line x1="${x}" y1="${f.plotBottom}" x2="${x}" y2="${f.plotBottom + 5}" stroke="#333333" stroke-width="1"/>`);
    out.push(
      `<text x="${x}" y="${f.plotBottom + 19}" font-size="${TICK_SIZE}" text-anchor="middle" fill="#333333">${escapeXml(formatNumber(tick))}</text>`,
    );
  }
  out.push(
    `<line x1="${px(f.left)}" y1="${f.plotBottom}" x2="${px(f.left + PLOT_WIDTH)}" y2="${f.plotBottom}" stroke="#333333" stroke-width="1"/>`,
  );
  out.push(
    `<text x="${px(f.left + PLOT_WIDTH / 2)}" y="${f.plotBottom + 42}" font-size="${LABEL_SIZE}" text-anchor="middle" fill="#111111">${escapeXml(caption)}</text>`,
  );
  return out;
}

function rowLabel(f: Frame, index: number, label: string): string {
  return `<text x="${px(f.left - 10)}" y="${px(f.rowY(index) + 4.5)}" font-size="${LABEL_SIZE}" text-anchor="end" fill="#111111">${escapeXml(label)}</text>`;
}

function whisker(f: Frame, y: number, lo: number, hi: number, color: string): string[] {
  const [x1, x2] = [px(f.x(lo)), px(f.x(hi))];
  return [
    `<line x1="${x1}" y1="${px(y)}" x2="${x2}" y2="${px(y)}" stroke="${color}" stroke-width="1.5"/>`,
    `<line x1="${x1}" y1="${px(y - 6)}" x2="${x1}" y2="${px(y + 6)}" stroke="${color}" stroke-width="1.5"/>`,
    `<line x1="${x2}" y1="${px(y - 6)}" x2="${x2}" y2="${px(y + 6)}" stroke="${color}" stroke-width="1.5"/>`,
  ];
}

export interface BarRow {
  label: string;
  median: number;
  /** 95% CI of the median. */
  lo: number;
  hi: number;
}

export function barChartSvg(title: string, unit: string, rows: BarRow[]): string {
  if (rows.length === 0) throw new Error('rows: a chart needs at least one row');
  const axis = niceAxis(Math.min(0, ...rows.map((r) => r.lo)), Math.max(0, ...rows.map((r) => Math.max(r.hi, r.median))));
  const f = frame(
    rows.map((r) => r.label),
    axis,
  );
  const body: string[] = axisElements(f, axis, `median, ${unit} (whiskers: 95% CI of the median)`);
  rows.forEach((row, i) => {
    const y = f.rowY(i);
    const [a, b] = [f.x(0), f.x(row.median)];
    body.push(rowLabel(f, i, row.label));
    body.push(`<rect x="${px(Math.min(a, b))}" y="${px(y - 9)}" width="${px(Math.abs(b - a))}" height="18" fill="#5b8db8"/>`);
    body.push(...whisker(f, y, row.lo, row.hi, '#1a1a1a'));
    body.push(
      `<text x="${px(Math.max(f.x(row.hi), b) + 8)}" y="${px(y + 4.5)}" font-size="${TICK_SIZE}" fill="#111111">${escapeXml(formatNumber(row.median))}</text>`,
    );
  });
  return document(f, title, body);
}

export interface BoxRow {
  label: string;
  q1: number;
  median: number;
  q3: number;
  /** Most extreme samples inside Tukey's 1.5 IQR fences. */
  whiskerLo: number;
  whiskerHi: number;
  outliers: number[];
}

export function boxRowOf(label: string, samples: readonly number[]): BoxRow {
  const sorted = sortedCopy(samples);
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const lowerFence = q1 - 1.5 * (q3 - q1);
  const upperFence = q3 + 1.5 * (q3 - q1);
  const inside = sorted.filter((v) => v >= lowerFence && v <= upperFence);
  return {
    label,
    q1,
    median: quantileSorted(sorted, 0.5),
    q3,
    // The median lies between the fences, so inside is never empty.
    whiskerLo: inside[0]!,
    whiskerHi: inside[inside.length - 1]!,
    outliers: Array.from(sorted.filter((v) => v < lowerFence || v > upperFence)),
  };
}

export function boxPlotSvg(title: string, unit: string, rows: BoxRow[]): string {
  if (rows.length === 0) throw new Error('rows: a chart needs at least one row');
  const lows = rows.map((r) => Math.min(r.whiskerLo, ...r.outliers));
  const highs = rows.map((r) => Math.max(r.whiskerHi, ...r.outliers));
  const axis = niceAxis(Math.min(...lows), Math.max(...highs));
  const f = frame(
    rows.map((r) => r.label),
    axis,
  );
  const body: string[] = axisElements(f, axis, `${unit} (box: quartiles, line: median, whiskers: 1.5 IQR, circles: outliers)`);
  rows.forEach((row, i) => {
    const y = f.rowY(i);
    body.push(rowLabel(f, i, row.label));
    body.push(...whisker(f, y, row.whiskerLo, row.whiskerHi, '#27507a'));
    const [a, b] = [f.x(row.q1), f.x(row.q3)];
    body.push(
      `<rect x="${px(a)}" y="${px(y - 9)}" width="${px(Math.max(b - a, 1))}" height="18" fill="#cfe0f1" stroke="#27507a" stroke-width="1.5"/>`,
    );
    const m = px(f.x(row.median));
    body.push(`<line x1="${m}" y1="${px(y - 9)}" x2="${m}" y2="${px(y + 9)}" stroke="#b03020" stroke-width="2.5"/>`);
    // Thousands of outliers would only overdraw: one circle per distinct pixel column.
    const seen = new Set<string>();
    for (const value of row.outliers) {
      const x = px(f.x(value));
      if (seen.has(x)) continue;
      seen.add(x);
      body.push(`<circle cx="${x}" cy="${px(y)}" r="2.5" fill="none" stroke="#555555" stroke-width="1"/>`);
    }
  });
  return document(f, title, body);
}

/** File-name-safe form of a unit: 'ns/pkt' -> 'ns-pkt', '%' -> 'percent'. */
export function unitSlug(unit: string): string {
  const slug = unit
    .replace(/%/g, 'percent')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return slug === '' ? 'unitless' : slug;
}
