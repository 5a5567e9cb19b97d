// A short cps run with a handful of connections: every connection made is counted, every
// answer comes from a real backend (the agents answer with their names), nothing fails,
// and the result file validates. Never speeds.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCps, split } from '../../src/bench/cps/run.js';
import { recordRun } from '../../src/bench/record-run.js';
import { readResult } from '../../src/bench/result.js';

test('split spreads connections evenly over the targets', (t) => {
  t.deepEqual(split(10, 2), [5, 5]);
  t.deepEqual(split(7, 2), [4, 3]);
  t.deepEqual(split(5, 1), [5]);
});

const root = process.getuid?.() === 0;
if (!root) test('cps run is skipped', (t) => t.log('skipped: needs root (namespaces)'));

(root ? test.serial : test.skip)('a short cps run counts every connection and every answer from a real backend', async (t) => {
  const run = await runCps({
    modes: ['kernel', 'nft', 'ours-tc'],
    samples: 2,
    connections: 6,
    requests: 4,
    concurrency: 2,
    datapath: 'routed',
  });
  t.deepEqual(run.report.kernel, {
    targets: ['10.4.1.2', '10.4.2.2'],
    source: '10.3.0.2',
    connections: 12,
    answers: { 'backend-1': 6, 'backend-2': 6 },
    errors: 0,
    timeouts: 0,
    requests: 8,
    udpAnswers: { 'backend-1': 4, 'backend-2': 4 },
    udpErrors: 0,
    udpTimeouts: 0,
  });
  t.deepEqual(run.report['ours-tc'], { ...run.report.kernel, source: '10.3.0.4' });
  t.is(run.report.nft!.source, '10.3.0.3');
  const nft = run.report.nft;
  t.deepEqual(nft!.targets, ['10.9.0.1']);
  t.deepEqual([nft!.connections, nft!.errors, nft!.timeouts, nft!.requests, nft!.udpErrors, nft!.udpTimeouts], [12, 0, 0, 8, 0, 0]);
  t.deepEqual(Object.keys(nft!.answers).sort(), ['backend-1', 'backend-2'], 'numgen spreads the connections over both backends');
  t.is(
    Object.values(nft!.answers).reduce((a, b) => a + b, 0),
    12,
  );
  t.is(
    Object.values(nft!.udpAnswers).reduce((a, b) => a + b, 0),
    8,
  );

  const out = mkdtempSync(join(tmpdir(), 'fp-bench-cps-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const recorded = await recordRun(run.metrics, { runsDir: out });
  const result = readResult(join(recorded.dir, 'result.json'));
  const kinds = ['tcp-conn-per-s', 'udp-req-per-s', 'tcp-latency-p50', 'tcp-latency-p90', 'tcp-latency-p99'];
  t.deepEqual(
    result.metrics.map((m) => m.id),
    ['kernel', 'nft', 'ours-tc'].flatMap((mode) => kinds.map((k) => `cps/${mode}/${k}`)),
  );
  for (const m of result.metrics) {
    t.is(m.samples.length, 2, m.id);
    t.true(
      m.samples.every((s) => s > 0),
      m.id,
    );
  }
});

(root ? test.serial : test.skip)('with the LB configuration the client talks to the VIP and both backends answer', async (t) => {
  const run = await runCps({ modes: ['ours-tc'], samples: 2, connections: 6, requests: 4, concurrency: 2, datapath: 'lb' });
  const r = run.report['ours-tc']!;
  t.deepEqual([r.targets, r.connections, r.errors, r.timeouts, r.requests, r.udpErrors, r.udpTimeouts], [['10.9.0.1'], 12, 0, 0, 8, 0, 0]);
  t.deepEqual(Object.keys(r.answers).sort(), ['backend-1', 'backend-2'], 'round robin over both backends');
  t.is(
    Object.values(r.answers).reduce((a, b) => a + b, 0),
    12,
  );
  t.is(
    Object.values(r.udpAnswers).reduce((a, b) => a + b, 0),
    8,
  );
  t.deepEqual(
    run.metrics.map((m) => m.id),
    ['tcp-conn-per-s', 'udp-req-per-s', 'tcp-latency-p50', 'tcp-latency-p90', 'tcp-latency-p99'].map((k) => `cps/ours-tc-lb/${k}`),
  );
});
