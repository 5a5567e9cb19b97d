// Pearson's chi-square goodness-of-fit test: is an observed spread of answers consistent
// with the expected weights at a stated significance?

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized upper incomplete gamma Q(a, x). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - lnGamma(a));
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-15; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - sum * front;
  }
  // Continued fraction (modified Lentz).
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return front * h;
}

export interface ChiSquareResult {
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
}

/** observed[i] against expected shares weights[i] (any positive scale). */
export function chiSquareTest(observed: number[], weights: number[]): ChiSquareResult {
  if (observed.length !== weights.length || observed.length < 2)
    throw new Error('chi-square: need at least two categories, observed and weights alike');
  const total = observed.reduce((a, b) => a + b, 0);
  const wsum = weights.reduce((a, b) => a + b, 0);
  let statistic = 0;
  for (const [i, seen] of observed.entries()) {
    const expected = (total * weights[i]!) / wsum;
    if (expected === 0) {
      if (seen !== 0) return { statistic: Infinity, degreesOfFreedom: observed.length - 1, pValue: 0 };
      continue;
    }
    statistic += (seen - expected) ** 2 / expected;
  }
  const df = weights.filter((w) => w > 0).length - 1;
  return { statistic, degreesOfFreedom: df, pValue: df < 1 ? 1 : gammaQ(df / 2, statistic / 2) };
}
