// The SCTP association state machine driven by packets: every packet goes through the real
// encoder and decoder (CRC32c included) on its way between the two ends.
import test from 'ava';
import { buildPacket, decodePacket, type SctpChunk, type SctpSpec } from '../../src/packet/index.js';
import { Association, type AssocEvent, type OutPacket } from '../../netns/agent/sctp/association.js';
import { COOKIE_LENGTH } from '../../netns/agent/sctp/cookie.js';
import { acceptCookieEcho, answerInit, answerOutOfTheBlue, type InPacket, type ListenerContext } from '../../netns/agent/sctp/endpoint.js';

const CLIENT_PORT = 40000;
const SERVER_PORT = 5000;
const CLIENT_TAG = 0x11111111;
const SERVER_TAG = 0x22222222;
const CLIENT_TSN = 100;
const SERVER_TSN = 500;
const config = { rtoMs: 1000, rtoMaxMs: 8000, maxRetransmits: 2, arwnd: 65536, outStreams: 10, inStreams: 10 };

function listener(randoms: number[] = [SERVER_TAG, SERVER_TSN]): ListenerContext {
  const seq = [...randoms];
  return { port: SERVER_PORT, config, secret: Buffer.alloc(32, 7), cookieLifetimeMs: 60000, random32: () => seq.shift() ?? 0x33333333 };
}

/** Encode with ports, decode again: what the other end's socket would see. */
function wire(p: OutPacket, from: 'client' | 'server'): InPacket & { crcValid: boolean } {
  const [sport, dport] = from === 'client' ? [CLIENT_PORT, SERVER_PORT] : [SERVER_PORT, CLIENT_PORT];
  const bytes = buildPacket([{ type: 'sctp', sport, dport, vtag: p.vtag, chunks: p.chunks }]);
  const d = decodePacket(bytes, { first: 'sctp' });
  const s = d.layers[0] as SctpSpec;
  return { sport: s.sport, dport: s.dport, vtag: s.vtag ?? 0, chunks: s.chunks, crcValid: d.checksums[0]!.valid };
}

const kinds = (packets: OutPacket[]): string[] => packets.map((p) => `${p.vtag.toString(16)}:${p.chunks.map((c) => c.type).join('+')}`);
const states = (events: AssocEvent[]): string[] => events.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.to : ''));

function connectPair(): { client: Association; server: Association; log: string[] } {
  const log: string[] = [];
  const client = Association.connect(
    { localPort: CLIENT_PORT, peerPort: SERVER_PORT, localTag: CLIENT_TAG, localInitialTsn: CLIENT_TSN, config },
    0,
  );
  const init = client.drain().packets;
  log.push(...kinds(init));
  const initAck = answerInit(wire(init[0]!, 'client'), listener(), 0);
  if (!initAck) throw new Error('no INIT-ACK');
  log.push(...kinds([initAck]));
  client.receive(wire(initAck, 'server'), 1);
  const echo = client.drain().packets;
  log.push(...kinds(echo));
  const accepted = acceptCookieEcho(wire(echo[0]!, 'client'), listener(), 2);
  if (!accepted.ok) throw new Error(`cookie rejected: ${accepted.reason}`);
  const server = accepted.association;
  const ack = server.drain().packets;
  log.push(...kinds(ack));
  client.receive(wire(ack[0]!, 'server'), 3);
  return { client, server, log };
}

/** Deliver everything `from` queued to `to`; returns what was sent. */
function pump(from: Association, to: Association, now: number): string[] {
  const packets = from.takePackets();
  for (const p of packets) to.receive(wire(p, from.role), now);
  return kinds(packets);
}

test('handshake: INIT / INIT-ACK (cookie) / COOKIE-ECHO / COOKIE-ACK with the right tags and states', (t) => {
  const client = Association.connect(
    { localPort: CLIENT_PORT, peerPort: SERVER_PORT, localTag: CLIENT_TAG, localInitialTsn: CLIENT_TSN, config },
    0,
  );
  t.is(client.state, 'COOKIE-WAIT');
  const first = client.drain();
  t.deepEqual(states(first.events), ['COOKIE-WAIT']);
  t.deepEqual(first.packets, [
    {
      vtag: 0,
      chunks: [{ type: 'init', initiateTag: CLIENT_TAG, arwnd: 65536, outStreams: 10, inStreams: 10, initialTsn: CLIENT_TSN, params: [] }],
    },
  ]);

  const initAck = answerInit(wire(first.packets[0]!, 'client'), listener(), 0);
  t.is(initAck?.vtag, CLIENT_TAG);
  const ackChunk = initAck?.chunks[0] as Extract<SctpChunk, { type: 'init-ack' }>;
  t.is(ackChunk.initiateTag, SERVER_TAG);
  t.is(ackChunk.initialTsn, SERVER_TSN);
  t.deepEqual(
    ackChunk.params?.map((p) => p.type),
    ['cookie'],
  );
  t.is((ackChunk.params?.[0] as { data: Buffer }).data.length, COOKIE_LENGTH);

  client.receive(wire(initAck!, 'server'), 1);
  t.is(client.state, 'COOKIE-ECHOED');
  t.is(client.peerTag, SERVER_TAG);
  const echo = client.drain();
  t.deepEqual(kinds(echo.packets), ['22222222:cookie-echo']);

  const accepted = acceptCookieEcho(wire(echo.packets[0]!, 'client'), listener(), 2);
  if (!accepted.ok) {
    t.fail(accepted.reason);
    return;
  }
  const server = accepted.association;
  t.like(server.snapshot(), {
    role: 'server',
    state: 'ESTABLISHED',
    localTag: SERVER_TAG,
    peerTag: CLIENT_TAG,
    nextTsn: SERVER_TSN,
    peerCumTsn: CLIENT_TSN - 1,
  });
  const ack = server.drain();
  t.deepEqual(kinds(ack.packets), ['11111111:cookie-ack']);
  t.deepEqual(
    ack.events.map((e) => e.type),
    ['state', 'established'],
  );

  client.receive(wire(ack.packets[0]!, 'server'), 3);
  t.like(client.snapshot(), {
    role: 'client',
    state: 'ESTABLISHED',
    localTag: CLIENT_TAG,
    peerTag: SERVER_TAG,
    nextTsn: CLIENT_TSN,
    peerCumTsn: SERVER_TSN - 1,
  });
  t.deepEqual(
    client.drain().events.map((e) => (e.type === 'state' ? `state:${e.to}` : e.type)),
    ['state:ESTABLISHED', 'established'],
  );
});

test('a full lifecycle: DATA / SACK both ways, HEARTBEAT, SHUTDOWN / SHUTDOWN-ACK / SHUTDOWN-COMPLETE', (t) => {
  const { client, server, log } = connectPair();
  client.drain();
  client.send(Buffer.from('hello'), 10, { streamId: 1, ppid: 46 });
  log.push(...pump(client, server, 11));
  const got = server.takeEvents();
  t.deepEqual(got, [{ type: 'data', tsn: CLIENT_TSN, streamId: 1, streamSeq: 0, ppid: 46, data: Buffer.from('hello') }]);
  server.send(Buffer.from('backend'), 12);
  log.push(...pump(server, client, 13));
  t.like(client.snapshot(), { ackedTsn: CLIENT_TSN, outstanding: 0, peerCumTsn: SERVER_TSN, nextTsn: CLIENT_TSN + 1 });
  t.deepEqual(
    client
      .takeEvents()
      .filter((e) => e.type === 'data')
      .map((e) => (e.type === 'data' ? e.data.toString() : '')),
    ['backend'],
  );
  log.push(...pump(client, server, 14));
  t.like(server.snapshot(), { ackedTsn: SERVER_TSN, outstanding: 0 });

  client.heartbeat(20);
  log.push(...pump(client, server, 21));
  log.push(...pump(server, client, 22));
  t.deepEqual(
    client.takeEvents().map((e) => e.type),
    ['heartbeat-ack'],
  );

  client.shutdown(30);
  t.is(client.state, 'SHUTDOWN-SENT');
  log.push(...pump(client, server, 31));
  t.is(server.state, 'SHUTDOWN-ACK-SENT');
  log.push(...pump(server, client, 32));
  t.is(client.state, 'CLOSED');
  log.push(...pump(client, server, 33));
  t.is(server.state, 'CLOSED');
  t.deepEqual(log, [
    '0:init',
    '11111111:init-ack',
    '22222222:cookie-echo',
    '11111111:cookie-ack',
    '22222222:data',
    '11111111:sack+data',
    '22222222:sack',
    '22222222:heartbeat',
    '11111111:heartbeat-ack',
    '22222222:shutdown',
    '11111111:shutdown-ack',
    '22222222:shutdown-complete',
  ]);
  t.deepEqual(states(server.takeEvents()), ['SHUTDOWN-RECEIVED', 'SHUTDOWN-ACK-SENT', 'CLOSED']);
  t.is(client.closeReason, 'shutdown');
  t.is(server.closeReason, 'shutdown');
  t.like(client.counters, { dataIn: 1, dataOut: 1, heartbeatAcksIn: 1, droppedBadVtag: 0, retransmits: 0 });
  t.like(server.counters, { dataIn: 1, dataOut: 1, heartbeatsIn: 1 });
});

test('the cookie: tampered, stale, wrong tag or wrong ports are rejected; the server kept no state', (t) => {
  const client = Association.connect(
    { localPort: CLIENT_PORT, peerPort: SERVER_PORT, localTag: CLIENT_TAG, localInitialTsn: CLIENT_TSN, config },
    0,
  );
  const initAck = answerInit(wire(client.drain().packets[0]!, 'client'), listener(), 0)!;
  client.receive(wire(initAck, 'server'), 1);
  const echo = wire(client.drain().packets[0]!, 'client');
  const cookie = (echo.chunks[0] as Extract<SctpChunk, { type: 'cookie-echo' }>).cookie;
  for (const at of [0, 12, 20, 40, cookie.length - 1]) {
    const tampered = Buffer.from(cookie);
    tampered[at]! ^= 0x01;
    t.deepEqual(
      acceptCookieEcho({ ...echo, chunks: [{ type: 'cookie-echo', cookie: tampered }] }, listener(), 2),
      { ok: false, reason: 'mac' },
      `byte ${at}`,
    );
  }
  t.deepEqual(acceptCookieEcho({ ...echo, chunks: [{ type: 'cookie-echo', cookie: cookie.subarray(1) }] }, listener(), 2), {
    ok: false,
    reason: 'length',
  });
  t.deepEqual(acceptCookieEcho(echo, { ...listener(), secret: Buffer.alloc(32, 8) }, 2), { ok: false, reason: 'mac' });
  t.deepEqual(acceptCookieEcho(echo, listener(), 60001), { ok: false, reason: 'stale' });
  t.deepEqual(acceptCookieEcho({ ...echo, vtag: CLIENT_TAG }, listener(), 2), { ok: false, reason: 'vtag' });
  t.deepEqual(acceptCookieEcho({ ...echo, sport: 40001 }, listener(), 2), { ok: false, reason: 'ports' });
  t.true(acceptCookieEcho(echo, listener(), 2).ok);
});

test('INIT rules: a non-zero vtag, a zero initiate tag or bundled chunks get no answer', (t) => {
  const init: InPacket = {
    sport: CLIENT_PORT,
    dport: SERVER_PORT,
    vtag: 0,
    chunks: [{ type: 'init', initiateTag: CLIENT_TAG, initialTsn: 1 }],
  };
  t.truthy(answerInit(init, listener(), 0));
  t.is(answerInit({ ...init, vtag: 5 }, listener(), 0), undefined);
  t.is(answerInit({ ...init, chunks: [{ type: 'init', initiateTag: 0, initialTsn: 1 }] }, listener(), 0), undefined);
  t.is(answerInit({ ...init, chunks: [...init.chunks, { type: 'cookie-ack' }] }, listener(), 0), undefined);
});

test('wrong verification tag and bad CRC32c: dropped and counted, nothing changes', (t) => {
  const { client, server } = connectPair();
  client.drain();
  server.drain();
  const data: SctpChunk = { type: 'data', tsn: CLIENT_TSN, data: Buffer.from('x') };
  server.receive({ vtag: 0xdeadbeef, chunks: [data], crcValid: true }, 5);
  server.receive({ vtag: SERVER_TAG, chunks: [data], crcValid: false }, 5);
  // A real packet with a corrupted byte fails the CRC in the decoder.
  const bytes = buildPacket([{ type: 'sctp', sport: CLIENT_PORT, dport: SERVER_PORT, vtag: SERVER_TAG, chunks: [data] }]);
  bytes[bytes.length - 4]! ^= 0xff;
  const d = decodePacket(bytes, { first: 'sctp' });
  server.receive({ vtag: SERVER_TAG, chunks: (d.layers[0] as SctpSpec).chunks, crcValid: d.checksums[0]!.valid }, 5);
  t.like(server.counters, { droppedBadVtag: 1, droppedBadCrc: 2, dataIn: 0 });
  t.deepEqual(server.drain(), { packets: [], events: [] });
  t.is(server.peerCumTsn, CLIENT_TSN - 1);
});

test('T bit: ABORT and SHUTDOWN-COMPLETE carry our tag (T=0) or reflect the peer tag (T=1)', (t) => {
  const cases: [string, number, boolean, boolean][] = [
    ['abort T=0 with our tag', SERVER_TAG, false, true],
    ['abort T=0 with the peer tag', CLIENT_TAG, false, false],
    ['abort T=1 with the peer tag', CLIENT_TAG, true, true],
    ['abort T=1 with our tag', SERVER_TAG, true, false],
  ];
  for (const [name, vtag, tBit, accepted] of cases) {
    const { server } = connectPair();
    server.drain();
    server.receive({ vtag, chunks: [{ type: 'abort', tBit }], crcValid: true }, 5);
    t.is(server.state, accepted ? 'CLOSED' : 'ESTABLISHED', name);
    t.is(server.counters.droppedBadVtag, accepted ? 0 : 1, name);
    if (accepted) t.is(server.closeReason, 'abort-received');
  }
  const { client, server } = connectPair();
  client.shutdown(10);
  pump(client, server, 11);
  server.drain();
  t.is(server.state, 'SHUTDOWN-ACK-SENT');
  server.receive({ vtag: SERVER_TAG, chunks: [{ type: 'shutdown-complete', tBit: true }], crcValid: true }, 12);
  t.is(server.state, 'SHUTDOWN-ACK-SENT');
  server.receive({ vtag: CLIENT_TAG, chunks: [{ type: 'shutdown-complete', tBit: true }], crcValid: true }, 13);
  t.is(server.state, 'CLOSED');
});

test('user ABORT sends an ABORT with the peer tag and a user-initiated cause', (t) => {
  const { client, server } = connectPair();
  client.drain();
  client.abort(10, 'bye');
  const { packets, events } = client.drain();
  t.deepEqual(packets, [{ vtag: SERVER_TAG, chunks: [{ type: 'abort', causes: [{ code: 12, data: Buffer.from('bye') }] }] }]);
  t.deepEqual(events, [
    { type: 'state', from: 'ESTABLISHED', to: 'CLOSED' },
    { type: 'closed', reason: 'abort-sent' },
  ]);
  server.drain();
  server.receive(wire(packets[0]!, 'client'), 11);
  t.deepEqual(server.drain().events, [
    { type: 'state', from: 'ESTABLISHED', to: 'CLOSED' },
    { type: 'closed', reason: 'abort-received' },
  ]);
  t.throws(() => client.send(Buffer.from('late'), 12), { message: 'send: the association is CLOSED, not ESTABLISHED' });
});

test('retransmission: INIT on T1 with backoff, then give up after maxRetransmits', (t) => {
  const client = Association.connect(
    { localPort: CLIENT_PORT, peerPort: SERVER_PORT, localTag: CLIENT_TAG, localInitialTsn: CLIENT_TSN, config },
    0,
  );
  client.drain();
  t.is(client.nextDeadline(), 1000);
  client.onTimeout(999);
  t.deepEqual(client.drain().packets, []);
  client.onTimeout(1000);
  t.deepEqual(kinds(client.drain().packets), ['0:init']);
  t.is(client.nextDeadline(), 3000);
  client.onTimeout(3000);
  t.deepEqual(kinds(client.drain().packets), ['0:init']);
  t.is(client.nextDeadline(), 7000);
  client.onTimeout(7000);
  const last = client.drain();
  t.deepEqual(last.packets, []);
  t.deepEqual(last.events, [
    { type: 'state', from: 'COOKIE-WAIT', to: 'CLOSED' },
    { type: 'closed', reason: 'retransmit-limit' },
  ]);
  t.is(client.counters.retransmits, 2);
  t.is(client.nextDeadline(), undefined);
});

test('retransmission: COOKIE-ECHO on T1, DATA on T3 with the same TSN, duplicates reported in the SACK', (t) => {
  const client = Association.connect(
    { localPort: CLIENT_PORT, peerPort: SERVER_PORT, localTag: CLIENT_TAG, localInitialTsn: CLIENT_TSN, config },
    0,
  );
  const initAck = answerInit(wire(client.drain().packets[0]!, 'client'), listener(), 0)!;
  client.receive(wire(initAck, 'server'), 100);
  client.drain();
  client.onTimeout(1100);
  t.deepEqual(kinds(client.drain().packets), ['22222222:cookie-echo']);

  const { client: c, server: s } = connectPair();
  c.drain();
  s.drain();
  c.send(Buffer.from('one'), 10);
  const lost = c.drain().packets;
  t.deepEqual(kinds(lost), ['22222222:data']);
  c.onTimeout(1010);
  const again = c.drain().packets;
  t.deepEqual(again, lost);
  s.receive(wire(again[0]!, 'client'), 1011);
  s.receive(wire(again[0]!, 'client'), 1012);
  const sacks = s.drain().packets.flatMap((p) => p.chunks);
  t.deepEqual(sacks, [
    { type: 'sack', cumTsnAck: CLIENT_TSN, arwnd: 65536, gapBlocks: [], dupTsns: [] },
    { type: 'sack', cumTsnAck: CLIENT_TSN, arwnd: 65536, gapBlocks: [], dupTsns: [CLIENT_TSN] },
  ]);
  t.like(s.counters, { dataIn: 1, dupTsns: 1 });
  t.like(c.counters, { retransmits: 1 });
});

test('DATA retransmitted past the limit aborts the association', (t) => {
  const { client } = connectPair();
  client.drain();
  client.send(Buffer.from('void'), 0);
  client.drain();
  client.onTimeout(1000);
  client.onTimeout(3000);
  client.drain();
  client.onTimeout(7000);
  const { packets, events } = client.drain();
  t.deepEqual(packets, [{ vtag: SERVER_TAG, chunks: [{ type: 'abort', causes: [] }] }]);
  t.deepEqual(events.at(-1), { type: 'closed', reason: 'retransmit-limit' });
});

test('DATA queued in COOKIE-WAIT goes out after COOKIE-ACK; SHUTDOWN waits for outstanding DATA', (t) => {
  const client = Association.connect(
    { localPort: CLIENT_PORT, peerPort: SERVER_PORT, localTag: CLIENT_TAG, localInitialTsn: CLIENT_TSN, config },
    0,
  );
  client.send(Buffer.from('early'), 0);
  const initAck = answerInit(wire(client.drain().packets[0]!, 'client'), listener(), 0)!;
  client.receive(wire(initAck, 'server'), 1);
  const echo = client.drain().packets;
  const accepted = acceptCookieEcho(wire(echo[0]!, 'client'), listener(), 2);
  if (!accepted.ok) {
    t.fail();
    return;
  }
  const server = accepted.association;
  client.receive(wire(server.drain().packets[0]!, 'server'), 3);
  t.deepEqual(kinds(client.drain().packets), ['22222222:data']);
  t.is(client.snapshot().outstanding, 1);
  client.shutdown(4);
  t.is(client.state, 'SHUTDOWN-PENDING');
  t.deepEqual(client.drain().packets, []);
  client.receive(wire({ vtag: CLIENT_TAG, chunks: [{ type: 'sack', cumTsnAck: CLIENT_TSN }] }, 'server'), 5);
  t.is(client.state, 'SHUTDOWN-SENT');
  t.deepEqual(client.drain().packets, [{ vtag: SERVER_TAG, chunks: [{ type: 'shutdown', cumTsnAck: SERVER_TSN - 1 }] }]);
});

test('out-of-the-blue answers (RFC 9260 8.4)', (t) => {
  const p = (chunks: SctpChunk[]): InPacket => ({ sport: 1, dport: 2, vtag: 0xabc, chunks });
  t.deepEqual(answerOutOfTheBlue(p([{ type: 'data', tsn: 1, data: Buffer.from('x') }])), {
    vtag: 0xabc,
    chunks: [{ type: 'abort', tBit: true }],
  });
  t.deepEqual(answerOutOfTheBlue(p([{ type: 'shutdown-ack' }])), { vtag: 0xabc, chunks: [{ type: 'shutdown-complete', tBit: true }] });
  t.deepEqual(answerOutOfTheBlue(p([{ type: 'init', initiateTag: 77, initialTsn: 1 }])), { vtag: 77, chunks: [{ type: 'abort' }] });
  for (const type of ['abort', 'shutdown-complete', 'cookie-ack'] as const) t.is(answerOutOfTheBlue(p([{ type }])), undefined, type);
  t.is(answerOutOfTheBlue(p([])), undefined);
});
