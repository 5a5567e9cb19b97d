// Descriptive statistics over benchmark samples. Every function validates its input and
// names the parameter when it is unusable, because a NaN silently averaged into a median
// would make a report lie.

export function checkSamples(name: string, values: readonly number[], minimum = 1): void {
  if (!Array.isArray(values)) throw new Error(`${name}: expected an array of numbers`);
  if (values.length < minimum) {
    throw new Error(`${name}: needs at least ${minimum} sample${minimum === 1 ? '' : 's'}, got ${values.length}`);
  }
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${name}[${i}]: expected a finite number, got ${String(v)}`);
    }
  }
}

export function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** Quantile of already sorted values, Hyndman & Fan type 7 (R's default, numpy's 'linear'). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`p: expected a probability in [0, 1], got ${p}`);
  const n = sorted.length;
  if (n === 0) throw new Error('sorted: needs at least 1 sample, got 0');
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function quantile(values: readonly number[], p: number): number {
  checkSamples('values', values);
  return quantileSorted(sortedCopy(values), p);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export interface Quartiles {
  q1: number;
  median: number;
  q3: number;
  iqr: number;
}

export function quartiles(values: readonly number[]): Quartiles {
  checkSamples('values', values);
  const sorted = sortedCopy(values);
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  return { q1, median: quantileSorted(sorted, 0.5), q3, iqr: q3 - q1 };
}

export function iqr(values: readonly number[]): number {
  return quartiles(values).iqr;
}

export function mean(values: readonly number[]): number {
  checkSamples('values', values);
  // Kahan summation: thousands of similar nanosecond values should not drift.
  let sum = 0;
  let carry = 0;
  for (const v of values) {
    const y = v - carry;
    const t = sum + y;
    carry = t - sum - y;
    sum = t;
  }
  return sum / values.length;
}

/** Sample standard deviation (n - 1 in the denominator). */
export function stddev(values: readonly number[]): number {
  checkSamples('values', values, 2);
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) * (v - m);
  return Math.sqrt(squares / (values.length - 1));
}

/** Median absolute deviation from the median, unscaled (multiply by 1.4826 to estimate
 *  a normal sigma; pass scale to do so). */
export function mad(values: readonly number[], scale = 1): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m))) * scale;
}

export interface TukeyFences {
  lower: number;
  upper: number;
  /** Indexes (into the input) of the values outside the fences. */
  outliers: number[];
}

/** Tukey's fences: outside [q1 - k*IQR, q3 + k*IQR] is an outlier (k = 1.5 by default,
 *  3 for "far out"). Flagged, never removed: the report decides what to do with them. */
export function tukeyOutliers(values: readonly number[], k = 1.5): TukeyFences {
  if (!(k >= 0)) throw new Error(`k: expected a non-negative number, got ${k}`);
  const { q1, q3, iqr: spread } = quartiles(values);
  const lower = q1 - k * spread;
  const upper = q3 + k * spread;
  const outliers: number[] = [];
  values.forEach((v, i) => {
    if (v < lower || v > upper) outliers.push(i);
  });
  return { lower, upper, outliers };
}
