// Percentile bootstrap confidence interval of the median, seeded so that the same
// samples always give the same interval in a report.
import { checkSamples, quantileSorted } from './descriptive.js';
import { mulberry32, randomIndex } from './prng.js';

export interface BootstrapOptions {
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  /** PRNG seed (default 1). */
  seed?: number;
}

/** Selects the k-th smallest (0-based) of a[from..to] in place (Hoare quickselect). */
function selectInPlace(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (left < right) {
    const pivot = a[(left + right) >>> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Median of a scratch buffer (reorders it). Same definition as quantile type 7 at 0.5. */
export function medianInPlace(a: Float64Array): number {
  const n = a.length;
  const upper = n >>> 1;
  const hi = selectInPlace(a, upper);
  if (n % 2 === 1) return hi;
  // After selection every element left of `upper` is <= a[upper]; the lower middle is their max.
  let lo = -Infinity;
  for (let i = 0; i < upper; i++) if (a[i]! > lo) lo = a[i]!;
  return lo + (hi - lo) / 2;
}

export function bootstrapMedianCi(values: readonly number[], options: BootstrapOptions = {}): [number, number] {
  checkSamples('values', values);
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`resamples: expected a positive integer, got ${resamples}`);
  }
  if (!(level > 0 && level < 1)) throw new Error(`level: expected a number in (0, 1), got ${level}`);
  const next = mulberry32(seed);
  const n = values.length;
  const scratch = new Float64Array(n);
  const medians = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) scratch[i] = values[randomIndex(next, n)]!;
    medians[r] = medianInPlace(scratch);
  }
  medians.sort();
  const tail = (1 - level) / 2;
  return [quantileSorted(medians, tail), quantileSorted(medians, 1 - tail)];
}
