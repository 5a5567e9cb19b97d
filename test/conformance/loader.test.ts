// Scenario loading: YAML syntax, schema and semantic errors with file:line and field path;
// every problem collected; an invalid file among valid ones runs nothing; the library loads.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PATHS, lbCodecs } from '../../src/datapath/index.js';
import {
  ScenarioLoadError,
  formatScenarioError,
  loadScenarioFile,
  loadScenarios,
  runConformance,
  selectFiles,
} from '../../src/conformance/index.js';
import { CLI, REPO } from './_helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'fp-conformance-loader-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function errorsOf(file: string): string[] {
  return loadScenarioFile(file).errors.map(formatScenarioError);
}

const VALID = `name: tiny
description: one packet routed
modes: [packet]
topology: netns/topologies/three-host.yaml
dut: router
datapath:
  interfaces: [{ ifname: to-client, port: 1 }, { ifname: to-server, port: 2 }]
  routerMacs: [{ mac: "02:00:00:00:00:01" }]
  nextHops: [{ id: 1, mac: "02:00:00:00:00:02", srcMac: "02:00:00:00:00:03", ifname: to-server }]
  routes: [{ prefix: 10.0.2.0/24, nextHops: [1] }]
steps:
  - inject:
      from: client:eth0
      packet:
        - { type: eth, dst: "02:00:00:00:00:01", src: "02:00:00:00:00:09" }
        - { type: ipv4, src: 10.0.1.2, dst: 10.0.2.2 }
        - { type: payload, hex: "00ff" }
      expect: { verdict: forward, out: server:eth0 }
`;

test('a valid file loads into the scenario model (layers with bytes, defaults)', (t) => {
  const file = write('valid.yaml', VALID);
  const r = loadScenarioFile(file);
  t.deepEqual(r.errors, []);
  const s = r.scenarios[0]!;
  t.is(s.name, 'tiny');
  t.is(s.timeoutMs, 60000);
  t.deepEqual(s.tags, []);
  t.is(s.topology.hosts.length, 3);
  t.is(s.steps.length, 1);
  const step = s.steps[0]!;
  t.is(step.kind, 'inject');
  t.is(step.line, 12);
  if (step.kind === 'inject') {
    t.deepEqual(step.inject.packet[2], { type: 'payload', data: Buffer.from([0, 0xff]) });
    t.is(step.inject.expect.out, 'server:eth0');
  }
});

test('YAML syntax errors name the line; nothing else is checked', (t) => {
  const file = write('syntax.yaml', 'name: broken\nsteps: [1, 2\ndescription: x\n');
  t.deepEqual(errorsOf(file), [`${file}:3: (yaml): Flow sequence in block collection must be sufficiently indented and end with a ]`]);
});

test('schema violations: every one, with line and field path, in file order', (t) => {
  const file = write(
    'schema.yaml',
    [
      'name: Bad_Name', //                                                        1
      'description: ""', //                                                       2
      'modes: [wire, both]', //                                                   3
      'topology: netns/topologies/pair.yaml', //                                  4
      'dut: right', //                                                            5
      'datapath:', //                                                             6
      '  interfaces:', //                                                         7
      '    - { ifname: eth0, port: 70000 }', //                                   8
      '  routes:', //                                                             9
      '    - { prefix: 10.0.0.0/8, nextHops: [] }', //                           10
      'steps:', //                                                               11
      '  - wait: { ms: 10 }', //                                                 12
      '  - send: { id: f, from: left, to: 10.10.0.2, proto: tcp, port: 80, count: ten }', // 13
      '  - wait: { ms: 1 }', //                                                  14
      '    config: {}', //                                                       15
      '  - {}', //                                                               16
      '  - bogus: 1', //                                                         17
      'expect:', //                                                              18
      '  - paths: { l3_fwd: -1 }', //                                            19
      '  - drops: {}', //                                                        20
      '    colour: red', //                                                      21
      '',
    ].join('\n'),
  );
  t.deepEqual(errorsOf(file), [
    `${file}:1: name: "Bad_Name" does not match the pattern ^[a-z0-9][a-z0-9-]{0,47}$`,
    `${file}:2: description: expected a non-empty string`,
    `${file}:3: modes[1]: expected one of "wire", "packet", got "both"`,
    `${file}:8: datapath.interfaces[0].port: expected an integer in 0..65535, got 70000`,
    `${file}:10: datapath.routes[0].nextHops: expected at least 1 item, got 0`,
    `${file}:13: steps[1].send.count: expected an integer in 1..10000, got "ten"`,
    `${file}:14: steps[2]: expected exactly one of server, send, inject, config, wait, age, policerState, flood, http, bulk, got config and wait`,
    `${file}:16: steps[3]: expected exactly one of server, send, inject, config, wait, age, policerState, flood, http, bulk`,
    `${file}:17: steps[4].bogus: unknown field (allowed: modes, server, send, inject, config, wait, age, policerState, flood, http, bulk)`,
    `${file}:17: steps[4]: expected exactly one of server, send, inject, config, wait, age, policerState, flood, http, bulk`,
    `${file}:19: expect[0].paths.l3_fwd: expected an integer >= 0, got -1`,
    `${file}:21: expect[1].colour: unknown field (allowed: modes, paths, drops, nextHops, interfaces, events, answers, ct, policers, flood)`,
  ]);
});

test('field names of an inject expectation are checked against their pattern', (t) => {
  const file = write(
    'fields.yaml',
    VALID.replace('expect: { verdict: forward, out: server:eth0 }', 'expect: { verdict: forward, out: server:eth0, fields: { dst: 1 } }'),
  );
  t.deepEqual(errorsOf(file), [
    `${file}:18: steps[0].inject.expect.fields.dst: field name "dst" does not match the pattern ^[a-z0-9]+(\\[\\d+\\])?\\.[A-Za-z0-9_.]+$`,
  ]);
});

test('a missing required field is reported at its parent', (t) => {
  const file = write(
    'missing.yaml',
    'name: x\ndescription: y\nmodes: [packet]\ntopology: netns/topologies/pair.yaml\ndatapath: {}\nsteps:\n  - inject: { from: left:eth0, expect: { verdict: drop } }\n',
  );
  t.deepEqual(errorsOf(file), [
    `${file}:1: dut: required field is missing`,
    `${file}:7: steps[0].inject.packet: required field is missing`,
  ]);
});

test('semantic errors: unknown hosts, interfaces, servers, send ids, counters, modes, features', (t) => {
  const file = write(
    'semantic.yaml',
    [
      'name: semantic', //                                                        1
      'description: names that do not exist', //                                  2
      'modes: [packet, wire]', //                                                 3
      'topology: netns/topologies/pair.yaml', //                                  4
      'dut: right', //                                                            5
      'datapath:', //                                                             6
      '  interfaces: [{ ifname: eth9, port: 1 }]', //                             7
      '  nextHops: [{ id: 1, mac: "02:00:00:00:00:01", srcMac: "02:00:00:00:00:02", ifname: eth0 }]', // 8
      '  routes: [{ prefix: 10.0.0.0/8, nextHops: [2] }]', //                     9
      '  tunnelL2: [{ mac: "02:00:00:00:00:09", tunnel: 7 }]', //                 10
      'steps:', //                                                               11
      '  - server: { host: nowhere, proto: tcp, port: 80 }', //                  12
      '  - modes: [wire]', //                                                    13
      '    send: { id: f1, from: left, to: 10.10.0.2, proto: tcp, port: 80 }', // 14
      '  - inject:', //                                                          15
      '      from: left:eth7', //                                                16
      '      packet: [{ type: ipv4, src: 10.0.0.1, dst: 300.0.0.1 }]', //         17
      '      expect: { verdict: drop, out: right:eth0 }', //                      18
      'expect:', //                                                              19
      '  - paths: { l3_fwd: 1, warp_speed: 2 }', //                              20
      '  - modes: [wire]', //                                                    21
      '    answers: { send: f2, counts: { ghost: 1 } }', //                      22
      '  - answers: { send: f1, sequence: [left] }', //                          23
      '  - ct: { states: { dancing: 1 } }', //                                   24
      '  - interfaces: { eth0: 1, eth9: 2 }', //                                 25
      '  - events: { route-miss: 1, mac-forget: 1 }', //                         26
      '',
    ].join('\n'),
  );
  t.deepEqual(errorsOf(file), [
    `${file}:7: datapath.interfaces[0].ifname: 'eth9' is not an interface of the dut 'right' (it has: eth0)`,
    `${file}:9: datapath.routes[0].nextHops[0]: next hop 2 is not defined in datapath.nextHops`,
    `${file}:10: datapath.tunnelL2[0].tunnel: tunnel 7 is not defined in datapath.tunnels`,
    `${file}:12: steps[0].server: a server step runs real traffic and needs wire mode; give the step modes: [wire]`,
    `${file}:12: steps[0].server.host: unknown host 'nowhere' (hosts: left, right)`,
    `${file}:16: steps[2].inject.from: host 'left' has no link end named 'eth7'`,
    `${file}:17: steps[2].inject.packet[0].dst: '300.0.0.1' is not an IPv4 address`,
    `${file}:18: steps[2].inject.expect.out: only a forwarded packet has out (verdict is 'drop')`,
    `${file}:20: expect[0].paths.warp_speed: unknown path counter (known: ${[...PATHS, 'fast_hit'].join(', ')})`,
    `${file}:22: expect[1].answers.send: no send step has id 'f2'`,
    `${file}:22: expect[1].answers.counts.ghost: 'ghost' names no server (servers are started on: none)`,
    `${file}:23: expect[2].answers: answers come from real traffic and need wire mode; give the expectation modes: [wire]`,
    `${file}:23: expect[2].answers.sequence[0]: 'left' names no server (servers are started on: none)`,
    `${file}:24: expect[3].ct.states.dancing: unknown connection state (known: ${lbCodecs.CT_STATES.join(', ')})`,
    `${file}:25: expect[4].interfaces.eth9: 'eth9' is not an interface of the dut 'right' (it has: eth0)`,
    `${file}:26: expect[5].events.mac-forget: unknown event type (known: mac-learn, route-miss, nh-miss)`,
  ]);
});

test('policer, QoS, mirror and tunnel sections: schema errors and references to policers, mirrors, tunnels, next hops', (t) => {
  const schemaBad = write(
    'features-schema.yaml',
    [
      'name: features-schema', //                                                       1
      'description: policer, mirror and tunnel sections with bad fields', //                         2
      'modes: [packet]', //                                                        3
      'topology: netns/topologies/pair.yaml', //                                   4
      'dut: right', //                                                             5
      'datapath:', //                                                              6
      '  policers: [{ id: 1, mode: trtcm, cir: 1000 }]', //                        7
      '  tunnels: [{ id: 1, type: geneve, local: 10.0.0.1, remote: 10.0.0.2, srcMac: "02:00:00:00:00:01", dstMac: "02:00:00:00:00:02", ifname: eth0 }]', // 8
      '  mirrors: [{ id: 40, ifname: eth0 }]', //                                  9
      'steps:', //                                                                10
      '  - inject: { from: left:eth0, packet: [{ type: eth, ethertype: 0x0800 }], expect: { verdict: drop } }', // 11
      '',
    ].join('\n'),
  );
  const schemaErrors = errorsOf(schemaBad);
  t.true(
    schemaErrors.some((e) => e.startsWith(`${schemaBad}:7: datapath.policers[0].cbs:`)),
    schemaErrors.join('\n'),
  );
  t.true(
    schemaErrors.some((e) => e.startsWith(`${schemaBad}:8: datapath.tunnels[0].type:`)),
    schemaErrors.join('\n'),
  );
  t.true(
    schemaErrors.some((e) => e.startsWith(`${schemaBad}:9: datapath.mirrors[0].id:`)),
    schemaErrors.join('\n'),
  );

  const file = write(
    'features-refs.yaml',
    [
      'name: features-refs', //                                                         1
      'description: policer, mirror and tunnel sections that refer to nothing', //                   2
      'modes: [packet]', //                                                        3
      'topology: netns/topologies/pair.yaml', //                                   4
      'dut: right', //                                                             5
      'datapath:', //                                                              6
      '  interfaces: [{ ifname: eth0, port: 1, policer: 3, mirror: 4 }]', //        7
      '  mirrors: [{ id: 1, ifname: eth5 }]', //                                   8
      '  tunnels: [{ id: 1, type: gtpu, key: 9, local: 10.0.0.1, remote: 10.0.0.2, srcMac: "02:00:00:00:00:01", dstMac: "02:00:00:00:00:02", ifname: eth6 }]', // 9
      '  tunnelRoutes: [{ addr: 10.60.0.1, tunnel: 2 }]', //                        10
      '  tunnelTerms:', //                                                        11
      '    - { type: gtpu, key: 1, local: 10.0.0.1 }', //                           12
      '    - { type: gtpu, key: 2, local: 10.0.0.1, nextHop: 5 }', //               13
      '    - { type: vxlan, key: 3, local: 10.0.0.1, nextHop: 5 }', //              14
      'steps:', //                                                                15
      '  - inject: { from: left:eth0, packet: [{ type: eth, ethertype: 0x0800 }], expect: { verdict: drop } }', // 16
      '',
    ].join('\n'),
  );
  t.deepEqual(errorsOf(file), [
    `${file}:7: datapath.interfaces[0].policer: policer 3 is not defined in datapath.policers`,
    `${file}:7: datapath.interfaces[0].mirror: mirror 4 is not defined in datapath.mirrors`,
    `${file}:8: datapath.mirrors[0].ifname: 'eth5' is not an interface of the dut 'right' (it has: eth0)`,
    `${file}:9: datapath.tunnels[0].ifname: 'eth6' is not an interface of the dut 'right' (it has: eth0)`,
    `${file}:10: datapath.tunnelRoutes[0].tunnel: tunnel 2 is not defined in datapath.tunnels`,
    `${file}:12: datapath.tunnelTerms[0].nextHop: a gtpu termination needs nextHop (where the inner packet leaves)`,
    `${file}:13: datapath.tunnelTerms[1].nextHop: next hop 5 is not defined in datapath.nextHops`,
    `${file}:14: datapath.tunnelTerms[2].nextHop: next hop 5 is not defined in datapath.nextHops`,
    `${file}:14: datapath.tunnelTerms[2].nextHop: only a gtpu termination takes nextHop (a vxlan one bridges by bd)`,
  ]);
});

test('policerState steps and policers expectations: packet mode only, known policer ids', (t) => {
  const file = write(
    'policer-refs.yaml',
    [
      'name: policer-refs', //                                                     1
      'description: policer test control used wrongly', //                       2
      'modes: [packet, wire]', //                                                  3
      'topology: netns/topologies/pair.yaml', //                                   4
      'dut: right', //                                                             5
      'datapath:', //                                                              6
      '  policers: [{ id: 1, mode: srtcm, cir: 1000, cbs: 1000 }]', //              7
      '  interfaces: [{ ifname: eth0, port: 1, policer: 1 }]', //                   8
      'steps:', //                                                                 9
      '  - policerState: { id: 2, cTokens: 10, eTokens: 0 }', //                    10
      '  - modes: [packet]', //                                                    11
      '    policerState: { id: 1, cTokens: -1, eTokens: 0 }', //                    12
      'expect:', //                                                               13
      '  - policers: { "1": { green: 1 }, "9": { red: { min: 1 } } }', //           14
      '  - policers: { "1": { blue: 1 } }', //                                      15
      '',
    ].join('\n'),
  );
  const errors = errorsOf(file);
  t.true(
    errors.some((e) => e.startsWith(`${file}:12: steps[1].policerState.cTokens:`)),
    errors.join('\n'),
  );
  t.true(
    errors.some((e) => e.startsWith(`${file}:15: expect[1].policers.1.blue:`)),
    errors.join('\n'),
  );

  const sem = write(
    'policer-sem.yaml',
    [
      'name: policer-sem', //                                                      1
      'description: policer test control used wrongly', //                       2
      'modes: [packet, wire]', //                                                  3
      'topology: netns/topologies/pair.yaml', //                                   4
      'dut: right', //                                                             5
      'datapath:', //                                                              6
      '  policers: [{ id: 1, mode: srtcm, cir: 1000, cbs: 1000 }]', //              7
      '  interfaces: [{ ifname: eth0, port: 1, policer: 1 }]', //                   8
      'steps:', //                                                                 9
      '  - policerState: { id: 2, cTokens: 10, eTokens: 0 }', //                    10
      'expect:', //                                                               11
      '  - policers: { "1": { green: 1 }, "9": { red: { min: 1 } } }', //           12
      '',
    ].join('\n'),
  );
  t.deepEqual(errorsOf(sem), [
    `${sem}:10: steps[0].policerState: a policerState step sets map state directly (test control) and needs packet mode; give the step modes: [packet]`,
    `${sem}:10: steps[0].policerState.id: policer 2 is not defined in datapath.policers`,
    `${sem}:12: expect[0].policers.9: policer 9 is not defined in the datapath config`,
  ]);
});

test('inline topology errors point into the topology', (t) => {
  const file = write(
    'topo.yaml',
    VALID.replace(
      'topology: netns/topologies/three-host.yaml',
      [
        'topology:',
        '  hosts: [{ name: router }, { name: client }, { name: server }]',
        '  links:',
        '    - a: { host: client, ifname: eth0 }',
        '      b: { host: nobody, ifname: eth0 }',
      ].join('\n'),
    ),
  );
  const errors = errorsOf(file);
  t.is(errors[0], `${file}:8: topology.links[0].b.host: unknown host 'nobody'`);
});

test('two files with the same name are refused', (t) => {
  const a = write('dup-a.yaml', VALID);
  const b = write('dup-b.yaml', VALID);
  t.deepEqual(loadScenarios([a, b]).errors.map(formatScenarioError), [`${b}:1: name: 'tiny' is also the name of ${a}`]);
});

test('an invalid file among valid ones: nothing runs, every problem is reported', async (t) => {
  const bad = write('among.yaml', VALID.replace('port: 2 }', 'port: two }'));
  let planned = false;
  const err = await t.throwsAsync(
    runConformance({
      paths: [join(REPO, 'scenarios'), bad],
      onPlan: () => {
        planned = true;
      },
    }),
    { instanceOf: ScenarioLoadError },
  );
  t.false(planned);
  t.deepEqual(err.errors.map(formatScenarioError), [`${bad}:7: datapath.interfaces[1].port: expected an integer in 0..65535, got "two"`]);

  const cli = spawnSync(process.execPath, [CLI, 'conformance', join(REPO, 'scenarios', 'route-v4.yaml'), bad], { encoding: 'utf8' });
  t.is(cli.status, 2);
  t.is(cli.stdout, 'TAP version 13\nBail out! 1 problem in the scenario files; nothing was run\n');
  t.is(
    cli.stderr,
    `1 problem in the scenario files; nothing was run:\n${bad}:7: datapath.interfaces[1].port: expected an integer in 0..65535, got "two"\n`,
  );
});

test('the scenario library is valid, in a fixed order', (t) => {
  const files = selectFiles([]);
  t.true(files.length >= 5);
  t.deepEqual(files, [...files].sort());
  t.deepEqual(loadScenarios(files).errors.map(formatScenarioError), []);
});

test('bad command-line arguments exit 2 naming the problem', (t) => {
  const r = spawnSync(process.execPath, [CLI, 'conformance', '--mode', 'sideways'], { encoding: 'utf8' });
  t.is(r.status, 2);
  t.is(r.stderr, "fastpath conformance: --mode: expected wire, packet or both, got 'sideways'\n");
  const g = spawnSync(process.execPath, [CLI, 'conformance', join(dir, 'nothing-*.yaml')], { encoding: 'utf8' });
  t.is(g.status, 2);
  t.is(g.stderr, `fastpath conformance: ${join(dir, 'nothing-*.yaml')}: matches no file\n`);
});

test('the complete example in scenarios/README.md is a valid scenario', (t) => {
  const readme = readFileSync(join(REPO, 'scenarios', 'README.md'), 'utf8');
  const example = /## A complete example\n\n```yaml\n([\s\S]*?)```/.exec(readme);
  t.truthy(example, 'the README has the example block');
  const file = write('readme-example.yaml', example![1]!);
  const r = loadScenarioFile(file);
  t.deepEqual(r.errors.map(formatScenarioError), []);
  t.deepEqual(
    r.scenarios.map((s) => [s.name, s.modes, s.steps.map((x) => x.kind), s.expect.map((e) => e.kind)]),
    [['example-route', ['packet', 'wire'], ['inject', 'server', 'send'], ['paths', 'answers']]],
  );
});

test('the complete example in the top-level README is its scenario file, byte for byte', (t) => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const m = /A complete example\n\(`(scenarios\/[a-z0-9-]+\.yaml)`[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme);
  t.truthy(m, 'the README names the file and shows it');
  t.is(m![2], readFileSync(join(REPO, m![1]!), 'utf8'));
});
