// `fastpath bench micro`: ns/packet of each case in MICRO_CASES in test-run mode, every
// sample a repeat=1 call on a fresh copy of the input, an empty program of the same hook
// on the same packet sampled interleaved and its median subtracted (micro-timer.ts).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BpfObject } from '../../../native/index.js';
import { loadOrClean } from '../wire/datapath-load.js';
import { checkRepeat, measureTestRun, packetRunOf, testRunSampler } from '../micro-timer.js';
import { repoRoot } from '../paths.js';
import { makeMetric, type Metric } from '../result.js';
import { DATAPATH_OBJECT } from '../wire/constants.js';
import { MICRO_BASE_CONFIG, MICRO_CASES, type MicroCase } from './cases.js';

const EMPTY_OBJECT = join(repoRoot, 'build', 'test-bpf', 'bench.bpf.o');

export interface MicroOptions {
  samples: number;
  warmup: number;
  cases?: MicroCase[];
  onCase?: (done: number, total: number) => void;
}

export function runMicro(o: MicroOptions): Metric[] {
  const cases = o.cases ?? MICRO_CASES;
  const pinRoot = `/sys/fs/bpf/fastpath-${process.pid}-${randomBytes(4).toString('hex')}-micro`;
  const dp = loadOrClean({ object: DATAPATH_OBJECT, pinRoot });
  const empty = new BpfObject(EMPTY_OBJECT);
  const metrics: Metric[] = [];
  const calibrations = new Map<string, number[]>();
  try {
    dp.apply(MICRO_BASE_CONFIG);
    for (const [i, c] of cases.entries()) {
      const { program, data, reset } = c.prepare({ dp });
      // Throws when the program rewrites the packet and repeat > 1 were asked for: the
      // sampler's repeat=1 on a fresh copy is what makes the figure right.
      checkRepeat(data, packetRunOf(program), 1);
      const emptyProgram = empty.program(c.hook === 'tc' ? 'empty_tc' : 'empty_xdp');
      const m = measureTestRun({
        run: testRunSampler(program, { data }, reset),
        calibrate: testRunSampler(emptyProgram, { data }),
        samples: o.samples,
        warmup: o.warmup,
      });
      const calibrationId = `micro/calibration/${c.hook}-empty`;
      if (!calibrations.has(calibrationId)) calibrations.set(calibrationId, m.calibration);
      metrics.push(makeMetric({
        id: c.id, group: 'micro', name: c.name, unit: 'ns/pkt', better: 'lower', samples: m.samples,
        calibration: { name: calibrationId, median: m.calibrationMedian }, params: { ...c.params, bytes: data.length },
      }));
      o.onCase?.(i + 1, cases.length);
    }
  } finally {
    empty.close();
    dp.destroy();
  }
  const calibrationMetrics = [...calibrations].map(([id, samples]) => makeMetric({
    id, group: 'micro', name: `empty ${id.includes('/tc-') ? 'TC' : 'XDP'} program, repeat=1 test run (calibration, raw)`,
    unit: 'ns/pkt', better: 'lower', samples, params: { hook: id.includes('/tc-') ? 'tc' : 'xdp' },
  }));
  return [...calibrationMetrics, ...metrics];
}
