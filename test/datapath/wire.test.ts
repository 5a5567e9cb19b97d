// Wire: client -- router -- server, where the router's kernel forwarding is OFF
// (net.ipv4.ip_forward=0, net.ipv6.conf.all.forwarding=0). Before the datapath is
// attached nothing crosses; with it, TCP and UDP over IPv4 and IPv6 get through, and
// the datapath's own counters show it routed them.
import test from 'ava';
import { type AgentClient, type Topology, buildTopology } from '../../netns/index.js';
import type { TopologyDescription } from '../../netns/index.js';
import { Datapath } from '../../src/datapath/index.js';
import { OBJECT, pinRoot } from './_setup.js';

const MAC = {
  client: '02:00:00:0a:00:02', rIn: '02:00:00:0a:00:01', rOut: '02:00:00:0b:00:01', server: '02:00:00:0b:00:02',
};

const TOPOLOGY: TopologyDescription = {
  name: 'datapath-wire',
  hosts: [
    {
      name: 'client',
      routes: [{ dst: 'default', via: '10.1.0.1' }, { dst: 'default', via: 'fd00:1::1' }],
      neighbours: [{ ip: '10.1.0.1', mac: MAC.rIn, dev: 'eth0' }, { ip: 'fd00:1::1', mac: MAC.rIn, dev: 'eth0' }],
    },
    {
      name: 'router',
      sysctls: { 'net.ipv4.ip_forward': 0, 'net.ipv6.conf.all.forwarding': 0 },
    },
    {
      name: 'server',
      routes: [{ dst: 'default', via: '10.2.0.1' }, { dst: 'default', via: 'fd00:2::1' }],
      neighbours: [{ ip: '10.2.0.1', mac: MAC.rOut, dev: 'eth0' }, { ip: 'fd00:2::1', mac: MAC.rOut, dev: 'eth0' }],
    },
  ],
  links: [
    {
      a: { host: 'client', ifname: 'eth0', mac: MAC.client, addresses: ['10.1.0.2/24', 'fd00:1::2/64'] },
      b: { host: 'router', ifname: 'eth0', mac: MAC.rIn, addresses: ['10.1.0.1/24', 'fd00:1::1/64'] },
    },
    {
      a: { host: 'router', ifname: 'eth1', mac: MAC.rOut, addresses: ['10.2.0.1/24', 'fd00:2::1/64'] },
      b: { host: 'server', ifname: 'eth0', mac: MAC.server, addresses: ['10.2.0.2/24', 'fd00:2::2/64'] },
    },
  ],
};

let topo: Topology;
let client: AgentClient;
let server: AgentClient;
let dp: Datapath | undefined;

test.before(async () => {
  topo = await buildTopology(TOPOLOGY);
  [client, server] = await Promise.all([topo.startAgent('client'), topo.startAgent('server', { name: 'backend-1' })]);
  await server.tcpServer({ port: 8080 });
  await server.udpServer({ port: 9090 });
});

test.after.always(async () => {
  try {
    dp?.destroy();
  } finally {
    await topo?.destroy();
  }
});

test.serial('kernel forwarding is off on the router: without the datapath nothing crosses', async (t) => {
  const forward = await topo.exec('router', ['sysctl', '-n', 'net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding']);
  t.deepEqual(forward.stdout.trim().split('\n'), ['0', '0']);
  const tcp = await client.tcpClient({ addr: '10.2.0.2', port: 8080, count: 1, timeoutMs: 1000 });
  t.deepEqual(tcp.answers, {});
  const udp = await client.udpClient({ addr: 'fd00:2::2', port: 9090, count: 1, timeoutMs: 500 });
  t.deepEqual(udp.answers, {});
});

test.serial('with the datapath attached, TCP and UDP over IPv4 and IPv6 cross the router', async (t) => {
  dp = Datapath.load({ object: OBJECT, pinRoot: pinRoot(), netns: topo.ns('router') });
  dp.apply({
    interfaces: [{ ifname: 'eth0', port: 1 }, { ifname: 'eth1', port: 2 }],
    routerMacs: [{ mac: MAC.rIn }, { mac: MAC.rOut }],
    nextHops: [
      { id: 1, mac: MAC.client, srcMac: MAC.rIn, ifname: 'eth0' },
      { id: 2, mac: MAC.server, srcMac: MAC.rOut, ifname: 'eth1' },
    ],
    routes: [
      { prefix: '10.1.0.1/32', local: true }, { prefix: '10.2.0.1/32', local: true },
      { prefix: 'fd00:1::1/128', local: true }, { prefix: 'fd00:2::1/128', local: true },
      { prefix: '10.1.0.0/24', nextHops: [1] }, { prefix: '10.2.0.0/24', nextHops: [2] },
      { prefix: 'fd00:1::/64', nextHops: [1] }, { prefix: 'fd00:2::/64', nextHops: [2] },
    ],
  });
  dp.attach({ ifname: 'eth0' });
  dp.attach({ ifname: 'eth1' });

  for (const addr of ['10.2.0.2', 'fd00:2::2']) {
    const tcp = await client.tcpClient({ addr, port: 8080, count: 5, concurrency: 2 });
    t.deepEqual(tcp.answers, { 'backend-1': 5 }, `TCP to ${addr}`);
    t.is(tcp.errors, 0);
    const udp = await client.udpClient({ addr, port: 9090, count: 5 });
    t.deepEqual(udp.answers, { 'backend-1': 5 }, `UDP to ${addr}`);
  }

  const paths = dp.paths();
  // Each TCP connection is at least SYN, ACK+data, FIN each way; each UDP exchange 2.
  t.true(paths.l3_fwd.packets >= 2n * (5n * 6n + 5n * 2n), `l3_fwd = ${paths.l3_fwd.packets}`);
  t.is(paths.tc_fast_hit.packets, 0n, 'nothing installs flow-cache entries yet');
  const nh = dp.counters('stats_nh');
  t.true((nh.get(1)?.packets ?? 0n) > 0n && (nh.get(2)?.packets ?? 0n) > 0n, 'both next hops used');
  t.deepEqual(Object.entries(dp.drops()).filter(([, c]) => c.packets !== 0n), [], 'no drops');
});

test.serial('detaching removes the clsact qdisc the datapath created', async (t) => {
  if (dp === undefined) {
    t.fail('datapath not loaded');
    return;
  }
  dp.detach('eth0');
  dp.detach('eth1');
  for (const ifname of ['eth0', 'eth1']) {
    const q = await topo.exec('router', ['tc', 'qdisc', 'show', 'dev', ifname]);
    t.false(q.stdout.includes('clsact'), `${ifname}: ${q.stdout}`);
  }
  const tcp = await client.tcpClient({ addr: '10.2.0.2', port: 8080, count: 1, timeoutMs: 1000 });
  t.deepEqual(tcp.answers, {}, 'forwarding stops with the datapath gone');
});
