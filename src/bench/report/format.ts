// Number formatting shared by the human-facing reports (Markdown, SVG). Machine formats
// (JSON, CSV) keep full precision.

/** Four significant digits, never exponent notation for the magnitudes benchmarks produce. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 10_000) return value.toFixed(0);
  if (magnitude < 0.001) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

export function formatWithUnit(value: number, unit: string): string {
  return `${formatNumber(value)} ${unit}`;
}

/** Signed percentage with one decimal: +12.3%, -0.4%, 0.0%. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return 'n/a';
  const percent = fraction * 100;
  const text = Math.abs(percent).toFixed(1);
  if (text === '0.0') return '0.0%';
  return `${percent > 0 ? '+' : '-'}${text}%`;
}

/** p-values: 3 significant digits, '< 1e-300' style floor for underflow. */
export function formatP(p: number): string {
  if (p === 0) return '< 1e-300';
  if (p < 0.001) return p.toExponential(1);
  return String(Number(p.toPrecision(2)));
}
