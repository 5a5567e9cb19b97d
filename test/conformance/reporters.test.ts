// TAP, JUnit, JSON and the summary table, exactly, for a fixed result set; and the
// chi-square test against known values.
import test from 'ava';
import { chiSquareTest, renderJson, renderJunit, renderSummaryTable, renderTap, type SuiteResult } from '../../src/conformance/index.js';

const SUITE: SuiteResult = {
  runId: 'conformance-20260101T000000Z-abc',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 3456,
  passed: 1,
  failed: 1,
  skipped: 1,
  results: [
    {
      scenario: 'route-v4',
      file: 'scenarios/route-v4.yaml',
      mode: 'packet',
      status: 'pass',
      durationMs: 120,
      checks: [{ name: 'steps[0] inject: verdict forward', ok: true }],
    },
    {
      scenario: 'vlan',
      file: 'scenarios/vlan.yaml',
      mode: 'wire',
      status: 'fail',
      durationMs: 2336,
      checks: [
        { name: 'steps[0] inject: verdict forward', ok: true },
        {
          name: 'steps[0] inject: output bytes',
          ok: false,
          detail: 'ipv4.ttl: expected 64, actual 63\nipv4.checksum: expected 0x63b8, actual 0x64b8',
        },
        { name: 'expect[0] paths.l3_fwd delta 2', ok: false, detail: 'paths.l3_fwd: expected a delta of 2 packets, got 1 <&>' },
      ],
      artifactsDir: 'results/runs/conformance-20260101T000000Z-abc/vlan',
    },
    {
      scenario: 'ecmp',
      file: 'scenarios/ecmp.yaml',
      mode: 'wire',
      status: 'skip',
      durationMs: 0,
      checks: [],
      skipReason: 'not runnable here: no 802.1Q',
    },
  ],
};

test('TAP 13: plan, points, YAML diagnostics for failures, SKIP directive, totals', (t) => {
  t.is(
    renderTap(SUITE),
    [
      'TAP version 13',
      '1..3',
      'ok 1 - route-v4 [packet]',
      'not ok 2 - vlan [wire]',
      '  ---',
      '  file: scenarios/vlan.yaml',
      '  duration_ms: 2336',
      '  failed:',
      '    - check: "steps[0] inject: output bytes"',
      '      detail: |-',
      '        ipv4.ttl: expected 64, actual 63',
      '        ipv4.checksum: expected 0x63b8, actual 0x64b8',
      '    - check: expect[0] paths.l3_fwd delta 2',
      '      detail: "paths.l3_fwd: expected a delta of 2 packets, got 1 <&>"',
      '  artifacts: results/runs/conformance-20260101T000000Z-abc/vlan',
      '  ...',
      'ok 3 - ecmp [wire] # SKIP not runnable here: no 802.1Q',
      '# pass 1',
      '# fail 1',
      '# skip 1',
      '',
    ].join('\n'),
  );
});

test('JUnit XML: one testcase per scenario and mode, failure body escaped, skipped', (t) => {
  t.is(
    renderJunit(SUITE),
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="fastpath conformance" tests="3" failures="1" skipped="1" time="3.456">',
      '  <testsuite name="conformance" id="conformance-20260101T000000Z-abc" timestamp="2026-01-01T00:00:00.000Z" tests="3" failures="1" errors="0" skipped="1" time="3.456">',
      '    <testcase classname="conformance.packet" name="route-v4" file="scenarios/route-v4.yaml" time="0.120"/>',
      '    <testcase classname="conformance.wire" name="vlan" file="scenarios/vlan.yaml" time="2.336">',
      '      <failure message="2 failed checks: steps[0] inject: output bytes; expect[0] paths.l3_fwd delta 2" type="conformance">steps[0] inject: output bytes',
      'ipv4.ttl: expected 64, actual 63',
      'ipv4.checksum: expected 0x63b8, actual 0x64b8',
      '',
      'expect[0] paths.l3_fwd delta 2',
      'paths.l3_fwd: expected a delta of 2 packets, got 1 &lt;&amp;&gt;',
      '',
      'artifacts: results/runs/conformance-20260101T000000Z-abc/vlan</failure>',
      '    </testcase>',
      '    <testcase classname="conformance.wire" name="ecmp" file="scenarios/ecmp.yaml" time="0.000">',
      '      <skipped message="not runnable here: no 802.1Q"/>',
      '    </testcase>',
      '  </testsuite>',
      '</testsuites>',
      '',
    ].join('\n'),
  );
});

test('JSON: the whole result set with a format tag, parseable back', (t) => {
  const text = renderJson(SUITE);
  t.true(text.startsWith('{\n  "format": "fastpath-conformance/1",\n  "runId": "conformance-20260101T000000Z-abc",\n'));
  t.deepEqual(JSON.parse(text), { format: 'fastpath-conformance/1', ...SUITE });
});

test('summary table for make run: scenario, mode, result, time', (t) => {
  t.is(
    renderSummaryTable(SUITE),
    [
      'scenario  mode    result     time',
      '--------  ------  ------  -------',
      'route-v4  packet  PASS    0.120 s',
      'vlan      wire    FAIL    2.336 s',
      'ecmp      wire    SKIP          -',
      'passed 1, failed 1, skipped 1 (3.456 s)',
      '',
    ].join('\n'),
  );
});

test('chi-square: statistic, degrees of freedom and p-value against known values', (t) => {
  const even = chiSquareTest([10, 30], [1, 1]);
  t.is(even.statistic, 10);
  t.is(even.degreesOfFreedom, 1);
  t.true(Math.abs(even.pValue - 0.0015654022580025) < 1e-9, String(even.pValue));
  const three = chiSquareTest([20, 20, 20], [1, 1, 1]);
  t.is(three.statistic, 0);
  t.is(three.pValue, 1);
  const weighted = chiSquareTest([85, 15], [80, 20]);
  t.true(Math.abs(weighted.statistic - 1.5625) < 1e-12);
  t.true(Math.abs(weighted.pValue - 0.21129954733) < 1e-8, String(weighted.pValue));
  // An answer from a server with weight 0 is impossible under the hypothesis.
  t.is(chiSquareTest([5, 1], [1, 0]).pValue, 0);
});
