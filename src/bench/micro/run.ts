// `fastpath bench micro`: ns/packet of each case in MICRO_CASES in test-run mode, every
// sample a repeat=1 call on a fresh copy of the input, an empty program of the same hook
// on the same packet sampled interleaved and its median subtracted (micro-timer.ts).
// Every timed call's verdict and output are checked (checked-sampler.ts), and every call
// of a fast-path case must count as a fast-path hit: a wrong answer fails the run. The
// raw median (before the subtraction) is kept beside the net figure in
// params.rawMedianNs: the calibration moves in the VM clock's ~10 ns steps.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BpfObject } from '../../../native/index.js';
import { loadOrClean } from '../wire/datapath-load.js';
import { TC_ACT_OK, XDP_PASS } from '../../../native/constants.js';
import { median } from '../stats.js';
import { checkRepeat, measureTestRun, packetRunOf } from '../micro-timer.js';
import { repoRoot } from '../paths.js';
import { makeMetric, type Metric } from '../result.js';
import { DATAPATH_OBJECT } from '../wire/constants.js';
import { MICRO_BASE_CONFIG, MICRO_CASES, type MicroCase } from './cases.js';
import { checkedSampler } from './checked-sampler.js';

const EMPTY_OBJECT = join(repoRoot, 'build', 'test-bpf', 'bench.bpf.o');

export interface MicroOptions {
  samples: number;
  warmup: number;
  cases?: MicroCase[];
  /** The datapath object to time (default the built one): a variant under study. */
  object?: string;
  /** The datapath's connection capacity (Datapath.load connections; default the object's). */
  connections?: number;
  onCase?: (done: number, total: number) => void;
}

export function runMicro(o: MicroOptions): Metric[] {
  const cases = o.cases ?? MICRO_CASES;
  const pinRoot = `/sys/fs/bpf/fastpath-${process.pid}-${randomBytes(4).toString('hex')}-micro`;
  const dp = loadOrClean({
    object: o.object ?? DATAPATH_OBJECT,
    pinRoot,
    ...(o.connections === undefined ? {} : { connections: o.connections }),
  });
  const empty = new BpfObject(EMPTY_OBJECT);
  const metrics: Metric[] = [];
  const calibrations = new Map<string, number[]>();
  try {
    dp.apply(MICRO_BASE_CONFIG);
    for (const [i, c] of cases.entries()) {
      const { program, data, reset, expect, params: found } = c.prepare({ dp });
      // Throws when the program rewrites the packet and repeat > 1 were asked for: the
      // sampler's repeat=1 on a fresh copy is what makes the figure right.
      checkRepeat(data, packetRunOf(program), 1);
      const emptyProgram = empty.program(c.hook === 'tc' ? 'empty_tc' : 'empty_xdp');
      const subject = checkedSampler(program, data, expect, { caseId: c.id, reset });
      const calibration = checkedSampler(
        emptyProgram,
        data,
        { verdict: c.hook === 'tc' ? TC_ACT_OK : XDP_PASS, output: [data] },
        { caseId: `${c.id} (empty program)` },
      );
      // The slow path gives a hit's bytes and verdict too: a fast case's calls must all
      // count as fast-path hits.
      const fastHits = (): bigint => dp.paths()[`${c.hook}_fast_hit`].packets;
      const hitsBefore = fastHits();
      const m = measureTestRun({ run: subject.run, calibrate: calibration.run, samples: o.samples, warmup: o.warmup });
      if (subject.counts.outputsCompared < o.samples) {
        throw new Error(`${c.id}: ${subject.counts.outputsCompared} outputs compared, fewer than the ${o.samples} samples`);
      }
      const hits = fastHits() - hitsBefore;
      if (c.params.path === 'fast' && hits !== BigInt(subject.counts.calls)) {
        throw new Error(`${c.id}: ${hits} of ${subject.counts.calls} calls counted as ${c.hook.toUpperCase()} fast-path hits`);
      }
      const calibrationId = `micro/calibration/${c.hook}-empty`;
      if (!calibrations.has(calibrationId)) calibrations.set(calibrationId, m.calibration);
      metrics.push(
        makeMetric({
          id: c.id,
          group: 'micro',
          name: c.name,
          unit: 'ns/pkt',
          better: 'lower',
          samples: m.samples,
          calibration: { name: calibrationId, median: m.calibrationMedian },
          params: { ...c.params, ...found, bytes: data.length, rawMedianNs: median(m.raw), checkedCalls: subject.counts.calls },
        }),
      );
      o.onCase?.(i + 1, cases.length);
    }
  } finally {
    empty.close();
    dp.destroy();
  }
  const calibrationMetrics = [...calibrations].map(([id, samples]) =>
    makeMetric({
      id,
      group: 'micro',
      name: `empty ${id.includes('/tc-') ? 'TC' : 'XDP'} program, repeat=1 test run (calibration, raw)`,
      unit: 'ns/pkt',
      better: 'lower',
      samples,
      params: { hook: id.includes('/tc-') ? 'tc' : 'xdp' },
    }),
  );
  return [...calibrationMetrics, ...metrics];
}
