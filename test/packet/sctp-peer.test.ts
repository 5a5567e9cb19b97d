// Our SCTP peer on both ends of a real veth between two namespaces (this kernel has no SCTP):
// full lifecycles and an ABORT over IPv4 and IPv6, captured with tcpdump, every CRC32c checked.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPacket, decodePacket, readPcap, type SctpSpec } from '../../src/packet/index.js';
import { createPair, netnsUnavailable, startCapture } from './netns-pair.js';
import { PeerProcess } from './sctp-process.js';

const unavailable = netnsUnavailable();
if (unavailable) {
  test('sctp peer over veth (skipped)', (t) => {
    t.log(`skipped: ${unavailable}`);
    t.pass();
  });
}

interface AssocStatus {
  id: number;
  family: number;
  peerAddr: string;
  role: string;
  state: string;
  localPort: number;
  peerPort: number;
  localTag: number;
  peerTag: number;
  nextTsn: number;
  ackedTsn: number;
  peerCumTsn: number;
  closeReason?: string;
  counters: Record<string, number>;
}

async function status(p: PeerProcess): Promise<AssocStatus[]> {
  return ((await p.call('status')).result as { associations: AssocStatus[] }).associations;
}

(unavailable ? test.skip : test)(
  'SCTP peer: INIT..DATA..SHUTDOWN-COMPLETE and ABORT over IPv4 and IPv6, valid CRC32c on the wire',
  async (t) => {
    const pair = createPair(75, { staticNeighbours: true });
    const dir = mkdtempSync(join(tmpdir(), 'fp-sctp-'));
    const peers: PeerProcess[] = [];
    t.teardown(async () => {
      for (const p of peers) await p.stop();
      pair.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    const file = join(dir, 'sctp.pcap');
    const capture = await startCapture(pair.b, pair.dev, file, ['sctp']);
    const server = await PeerProcess.start(pair.b, 'backend-b');
    peers.push(server);
    const client = await PeerProcess.start(pair.a, 'client-a');
    peers.push(client);
    await server.call('listen', { port: 5000 });

    const ports = { v4: 40004, v4abort: 40014, v6: 40006, v6abort: 40016 };
    for (const [family, addr] of [
      ['v4', pair.v4.b],
      ['v6', pair.v6.b],
    ] as const) {
      const localPort = ports[family];
      const { assocId } = (await client.call('connect', { addr, port: 5000, localPort })).result as { assocId: number };
      await client.call('send', { assocId, data: `hello over ${family}`, ppid: 46 });
      const reply = await client.waitFor((m) => m.event === 'data' && m.assocId === assocId);
      t.is(reply.data, 'backend-b');
      t.is(reply.ppid, 46);
      const served = await server.waitFor((m) => m.event === 'data' && m.data === `hello over ${family}`);
      await client.call('heartbeat', { assocId });
      await client.waitFor((m) => m.event === 'heartbeat-ack' && m.assocId === assocId);

      // Both ends agree on tags and TSNs while ESTABLISHED.
      const c = (await status(client)).find((a) => a.id === assocId)!;
      const s = (await status(server)).find((a) => a.id === served.assocId)!;
      t.like(c, { role: 'client', state: 'ESTABLISHED', localPort, peerPort: 5000, peerAddr: addr });
      t.like(s, { role: 'server', state: 'ESTABLISHED', localPort: 5000, peerPort: localPort });
      t.is(c.localTag, s.peerTag);
      t.is(c.peerTag, s.localTag);
      t.is(c.ackedTsn, s.peerCumTsn);
      t.is(s.ackedTsn, c.peerCumTsn);
      t.like(c.counters, { dataOut: 1, dataIn: 1, heartbeatAcksIn: 1, droppedBadVtag: 0, droppedBadCrc: 0 });

      t.deepEqual((await client.call('shutdown', { assocId })).result, { reason: 'shutdown' });
      await server.waitFor((m) => m.event === 'closed' && m.assocId === served.assocId);
      t.like(
        (await status(server)).find((a) => a.id === served.assocId),
        { state: 'CLOSED', closeReason: 'shutdown' },
      );

      const aborted = (await client.call('connect', { addr, port: 5000, localPort: ports[`${family}abort`] })).result as {
        assocId: number;
      };
      await client.call('abort', { assocId: aborted.assocId });
      const closed = await server.waitFor((m) => m.event === 'closed' && m.reason === 'abort-received');
      t.like(
        (await status(server)).find((a) => a.id === closed.assocId),
        { state: 'CLOSED', closeReason: 'abort-received', peerPort: ports[`${family}abort`] },
      );
      t.like(
        (await status(client)).find((a) => a.id === aborted.assocId),
        { state: 'CLOSED', closeReason: 'abort-sent' },
      );
      // The next family's waits must not match this one's events.
      server.events.splice(0);
      client.events.splice(0);
    }
    await new Promise((r) => setTimeout(r, 200));
    await capture.stop();

    const packets = (await readPcap(file)).map((p) => decodePacket(p.data));
    t.true(
      packets.every((d) => !d.error && d.checksums.every((c) => c.valid)),
      'every packet decodes with valid checksums',
    );
    const sctpChecks = packets.flatMap((d) => d.checksums.filter((c) => c.layer === 'sctp'));
    t.is(sctpChecks.length, packets.length);
    t.log(`${packets.length} SCTP packets, all CRC32c valid`);
    const flow = packets.map((d) => {
      const ip = d.layers[1]!;
      const s = d.layers.find((l) => l.type === 'sctp') as SctpSpec;
      const dir = s.sport === 5000 ? '<' : '>';
      return `${ip.type} ${dir} ${s.chunks.map((c) => c.type).join('+')}`;
    });
    const lifecycle = (v: string): string[] => [
      `${v} > init`,
      `${v} < init-ack`,
      `${v} > cookie-echo`,
      `${v} < cookie-ack`,
      `${v} > data`,
      `${v} < sack+data`,
      `${v} > sack`,
      `${v} > heartbeat`,
      `${v} < heartbeat-ack`,
      `${v} > shutdown`,
      `${v} < shutdown-ack`,
      `${v} > shutdown-complete`,
      `${v} > init`,
      `${v} < init-ack`,
      `${v} > cookie-echo`,
      `${v} < cookie-ack`,
      `${v} > abort`,
    ];
    t.deepEqual(flow, [...lifecycle('ipv4'), ...lifecycle('ipv6')]);
  },
);

(unavailable ? test.skip : test)('SCTP peer: packets with a bad CRC32c or a wrong verification tag are dropped and counted', async (t) => {
  const pair = createPair(76, { staticNeighbours: true });
  const peers: PeerProcess[] = [];
  t.teardown(async () => {
    for (const p of peers) await p.stop();
    pair.destroy();
  });
  const server = await PeerProcess.start(pair.b, 'backend-b');
  peers.push(server);
  const client = await PeerProcess.start(pair.a, 'client-a');
  peers.push(client);
  await server.call('listen', { port: 5000 });
  const { assocId } = (await client.call('connect', { addr: pair.v4.b, port: 5000, localPort: 40100 })).result as { assocId: number };
  const c = (await status(client)).find((a) => a.id === assocId)!;
  const data = (vtag: number, checksum?: number): string =>
    buildPacket([
      {
        type: 'sctp',
        sport: 40100,
        dport: 5000,
        vtag,
        ...(checksum !== undefined ? { checksum } : {}),
        chunks: [{ type: 'data', tsn: c.nextTsn, data: Buffer.from('forged') }],
      },
    ]).toString('hex');
  await client.call('inject', { addr: pair.v4.b, hex: data(c.peerTag, 0x12345678) });
  await client.call('inject', { addr: pair.v4.b, hex: data((c.peerTag ^ 0x80000000) >>> 0) });
  // A real message afterwards: the forged ones neither got through nor used up its TSN.
  await client.call('send', { assocId, data: 'real' });
  await client.waitFor((m) => m.event === 'data' && m.assocId === assocId);
  const s = (await status(server)).find((a) => a.peerPort === 40100)!;
  t.like(s.counters, { droppedBadCrc: 1, droppedBadVtag: 1, dataIn: 1 });
  t.deepEqual(
    server.events.filter((m) => m.event === 'data').map((m) => m.data),
    ['real'],
  );
  t.deepEqual((await client.call('shutdown', { assocId })).result, { reason: 'shutdown' });
});
