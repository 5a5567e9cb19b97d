// Flood steps and flood expectations: every problem reported as file:line: field.path:
// message (schema and semantic), an invalid file runs nothing, and the rate checks print
// what was measured against the expected value and the bound.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScenarioLoadError, formatScenarioError, loadScenarioFile, runConformance, tapResult } from '../../src/conformance/index.js';
import { floodChecks } from '../../src/conformance/flood-expect.js';
import type { FloodRecord } from '../../src/conformance/flood-types.js';
import { REPO } from './_helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'fp-conformance-flood-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function errorsOf(file: string): string[] {
  return loadScenarioFile(file).errors.map(formatScenarioError);
}

/** Lines 1-27: a scenario with client -- dut -- server and policer 1 on the client port. */
const HEAD = [
  'name: flood-check', //                                                                 1
  'description: flood steps used rightly and wrongly', //                               2
  'modes: [packet, wire]', //                                                             3
  'topology:', //                                                                         4
  '  hosts: [{ name: client }, { name: dut }, { name: server }, { name: lonely }]', //   5
  '  links:', //                                                                          6
  '    - a: { host: client, ifname: eth0, addresses: [10.1.0.5/24] }', //                7
  '      b: { host: dut, ifname: to-client, addresses: [10.1.0.1/24] }', //              8
  '    - a: { host: dut, ifname: to-server, addresses: [10.2.0.1/24] }', //               9
  '      b: { host: server, ifname: eth0, addresses: [10.2.0.2/24] }', //                 10
  '    - a: { host: server, ifname: eth1 }', //                                           11
  '      b: { host: lonely, ifname: eth0 }', //                                            12
  'dut: dut', //                                                                          13
  'datapath:', //                                                                         14
  '  policers: [{ id: 1, mode: srtcm, cir: 25000, cbs: 10000 }]', //                      15
  '  interfaces: [{ ifname: to-client, port: 1, policer: 1 }, { ifname: to-server, port: 2 }]', // 16
  'steps:', //                                                                            17
];

const PACKET = [
  '      packet:',
  '        - { type: eth, dst: "02:fd:01:00:00:01", src: "02:fd:01:00:00:02" }',
  '        - { type: ipv4, src: 10.1.0.5, dst: 10.2.0.9 }',
  '        - { type: udp, sport: 4000, dport: 5000 }',
  '        - { type: payload, size: 472 }',
];

test('a valid flood step and expectation load into the model', (t) => {
  const file = write('valid.yaml', [
    ...HEAD,
    '  - modes: [wire]',
    '    flood:',
    '      id: f1',
    '      from: client:eth0',
    ...PACKET,
    '      bytesPerSec: 50000',
    '      durationMs: 3000',
    '      out: server:eth0',
    'expect:',
    '  - modes: [wire]',
    '    flood: { id: f1, policer: 1, tolerance: { bytesPerSec: 2500 }, green: { bytesPerSec: 25000, bytes: 10000 }, passes: [green, yellow] }',
  ]);
  const r = loadScenarioFile(file);
  t.deepEqual(r.errors, []);
  const step = r.scenarios[0]!.steps[0]!;
  t.is(step.kind, 'flood');
  if (step.kind !== 'flood') return;
  t.is(step.flood.bytesPerSec, 50000);
  t.is(step.flood.packet[3]!.type, 'payload');
  t.is(r.scenarios[0]!.expect[0]!.kind, 'flood');
});

test('schema errors: rate <= 0, durationMs out of range, both rates, unknown fields', (t) => {
  const file = write('schema.yaml', [
    ...HEAD,
    '  - modes: [wire]', //                                                    18
    '    flood:', //                                                           19
    '      id: f1', //                                                         20
    '      from: client:eth0', //                                              21
    ...PACKET, //                                                              22-26
    '      bytesPerSec: 0', //                                                 27
    '      durationMs: 50', //                                                 28
    '      out: server:eth0', //                                               29
    '  - modes: [wire]', //                                                    30
    '    flood:', //                                                           31
    '      id: f2', //                                                         32
    '      from: client:eth0', //                                              33
    ...PACKET, //                                                              34-38
    '      bytesPerSec: 1000', //                                              39
    '      packetsPerSec: -2', //                                              40
    '      durationMs: 60000', //                                              41
    '      out: server:eth0', //                                               42
    'expect:', //                                                              43
    '  - modes: [wire]', //                                                    44
    '    flood: { id: f1, tolerance: { percent: 10 }, passes: [blue] }', //    45
  ]);
  t.deepEqual(errorsOf(file), [
    `${file}:27: steps[0].flood.bytesPerSec: expected a number > 0, got 0`,
    `${file}:28: steps[0].flood.durationMs: expected an integer in 100..10000, got 50`,
    `${file}:32: steps[1].flood: expected exactly one of bytesPerSec, packetsPerSec, got bytesPerSec and packetsPerSec`,
    `${file}:40: steps[1].flood.packetsPerSec: expected a number > 0, got -2`,
    `${file}:41: steps[1].flood.durationMs: expected an integer in 100..10000, got 60000`,
    `${file}:45: expect[0].flood.tolerance.percent: unknown field (allowed: bytesPerSec, bytes)`,
    `${file}:45: expect[0].flood.passes[0]: expected one of "green", "yellow", "red", got "blue"`,
  ]);
});

test('semantic errors: packet mode, endpoints, non-IP packet, rate, time budget, unknown flood and policer ids', (t) => {
  const file = write('semantic.yaml', [
    ...HEAD.map((l) => (l === 'modes: [packet, wire]' ? 'modes: [packet, wire]\ntimeoutMs: 9000' : l)),
    '  - flood:', //                                                           19
    '      id: f1', //                                                         20
    '      from: client:eth1', //                                              21
    '      packet:', //                                                        22
    '        - { type: eth, dst: "02:fd:01:00:00:01", src: "02:fd:01:00:00:02", ethertype: 0x0806 }', // 23
    '        - { type: payload, size: 28 }', //                                24
    '      packetsPerSec: 100', //                                             25
    '      durationMs: 3000', //                                               26
    '      out: lonely:eth0', //                                               27
    '  - modes: [wire]', //                                                    28
    '    flood:', //                                                           29
    '      id: f1', //                                                         30
    '      from: client:eth0', //                                              31
    ...PACKET, //                                                              32-36
    '      bytesPerSec: 20000000', //                                          37
    '      durationMs: 2000', //                                               38
    '      out: nobody:eth0', //                                               39
    '  - modes: [wire]', //                                                    40
    '    flood:', //                                                           41
    '      id: f3', //                                                         42
    '      from: client:eth0', //                                              43
    ...PACKET, //                                                              44-48
    '      packetsPerSec: 0.5', //                                             49
    '      durationMs: 1000', //                                               50
    '      out: server:eth0', //                                               51
    'expect:', //                                                              52
    '  - flood: { id: nope, policer: 7, tolerance: { bytes: 500 } }', //       53
    '  - modes: [wire]', //                                                    54
    '    flood: { id: f3, tolerance: { bytes: 500 }, green: { bytes: 1 } }', // 55
    '  - modes: [wire]', //                                                    56
    '    flood: { id: f3, tolerance: { bytes: 500 } }', //                     57
  ]);
  t.deepEqual(errorsOf(file), [
    `${file}:20: steps[0].flood: a flood step sends real frames at a real rate and needs wire mode; give the step modes: [wire]`,
    `${file}:21: steps[0].flood.from: host 'client' has no link end named 'eth1'`,
    `${file}:23: steps[0].flood.packet: a flood packet must carry IPv4 or IPv6 (its rate is counted in IP total length, as a policer charges)`,
    `${file}:27: steps[0].flood.out: 'lonely:eth0' is not linked to the dut 'dut'`,
    `${file}:30: steps[1].flood.id: duplicate flood id 'f1'`,
    `${file}:37: steps[1].flood.bytesPerSec: 20000000 B/s of 500-byte packets is 40000.0 packets/s, above the 20000 packets/s an agent paces`,
    `${file}:38: steps[1].flood.durationMs: 5000 ms of flood so far (plus 5000 ms to set up and settle) does not fit in the scenario's timeoutMs 9000`,
    `${file}:39: steps[1].flood.out: unknown host 'nobody' (hosts: client, dut, server, lonely)`,
    `${file}:49: steps[2].flood.packetsPerSec: 0.5 packets/s: fewer than 2 packets in 1000 ms`,
    `${file}:50: steps[2].flood.durationMs: 6000 ms of flood so far (plus 5000 ms to set up and settle) does not fit in the scenario's timeoutMs 9000`,
    `${file}:53: expect[0].flood: a flood expectation measures a wire flood and needs wire mode; give the expectation modes: [wire]`,
    `${file}:53: expect[0].flood.id: no flood step has id 'nope' (floods: f1, f3)`,
    `${file}:53: expect[0].flood.policer: policer 7 is not defined in datapath.policers`,
    `${file}:55: expect[1].flood.green: colours are counted by a policer: give policer: <id>`,
    `${file}:57: expect[2].flood: nothing to check: give received and/or policer`,
  ]);
});

test('an invalid flood file among valid ones: nothing runs', async (t) => {
  const bad = write('among.yaml', [
    ...HEAD,
    '  - modes: [wire]', //                                                    18
    '    flood:', //                                                           19
    '      id: f1', //                                                         20
    '      from: client:eth0', //                                              21
    ...PACKET, //                                                              22-26
    '      bytesPerSec: 50000', //                                             27
    '      durationMs: 3000', //                                               28
    '      out: server:eth0', //                                               29
    'expect:', //                                                              30
    '  - { modes: [wire], flood: { id: f2, received: { bytes: 1 }, tolerance: { bytes: 1 } } }', // 31
  ]);
  let planned = false;
  const err = await t.throwsAsync(
    runConformance({
      paths: [join(REPO, 'scenarios', 'policer-trtcm.yaml'), bad],
      onPlan: () => {
        planned = true;
      },
    }),
    { instanceOf: ScenarioLoadError },
  );
  t.false(planned);
  t.deepEqual(err.errors.map(formatScenarioError), [`${bad}:31: expect[0].flood.id: no flood step has id 'f2' (floods: f1)`]);
});

function record(over: Partial<FloodRecord> = {}): FloodRecord {
  return {
    id: 'f1',
    ipLength: 500,
    askedBytesPerSec: 100000,
    offeredPackets: 600,
    offeredBytes: 300000,
    elapsedS: 3,
    receivedPackets: 340,
    receivedBytes: 170000,
    policers: new Map([
      [1, { green: { packets: 170, bytes: 85000 }, yellow: { packets: 170, bytes: 85000 }, red: { packets: 260, bytes: 130000 } }],
    ]),
    ...over,
  };
}

const TRTCM = {
  id: 'f1',
  policer: 1,
  tolerance: { bytesPerSec: 2500 },
  green: { bytesPerSec: 25000, bytes: 10000 },
  greenYellow: { bytesPerSec: 50000, bytes: 20000 },
  passes: ['green', 'yellow'] as ('green' | 'yellow')[],
  received: { bytesPerSec: 50000, bytes: 20000 },
};

test('rate checks: expected = bytesPerSec·t + bytes within tolerance·t; exact accounting', (t) => {
  const pass = floodChecks(TRTCM, record());
  t.deepEqual(
    pass.map((c) => [c.name, c.ok]),
    [
      ['flood f1: received bytes 50000 B/s·t + 20000 B ± 2500 B/s·t', true],
      ['flood f1: policer 1: green + yellow + red packets = offered', true],
      ['flood f1: policer 1: green + yellow + red bytes = offered', true],
      ['flood f1: policer 1: green bytes 25000 B/s·t + 10000 B ± 2500 B/s·t', true],
      ['flood f1: policer 1: green + yellow bytes 50000 B/s·t + 20000 B ± 2500 B/s·t', true],
      ['flood f1: policer 1: received packets = green + yellow', true],
    ],
  );
  // Green 7501 B above 85000 (bound 7500): fails and says what was measured and expected.
  const off = record({
    policers: new Map([
      [1, { green: { packets: 185, bytes: 92501 }, yellow: { packets: 155, bytes: 77500 }, red: { packets: 260, bytes: 129999 } }],
    ]),
  });
  const failed = floodChecks(TRTCM, off).filter((c) => !c.ok);
  t.deepEqual(
    failed.map((c) => c.name),
    ['flood f1: policer 1: green bytes 25000 B/s·t + 10000 B ± 2500 B/s·t'],
  );
  t.is(
    failed[0]!.detail,
    'offered 600 packets/300000 B of 500 B in 3.000 s (100000 B/s), received 340 packets/170000 B\n' +
      'flood f1: policer 1: green: 92501 B, expected 85000 B (25000 B/s × 3.000 s + 10000 B) ± 7500 B (2500 B/s × 3.000 s), off by 7501 B',
  );
  const lost = floodChecks(TRTCM, record({ receivedPackets: 339, receivedBytes: 169500 })).filter((c) => !c.ok);
  t.deepEqual(
    lost.map((c) => c.detail!.split('\n')[1]),
    ['flood f1: policer 1: received packets = green + yellow: 339 vs 340 (green 170/85000 B, yellow 170/85000 B, red 260/130000 B)'],
  );
  t.deepEqual(floodChecks(TRTCM, undefined), [{ name: 'flood f1', ok: false, detail: "flood step 'f1' did not run" }]);
});

test('TAP shows the measurements of a flood as comments after its point, passed or failed', (t) => {
  const base = {
    scenario: 'policer-srtcm',
    file: 'scenarios/policer-srtcm.yaml',
    mode: 'wire' as const,
    durationMs: 9000,
    notes: ['flood f1: offered 300 packets'],
  };
  t.is(
    tapResult({ ...base, status: 'pass', checks: [{ name: 'x', ok: true }] }, 3),
    'ok 3 - policer-srtcm [wire]\n# policer-srtcm [wire]: flood f1: offered 300 packets\n',
  );
  const failed = tapResult({ ...base, status: 'fail', checks: [{ name: 'x', ok: false, detail: 'd' }] }, 4);
  t.true(failed.startsWith('not ok 4 - policer-srtcm [wire]\n  ---\n'), failed);
  t.true(failed.endsWith('  ...\n# policer-srtcm [wire]: flood f1: offered 300 packets\n'), failed);
});
