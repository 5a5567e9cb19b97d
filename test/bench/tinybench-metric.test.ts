import test from 'ava';
import { Bench } from 'tinybench';
import { metricFromTinybench } from '../../src/bench/tinybench-metric.js';
import { validateResult } from '../../src/bench/result-validate.js';
import { result } from './fixtures.js';

const task = (samples: number[] | undefined, state = 'completed') => ({ name: 'rule install', result: { state, latency: { samples } } });

test('latency samples (ms) become ns/op, lower is better', (t) => {
  const m = metricFromTinybench(task([0.001, 0.002, 0.004]), { id: 'cp/rule-install', group: 'control-plane' });
  t.like(m, { id: 'cp/rule-install', name: 'rule install', unit: 'ns/op', better: 'lower', samples: [1000, 2000, 4000] });
  t.is(m.summary.median, 2000);
});

test('rate mode: items per op over the sample duration', (t) => {
  const m = metricFromTinybench(task([500, 250]), {
    id: 'cp/ct-dump',
    group: 'control-plane',
    mode: 'rate',
    itemsPerOp: 1_000_000,
    rateUnit: 'entries/s',
  });
  t.like(m, { unit: 'entries/s', better: 'higher', samples: [2_000_000, 4_000_000] });
});

test('unfinished tasks and missing samples are refused with the reason', (t) => {
  t.throws(() => metricFromTinybench(task([1], 'errored'), { id: 'x', group: 'g' }), {
    message: "task 'rule install': expected state 'completed', got 'errored'",
  });
  t.throws(() => metricFromTinybench(task(undefined), { id: 'x', group: 'g' }), { message: /create the Bench with retainSamples: true/ });
  t.throws(() => metricFromTinybench(task([0]), { id: 'x', group: 'g', mode: 'rate' }), { message: /latency sample 0 is 0 ms/ });
});

test('a real tinybench run converts into a valid metric', async (t) => {
  const bench = new Bench({ iterations: 20, time: 0, warmup: false, retainSamples: true });
  let counter = 0;
  bench.add('increment', () => {
    counter++;
  });
  await bench.run();
  const m = metricFromTinybench(bench.tasks[0]!, { id: 'demo/increment', group: 'demo' });
  t.true(m.samples.length >= 20);
  t.true(counter >= 20);
  t.notThrows(() => validateResult(result('run-tb', [m])));
});
