// Wire: client -- router (our datapath, kernel forwarding off) -- two backends. Real
// sockets through the VIP: TCP (IPv4, IPv6, a large request that travels as GSO
// super-packets with partial checksums), UDP and SCTP (our raw-socket peer); RR shows in
// which backend answered; the counters show slow then fast; the CT table is empty once
// the connections closed. The router's egress ports have tx checksum offload off, so
// the kernel completes every partial checksum in software from what our NAT left in the
// header: a wrong pseudo-header update would make the backend drop the packet, and the
// captures at the receivers check every checksum.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import test from 'ava';
import { type AgentClient, type Topology, type TopologyDescription, buildTopology } from '../../netns/index.js';
import { Datapath } from '../../src/datapath/index.js';
import { OBJECT, pinRoot } from './_setup.js';

const MAC = {
  client: '02:00:00:0a:00:02',
  r0: '02:00:00:0a:00:01',
  r1: '02:00:00:0b:00:01',
  r2: '02:00:00:0c:00:01',
  b1: '02:00:00:0b:00:02',
  b2: '02:00:00:0c:00:02',
};

function backend(name: string, net: 'b' | 'c', n: number): TopologyDescription['hosts'][number] {
  const gw4 = `10.${n}.0.1`;
  const gw6 = `fd00:${n}::1`;
  const mac = net === 'b' ? MAC.r1 : MAC.r2;
  return {
    name,
    routes: [
      { dst: 'default', via: gw4 },
      { dst: 'default', via: gw6 },
    ],
    neighbours: [
      { ip: gw4, mac, dev: 'eth0' },
      { ip: gw6, mac, dev: 'eth0' },
    ],
  };
}

const TOPOLOGY: TopologyDescription = {
  name: 'lb-wire',
  hosts: [
    {
      name: 'client',
      routes: [
        { dst: 'default', via: '10.1.0.1' },
        { dst: 'default', via: 'fd00:1::1' },
      ],
      neighbours: [
        { ip: '10.1.0.1', mac: MAC.r0, dev: 'eth0' },
        { ip: 'fd00:1::1', mac: MAC.r0, dev: 'eth0' },
      ],
    },
    { name: 'router', sysctls: { 'net.ipv4.ip_forward': 0, 'net.ipv6.conf.all.forwarding': 0 } },
    backend('b1', 'b', 2),
    backend('b2', 'c', 3),
  ],
  links: [
    {
      a: { host: 'client', ifname: 'eth0', mac: MAC.client, addresses: ['10.1.0.2/24', 'fd00:1::2/64'] },
      b: { host: 'router', ifname: 'eth0', mac: MAC.r0, addresses: ['10.1.0.1/24', 'fd00:1::1/64'] },
    },
    {
      a: { host: 'router', ifname: 'eth1', mac: MAC.r1, addresses: ['10.2.0.1/24', 'fd00:2::1/64'] },
      b: { host: 'b1', ifname: 'eth0', mac: MAC.b1, addresses: ['10.2.0.2/24', 'fd00:2::2/64'] },
    },
    {
      a: { host: 'router', ifname: 'eth2', mac: MAC.r2, addresses: ['10.3.0.1/24', 'fd00:3::1/64'] },
      b: { host: 'b2', ifname: 'eth0', mac: MAC.b2, addresses: ['10.3.0.2/24', 'fd00:3::2/64'] },
    },
  ],
};

let topo: Topology;
let client: AgentClient;
let b1: AgentClient;
let b2: AgentClient;
let dp: Datapath;
let offloadOff = false;

test.before(async () => {
  topo = await buildTopology(TOPOLOGY);
  [client, b1, b2] = await Promise.all([
    topo.startAgent('client'),
    topo.startAgent('b1', { name: 'backend-1' }),
    topo.startAgent('b2', { name: 'backend-2' }),
  ]);
  for (const b of [b1, b2]) {
    await b.tcpServer({ port: 8080 });
    await b.udpServer({ port: 9090 });
    await b.sctpServer({ port: 36412 });
  }
  try {
    for (const i of ['eth0', 'eth1', 'eth2']) await topo.exec('router', ['ethtool', '-K', i, 'tx', 'off']);
    const k = await topo.exec('router', ['ethtool', '-k', 'eth1']);
    offloadOff = /^tx-checksumming: off/m.test(k.stdout);
  } catch {
    offloadOff = false;
  }
  dp = Datapath.load({ object: OBJECT, pinRoot: pinRoot(), netns: topo.ns('router') });
  dp.apply({
    interfaces: [
      { ifname: 'eth0', port: 1 },
      { ifname: 'eth1', port: 2 },
      { ifname: 'eth2', port: 3 },
    ],
    routerMacs: [{ mac: MAC.r0 }, { mac: MAC.r1 }, { mac: MAC.r2 }],
    nextHops: [
      { id: 1, mac: MAC.client, srcMac: MAC.r0, ifname: 'eth0' },
      { id: 2, mac: MAC.b1, srcMac: MAC.r1, ifname: 'eth1' },
      { id: 3, mac: MAC.b2, srcMac: MAC.r2, ifname: 'eth2' },
    ],
    routes: [
      { prefix: '10.1.0.0/24', nextHops: [1] },
      { prefix: '10.2.0.0/24', nextHops: [2] },
      { prefix: '10.3.0.0/24', nextHops: [3] },
      { prefix: 'fd00:1::/64', nextHops: [1] },
      { prefix: 'fd00:2::/64', nextHops: [2] },
      { prefix: 'fd00:3::/64', nextHops: [3] },
    ],
  });
  dp.applyLb({
    rules: [
      {
        vip: '10.0.0.100',
        port: 80,
        protocol: 'tcp',
        endpoints: [
          { address: '10.2.0.2', port: 8080 },
          { address: '10.3.0.2', port: 8080 },
        ],
      },
      {
        vip: 'fd00:100::1',
        port: 80,
        protocol: 'tcp',
        endpoints: [
          { address: 'fd00:2::2', port: 8080 },
          { address: 'fd00:3::2', port: 8080 },
        ],
      },
      {
        vip: '10.0.0.100',
        port: 53,
        protocol: 'udp',
        endpoints: [
          { address: '10.2.0.2', port: 9090 },
          { address: '10.3.0.2', port: 9090 },
        ],
      },
      { vip: '10.0.0.100', port: 36412, protocol: 'sctp', endpoints: [{ address: '10.2.0.2' }, { address: '10.3.0.2' }] },
    ],
  });
  for (const i of ['eth0', 'eth1', 'eth2']) dp.attach({ ifname: i });
});

test.after.always(async () => {
  try {
    dp?.destroy();
  } finally {
    await topo?.destroy();
  }
});

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

function counters(): Record<string, bigint> {
  const p = dp.paths();
  return Object.fromEntries((['ct_new', 'ct_close', 'fc_install', 'tc_fast_hit', 'tc_slow'] as const).map((k) => [k, p[k].packets]));
}

function delta(before: Record<string, bigint>): Record<string, bigint> {
  const now = counters();
  return Object.fromEntries(Object.keys(now).map((k) => [k, now[k]! - before[k]!]));
}

function tcpConnections(): number {
  return dp.connections().filter((c) => c.key.protocol === 'tcp').length;
}

for (const [vip, family] of [
  ['10.0.0.100', 4],
  ['fd00:100::1', 6],
] as const) {
  test.serial(
    `TCP IPv${family} through the VIP: round robin over both backends, slow then fast, closed connections leave nothing`,
    async (t) => {
      const before = counters();
      const r = await client.tcpClient({ addr: vip, port: 80, count: 4 });
      await settle();
      t.deepEqual(r.answers, { 'backend-1': 2, 'backend-2': 2 });
      t.is(r.errors, 0);
      const d = delta(before);
      t.log(`IPv${family}: ${JSON.stringify(d, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}`);
      t.is(d.ct_new, 4n, 'one connection each');
      t.is(d.ct_close, 4n, 'each closed by its FIN exchange');
      t.true(d.fc_install! >= 4n, 'cache entries installed once established');
      t.true(d.tc_fast_hit! >= 4n, 'later packets take the fast path');
      t.is(tcpConnections(), 0, 'no CT entry left');
      t.deepEqual(
        dp.flowCache().filter((f) => f.key.protocol === 'tcp'),
        [],
        'no cache entry left',
      );
      t.deepEqual(
        Object.entries(dp.drops()).filter(([, c]) => c.packets !== 0n),
        [],
        'no drops',
      );
    },
  );
}

test.serial('a large request (GSO super-packets, partial checksums) crosses NAT with valid checksums', async (t) => {
  if (!offloadOff) t.log('ethtool could not turn tx offload off on the router: checksums are checked by the captures only');
  const capture = await b1.captureStart({ ifname: 'eth0', filter: 'tcp and dst port 8080' });
  const capture2 = await b2.captureStart({ ifname: 'eth0', filter: 'tcp and dst port 8080' });
  const before = counters();
  const r = await client.tcpClient({ addr: '10.0.0.100', port: 80, count: 2, message: 'x'.repeat(200_000), timeoutMs: 10_000 });
  await settle();
  const got = [...(await b1.captureStop(capture.captureId)).packets, ...(await b2.captureStop(capture2.captureId)).packets];
  t.deepEqual(r.answers, { 'backend-1': 1, 'backend-2': 1 });
  // The capture may miss segments under load; what it has must all be valid.
  t.log(`${got.length} segments captured at the backends`);
  t.true(got.length > 0, 'segments captured at the backends');
  const bad = got.flatMap((p) => p.checksums.filter((c) => !c.valid));
  t.deepEqual(bad, [], 'every IPv4 / TCP checksum valid at the backends');
  const d = delta(before);
  t.true(d.tc_fast_hit! > 0n);
  t.is(tcpConnections(), 0);
});

test.serial('UDP through the VIP: both backends answer, flows tracked, replies translated', async (t) => {
  const before = counters();
  const r = await client.udpClient({ addr: '10.0.0.100', port: 53, count: 4 });
  t.deepEqual(r.answers, { 'backend-1': 2, 'backend-2': 2 });
  const d = delta(before);
  t.is(d.ct_new, 4n);
  const udp = dp.connections().filter((c) => c.key.protocol === 'udp');
  t.is(udp.length, 8, 'two entries per flow');
  t.true(
    udp.every((c) => c.state === 'established'),
    'a reply established each',
  );
  const same = await client.udpClient({ addr: '10.0.0.100', port: 53, count: 5, sameSocket: true });
  t.is(
    Object.values(same.answers).reduce((a, b) => a + b, 0),
    5,
  );
  t.is(Object.keys(same.answers).length, 1, 'one flow sticks to one backend');
  t.true(delta(before).tc_fast_hit! >= 3n, 'an established UDP flow takes the fast path');
});

test.serial('SCTP through the VIP with our peer: association up, DATA answered, SHUTDOWN removes the entries', async (t) => {
  const before = counters();
  const answers: Record<string, number> = {};
  for (let i = 0; i < 2; i++) {
    const r = await client.sctpClient({ addr: '10.0.0.100', port: 36412, messages: 3 });
    for (const [k, v] of Object.entries(r.answers)) answers[k] = (answers[k] ?? 0) + v;
    t.is(r.closeReason, 'shutdown');
  }
  await settle();
  t.deepEqual(answers, { 'backend-1': 3, 'backend-2': 3 });
  const d = delta(before);
  t.is(d.ct_new, 2n);
  t.is(d.ct_close, 2n, 'SHUTDOWN-COMPLETE closed each');
  t.true(d.tc_fast_hit! > 0n, 'DATA of established associations took the fast path');
  t.deepEqual(
    dp.connections().filter((c) => c.key.protocol === 'sctp'),
    [],
  );
  t.deepEqual(
    Object.entries(dp.drops()).filter(([, c]) => c.packets !== 0n),
    [],
    'no drops',
  );
});

// A TCP client in the client namespace that waits for the test between steps, so the CT
// state can be read at each one: connected, answered (server's FIN in, ours not yet out:
// half-open allowed), closed.
const STEPPED_CLIENT = `
const net = require('node:net');
const rl = require('node:readline').createInterface({ input: process.stdin });
const lines = rl[Symbol.asyncIterator]();
const s = net.connect({ host: process.argv[1], port: 80, allowHalfOpen: true }, async () => {
  console.log('connected');
  await lines.next();
  let got = '';
  s.on('data', (d) => { got += d; });
  s.on('end', async () => {
    console.log('answered ' + got.trim());
    await lines.next();
    s.end(() => console.log('closed'));
  });
  s.write('hello\\n');
});
s.on('error', (e) => { console.log('error ' + e.message); process.exit(1); });
s.on('close', () => process.exit(0));
`;

function steppedClient(vip: string): { child: ChildProcessWithoutNullStreams; next: () => Promise<string> } {
  const child = spawn('ip', ['netns', 'exec', topo.ns('client'), process.execPath, '-e', STEPPED_CLIENT, vip]);
  const out = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const timer = new Promise<string>((_, reject) => setTimeout(() => reject(new Error('stepped client: no output in 5 s')), 5000).unref());
    const r = await Promise.race([out.next(), timer]);
    return typeof r === 'string' ? r : r.done ? '' : String(r.value);
  };
  return { child, next };
}

test.serial('TCP with real sockets, step by step: CT state after the handshake, after the answer, gone after the close', async (t) => {
  const before = counters();
  const { child, next } = steppedClient('10.0.0.100');
  try {
    t.is(await next(), 'connected');
    await settle();
    const states = (): string[] =>
      dp
        .connections()
        .filter((c) => c.key.protocol === 'tcp')
        .map((c) => `${c.direction}:${c.state}`)
        .sort();
    t.deepEqual(states(), ['original:established', 'reply:established'], 'after the three-way handshake');
    t.is(dp.flowCache().filter((f) => f.key.protocol === 'tcp').length, 1, "the client's ACK installed its direction");
    const hs = delta(before);
    t.is(hs.tc_fast_hit, 0n, 'the handshake went the slow way');
    child.stdin.write('\n');
    const answered = await next();
    t.regex(answered, /^answered backend-[12]$/);
    await settle();
    t.deepEqual(states(), ['original:fin_wait', 'reply:fin_wait'], 'server FIN seen, client still open');
    t.true(delta(before).tc_fast_hit! >= 1n, 'the request took the fast path');
    child.stdin.write('\n');
    t.is(await next(), 'closed');
    await settle();
    t.deepEqual(states(), [], 'both entries gone after the FIN exchange');
    t.deepEqual(
      dp.flowCache().filter((f) => f.key.protocol === 'tcp'),
      [],
      'cache entries gone',
    );
    t.is(delta(before).ct_close, 1n);
  } finally {
    child.kill();
  }
});
