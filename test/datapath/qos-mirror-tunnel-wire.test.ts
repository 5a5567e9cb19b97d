// Wire: client -- router -- server, plus router eth2 -- monitor (the mirror port). The
// datapath on the router routes client -> server.
//   - Mirroring: the monitor receives exact copies (byte comparison of captures) of what
//     eth0 receives (before any rewrite; with the mirror's VLAN tag when it has one) and
//     of what eth1 sends (fp_tc_egress).
//   - Policer: srTCM at X bytes/s on eth0 ingress; offered loads 2X and 4X (paced
//     l2-send bursts) for several seconds; the server receives X (plus the burst)
//     within 10%.
import test from 'ava';
import { type AgentClient, type Topology, type TopologyDescription, buildTopology } from '../../netns/index.js';
import { Datapath } from '../../src/datapath/index.js';
import { readPolicers } from '../../src/datapath/policer.js';
import { readCounter } from '../../src/datapath/readers.js';
import { buildPacket } from '../../src/packet/index.js';
import { OBJECT, pinRoot } from './_setup.js';

const MAC = {
  client: '02:00:00:1a:00:02',
  rIn: '02:00:00:1a:00:01',
  rOut: '02:00:00:1b:00:01',
  server: '02:00:00:1b:00:02',
  rMirror: '02:00:00:1c:00:01',
  monitor: '02:00:00:1c:00:02',
};

const NO_IPV6 = { 'net.ipv6.conf.all.disable_ipv6': 1, 'net.ipv6.conf.default.disable_ipv6': 1 };

const TOPOLOGY: TopologyDescription = {
  name: 'qos-mirror-tunnel-wire',
  // No IPv6 on the hosts whose ports are mirrored: their kernels' own neighbour discovery
  // and MLD would be copied too and move the mirror's exact counter.
  hosts: [
    { name: 'client', sysctls: NO_IPV6 },
    { name: 'router', sysctls: { 'net.ipv4.ip_forward': 0, ...NO_IPV6 } },
    { name: 'server', sysctls: NO_IPV6 },
    { name: 'monitor' },
  ],
  links: [
    {
      a: { host: 'client', ifname: 'eth0', mac: MAC.client, addresses: ['10.1.0.2/24'] },
      b: { host: 'router', ifname: 'eth0', mac: MAC.rIn, addresses: ['10.1.0.1/24'] },
    },
    {
      a: { host: 'router', ifname: 'eth1', mac: MAC.rOut, addresses: ['10.2.0.1/24'] },
      b: { host: 'server', ifname: 'eth0', mac: MAC.server, addresses: ['10.2.0.2/24'] },
    },
    {
      a: { host: 'router', ifname: 'eth2', mac: MAC.rMirror },
      b: { host: 'monitor', ifname: 'eth0', mac: MAC.monitor },
    },
  ],
};

let topo: Topology;
let client: AgentClient;
let server: AgentClient;
let monitor: AgentClient;
let dp: Datapath;

test.before(async () => {
  topo = await buildTopology(TOPOLOGY);
  [client, server, monitor] = await Promise.all([topo.startAgent('client'), topo.startAgent('server'), topo.startAgent('monitor')]);
  dp = Datapath.load({ object: OBJECT, pinRoot: pinRoot(), netns: topo.ns('router') });
  dp.apply({
    interfaces: [
      { ifname: 'eth0', port: 1 },
      { ifname: 'eth1', port: 2 },
    ],
    routerMacs: [{ mac: MAC.rIn }, { mac: MAC.rOut }],
    nextHops: [{ id: 1, mac: MAC.server, srcMac: MAC.rOut, ifname: 'eth1' }],
    routes: [{ prefix: '10.2.0.0/24', nextHops: [1] }],
  });
  dp.attach({ ifname: 'eth0' });
  dp.attach({ ifname: 'eth1', egress: true });
});

test.after.always(async () => {
  try {
    dp?.destroy();
  } finally {
    await topo?.destroy();
  }
});

/** A UDP frame client -> server whose IP total length is ipLen; marker in the payload. */
function frame(ipLen: number, seq: number, dport = 7777): Buffer {
  const payload = Buffer.alloc(ipLen - 28, 0x61);
  payload.writeUInt32BE(0xfa57f00d, 0);
  payload.writeUInt32BE(seq, 4);
  return buildPacket([
    { type: 'eth', dst: MAC.rIn, src: MAC.client },
    { type: 'ipv4', src: '10.1.0.2', dst: '10.2.0.2', id: seq & 0xffff, ttl: 64 },
    { type: 'udp', sport: 5555, dport },
    { type: 'payload', data: payload },
  ]);
}

function ours(f: Buffer): boolean {
  return f.includes(Buffer.from('fa57f00d', 'hex'));
}

/** The frame with an 802.1Q tag after the MACs. */
function tagged(f: Buffer, vid: number): Buffer {
  const tag = Buffer.alloc(4);
  tag.writeUInt16BE(0x8100, 0);
  tag.writeUInt16BE(vid, 2);
  return Buffer.concat([f.subarray(0, 12), tag, f.subarray(12)]);
}

async function sendAndCapture(frames: Buffer[]): Promise<{ mirrored: Buffer[]; atServer: Buffer[] }> {
  const mon = await monitor.captureStart({ ifname: 'eth0' });
  const srv = await server.captureStart({ ifname: 'eth0', filter: 'udp' });
  await client.l2Send('eth0', frames);
  await new Promise((r) => setTimeout(r, 300));
  const [m, s] = await Promise.all([monitor.captureStop(mon.captureId), server.captureStop(srv.captureId)]);
  return { mirrored: m.raw.filter(ours), atServer: s.raw.filter(ours) };
}

test.serial('mirror: eth0 ingress copies are the received bytes; eth1 egress copies are what the server gets', async (t) => {
  dp.apply({
    mirrors: [{ id: 1, ifname: 'eth2', ingress: true, egress: true }],
    interfaces: [
      { ifname: 'eth0', port: 1, mirror: 1 },
      { ifname: 'eth1', port: 2, mirror: 1 },
    ],
  });
  const sent = [frame(100, 1), frame(600, 2), frame(1400, 3)];
  const copiesBefore = readCounter(dp.map('stats_mirr'), 1);
  const { mirrored, atServer } = await sendAndCapture(sent);
  t.is(atServer.length, 3, 'routed to the server');
  const copies = readCounter(dp.map('stats_mirr'), 1);
  t.is(copies.packets - copiesBefore.packets, 6n, "the mirror's counter: one copy per packet and direction");
  const sum = (b: Buffer[]): bigint => b.reduce((n, x) => n + BigInt(x.length), 0n);
  t.is(copies.bytes - copiesBefore.bytes, sum([...sent, ...atServer]), 'and the bytes of those copies');
  const hex = (b: Buffer[]): string[] => b.map((x) => x.toString('hex')).sort();
  // The monitor sees each packet twice: as received on eth0 and as sent on eth1.
  t.deepEqual(hex(mirrored), hex([...sent, ...atServer]));
  t.is(atServer[0]![22], 63, 'the egress copy is the routed packet (TTL 63)');
});

test.serial('mirror with a VLAN tag: the copy carries the mirror VLAN; the forwarded packet does not', async (t) => {
  dp.apply({
    mirrors: [{ id: 1, ifname: 'eth2', vlan: 99 }],
    interfaces: [
      { ifname: 'eth0', port: 1, mirror: 1 },
      { ifname: 'eth1', port: 2 },
    ],
  });
  const sent = [frame(200, 11), frame(1000, 12)];
  const copiesBefore = readCounter(dp.map('stats_mirr'), 1).packets;
  const { mirrored, atServer } = await sendAndCapture(sent);
  t.is(atServer.length, 2);
  t.is(readCounter(dp.map('stats_mirr'), 1).packets - copiesBefore, 2n, "the mirror's counter: one copy per packet");
  t.true(
    atServer.every((f) => f.readUInt16BE(12) === 0x0800),
    'forwarded untagged',
  );
  t.deepEqual(mirrored.map((x) => x.toString('hex')).sort(), sent.map((f) => tagged(f, 99).toString('hex')).sort());
});

test.serial('policer on the wire: offered 2X and 4X, the server receives X plus the burst within 10%', async (t) => {
  dp.apply({
    interfaces: [
      { ifname: 'eth0', port: 1 },
      { ifname: 'eth1', port: 2 },
    ],
    remove: { mirrors: [1] },
  });
  const IP_LEN = 1000;
  const X = 100_000; // bytes/s = 100 packets/s of 1000 bytes
  // The burst covers the gaps between paced bursts (timer lag included): a bucket smaller
  // than what X earns between two bursts would cap the refill and pass less than X.
  const BURST = 20_000;
  const SECONDS = 3;
  const TICK_MS = 20;
  for (const factor of [2, 4]) {
    dp.apply({ policers: [{ id: 1, mode: 'srtcm', cir: X, cbs: BURST, ebs: 0 }], interfaces: [{ ifname: 'eth0', port: 1, policer: 1 }] });
    const perTick = (factor * X * TICK_MS) / 1000 / IP_LEN;
    const srv = await server.captureStart({ ifname: 'eth0', filter: 'udp dst port 7777' });
    const start = performance.now();
    let seq = 0;
    let offered = 0;
    // Paced: every tick sends what the offered rate owes so far (no drift with timer lag).
    while (performance.now() - start < SECONDS * 1000) {
      const owed = Math.floor(((performance.now() - start) / TICK_MS + 1) * perTick) - offered;
      if (owed > 0) {
        await client.l2Send(
          'eth0',
          Array.from({ length: owed }, () => frame(IP_LEN, seq++)),
        );
        offered += owed;
      }
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    const elapsed = (performance.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, 300));
    const got = (await server.captureStop(srv.captureId)).raw.filter(ours).length;
    const passedBytes = got * IP_LEN;
    const expected = X * elapsed + BURST;
    const pol = readPolicers(dp.map('pol'), dp.map('stats_pol'))[0]!;
    t.log(
      `offered ${factor}X: ${offered} packets in ${elapsed.toFixed(2)} s (${((offered * IP_LEN) / elapsed).toFixed(0)} B/s); ` +
        `server got ${got} (${(passedBytes / elapsed).toFixed(0)} B/s), expected ${expected.toFixed(0)} B +- 10%; ` +
        `policer green ${pol.counters.green.packets} yellow ${pol.counters.yellow.packets} red ${pol.counters.red.packets}`,
    );
    t.true(offered * IP_LEN >= 0.9 * factor * X * elapsed, 'the offered load was really there');
    t.true(Math.abs(passedBytes - expected) <= 0.1 * X * elapsed, `passed ${passedBytes} B vs expected ${expected.toFixed(0)} B`);
    t.is(pol.counters.green.packets + pol.counters.red.packets, BigInt(offered), 'every offered packet was policed');
    t.is(pol.counters.green.packets, BigInt(got), 'green = received');
    dp.apply({ interfaces: [{ ifname: 'eth0', port: 1 }], remove: { policers: [1] } });
  }
});
