// Bad input: policers, mirrors, QoS and tunnels are rejected with an error naming
// the field, and nothing is written (every configuration map, these included,
// compared whole before and after).
import test from 'ava';
import type { Datapath } from '../../src/datapath/index.js';
import type { ConfigChange } from '../../src/datapath/model.js';
import { ROUTER_MAC, loadDatapath } from './_setup.js';

let dp: Datapath;

const TUN = { local: '10.0.0.1', remote: '10.0.0.2', srcMac: '02:00:00:00:0d:02', dstMac: '02:00:00:00:0d:01', ifname: 'lo' };

test.before(() => {
  dp = loadDatapath();
  dp.apply({
    policers: [{ id: 1, mode: 'trtcm', cir: 1000, cbs: 1500, pir: 2000, pbs: 3000 }],
    mirrors: [{ id: 1, ifname: 'lo', vlan: 99 }],
    interfaces: [{ ifname: 'lo', port: 1, policer: 1, mirror: 1 }],
    routerMacs: [{ mac: ROUTER_MAC }],
    nextHops: [{ id: 1, mac: '02:00:00:00:01:01', srcMac: '02:00:00:00:00:02', ifname: 'lo' }],
    qos: [{ port: 1, class: 5, priority: 6, dscp: 46 }],
    tunnels: [
      { id: 1, type: 'vxlan', key: 5000, ...TUN },
      { id: 2, type: 'gtpu', key: 0x55, ...TUN },
    ],
    tunnelTerms: [{ type: 'gtpu', key: 0x2000, local: '10.0.0.1', nextHop: 1 }],
    tunnelL2: [{ mac: '02:00:00:00:0e:01', tunnel: 1 }],
    tunnelRoutes: [{ addr: '10.60.0.1', tunnel: 2 }],
  });
});

test.after.always(() => dp?.destroy());

function snapshot(): Record<string, [string, string][]> {
  const out: Record<string, [string, string][]> = {};
  for (const [name, m] of Object.entries(dp.dumpConfig())) out[name] = [...m].sort();
  return out;
}

test('the configuration maps compared include the policer, QoS, mirror and tunnel ones', (t) => {
  const s = snapshot();
  for (const m of ['pol', 'qos', 'mirr', 'tun', 'tun_term', 'tun_dst']) t.true((s[m]?.length ?? 0) > 0, m);
});

// A valid part that would be written if the change were not rejected as a whole.
const GOOD: ConfigChange = {
  policers: [{ id: 7, mode: 'srtcm', cir: 5000, cbs: 3000, ebs: 3000 }],
  interfaces: [{ ifname: 'lo', vlan: 5, port: 5, policer: 7 }],
  tunnels: [{ id: 9, type: 'ipip', ...TUN }],
};

const BAD: [string, ConfigChange, RegExp][] = [
  [
    'CIR above PIR',
    { ...GOOD, policers: [{ id: 8, mode: 'trtcm', cir: 3000, cbs: 100, pir: 2000, pbs: 100 }] },
    /^policers\[0\]\.cir: 3000 is above pir 2000 \(RFC 2698 needs cir <= pir\)$/,
  ],
  [
    'zero committed burst',
    { ...GOOD, policers: [{ id: 8, mode: 'srtcm', cir: 3000, cbs: 0, ebs: 100 }] },
    /^policers\[0\]\.cbs: expected an integer 1\.\.\d+, got 0$/,
  ],
  [
    'zero peak burst',
    { ...GOOD, policers: [{ id: 8, mode: 'trtcm', cir: 1000, cbs: 100, pir: 2000, pbs: 0 }] },
    /^policers\[0\]\.pbs: expected an integer 1\.\.\d+, got 0$/,
  ],
  [
    'zero rate',
    { policers: [{ id: 8, mode: 'srtcm', cir: 0, cbs: 100 }] },
    /^policers\[0\]\.cir: expected an integer 1\.\.4000000000, got 0$/,
  ],
  [
    'rate beyond the datapath limit',
    { policers: [{ id: 8, mode: 'srtcm', cir: 5e9, cbs: 100 }] },
    /^policers\[0\]\.cir: expected an integer 1\.\.4000000000, got 5000000000$/,
  ],
  [
    'unknown mode',
    { policers: [{ id: 8, mode: 'tbf' as 'srtcm', cir: 10, cbs: 100 }] },
    /^policers\[0\]\.mode: expected 'trtcm' or 'srtcm', got "tbf"$/,
  ],
  [
    'srTCM with a peak rate',
    { policers: [{ id: 8, mode: 'srtcm', cir: 10, cbs: 100, pir: 20 }] },
    /^policers\[0\]\.pir: an srtcm policer has one rate/,
  ],
  [
    'a DSCP both yellow and red',
    { policers: [{ id: 8, mode: 'srtcm', cir: 10, cbs: 100, colourAware: true, yellowDscps: [10], redDscps: [10] }] },
    /^policers\[0\]\.redDscps: a DSCP is listed both yellow and red$/,
  ],
  [
    'DSCP lists on a colour-blind policer',
    { policers: [{ id: 8, mode: 'srtcm', cir: 10, cbs: 100, redDscps: [10] }] },
    /^policers\[0\]\.colourAware: yellowDscps\/redDscps need colourAware: true$/,
  ],
  [
    'DSCP out of range',
    { policers: [{ id: 8, mode: 'srtcm', cir: 10, cbs: 100, remarkYellow: 64 }] },
    /^policers\[0\]\.remarkYellow: expected an integer 0\.\.63, got 64$/,
  ],
  [
    'policer id 0',
    { policers: [{ id: 0, mode: 'srtcm', cir: 10, cbs: 100 }] },
    /^policers\[0\]\.id: expected an integer 1\.\.4095, got 0$/,
  ],
  [
    'unknown policer id on an interface',
    { ...GOOD, interfaces: [{ ifname: 'lo', vlan: 6, port: 6, policer: 9 }] },
    /^interfaces\[0\]\.policer: policer 9 is not configured$/,
  ],
  [
    'removing a policer an interface uses',
    { remove: { policers: [1] } },
    /^remove\.policers: policer 1 is still used by installed interface ifindex 1 vlan 0$/,
  ],
  ['removing a policer that is not configured', { remove: { policers: [3] } }, /^remove\.policers\[0\]: policer 3 is not configured$/],
  [
    'the same policer twice',
    {
      policers: [
        { id: 8, mode: 'srtcm', cir: 10, cbs: 100 },
        { id: 8, mode: 'srtcm', cir: 10, cbs: 100 },
      ],
    },
    /^policers\[1\]: policer 8 appears twice in this change$/,
  ],
  [
    'unknown mirror port',
    { ...GOOD, mirrors: [{ id: 2, ifname: 'fp-nosuchif' }] },
    /^mirrors\[0\]\.ifname: unknown interface 'fp-nosuchif'/,
  ],
  [
    'unknown mirror id on an interface',
    { ...GOOD, interfaces: [{ ifname: 'lo', vlan: 6, port: 6, mirror: 4 }] },
    /^interfaces\[0\]\.mirror: mirror 4 is not configured$/,
  ],
  ['mirror id 32', { mirrors: [{ id: 32, ifname: 'lo' }] }, /^mirrors\[0\]\.id: expected an integer 1\.\.31, got 32$/],
  [
    'a mirror copying nothing',
    { mirrors: [{ id: 2, ifname: 'lo', ingress: false }] },
    /^mirrors\[0\]\.ingress: a mirror copies ingress, egress or both$/,
  ],
  [
    'removing a mirror an interface uses',
    { remove: { mirrors: [1] } },
    /^remove\.mirrors: mirror 1 is still used by installed interface ifindex 1 vlan 0$/,
  ],
  ['QoS class 8', { ...GOOD, qos: [{ port: 1, class: 8, priority: 1 }] }, /^qos\[0\]\.class: expected an integer 0\.\.7, got 8$/],
  ['QoS port beyond the table', { qos: [{ port: 512, class: 0, priority: 1 }] }, /^qos\[0\]\.port: expected an integer 0\.\.511, got 512$/],
  [
    'removing a QoS entry that is not there',
    { remove: { qos: [{ port: 2, class: 0 }] } },
    /^remove\.qos\[0\]: no QoS entry for port 2 class 0$/,
  ],
  [
    'duplicate TEID (installed, other local address)',
    { ...GOOD, tunnelTerms: [{ type: 'gtpu', key: 0x2000, local: '10.0.0.9', nextHop: 1 }] },
    /^tunnelTerms\[0\]\.key: duplicate TEID 8192 \(already used by an installed termination\)$/,
  ],
  [
    'duplicate TEID in one change',
    {
      tunnelTerms: [
        { type: 'gtpu', key: 0x3000, local: '10.0.0.1', nextHop: 1 },
        { type: 'gtpu', key: 0x3000, local: '10.0.0.8', nextHop: 1 },
      ],
    },
    /^tunnelTerms\[1\]\.key: duplicate TEID 12288 \(already used by tunnelTerms\[0\]\)$/,
  ],
  [
    'GTP-U termination to an unknown next hop',
    { tunnelTerms: [{ type: 'gtpu', key: 0x3000, local: '10.0.0.1', nextHop: 44 }] },
    /^tunnelTerms\[0\]\.nextHop: next hop 44 does not exist$/,
  ],
  [
    'removing a next hop a termination uses',
    { remove: { nextHops: [1] } },
    /^remove\.nextHops: next hop 1 is still used by GTP-U termination TEID 8192$/,
  ],
  [
    'VNI beyond 24 bits',
    { ...GOOD, tunnels: [{ id: 3, type: 'vxlan', key: 0x1000000, ...TUN }] },
    /^tunnels\[0\]\.key: expected an integer 0\.\.16777215, got 16777216$/,
  ],
  ['a key on an ipip tunnel', { tunnels: [{ id: 3, type: 'ipip', key: 5, ...TUN }] }, /^tunnels\[0\]\.key: an ipip tunnel has no key$/],
  [
    'QFI on a VXLAN tunnel',
    { tunnels: [{ id: 3, type: 'vxlan', key: 5, qfi: 1, ...TUN }] },
    /^tunnels\[0\]\.qfi: only gtpu tunnels carry a QFI$/,
  ],
  ['bad tunnel address', { tunnels: [{ id: 3, type: 'ipip', ...TUN, remote: '10.0.0.300' }] }, /^tunnels\[0\]\.remote: /],
  [
    'unknown tunnel interface',
    { tunnels: [{ id: 3, type: 'ipip', ...TUN, ifname: 'fp-nosuchif' }] },
    /^tunnels\[0\]\.ifname: unknown interface 'fp-nosuchif'/,
  ],
  [
    'L2 entry over an unknown tunnel',
    { ...GOOD, tunnelL2: [{ mac: '02:00:00:00:0e:02', tunnel: 5 }] },
    /^tunnelL2\[0\]\.tunnel: tunnel 5 is not configured$/,
  ],
  [
    'L2 entry over a GTP-U tunnel',
    { tunnelL2: [{ mac: '02:00:00:00:0e:02', tunnel: 2 }] },
    /^tunnelL2\[0\]\.tunnel: tunnel 2 is gtpu; L2 needs vxlan or nvgre$/,
  ],
  [
    'L3 destination over a VXLAN tunnel',
    { tunnelRoutes: [{ addr: '10.60.0.2', tunnel: 1 }] },
    /^tunnelRoutes\[0\]\.tunnel: tunnel 1 is vxlan; L3 needs gtpu or ipip$/,
  ],
  ['removing a tunnel an L2 entry uses', { remove: { tunnels: [1] } }, /^remove\.tunnels: tunnel 1 is still used by an L2 entry \(bd 0\)$/],
  ['removing a tunnel a tunnel route uses', { remove: { tunnels: [2] } }, /^remove\.tunnels: tunnel 2 is still used by a tunnel route$/],
  [
    'an L2 entry and a tunnel L2 entry for the same MAC',
    { l2: [{ mac: '02:00:00:00:0e:03', ifname: 'lo' }], tunnelL2: [{ mac: '02:00:00:00:0e:03', tunnel: 1 }] },
    /^tunnelL2\[0\]: L2 entry 02:00:00:00:0e:03 bd 0 appears twice in this change$/,
  ],
];

for (const [name, change, message] of BAD) {
  test.serial(`rejected, nothing written: ${name}`, (t) => {
    const before = snapshot();
    const err = t.throws(() => dp.apply(change));
    t.regex(err?.message ?? '', message);
    t.deepEqual(snapshot(), before);
  });
}

test.serial('the good part alone applies; removing it restores every map', (t) => {
  const before = snapshot();
  dp.apply(GOOD);
  t.notDeepEqual(snapshot(), before);
  dp.apply({ remove: { interfaces: [{ ifname: 'lo', vlan: 5 }], policers: [7], tunnels: [9] } });
  const after = snapshot();
  delete after.cfg;
  const expected = { ...before };
  delete expected.cfg;
  t.deepEqual(after, expected);
});
