// Wire: client -- router -- server, where the router's kernel forwarding is OFF
// (net.ipv4.ip_forward=0, net.ipv6.conf.all.forwarding=0). Before the datapath is
// attached nothing crosses; with it, TCP and UDP over IPv4 and IPv6 get through, and
// the datapath's own counters show it routed them.
import test from 'ava';
import { type AgentClient, type Topology, buildTopology } from '../../netns/index.js';
import type { TopologyDescription } from '../../netns/index.js';
import { xdpQuery } from '../../native/index.js';
import { Datapath, codecs } from '../../src/datapath/index.js';
import { buildPacket, parseIpv4, parseMac } from '../../src/packet/index.js';
import { OBJECT, pinRoot } from './_setup.js';

const MAC = {
  client: '02:00:00:0a:00:02',
  clientVlan: '02:00:00:0a:00:12',
  rIn: '02:00:00:0a:00:01',
  rOut: '02:00:00:0b:00:01',
  server: '02:00:00:0b:00:02',
};

const TOPOLOGY: TopologyDescription = {
  name: 'datapath-wire',
  hosts: [
    {
      name: 'client',
      routes: [
        { dst: 'default', via: '10.1.0.1' },
        { dst: 'default', via: 'fd00:1::1' },
      ],
      neighbours: [
        { ip: '10.1.0.1', mac: MAC.rIn, dev: 'eth0' },
        { ip: 'fd00:1::1', mac: MAC.rIn, dev: 'eth0' },
      ],
    },
    {
      name: 'router',
      sysctls: { 'net.ipv4.ip_forward': 0, 'net.ipv6.conf.all.forwarding': 0 },
    },
    {
      name: 'server',
      routes: [
        { dst: 'default', via: '10.2.0.1' },
        { dst: 'default', via: 'fd00:2::1' },
      ],
      neighbours: [
        { ip: '10.2.0.1', mac: MAC.rOut, dev: 'eth0' },
        { ip: 'fd00:2::1', mac: MAC.rOut, dev: 'eth0' },
      ],
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
    interfaces: [
      { ifname: 'eth0', port: 1 },
      { ifname: 'eth1', port: 2 },
    ],
    routerMacs: [{ mac: MAC.rIn }, { mac: MAC.rOut }],
    nextHops: [
      { id: 1, mac: MAC.client, srcMac: MAC.rIn, ifname: 'eth0' },
      { id: 2, mac: MAC.server, srcMac: MAC.rOut, ifname: 'eth1' },
    ],
    routes: [
      { prefix: '10.1.0.1/32', local: true },
      { prefix: '10.2.0.1/32', local: true },
      { prefix: 'fd00:1::1/128', local: true },
      { prefix: 'fd00:2::1/128', local: true },
      { prefix: '10.1.0.0/24', nextHops: [1] },
      { prefix: '10.2.0.0/24', nextHops: [2] },
      { prefix: 'fd00:1::/64', nextHops: [1] },
      { prefix: 'fd00:2::/64', nextHops: [2] },
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
  t.deepEqual(
    Object.entries(dp.drops()).filter(([, c]) => c.packets !== 0n),
    [],
    'no drops',
  );
});

// The kernel here has no 8021q module (no VLAN devices), so the tagged side is crafted:
// the client sends 802.1Q frames, which the router's stack untags into skb metadata
// before TC, and a capture on the client shows the tag pushed onto the replies.
test.serial('VLAN on the wire: a metadata tag is popped towards the server; replies get the tag pushed', async (t) => {
  if (dp === undefined) {
    t.fail('datapath not loaded');
    return;
  }
  dp.apply({
    interfaces: [{ ifname: 'eth0', vlan: 10, port: 3 }],
    nextHops: [{ id: 3, mac: MAC.clientVlan, srcMac: MAC.rIn, ifname: 'eth0', vlan: 10 }],
    routes: [{ prefix: '10.3.0.0/24', nextHops: [3] }],
  });
  const frame = (ttl: number, macs: [string, string], vlan?: number): Buffer =>
    buildPacket([
      { type: 'eth', dst: macs[0], src: macs[1] },
      ...(vlan === undefined ? [] : [{ type: 'vlan' as const, vid: vlan }]),
      { type: 'ipv4', src: '10.3.0.2', dst: '10.2.0.2', ttl, id: 99 },
      { type: 'udp', sport: 5556, dport: 9090 },
      { type: 'payload', data: Buffer.from('tagged hello') },
    ]);
  const atServer = await server.captureStart({ ifname: 'eth0', filter: 'udp and src port 5556' });
  const atClient = await client.captureStart({ ifname: 'eth0', filter: 'vlan and udp and src port 9090' });
  await client.l2Send('eth0', [frame(64, [MAC.rIn, MAC.clientVlan], 10)]);
  await new Promise((r) => setTimeout(r, 500));
  const got = await server.captureStop(atServer.captureId);
  const back = await client.captureStop(atClient.captureId);
  t.deepEqual(
    got.raw.map((b) => b.toString('hex')),
    [frame(63, [MAC.server, MAC.rOut]).toString('hex')],
    'popped, routed',
  );
  t.is(back.packets.length, 1, 'one reply');
  const layers = back.packets[0]?.layers ?? [];
  t.like(layers[0] ?? {}, { type: 'eth', dst: MAC.clientVlan, src: MAC.rIn, ethertype: 0x8100 });
  t.like(layers[1] ?? {}, { type: 'vlan', vid: 10, ethertype: 0x0800 });
  t.like(layers[2] ?? {}, { type: 'ipv4', src: '10.2.0.2', dst: '10.3.0.2', ttl: 63 });
  t.like(layers[3] ?? {}, { type: 'udp', sport: 9090, dport: 5556 });
  t.deepEqual(
    Object.entries(dp.drops()).filter(([, c]) => c.packets !== 0n),
    [],
    'no drops',
  );
});

function udpFrame(ttl: number, macs: [string, string], seq: number): Buffer {
  return buildPacket([
    { type: 'eth', dst: macs[0], src: macs[1] },
    { type: 'ipv4', src: '10.1.0.2', dst: '10.2.0.2', ttl, id: seq },
    { type: 'udp', sport: 5555, dport: 9090 },
    { type: 'payload', data: Buffer.from(`xdp ${seq}`) },
  ]);
}

test.serial('XDP (generic) forwards a flow-cache hit on the wire with the exact rewrite', async (t) => {
  if (dp === undefined) {
    t.fail('datapath not loaded');
    return;
  }
  dp.detach('eth0');
  dp.attach({ ifname: 'eth0', xdp: 'generic' });
  t.not(xdpQuery({ ifname: 'eth0', netns: topo.ns('router'), mode: 'generic' }), 0, 'XDP attached');
  const key = codecs.flowKeyCodec.encode({
    saddr: Buffer.concat([parseIpv4('10.1.0.2'), Buffer.alloc(12)]),
    daddr: Buffer.concat([parseIpv4('10.2.0.2'), Buffer.alloc(12)]),
    sport_be: 5555,
    dport_be: 9090,
    zone: 0,
    proto: 17,
    family: 4,
  });
  dp.map('fc').update(
    key,
    codecs.fcCodec.encode({
      generation: dp.generation(),
      dmac: parseMac(MAC.server),
      smac: parseMac(MAC.rOut),
      ifindex: dp.ifindex('eth1'),
      vlan: 0,
      flags: codecs.FC_F_DEC_TTL | codecs.FC_F_XDP_TX,
      mtu: 1500,
      route_id: 0,
      nh_id: 2,
      nat_saddr: Buffer.alloc(16),
      nat_daddr: Buffer.alloc(16),
      nat_sport_be: 0,
      nat_dport_be: 0,
    }),
  );
  const hits = dp.paths().xdp_fast_hit.packets;
  const capture = await server.captureStart({ ifname: 'eth0', filter: 'udp and dst port 9090 and src port 5555' });
  const frames = [0, 1, 2, 3, 4].map((i) => udpFrame(64, [MAC.rIn, MAC.client], i));
  await client.l2Send('eth0', frames);
  await new Promise((r) => setTimeout(r, 300));
  const result = await server.captureStop(capture.captureId);
  t.is(dp.paths().xdp_fast_hit.packets, hits + 5n);
  t.deepEqual(
    result.raw.map((b) => b.toString('hex')),
    [0, 1, 2, 3, 4].map((i) => udpFrame(63, [MAC.server, MAC.rOut], i).toString('hex')),
  );
});

test.serial('detaching removes the clsact qdisc and the XDP program the datapath attached', async (t) => {
  if (dp === undefined) {
    t.fail('datapath not loaded');
    return;
  }
  dp.detach('eth0');
  dp.detach('eth1');
  t.is(xdpQuery({ ifname: 'eth0', netns: topo.ns('router'), mode: 'generic' }), 0, 'XDP detached');
  for (const ifname of ['eth0', 'eth1']) {
    const q = await topo.exec('router', ['tc', 'qdisc', 'show', 'dev', ifname]);
    t.false(q.stdout.includes('clsact'), `${ifname}: ${q.stdout}`);
  }
  const tcp = await client.tcpClient({ addr: '10.2.0.2', port: 8080, count: 1, timeoutMs: 1000 });
  t.deepEqual(tcp.answers, {}, 'forwarding stops with the datapath gone');
});
