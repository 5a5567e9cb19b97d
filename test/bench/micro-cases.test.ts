// The per-algorithm new-flow, policed fast-hit and control-plane rows of `fastpath bench
// micro`: a short run yields every metric id with a valid summary and leaves no pins.
// No speed is asserted.
import test from 'ava';
import { readdirSync } from 'node:fs';
import { ANCHOR_PAIRS } from '../../src/bench/anchor/side-by-side.js';
import { ALL_MICRO_CASES } from '../../src/bench/command.js';
import { runControlPlane } from '../../src/bench/control-plane.js';
import { collectFingerprint } from '../../src/bench/fingerprint.js';
import { LB_ALGOS_MEASURED, LB_ALGORITHM_MICRO_CASES } from '../../src/bench/micro/lb-algorithm-cases.js';
import { runMicro } from '../../src/bench/micro/run.js';
import { SCALE_CONNECTIONS, SCALE_MICRO_CASES } from '../../src/bench/micro/scale-cases.js';
import { validateResult } from '../../src/bench/result-validate.js';
import { newResult } from '../../src/bench/result.js';

const ourPins = (): string[] => readdirSync('/sys/fs/bpf').filter((n) => n.startsWith(`fastpath-${process.pid}-`));

test('the extra micro cases have the stable ids', (t) => {
  t.deepEqual(
    LB_ALGORITHM_MICRO_CASES.map((c) => c.id),
    [
      'micro/tc/lb-tcp-v4-new-rr',
      'micro/tc/lb-tcp-v4-new-hash',
      'micro/tc/lb-tcp-v4-new-maglev',
      'micro/tc/lb-tcp-v4-new-lc',
      'micro/tc/lb-tcp-v4-new-persist',
      'micro/tc/lb-tcp-v4-new-wrr',
      'micro/tc/lb-tcp-v4-new-n3',
      'micro/tc/lb-tcp-v4-fast-vlan',
      'micro/tc/lb-tcp-v4-fast-policed',
    ],
  );
  t.deepEqual([...LB_ALGOS_MEASURED], ['rr', 'hash', 'maglev', 'lc', 'persist', 'wrr', 'n3']);
});

test('the scale cases have the stable ids and run at 1, 64 Ki, 1 Mi and past 1 Mi connections', (t) => {
  t.deepEqual(
    SCALE_MICRO_CASES.map((c) => [c.id, c.params.connections]),
    [
      ['micro/tc/lb-tcp-v4-fast-conn1', 1],
      ['micro/xdp/lb-tcp-v4-fast-conn1', 1],
      ['micro/tc/lb-tcp-v4-fast-conn65536', 65536],
      ['micro/xdp/lb-tcp-v4-fast-conn65536', 65536],
      ['micro/tc/lb-tcp-v4-fast-conn1048576', 1048576],
      ['micro/xdp/lb-tcp-v4-fast-conn1048576', 1048576],
      ['micro/tc/lb-tcp-v4-fast-ct-full', 1048576 + 65536],
      ['micro/tc/lb-tcp-v4-new-ct-full', 1048576 + 65536],
    ],
  );
  t.is(SCALE_CONNECTIONS, 1048576);
});

test('every case the loxilb side-by-side pairs is a micro case', (t) => {
  const ids = new Set(ALL_MICRO_CASES.map((c) => c.id));
  for (const p of ANCHOR_PAIRS) t.true(ids.has(p.ours), p.ours);
});

const root = process.getuid?.() === 0;
(root ? test.serial : test.skip)('a short run yields every new metric with a valid summary and leaves nothing behind', async (t) => {
  const micro = runMicro({ samples: 20, warmup: 5, cases: LB_ALGORITHM_MICRO_CASES });
  const cp = runControlPlane({ iterations: 4, dumpIterations: 1, ctEntries: 65536 });
  const metrics = [...micro, ...cp];
  t.deepEqual(
    metrics.map((m) => m.id),
    [
      'micro/calibration/tc-empty',
      ...LB_ALGORITHM_MICRO_CASES.map((c) => c.id),
      'cp/lb-rule-install',
      'cp/endpoint-toggle',
      'cp/ct-dump-1m',
    ],
  );
  const result = validateResult(JSON.parse(JSON.stringify(newResult(await collectFingerprint(), metrics))));
  for (const m of result.metrics) {
    t.true(Number.isFinite(m.summary.median), m.id);
    t.true(m.summary.ci95[0] <= m.summary.ci95[1], m.id);
  }
  for (const m of micro) t.is(m.samples.length, 20, m.id);
  t.deepEqual(
    cp.map((m) => [m.unit, m.samples.length]),
    [
      ['ns/op', 4],
      ['ns/op', 4],
      ['entries/s', 1],
    ],
  );
  t.is(cp[2]!.params.entries, 65536);
  t.deepEqual(ourPins(), []);
});
if (!root) test('the kernel run is skipped', (t) => t.log('skipped: BPF needs root'));
