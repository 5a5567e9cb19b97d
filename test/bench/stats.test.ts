import test from 'ava';
import {
  bootstrapMedianCi,
  hodgesLehmannShift,
  iqr,
  mad,
  mannWhitneyU,
  mean,
  median,
  medianInPlace,
  mulberry32,
  normalUpperTail,
  quantile,
  stddev,
  summarize,
  tukeyOutliers,
} from '../../src/bench/stats.js';

// Reference values below were computed independently with numpy 2.4.6 / scipy 1.17.1:
//   np.quantile(x, p)                      (type 7, "linear")
//   np.mean, np.std(x, ddof=1), scipy.stats.median_abs_deviation(x)
//   scipy.stats.norm.sf(z)
//   scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='asymptotic',
//                            use_continuity=True)  -> (U of a, p)
//   np.median(np.subtract.outer(b, a))     (Hodges-Lehmann shift of b relative to a)

const close = (actual: number, expected: number, relative = 1e-9): boolean =>
  Math.abs(actual - expected) <= relative * Math.max(Math.abs(expected), 1e-300);

const x = [2, 4, 4, 4, 5, 5, 7, 9, 120, 3.5];

test('quantiles are type 7 (numpy linear)', (t) => {
  const expected: Array<[number, number]> = [
    [0, 2],
    [0.1, 3.35],
    [0.25, 4],
    [0.5, 4.5],
    [0.75, 6.5],
    [0.9, 20.09999999999996],
    [1, 120],
  ];
  for (const [p, q] of expected) t.true(close(quantile(x, p), q, 1e-12), `p=${p}: ${quantile(x, p)} vs ${q}`);
  t.is(median(x), 4.5);
  t.is(iqr(x), 2.5);
  t.is(median([3]), 3);
  t.is(median([1, 2]), 1.5);
});

test('mean, sample standard deviation, MAD', (t) => {
  t.true(close(mean(x), 16.35, 1e-15));
  t.true(close(stddev(x), 36.47072646505536, 1e-13));
  t.is(mad(x), 0.75);
  t.true(close(mad(x, 1.4826), 1.11195, 1e-12));
});

test('Tukey fences flag, never drop', (t) => {
  const fences = tukeyOutliers(x);
  t.is(fences.lower, 0.25);
  t.is(fences.upper, 10.25);
  t.deepEqual(fences.outliers, [8]);
  t.deepEqual(tukeyOutliers(x, 100).outliers, []);
});

test('bad input names the parameter', (t) => {
  t.throws(() => median([]), { message: 'values: needs at least 1 sample, got 0' });
  t.throws(() => mean([1, Number.NaN]), { message: 'values[1]: expected a finite number, got NaN' });
  t.throws(() => stddev([1]), { message: 'values: needs at least 2 samples, got 1' });
  t.throws(() => quantile([1], 1.5), { message: 'p: expected a probability in [0, 1], got 1.5' });
  t.throws(() => mannWhitneyU([1], []), { message: 'b: needs at least 1 sample, got 0' });
  t.throws(() => bootstrapMedianCi([1], { resamples: 0 }), { message: 'resamples: expected a positive integer, got 0' });
});

test('normal upper tail matches scipy.stats.norm.sf over the whole range', (t) => {
  const table: Array<[number, number]> = [
    [0, 0.5],
    [0.5, 0.3085375387259869],
    [1, 0.15865525393145707],
    [1.96, 0.024997895148220435],
    [2.5, 0.006209665325776132],
    [2.9999, 0.001350341282954925],
    [3, 0.0013498980316300933],
    [3.5, 0.00023262907903552502],
    [5, 2.866515718791933e-7],
    [8, 6.22096057427174e-16],
    [10, 7.61985302416047e-24],
    [20, 2.7536241186061556e-89],
    [30, 4.906713927147908e-198],
  ];
  for (const [z, q] of table) t.true(close(normalUpperTail(z), q, 1e-12), `z=${z}: ${normalUpperTail(z)} vs ${q}`);
  t.true(close(normalUpperTail(-1), 1 - 0.15865525393145707, 1e-14));
});

test('Mann-Whitney U and Hodges-Lehmann match scipy/numpy', (t) => {
  const seq = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
  const cases: Array<{ a: number[]; b: number[]; u: number; p: number; hl: number }> = [
    {
      a: [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3],
      b: [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29],
      u: 58,
      p: 0.13291945818531892,
      hl: -0.56,
    },
    {
      a: [71, 72, 72, 73, 75, 75, 75, 80, 81, 90],
      b: [75, 75, 76, 78, 80, 80, 82, 85, 85, 85, 88, 95],
      u: 25,
      p: 0.021806592982293767,
      hl: 5,
    },
    { a: seq(200, (i) => 100 + ((i * 37) % 23)), b: seq(250, (i) => 103 + ((i * 41) % 29)), u: 14973.5, p: 2.5110894906026297e-13, hl: 6 },
    { a: seq(2000, (i) => 100 + ((i * 37) % 23)), b: seq(2000, (i) => 100 + ((i * 41) % 23)), u: 1999652.5, p: 0.9924116001805083, hl: 0 },
    {
      a: seq(2000, (i) => 1000 + ((i * 7919) % 101)),
      b: seq(2000, (i) => 1030 + ((i * 104729) % 97)),
      u: 1029856.5,
      p: 1.6688282700307244e-155,
      hl: 28,
    },
  ];
  for (const [index, c] of cases.entries()) {
    const r = mannWhitneyU(c.a, c.b);
    t.is(r.uA, c.u, `case ${index} U`);
    t.is(r.uA + r.uB, c.a.length * c.b.length);
    t.true(close(r.p, c.p, 1e-9), `case ${index} p: ${r.p} vs ${c.p}`);
    t.true(close(hodgesLehmannShift(c.a, c.b), c.hl, 1e-12), `case ${index} HL: ${hodgesLehmannShift(c.a, c.b)} vs ${c.hl}`);
  }
});

test('Mann-Whitney with every value tied is p = 1', (t) => {
  t.deepEqual(mannWhitneyU([5, 5, 5], [5, 5]), { uA: 3, uB: 3, z: 0, p: 1 });
});

test('Hodges-Lehmann equals the brute-force median of pairwise differences', (t) => {
  const next = mulberry32(42);
  for (let round = 0; round < 30; round++) {
    const nA = 1 + Math.floor(next() * 120);
    const nB = 1 + Math.floor(next() * 120);
    // Integer-valued draws give many ties, continuous ones none; try both.
    const draw = round % 2 === 0 ? () => Math.floor(next() * 20) : () => next() * 1000;
    const a = Array.from({ length: nA }, draw);
    const b = Array.from({ length: nB }, draw);
    const diffs: number[] = [];
    for (const bv of b) for (const av of a) diffs.push(bv - av);
    t.is(hodgesLehmannShift(a, b), median(diffs), `round ${round}`);
  }
});

test('quickselect median equals the sorted median', (t) => {
  const next = mulberry32(7);
  for (let n = 1; n < 60; n++) {
    const values = Array.from({ length: n }, () => Math.floor(next() * 10));
    t.is(medianInPlace(Float64Array.from(values)), median(values), `n=${n}`);
  }
});

test('mulberry32 is deterministic per seed', (t) => {
  const a = mulberry32(123);
  const b = mulberry32(123);
  const c = mulberry32(124);
  const seqA = [a(), a(), a()];
  t.deepEqual(seqA, [b(), b(), b()]);
  t.notDeepEqual(seqA, [c(), c(), c()]);
  for (const v of seqA) t.true(v >= 0 && v < 1);
});

test('bootstrap CI of the median is deterministic for a seed and brackets the median', (t) => {
  const next = mulberry32(9);
  const samples = Array.from({ length: 500 }, () => 100 + Math.floor(next() * 50));
  const first = bootstrapMedianCi(samples, { seed: 5 });
  const again = bootstrapMedianCi(samples, { seed: 5 });
  t.deepEqual(first, again);
  const m = median(samples);
  t.true(first[0] <= m && m <= first[1], `${first[0]} <= ${m} <= ${first[1]}`);
  t.true(first[1] - first[0] < 10, 'a 500-sample median interval is narrow');
  const constant = bootstrapMedianCi([7, 7, 7, 7]);
  t.deepEqual(constant, [7, 7]);
  const other = bootstrapMedianCi(
    Array.from({ length: 501 }, (_, i) => i),
    { seed: 6 },
  );
  t.notDeepEqual(
    other,
    bootstrapMedianCi(
      Array.from({ length: 501 }, (_, i) => i),
      { seed: 7 },
    ),
  );
});

test('summarize gathers the stored summary', (t) => {
  const s = summarize([1, 2, 3, 4, 100]);
  t.like(s, { n: 5, median: 3, q1: 2, q3: 4, iqr: 2, mean: 22 });
  t.deepEqual(s.ci95, summarize([1, 2, 3, 4, 100]).ci95);
});
