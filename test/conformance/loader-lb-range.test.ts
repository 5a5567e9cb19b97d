// Scenario loading of LB port-range rules: portEnd is accepted by the schema; a range
// below its start, on icmp, or overlapping another range of the same VIP, protocol and
// zone is reported as file:line: field.path: message, and the file runs nothing.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatScenarioError, loadScenarioFile } from '../../src/conformance/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fp-conformance-lb-range-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function scenario(rules: string[]): string {
  const file = join(dir, `range-${rules.length}-${Math.random().toString(16).slice(2)}.yaml`);
  writeFileSync(
    file,
    [
      'name: lb-range', //                                                           1
      'description: LB port ranges', //                                              2
      'modes: [packet]', //                                                          3
      'topology: netns/topologies/three-host.yaml', //                               4
      'dut: router', //                                                              5
      'datapath:', //                                                                6
      '  interfaces: [{ ifname: to-client, port: 1 }, { ifname: to-server, port: 2 }]', // 7
      '  lbRules:', //                                                               8
      ...rules, //                                                                   9..
      'steps:',
      '  - inject: { from: client:eth0, packet: [{ type: eth, ethertype: 0x0800 }], expect: { verdict: drop } }',
      '',
    ].join('\n'),
  );
  return file;
}

const errorsOf = (file: string): string[] => loadScenarioFile(file).errors.map(formatScenarioError);

test('a range rule and an exact rule inside it load', (t) => {
  const file = scenario([
    '    - { vip: 10.0.9.100, port: 8000, portEnd: 8499, protocol: tcp, endpoints: [{ address: 10.0.2.2 }] }',
    '    - { vip: 10.0.9.100, port: 8443, protocol: tcp, endpoints: [{ address: 10.0.2.2, port: 8080 }] }',
    '    - { vip: 10.0.9.100, port: 8000, portEnd: 8499, protocol: udp, endpoints: [{ address: 10.0.2.2 }] }',
  ]);
  t.deepEqual(errorsOf(file), []);
});

test('bad ranges: below the start, on icmp, overlapping', (t) => {
  const file = scenario([
    '    - { vip: 10.0.9.100, port: 8000, portEnd: 7999, protocol: tcp, endpoints: [{ address: 10.0.2.2 }] }', // 9
    '    - { vip: 10.0.9.100, port: 0, portEnd: 10, protocol: icmp, endpoints: [{ address: 10.0.2.2 }] }', //    10
    '    - { vip: 10.0.9.100, port: 9000, portEnd: 9010, protocol: tcp, endpoints: [{ address: 10.0.2.2 }] }', // 11
    '    - { vip: 10.0.9.100, port: 9010, portEnd: 9020, protocol: tcp, endpoints: [{ address: 10.0.2.2 }] }', // 12
  ]);
  t.deepEqual(errorsOf(file), [
    `${file}:9: datapath.lbRules[0].portEnd: 7999 is below port 8000 (a range runs from port to portEnd, inclusive)`,
    `${file}:10: datapath.lbRules[1].portEnd: a port range needs tcp, udp or sctp (icmp has no ports)`,
    `${file}:12: datapath.lbRules[3].portEnd: ports 9010-9020 overlap lbRules[2] (ports 9000-9010); ranges of one VIP, protocol and zone must not share a port`,
  ]);
});

test('portEnd out of bounds is a schema error', (t) => {
  const file = scenario(['    - { vip: 10.0.9.100, port: 9, portEnd: 70000, protocol: tcp, endpoints: [{ address: 10.0.2.2 }] }']);
  t.deepEqual(errorsOf(file), [`${file}:9: datapath.lbRules[0].portEnd: expected an integer in 1..65535, got 70000`]);
});
