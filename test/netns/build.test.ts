// What the builder creates is exactly what the description says, read back with `ip -j`.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { buildTopology, type TopologyDescription } from '../../netns/index.js';
import { leftovers } from './helpers.js';

const DESC: TopologyDescription = {
  hosts: [
    {
      name: 'a',
      routes: [
        { dst: '10.99.0.0/16', via: '10.5.0.2' },
        { dst: 'fd00:99::/48', via: 'fd00:5::2', dev: 'left0' },
      ],
      neighbours: [{ ip: '10.5.0.2', mac: '02:aa:00:00:00:02', dev: 'left0' }],
      sysctls: { 'net.ipv4.conf.left0.rp_filter': 2 },
    },
    { name: 'b', forwarding: true, sysctls: { 'net.ipv4.conf.all.rp_filter': 0 } },
  ],
  links: [
    {
      name: 'only',
      mtu: 1400,
      a: { host: 'a', ifname: 'left0', addresses: ['10.5.0.1/24', 'fd00:5::1/64'], mac: '02:aa:00:00:00:01' },
      b: { host: 'b', ifname: 'right0', addresses: ['10.5.0.2/24', 'fd00:5::2/64'], mac: '02:aa:00:00:00:02' },
    },
  ],
};

test('interfaces, addresses, MTU, MACs, routes, neighbours and sysctls are as described', async (t) => {
  const topo = await buildTopology(DESC);
  try {
    t.deepEqual(topo.interfaces('a'), ['left0']);
    const a = await topo.inspect('a');
    t.deepEqual(a.interfaces, [
      { ifname: 'lo', mtu: 65536, mac: '00:00:00:00:00:00', up: true, addresses: ['127.0.0.1/8', '::1/128'] },
      { ifname: 'left0', mtu: 1400, mac: '02:aa:00:00:00:01', up: true, addresses: ['10.5.0.1/24', 'fd00:5::1/64'] },
    ]);
    t.deepEqual(
      a.routes.filter((r) => !r.dst.startsWith('fe80')),
      [
        { family: 4, dst: '10.5.0.0/24', dev: 'left0' },
        { family: 4, dst: '10.99.0.0/16', via: '10.5.0.2', dev: 'left0' },
        { family: 6, dst: 'fd00:5::/64', dev: 'left0' },
        { family: 6, dst: 'fd00:99::/48', via: 'fd00:5::2', dev: 'left0' },
      ],
    );
    t.deepEqual(
      a.neighbours.filter((n) => n.state.includes('PERMANENT')),
      [{ ip: '10.5.0.2', mac: '02:aa:00:00:00:02', dev: 'left0', state: ['PERMANENT'] }],
    );
    const b = await topo.inspect('b');
    t.deepEqual(
      b.interfaces.find((i) => i.ifname === 'right0'),
      {
        ifname: 'right0',
        mtu: 1400,
        mac: '02:aa:00:00:00:02',
        up: true,
        addresses: ['10.5.0.2/24', 'fd00:5::2/64'],
      },
    );
    t.deepEqual(await topo.sysctls('a', ['net.ipv4.ip_forward', 'net.ipv4.conf.left0.rp_filter', 'net.ipv6.conf.left0.accept_dad']), {
      'net.ipv4.ip_forward': '0',
      'net.ipv4.conf.left0.rp_filter': '2',
      'net.ipv6.conf.left0.accept_dad': '0',
    });
    t.deepEqual(await topo.sysctls('b', ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv4.conf.all.rp_filter']), {
      'net.ipv4.ip_forward': '1',
      'net.ipv6.conf.all.forwarding': '1',
      'net.ipv4.conf.all.rp_filter': '0',
    });
    // Nothing of ours in the root namespace: the veth ends were created inside.
    const root = JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[];
    t.deepEqual(
      root.filter((l) => l.ifname === 'left0' || l.ifname === 'right0'),
      [],
    );
    const { stdout } = await topo.exec('a', ['cat', '/proc/sys/net/ipv4/conf/left0/rp_filter']);
    t.is(stdout, '2\n');
  } finally {
    await topo.destroy();
  }
  t.deepEqual(leftovers(topo.runId), []);
});

test('exec rejects with the command and its stderr', async (t) => {
  const topo = await buildTopology({ hosts: [{ name: 'solo' }] });
  try {
    const err = await t.throwsAsync(topo.exec('solo', ['ip', 'link', 'show', 'nosuchdev']));
    t.is(err.message, `'ip netns exec ${topo.ns('solo')} ip link show nosuchdev' failed: Device "nosuchdev" does not exist.`);
    t.throws(() => topo.ns('ghost'), { message: "host: 'ghost' is not in this topology (hosts: solo)" });
  } finally {
    await topo.destroy();
  }
  await t.throwsAsync(topo.exec('solo', ['true']), { message: `topology ${topo.runId} is torn down` });
});
