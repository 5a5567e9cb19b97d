// The wire target verdicts: per-round ratios, a 95% bootstrap interval, and met / missed /
// inconclusive by where the interval lies against the goal.
import test from 'ava';
import { makeMetric, type Metric } from '../../src/bench/result.js';
import { wireTargets, wireTargetsMarkdown } from '../../src/bench/wire/targets.js';

function mpps(key: string, mode: string, samples: number[]): Metric {
  return makeMetric({
    id: `wire/${key}/64B/1f/mpps`,
    group: 'wire',
    name: key,
    unit: 'Mpps',
    better: 'higher',
    samples,
    params: { mode, size: 64, flows: 1 },
  });
}

test('ratios are taken per round; the interval decides the verdict; the bare forwarder is shown beside', (t) => {
  const metrics = [
    mpps('ceiling', 'ceiling', [2, 2, 2, 2, 2, 2]),
    mpps('ours-xdp-lb', 'ours-xdp', [1.5, 1.6, 1.5, 1.55, 1.5, 1.6]),
    mpps('xdp-fwd', 'xdp-fwd', [1.8, 1.8, 1.8, 1.8, 1.8, 1.8]),
    mpps('nft', 'nft', [0.4, 0.4, 0.4, 0.4, 0.4, 0.4]),
    mpps('ours-tc-lb', 'ours-tc', [0.5, 0.5, 0.52, 0.5, 0.48, 0.5]),
  ];
  const rows = wireTargets(metrics);
  t.deepEqual(
    rows.map((r) => [r.target, r.point, r.goal, r.verdict, r.bare]),
    [
      ['XDP path / ceiling', '64B/1f', 0.7, 'met', 0.9],
      ['TC path / nftables DNAT', '64B/1f', 1.5, 'missed', undefined],
    ],
  );
  t.is(rows[0]!.median, 0.7625);
  t.is(rows[1]!.median, 1.25);
  t.true(rows[0]!.ci[0] >= 0.7 && rows[1]!.ci[1] < 1.5);
  t.regex(wireTargetsMarkdown(metrics), /\| XDP path \/ ceiling \| 64B\/1f \| 0\.70 \| 0\.76 \| 0\.75 \.\. 0\.80 \| met \| 0\.90 \|/);
});

test('an interval across the goal is inconclusive; a DUT on its own CPU is judged against its own ceiling', (t) => {
  const rows = wireTargets([
    mpps('ceiling@cpu0', 'ceiling', [2, 2, 2, 2]),
    mpps('ceiling', 'ceiling', [1, 1, 1, 1]),
    mpps('ours-xdp-lb@cpu0', 'ours-xdp', [1.2, 1.6, 1.3, 1.5]),
  ]);
  t.is(rows.length, 1);
  t.is(rows[0]!.target, 'XDP path / ceiling (DUT cpu0)');
  t.is(rows[0]!.verdict, 'inconclusive');
  t.true(rows[0]!.ci[0] < 0.7 && rows[0]!.ci[1] >= 0.7);
});

test('no wire metrics, no section', (t) => {
  t.deepEqual(wireTargets([]), []);
  t.is(wireTargetsMarkdown([mpps('ceiling', 'ceiling', [1])]), '');
});
