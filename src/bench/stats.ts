// The statistics used by benchmark reports and comparisons, in one import.
import { bootstrapMedianCi } from './bootstrap.js';
import { checkSamples, mean, quartiles } from './descriptive.js';

export { bootstrapMedianCi, medianInPlace, type BootstrapOptions } from './bootstrap.js';
export {
  checkSamples,
  iqr,
  mad,
  mean,
  median,
  quantile,
  quantileSorted,
  quartiles,
  sortedCopy,
  stddev,
  tukeyOutliers,
  type Quartiles,
  type TukeyFences,
} from './descriptive.js';
export { hodgesLehmannShift, mannWhitneyU, type MannWhitneyResult } from './mann-whitney.js';
export { normalUpperTail } from './normal.js';
export { mulberry32, randomIndex } from './prng.js';

export interface Summary {
  n: number;
  median: number;
  q1: number;
  q3: number;
  iqr: number;
  mean: number;
  /** 95% percentile-bootstrap interval of the median. */
  ci95: [number, number];
}

/** The summary stored beside the raw samples of every metric. Deterministic: the
 *  bootstrap is seeded. */
export function summarize(samples: readonly number[], seed = 1): Summary {
  checkSamples('samples', samples);
  const q = quartiles(samples);
  return {
    n: samples.length,
    median: q.median,
    q1: q.q1,
    q3: q.q3,
    iqr: q.iqr,
    mean: mean(samples),
    ci95: bootstrapMedianCi(samples, { seed }),
  };
}
