// client -- router -- server through real Linux forwarding: TCP and UDP over IPv4 and
// IPv6, crafted packets, SCTP with our own peer on both ends, captures with valid
// checksums, and a teardown that leaves nothing.
import test from 'ava';
import { existsSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { buildTopology, loadTopologyFile, type AgentClient, type Topology } from '../../netns/index.js';
import { run } from '../../netns/topology/run.js';
import { buildPacket, type DecodedPacket } from '../../src/packet/index.js';
import { eventually, leftovers, processAlive } from './helpers.js';

const THREE_HOST = 'netns/topologies/three-host.yaml';
const SCTP_PEER = fileURLToPath(new URL('../../netns/agent/sctp/peer.js', import.meta.url));
const sctpMissing = existsSync(SCTP_PEER) ? null : `the SCTP peer is not built yet (${SCTP_PEER} is missing)`;
const ethtoolMissing = ['/usr/sbin/ethtool', '/sbin/ethtool', '/usr/bin/ethtool'].some(existsSync)
  ? null
  : 'ethtool is not installed, so veth checksum offload stays on and captured checksums are partial';

let topo: Topology;
let client: AgentClient;
let server: AgentClient;

test.before(async () => {
  topo = await buildTopology(loadTopologyFile(THREE_HOST));
  [client, server] = await Promise.all([topo.startAgent('client'), topo.startAgent('server', { name: 'backend-1' })]);
  await server.tcpServer({ port: 8080 });
  await server.udpServer({ port: 9090 });
});

test.after.always(async () => {
  await topo?.destroy();
});

function layer<T extends DecodedPacket['layers'][number]['type']>(
  p: DecodedPacket,
  type: T,
): Extract<DecodedPacket['layers'][number], { type: T }> | undefined {
  return p.layers.find((l) => l.type === type) as Extract<DecodedPacket['layers'][number], { type: T }> | undefined;
}

for (const [family, addr] of [
  ['IPv4', '10.0.2.2'],
  ['IPv6', 'fd00:2::2'],
] as const) {
  test(`TCP over ${family}: 12 connections, 3 at a time, all answered by the server`, async (t) => {
    const report = await client.tcpClient({ addr, port: 8080, count: 12, concurrency: 3 });
    t.deepEqual(report.answers, { 'backend-1': 12 });
    t.is(report.errors, 0);
    t.is(report.timeouts, 0);
    t.deepEqual(
      report.results.map((r) => r.index),
      [...Array(12).keys()],
    );
    t.true(report.results.every((r) => r.latencyNs !== null && r.latencyNs > 0 && r.error === null));
    t.is(new Set(report.results.map((r) => r.localPort)).size, 12);
  });

  test(`UDP over ${family}: 10 datagrams from fresh sockets and 5 on one socket`, async (t) => {
    const fresh = await client.udpClient({ addr, port: 9090, count: 10, concurrency: 2 });
    t.deepEqual(fresh.answers, { 'backend-1': 10 });
    t.is(fresh.timeouts, 0);
    const one = await client.udpClient({ addr, port: 9090, count: 5, sameSocket: true });
    t.deepEqual(one.answers, { 'backend-1': 5 });
    t.is(new Set(one.results.map((r) => r.localPort)).size, 1);
  });
}

test('a closed port is reported per connection, not as an answer', async (t) => {
  const report = await client.tcpClient({ addr: '10.0.2.2', port: 8099, count: 2 });
  t.deepEqual(report.answers, {});
  t.deepEqual(
    report.results.map((r) => r.error),
    ['ECONNREFUSED', 'ECONNREFUSED'],
  );
  const udp = await client.udpClient({ addr: '10.0.2.2', port: 9099, count: 1, timeoutMs: 300 });
  t.is(udp.results[0]!.answeredBy, null);
  t.true(udp.results[0]!.error === 'ECONNREFUSED' || udp.results[0]!.timedOut, JSON.stringify(udp.results[0]));
});

test.serial('a capture on the server decodes with every checksum valid and shows the forwarding', async (t) => {
  if (ethtoolMissing !== null) {
    t.log(`checksum validity not asserted: ${ethtoolMissing}`);
  }
  const capture = await server.captureStart({ ifname: 'eth0', filter: 'tcp or udp' });
  try {
    await client.udpClient({ addr: '10.0.2.2', port: 9090, count: 2 });
    await client.tcpClient({ addr: 'fd00:2::2', port: 8080, count: 1 });
    const result = await server.captureStop(capture.captureId);
    t.is(result.linkType, 1);
    t.is(result.packets.length, result.frames.length);
    const udp = result.packets.filter((p) => layer(p, 'udp') !== undefined);
    t.is(udp.length, 4);
    const requests = udp.filter((p) => layer(p, 'udp')!.dport === 9090);
    t.deepEqual(
      requests.map((p) => [layer(p, 'ipv4')!.src, layer(p, 'ipv4')!.ttl]),
      [
        ['10.0.1.2', 63],
        ['10.0.1.2', 63],
      ],
    );
    const answers = udp.filter((p) => layer(p, 'udp')!.sport === 9090);
    t.deepEqual(
      answers.map((p) => (layer(p, 'payload') as { data: Buffer }).data.toString()),
      ['backend-1', 'backend-1'],
    );
    const tcp = result.packets.filter((p) => layer(p, 'tcp') !== undefined);
    t.true(tcp.length >= 6, `${tcp.length} TCP packets`);
    const syn = tcp[0]!;
    t.is(layer(syn, 'ipv6')!.hopLimit, 63);
    t.true(result.packets.every((p) => p.error === undefined));
    t.true(result.packets.every((p) => p.checksums.length > 0));
    if (ethtoolMissing === null) {
      const bad = result.packets.flatMap((p) => p.checksums.filter((c) => !c.valid));
      t.deepEqual(bad, []);
    }
  } finally {
    rmSync(capture.file, { force: true });
  }
});

test.serial('raw-send injects crafted IPv4 and IPv6 packets that the router forwards unchanged but for TTL', async (t) => {
  const payload = Buffer.from('crafted');
  const v4 = buildPacket([
    { type: 'ipv4', src: '10.0.1.2', dst: '10.0.2.2', ttl: 17, id: 0x1234 },
    { type: 'udp', sport: 40001, dport: 7777 },
    { type: 'payload', data: payload },
  ]);
  const v6 = buildPacket([
    { type: 'ipv6', src: 'fd00:1::2', dst: 'fd00:2::2', hopLimit: 17 },
    { type: 'udp', sport: 40002, dport: 7777 },
    { type: 'payload', data: payload },
  ]);
  const capture = await server.captureStart({ ifname: 'eth0', filter: 'udp port 7777' });
  try {
    t.deepEqual(await client.rawSend([v4, v6]), { sent: 2 });
    const result = await server.captureStop(capture.captureId);
    t.is(result.packets.length, 2);
    const [got4, got6] = result.raw.map((f) => f.subarray(14)) as [Buffer, Buffer];
    // The router decremented TTL/hop limit (and fixed the IPv4 header checksum); the rest
    // arrived byte for byte.
    t.is(got4[8], 16);
    t.deepEqual(got4.subarray(12), v4.subarray(12));
    t.deepEqual(got4.subarray(0, 8), v4.subarray(0, 8));
    t.is(got6[7], 16);
    t.deepEqual(got6.subarray(8), v6.subarray(8));
    t.deepEqual(got6.subarray(0, 7), v6.subarray(0, 7));
  } finally {
    rmSync(capture.file, { force: true });
  }
});

test('bad requests come back as errors naming the field', async (t) => {
  await t.throwsAsync(client.tcpClient({ addr: '10.0.2.2', port: 70000 }), {
    message: "agent 'client' tcp-client: port: 70000 is not a port number (1..65535)",
  });
  await t.throwsAsync(client.request('frobnicate'), { message: /^agent 'client' frobnicate: op: unknown operation 'frobnicate'/ });
  await t.throwsAsync(client.rawSend([Buffer.from([0x45, 0])]), {
    message: "agent 'client' raw-send: packets[0]: not an IPv4 (>= 20 bytes) or IPv6 (>= 40 bytes) packet",
  });
  await t.throwsAsync(server.stopServer('tcp:[::]:1'), {
    message: /^agent 'backend-1' stop-server: serverId: no running server "tcp:\[::\]:1" \(running: tcp:\[::\]:8080, udp:\[::\]:9090/,
  });
});

if (sctpMissing !== null) {
  console.log(`# skipping the SCTP tests: ${sctpMissing}`);
  test.skip(`SCTP over IPv4 and IPv6 with our peer on both ends (skipped: ${sctpMissing})`, () => undefined);
} else {
  test.serial('SCTP over IPv4 and IPv6 with our peer on both ends, CRC32c valid on the wire', async (t) => {
    await server.sctpServer({ port: 3868 });
    const capture = await server.captureStart({ ifname: 'eth0', filter: 'sctp' });
    try {
      for (const addr of ['10.0.2.2', 'fd00:2::2']) {
        const report = await client.sctpClient({ addr, port: 3868, messages: 3 });
        t.deepEqual(report.answers, { 'backend-1': 3 }, addr);
        t.deepEqual(
          report.results.map((r) => r.error),
          [null, null, null],
        );
        t.is(report.closeReason, 'shutdown');
        t.is(report.association.state, 'CLOSED');
        t.not(report.association.peerTag, 0);
      }
      const aborted = await client.sctpClient({ addr: '10.0.2.2', port: 3868, messages: 1, finish: 'abort' });
      t.is(aborted.closeReason, 'abort-sent');
      // The server learns of the end from the client's last packet, which may still be on
      // its way when the client reports.
      const serverView = async (): Promise<[number, string, string | undefined][]> =>
        (await server.sctpStatus()).peers
          .filter((p) => p.role === 'server')
          .flatMap((p) => p.associations.map((a) => [a.family, a.state, a.closeReason] as [number, string, string | undefined]));
      for (let i = 0; i < 100 && (await serverView()).some(([, state]) => state !== 'CLOSED'); i++) await sleep(20);
      t.deepEqual(await serverView(), [
        [4, 'CLOSED', 'shutdown'],
        [6, 'CLOSED', 'shutdown'],
        [4, 'CLOSED', 'abort-received'],
      ]);
      const result = await server.captureStop(capture.captureId);
      const sctp = result.packets.filter((p) => layer(p, 'sctp') !== undefined);
      // Per association at least INIT, INIT-ACK, COOKIE-ECHO, COOKIE-ACK and 3 DATA + 3 SACK.
      t.true(sctp.length >= 2 * 10 + 5, `${sctp.length} SCTP packets`);
      const checks = sctp.flatMap((p) => p.checksums.filter((c) => c.layer === 'sctp'));
      t.is(checks.length, sctp.length);
      t.deepEqual(
        checks.filter((c) => !c.valid),
        [],
      );
    } finally {
      rmSync(capture.file, { force: true });
    }
  });
}

test('teardown leaves no namespace, state file, agent or tcpdump behind', async (t) => {
  const own = await buildTopology(loadTopologyFile(THREE_HOST));
  const agents = await Promise.all([own.startAgent('client'), own.startAgent('router'), own.startAgent('server')]);
  await agents[2].tcpServer({ port: 8080 });
  await agents[1].captureStart({ ifname: 'to-server' });
  const inside = (await Promise.all(Object.values(own.namespaces()).map((ns) => run('ip', ['netns', 'pids', ns]))))
    .flatMap((r) => r.stdout.trim().split('\n'))
    .map(Number);
  t.is(inside.length, 4, 'three agents and one tcpdump');
  await own.destroy();
  t.deepEqual(leftovers(own.runId), []);
  t.true(await eventually(() => inside.every((pid) => !processAlive(pid))), inside.filter(processAlive).join(', '));
  await own.destroy();
});
