// GRE / NVGRE layer: exact header bytes, inference of the protocol, decode round trip.
import test from 'ava';
import { buildPacket, decodePacket } from '../../src/packet/index.js';
import type { LayerSpec } from '../../src/packet/index.js';

const INNER: LayerSpec[] = [
  { type: 'eth', dst: '02:00:00:00:0f:01', src: '02:00:00:00:0f:02' },
  { type: 'ipv4', src: '10.1.0.1', dst: '10.1.0.2', id: 1 },
  { type: 'udp', sport: 1, dport: 2 },
  { type: 'payload', data: Buffer.from('x') },
];

test('NVGRE: K bit, protocol 0x6558, key = VSID << 8 | FlowID, IP protocol 47', (t) => {
  const pkt = buildPacket([
    { type: 'eth', dst: '02:00:00:00:00:01', src: '02:00:00:00:00:02' },
    { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', id: 0 },
    { type: 'gre', key: ((0x123456 << 8) | 7) >>> 0 },
    ...INNER,
  ]);
  t.is(pkt[14 + 9], 47);
  t.is(pkt.subarray(34, 42).toString('hex'), '2000655812345607');
  t.deepEqual(pkt.subarray(42), buildPacket(INNER));
  const d = decodePacket(pkt);
  t.is(d.error, undefined);
  t.deepEqual(
    d.layers.map((l) => l.type),
    ['eth', 'ipv4', 'gre', 'eth', 'ipv4', 'udp', 'payload'],
  );
  const gre = d.layers[2];
  t.like(gre, { type: 'gre', flags: 0x2000, version: 0, protocol: 0x6558, key: 0x12345607, length: 8 });
  const rebuilt = buildPacket(d.layers.map(({ offset: _o, length: _l, ...l }) => l));
  t.deepEqual(rebuilt, pkt);
});

test('GRE with checksum, key and sequence words; IPv4 inside infers 0x0800', (t) => {
  const bytes = buildPacket([{ type: 'gre', checksum: 0xbeef, key: 9, seq: 10 }, ...INNER.slice(1)]);
  t.is(bytes.subarray(0, 16).toString('hex'), 'b0000800beef0000000000090000000a');
  t.deepEqual(bytes.subarray(16), buildPacket(INNER.slice(1)));
});

test('GRE: a protocol that cannot be inferred is an error naming the field', (t) => {
  t.throws(() => buildPacket([{ type: 'gre' }, { type: 'payload', data: Buffer.from('x') }]), { message: /gre\.protocol/ });
});
