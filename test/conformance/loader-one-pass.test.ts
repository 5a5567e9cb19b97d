// One-pass validation: each bad file below is rejected before anything is created, with
// every problem (schema and semantic, datapath addresses and prefixes, unknown keys and
// wrong types in packet layers and expectations) as file:line: field.path: message.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScenarioLoadError, formatScenarioError, loadScenarioFile, runConformance } from '../../src/conformance/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fp-conformance-one-pass-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const BASE = [
  'name: one-pass', //                                                                     1
  'description: a routed and load-balanced packet', //                                      2
  'modes: [packet]', //                                                                     3
  'topology: netns/topologies/three-host.yaml', //                                          4
  'dut: router', //                                                                         5
  'datapath:', //                                                                           6
  '  interfaces: [{ ifname: to-client, port: 1 }, { ifname: to-server, port: 2 }]', //      7
  '  routerMacs: [{ mac: "02:00:00:00:00:01" }]', //                                        8
  '  nextHops: [{ id: 1, mac: "02:00:00:00:00:02", srcMac: "02:00:00:00:00:03", ifname: to-server }]', // 9
  '  routes: [{ prefix: 10.0.2.0/24, nextHops: [1] }]', //                                  10
  '  lbRules: [{ vip: 10.0.9.100, port: 80, protocol: tcp, endpoints: [{ address: 10.0.2.2 }] }]', // 11
  'steps:', //                                                                              12
  '  - inject:', //                                                                         13
  '      from: client:eth0', //                                                             14
  '      packet:', //                                                                       15
  '        - { type: eth, dst: "02:00:00:00:00:01", src: "02:00:00:00:00:09" }', //         16
  '        - { type: ipv4, src: 10.0.1.2, dst: 10.0.2.2, ttl: 9 }', //                      17
  '        - { type: tcp, sport: 4000, dport: 80, flags: { syn: true } }', //               18
  '      expect: { verdict: forward, out: server:eth0 }', //                                19
  'expect:', //                                                                             20
  '  - paths: { l3_fwd: 1 }', //                                                            21
];

function variant(name: string, edits: [number, string][]): string {
  const lines = [...BASE];
  for (const [line, text] of edits) lines[line - 1] = text;
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const CASES: { name: string; edits: [number, string][]; errors: string[] }[] = [
  {
    name: 'vip-octet',
    edits: [[11, '  lbRules: [{ vip: 10.0.9.300, port: 80, protocol: tcp, endpoints: [{ address: 10.0.2.2 }] }]']],
    errors: ["11: datapath.lbRules[0].vip: '10.0.9.300' is not an IPv4 or IPv6 address"],
  },
  {
    name: 'prefix-length',
    edits: [[10, '  routes: [{ prefix: 10.0.1.1/33, nextHops: [1] }]']],
    errors: ["10: datapath.routes[0].prefix: prefix length '33' is not 0..32"],
  },
  {
    name: 'prefix-no-length',
    edits: [[10, '  routes: [{ prefix: 1.2.3, nextHops: [1] }]']],
    errors: ["10: datapath.routes[0].prefix: '1.2.3' has no prefix length (use a.b.c.d/len)"],
  },
  {
    name: 'layer-typo',
    edits: [[17, '        - { type: ipv4, src: 10.0.1.2, dst: 10.0.2.2, tll: 99 }']],
    errors: [
      '17: steps[0].inject.packet[1].tll: unknown field (allowed: type, src, dst, version, ihl, tos, dscp, ecn, totalLength, id, flags, fragOffset, ttl, protocol, checksum, options)',
    ],
  },
  {
    name: 'flag-string',
    edits: [[18, '        - { type: tcp, sport: 4000, dport: 80, flags: { syn: "yes" } }']],
    errors: ['18: steps[0].inject.packet[2].flags.syn: expected true or false, got "yes"'],
  },
  {
    name: 'null-number',
    edits: [[18, '        - { type: tcp, sport: 4000, dport: null, flags: { syn: true } }']],
    errors: ['18: steps[0].inject.packet[2].dport: expected an integer in 0..65535, got null'],
  },
  {
    name: 'expectation-key',
    edits: [[21, '  - { paths: { l3_fwd: 1 }, dorps: { x: 1 } }']],
    errors: [
      '21: expect[0].dorps: unknown field (allowed: modes, paths, drops, nextHops, interfaces, events, answers, ct, policers, flood)',
    ],
  },
  {
    name: 'schema-and-semantic',
    edits: [
      [7, '  interfaces: [{ ifname: to-client, port: 1 }, { ifname: to-nowhere, port: 2 }]'],
      [10, '  routes: [{ prefix: 10.0.1.1/33, nextHops: [1] }]'],
      [17, '        - { type: ipv4, src: 10.0.1.2, dst: 10.0.2.2, ttl: nine }'],
      [19, '      expect: { verdict: forward, out: nowhere:eth0 }'],
    ],
    errors: [
      "7: datapath.interfaces[1].ifname: 'to-nowhere' is not an interface of the dut 'router' (it has: to-client, to-server)",
      "10: datapath.routes[0].prefix: prefix length '33' is not 0..32",
      '17: steps[0].inject.packet[1].ttl: expected an integer in 0..255, got "nine"',
      "19: steps[0].inject.expect.out: unknown host 'nowhere' (hosts: client, router, server)",
    ],
  },
  {
    name: 'lb-everything',
    edits: [
      [11, '  lbRules: [{ vip: 10.0.9.100, port: 80, protocol: tcp, mode: dsr-ipip, policer: 4, endpoints: [{ address: fd00::1 }] }]'],
    ],
    errors: [
      '11: datapath.lbRules[0].policer: policer 4 is not defined in datapath.policers',
      "11: datapath.lbRules[0].endpoints[0].address: IPv6 address 'fd00::1' for an IPv4 VIP",
    ],
  },
];

test('the base file is valid', (t) => {
  t.deepEqual(loadScenarioFile(variant('base', [])).errors.map(formatScenarioError), []);
});

for (const c of CASES) {
  test(`rejected before anything runs: ${c.name}`, async (t) => {
    const file = variant(c.name, c.edits);
    const expected = c.errors.map((e) => `${file}:${e}`);
    t.deepEqual(loadScenarioFile(file).errors.map(formatScenarioError), expected);
    let planned = false;
    const err = await t.throwsAsync(
      runConformance({
        paths: [file],
        onPlan: () => {
          planned = true;
        },
      }),
      { instanceOf: ScenarioLoadError },
    );
    t.false(planned);
    t.deepEqual(err.errors.map(formatScenarioError), expected);
  });
}
