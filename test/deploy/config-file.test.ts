// A deployment config with problems: every one reported at once as file:line: field:
// message, and `dp up` loads nothing (no pins, no state). The local routes from
// `addresses` and the diff between two states, exactly.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { formatProblem, loadConfigFile } from '../../src/deploy/config-file.js';
import { desiredState, diffStates } from '../../src/deploy/desired-state.js';
import { stateDirOf } from '../../src/deploy/state-dir.js';
import { REPO } from './_paths.js';

const dir = mkdtempSync(join(tmpdir(), 'fp-deploy-config-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const BAD = `attach:
  - { ifname: nosuch0 }
addresses: [10.0.1.300]
bogus: 1
datapath:
  interfaces:
    - { ifname: lo, port: 1 }
  policers:
    - { id: 1, mode: trtcm, cir: 2000000, cbs: 10000, pir: 1000000, pbs: 10000 }
  lbRules:
    - { vip: 10.0.9.100, port: 80, protocol: tcp, endpoints: [] }
    - { vip: 10.0.9.101, port: 80, protocol: tcp, endpoints: [{ address: 10.0.2.2, port: 80, wieght: 2 }] }
`;

test('every problem of a config at once, with file, line and field', (t) => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, BAD);
  const r = loadConfigFile(file, (ifname) => ifname === 'lo');
  t.is(r.config, undefined);
  t.deepEqual(r.problems.map(formatProblem), [
    `${file}:2: attach[0].ifname: 'nosuch0' is not among datapath.interfaces (its packets would all go to the stack)`,
    `${file}:2: attach[0].ifname: no interface 'nosuch0' in the target namespace`,
    `${file}:3: addresses[0]: '10.0.1.300' is not an IPv4 address`,
    `${file}:4: bogus: unknown field (allowed: pinRoot, attach, addresses, ct, datapath)`,
    `${file}:9: datapath.policers[0].cir: 2000000 is above pir 1000000 (RFC 2698 needs cir <= pir)`,
    `${file}:11: datapath.lbRules[0].endpoints: expected at least 1 item, got 0`,
    `${file}:12: datapath.lbRules[1].endpoints[0].wieght: unknown field (allowed: address, port, weight, active)`,
  ]);
});

test('dp up with a bad config loads nothing and exits 2', (t) => {
  const file = join(dir, 'bad-up.yaml');
  writeFileSync(file, BAD);
  const pinRoot = `/sys/fs/bpf/fastpath-badcfg-${process.pid}`;
  const r = spawnSync(process.execPath, [join(REPO, 'dist', 'src', 'cli.js'), 'dp', 'up', file, '--pin-root', pinRoot], {
    encoding: 'utf8',
  });
  t.is(r.status, 2);
  t.regex(r.stderr, /7 problems; nothing was loaded/);
  t.false(existsSync(pinRoot));
  t.false(existsSync(stateDirOf(pinRoot)));
});

test('own addresses give local /32 and /128 routes, unless the config routes the prefix itself', (t) => {
  const state = desiredState({
    attach: [{ ifname: 'eth0' }],
    addresses: ['10.0.1.1', 'fd00:1::1', '10.0.2.1'],
    datapath: { routes: [{ prefix: '10.0.2.1/32', nextHops: [3] }] },
  });
  t.deepEqual(state.routes, [
    { prefix: '10.0.2.1/32', nextHops: [3] },
    { prefix: '10.0.1.1/32', local: true },
    { prefix: 'fd00:1::1/128', local: true },
  ]);
});

test('the diff of two states: additions, changes (a route replaced), removals by key', (t) => {
  const from = {
    routes: [
      { prefix: '10.0.0.0/24', nextHops: [1] },
      { prefix: '10.0.9.0/24', nextHops: [1] },
    ],
    nextHops: [{ id: 1, mac: '02:00:00:00:00:01', srcMac: '02:00:00:00:00:02', ifname: 'a' }],
    lbRules: [{ vip: '10.0.9.100', port: 80, protocol: 'tcp' as const, endpoints: [{ address: '10.0.2.2' }] }],
  };
  const to = {
    routes: [{ prefix: '10.0.0.0/24', nextHops: [2] }],
    nextHops: [...from.nextHops, { id: 2, mac: '02:00:00:00:00:03', srcMac: '02:00:00:00:00:02', ifname: 'a' }],
    lbRules: [{ vip: '10.0.9.100', port: 8080, protocol: 'tcp' as const, endpoints: [{ address: '10.0.2.2' }] }],
  };
  const d = diffStates(from, to);
  t.deepEqual(d.change, {
    nextHops: [to.nextHops[1]],
    routes: [{ prefix: '10.0.0.0/24', nextHops: [2], replace: true }],
    lbRules: [to.lbRules[0]],
    removeLbRules: [{ vip: '10.0.9.100', port: 80, protocol: 'tcp' }],
    remove: { routes: [{ prefix: '10.0.9.0/24' }] },
  });
  t.deepEqual(d.summary, [
    '+ nextHops 2',
    '~ routes 0|10.0.0.0/24',
    '- routes 0|10.0.9.0/24',
    '+ lbRules tcp|0|10.0.9.100|8080|8080',
    '- lbRules tcp|0|10.0.9.100|80|80',
  ]);
  t.deepEqual(diffStates(to, to), { change: {}, summary: [] });
});
