// Mann-Whitney U (Wilcoxon rank-sum) with the tie-corrected normal approximation and
// continuity correction, and the Hodges-Lehmann shift that goes with it. Benchmark
// samples are long-tailed and full of ties (integer nanoseconds), which is exactly what a
// rank test tolerates and a t-test does not.
import { checkSamples, sortedCopy } from './descriptive.js';
import { normalUpperTail } from './normal.js';

export interface MannWhitneyResult {
  /** U of the first sample: pairs (a, b) with a > b, ties counting one half. */
  uA: number;
  /** U of the second sample; uA + uB = nA * nB. */
  uB: number;
  /** Standardised statistic with continuity correction (0 when every value is tied). */
  z: number;
  /** Two-sided p-value from the normal approximation. */
  p: number;
}

/** Same convention as scipy.stats.mannwhitneyu(a, b, alternative='two-sided',
 *  method='asymptotic', use_continuity=True). */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  checkSamples('a', a);
  checkSamples('b', b);
  const nA = a.length;
  const nB = b.length;
  const n = nA + nB;
  const pooled = new Array<{ value: number; fromA: boolean }>(n);
  for (let i = 0; i < nA; i++) pooled[i] = { value: a[i]!, fromA: true };
  for (let j = 0; j < nB; j++) pooled[nA + j] = { value: b[j]!, fromA: false };
  pooled.sort((x, y) => x.value - y.value);

  let rankSumA = 0;
  let tieTerm = 0; // sum of t^3 - t over tie groups
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && pooled[end + 1]!.value === pooled[start]!.value) end++;
    const t = end - start + 1;
    const averageRank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) if (pooled[i]!.fromA) rankSumA += averageRank;
    tieTerm += t * t * t - t;
    start = end + 1;
  }
  const uA = rankSumA - (nA * (nA + 1)) / 2;
  const uB = nA * nB - uA;
  const mu = (nA * nB) / 2;
  const variance = ((nA * nB) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { uA, uB, z: 0, p: 1 };
  const uMax = Math.max(uA, uB);
  const z = Math.max(0, uMax - mu - 0.5) / Math.sqrt(variance);
  return { uA, uB, z, p: Math.min(1, 2 * normalUpperTail(z)) };
}

/** Number of pairs with b[j] - a[i] <= d, for ascending a and b. O(nA + nB). */
function countDifferencesAtMost(a: Float64Array, b: Float64Array, d: number): number {
  // For fixed j, b[j] - a[i] falls as i rises; the first i with b[j] - a[i] <= d only moves
  // right as j rises, so one pass suffices.
  let count = 0;
  let i = 0;
  for (let j = 0; j < b.length; j++) {
    const bj = b[j]!;
    while (i < a.length && bj - a[i]! > d) i++;
    count += a.length - i;
  }
  return count;
}

/** The k-th smallest (1-based) of all differences b[j] - a[i], exactly, without building
 *  all nA * nB of them: bisect on the value until few pairs remain in the bracket. */
function kthDifference(a: Float64Array, b: Float64Array, k: number): number {
  const nA = a.length;
  let lo = b[0]! - a[nA - 1]!;
  lo = lo - Math.abs(lo) - 1; // strictly below every difference: count(lo) = 0
  let hi = b[b.length - 1]! - a[0]!; // the largest difference: count(hi) = nA * nB
  let countLo = 0;
  let countHi = nA * b.length;
  const enumerateLimit = Math.max(1024, 4 * (nA + b.length));
  while (countHi - countLo > enumerateLimit) {
    const mid = lo + (hi - lo) / 2;
    // lo and hi are adjacent doubles: every pair in (lo, hi] equals hi.
    if (mid <= lo || mid >= hi) return hi;
    const c = countDifferencesAtMost(a, b, mid);
    if (c >= k) {
      hi = mid;
      countHi = c;
    } else {
      lo = mid;
      countLo = c;
    }
  }
  // For each j the pairs in (lo, hi] are a[iHi..iLo-1]; both bounds only move right.
  const inBracket: number[] = [];
  let iHi = 0;
  let iLo = 0;
  for (let j = 0; j < b.length; j++) {
    const bj = b[j]!;
    while (iHi < nA && bj - a[iHi]! > hi) iHi++;
    while (iLo < nA && bj - a[iLo]! > lo) iLo++;
    for (let i = iHi; i < iLo; i++) inBracket.push(bj - a[i]!);
  }
  inBracket.sort((x, y) => x - y);
  const kth = inBracket[k - countLo - 1];
  if (kth === undefined)
    throw new Error(`kthDifference: difference ${k} is not in the bracket (${countLo} below it, ${inBracket.length} in it)`);
  return kth;
}

/** Hodges-Lehmann estimate of the shift of b relative to a: the median of all pairwise
 *  differences b[j] - a[i]. Positive means b is larger. */
export function hodgesLehmannShift(a: readonly number[], b: readonly number[]): number {
  checkSamples('a', a);
  checkSamples('b', b);
  const sa = sortedCopy(a);
  const sb = sortedCopy(b);
  const total = sa.length * sb.length;
  if (total % 2 === 1) return kthDifference(sa, sb, (total + 1) / 2);
  const lower = kthDifference(sa, sb, total / 2);
  const upper = kthDifference(sa, sb, total / 2 + 1);
  return lower + (upper - lower) / 2;
}
