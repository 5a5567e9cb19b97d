import test from 'ava';
import { buildPacket, decodePacket } from '../../src/packet/index.js';
import { VECTORS } from './vectors.js';

const syn = Buffer.from(VECTORS.tcpSyn!.hex, 'hex');

test('TCP packet truncated at every offset: decoded prefix plus an error, never a throw', (t) => {
  for (let cut = 0; cut < syn.length; cut++) {
    const d = decodePacket(syn.subarray(0, cut));
    t.truthy(d.error, `cut ${cut}`);
    const expectedTypes = cut < 14 ? [] : cut < 34 ? ['eth'] : ['eth', 'ipv4'];
    t.deepEqual(
      d.layers.map((l) => l.type),
      expectedTypes,
      `cut ${cut}`,
    );
    t.is(d.error?.layer, cut < 14 ? 'eth' : 'ipv4', `cut ${cut}`);
  }
  t.deepEqual(decodePacket(syn.subarray(0, 0)).error, {
    layer: 'eth',
    offset: 0,
    message: 'truncated eth header: need 14 bytes at offset 0, have 0',
  });
  t.deepEqual(decodePacket(syn.subarray(0, 20)).error, {
    layer: 'ipv4',
    offset: 14,
    message: 'truncated ipv4 header: need 20 bytes at offset 14, have 6',
  });
  t.deepEqual(decodePacket(syn.subarray(0, 40)).error, {
    layer: 'ipv4',
    offset: 14,
    message: 'ipv4.totalLength: 60 runs past the end of the frame (26 bytes)',
  });
  // The IPv4 header checksum is still judged on the prefix.
  t.deepEqual(
    decodePacket(syn.subarray(0, 40)).checksums.map((c) => [c.layer, c.valid]),
    [['ipv4', true]],
  );
});

test('TCP segment truncated inside the IP packet (consistent lengths): error at the TCP layer', (t) => {
  const ipOnly = syn.subarray(14);
  for (let cut = 20; cut < 60; cut++) {
    const bytes = Buffer.from(ipOnly.subarray(0, cut));
    bytes.writeUInt16BE(cut, 2);
    const d = decodePacket(bytes, { first: 'ipv4' });
    t.deepEqual(
      d.layers.map((l) => l.type),
      ['ipv4'],
      `cut ${cut}`,
    );
    t.is(d.error?.layer, 'tcp', `cut ${cut}`);
  }
  const bytes = Buffer.from(ipOnly.subarray(0, 30));
  bytes.writeUInt16BE(30, 2);
  t.deepEqual(decodePacket(bytes, { first: 'ipv4' }).error, {
    layer: 'tcp',
    offset: 20,
    message: 'truncated tcp header: need 20 bytes at offset 20, have 10',
  });
  const opts = Buffer.from(ipOnly.subarray(0, 50));
  opts.writeUInt16BE(50, 2);
  t.deepEqual(decodePacket(opts, { first: 'ipv4' }).error, {
    layer: 'tcp',
    offset: 20,
    message: 'truncated tcp options: need 40 bytes at offset 20, have 30',
  });
});

test('bad IHL, bad data offset, bad version', (t) => {
  const ihl4 = Buffer.from(syn);
  ihl4[14] = 0x44;
  t.deepEqual(decodePacket(ihl4).error, { layer: 'ipv4', offset: 14, message: 'ipv4.ihl: 4 is below the minimum 5' });
  const ihl15 = Buffer.from(syn);
  ihl15[14] = 0x4f;
  const d15 = decodePacket(ihl15);
  t.deepEqual(
    d15.layers.map((l) => l.type),
    ['eth', 'ipv4'],
  );
  // Options swallow the TCP header; the header checksum no longer matches either.
  t.deepEqual(d15.error, { layer: 'tcp', offset: 74, message: 'truncated tcp header: need 20 bytes at offset 74, have 0' });
  t.deepEqual(
    d15.checksums.map((c) => [c.layer, c.valid]),
    [['ipv4', false]],
  );
  const doff = Buffer.from(syn);
  doff[46] = 0x20;
  t.deepEqual(decodePacket(doff).error, { layer: 'tcp', offset: 34, message: 'tcp.dataOffset: 2 is below the minimum 5' });
  const v5 = Buffer.from(syn);
  v5[14] = 0x55;
  t.deepEqual(decodePacket(v5).error, { layer: 'ipv4', offset: 14, message: 'ipv4.version: 5, expected 4' });
});

test('bad checksums are reported with expected and actual, decoding goes on', (t) => {
  const bad = Buffer.from(syn);
  bad.writeUInt16BE(0x1111, 24);
  bad.writeUInt16BE(0x2222, 50);
  const d = decodePacket(bad);
  t.is(d.error, undefined);
  t.deepEqual(
    d.layers.map((l) => l.type),
    ['eth', 'ipv4', 'tcp'],
  );
  t.deepEqual(d.checksums, [
    { layer: 'ipv4', index: 1, field: 'checksum', valid: false, expected: 0x25b9, actual: 0x1111 },
    { layer: 'tcp', index: 2, field: 'checksum', valid: false, expected: 0x3286, actual: 0x2222 },
  ]);
});

test('Ethernet padding after a short IP packet becomes a trailer and rebuilds identically', (t) => {
  const arpish = buildPacket([
    { type: 'eth', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
    { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' },
    { type: 'udp', sport: 1, dport: 2 },
    { type: 'trailer', data: Buffer.alloc(18) },
  ]);
  t.is(arpish.length, 60);
  const d = decodePacket(arpish);
  t.deepEqual(
    d.layers.map((l) => [l.type, l.offset, l.length]),
    [
      ['eth', 0, 14],
      ['ipv4', 14, 20],
      ['udp', 34, 8],
      ['trailer', 42, 18],
    ],
  );
  t.true(d.checksums.every((c) => c.valid));
  t.deepEqual(buildPacket(d.layers), arpish);
});

test('random corruption of every vector never throws', (t) => {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let decoded = 0;
  for (const v of Object.values(VECTORS)) {
    const base = Buffer.from(v.hex, 'hex');
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(base.subarray(0, base.length - rand(8)));
      for (let k = 0; k < 1 + rand(4); k++) b[rand(b.length)] = rand(256);
      const d = decodePacket(b);
      decoded += d.layers.length;
      if (!d.error && d.layers.every((l) => l.type !== 'trailer')) {
        // Whatever decodes cleanly builds back to the same bytes.
        t.deepEqual(buildPacket(d.layers), b);
      }
    }
  }
  t.true(decoded > 0);
});
