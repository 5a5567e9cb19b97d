import test from 'ava';
import { buildPacket, decodePacket, diffPackets, renderDiff, renderPacket, type LayerSpec } from '../../src/packet/index.js';
import { VECTORS } from './vectors.js';

const packet = (name: keyof typeof VECTORS): Buffer => Buffer.from(VECTORS[name]!.hex, 'hex');

test('renderPacket: one line per layer, checksum verdicts', (t) => {
  t.is(
    renderPacket(packet('tcpSyn')),
    [
      'eth 02:00:00:00:00:01 > 02:00:00:00:00:02 type 0x0800',
      'ipv4 10.0.0.1 > 10.0.1.2 ttl 64 id 1 len 60 df csum 0x25b9 ok',
      'tcp 1234 > 80 [S] seq 1 ack 0 win 64240 opts mss 1460,sackPerm,ts 100 0,wscale 7 csum 0x3286 ok',
    ].join('\n'),
  );
  t.is(
    renderPacket(packet('udpVlan')),
    [
      'eth 02:00:00:00:00:01 > 02:00:00:00:00:02 type 0x8100',
      'vlan 100 pcp 3 type 0x0800',
      'ipv4 10.0.0.1 > 10.0.1.2 ttl 64 id 7 len 33 csum 0x65c3 ok',
      'udp 5000 > 53 len 13 csum 0x9342 ok',
      'payload 5 bytes 68656c6c6f',
    ].join('\n'),
  );
  t.is(
    renderPacket(packet('sctpDataSack')),
    [
      'eth 02:00:00:00:00:01 > 02:00:00:00:00:02 type 0x86dd',
      'ipv6 fd00::1 > fd00::2 hlim 64 flow 0x00000 plen 48',
      'sctp 5000 > 38412 vtag 0x55667788 csum 0x5f8b4868 ok DATA(tsn 100 sid 1 ssn 0 ppid 60 len 3),SACK(cum 41)',
    ].join('\n'),
  );
  t.is(
    renderPacket(packet('sctpInit')).split('\n')[2],
    'sctp 5000 > 38412 vtag 0x00000000 csum 0xb0e5c0e4 ok INIT(tag 0x11223344 tsn 100 10.0.0.1 fd00::1)',
  );
  t.is(renderPacket(packet('gtpuQfi')).split('\n')[3], 'gtpu teid 0x00001234 type 255 len 36 qfi 9 dl');
  t.is(renderPacket(packet('vxlan')).split('\n')[3], 'vxlan vni 4242');
  t.is(renderPacket(packet('neighborSolicitation')).split('\n')[2], 'icmpv6 neighbor-solicitation code 0 target fd00::2 csum 0x7d97 ok');
  t.is(
    renderPacket(packet('ipv6Extensions')).split('\n').slice(1, 3).join('\n'),
    [
      'ipv6 fd00::1 > fd00::2 hlim 64 flow 0x00000 plen 36 ext hopByHop,destOpts,fragment(off 0 mf id 43981)',
      'udp 1000 > 2000 len 12 csum 0x3240',
    ].join('\n'),
  );
  t.is(
    renderPacket(packet('ipv4LaterFragment')).split('\n')[1],
    'ipv4 10.0.0.1 > 10.0.1.2 ttl 64 id 77 len 28 mf frag 1480 csum 0x44c9 ok',
  );
  t.is(renderPacket(packet('arpRequest')).split('\n')[1], 'arp op 1 02:00:00:00:00:01 10.0.0.1 > 00:00:00:00:00:00 10.0.0.2');
});

test('renderPacket: bad checksum and decode error lines', (t) => {
  const bad = packet('tcpSyn');
  bad.writeUInt16BE(0xdead, 24);
  t.is(renderPacket(bad).split('\n')[1], 'ipv4 10.0.0.1 > 10.0.1.2 ttl 64 id 1 len 60 df csum 0xdead bad (expected 0x25b9)');
  t.is(
    renderPacket(decodePacket(packet('tcpSyn').subarray(0, 40))),
    [
      'eth 02:00:00:00:00:01 > 02:00:00:00:00:02 type 0x0800',
      'ipv4 10.0.0.1 > 10.0.1.2 ttl 64 id 1 len 60 df csum 0x25b9 ok',
      'error at 14 (ipv4): ipv4.totalLength: 60 runs past the end of the frame (26 bytes)',
    ].join('\n'),
  );
});

function rewritten(): Buffer {
  const layers = decodePacket(packet('tcpSyn')).layers as LayerSpec[];
  const ip = { ...layers[1], ttl: 63, checksum: undefined } as LayerSpec;
  const tcp = { ...layers[2], window: 1000, checksum: undefined } as LayerSpec;
  return buildPacket([layers[0]!, ip, tcp]);
}

test('diffPackets: field by field, expected vs actual; renderDiff', (t) => {
  const diffs = diffPackets(packet('tcpSyn'), rewritten());
  t.deepEqual(diffs, [
    { layer: 'ipv4', field: 'ttl', expected: '64', actual: '63' },
    { layer: 'ipv4', field: 'checksum', expected: '0x25b9', actual: '0x26b9' },
    { layer: 'tcp', field: 'window', expected: '64240', actual: '1000' },
    { layer: 'tcp', field: 'checksum', expected: '0x3286', actual: '0x298f' },
  ]);
  t.is(
    renderDiff(diffs),
    [
      'ipv4.ttl: expected 64, actual 63',
      'ipv4.checksum: expected 0x25b9, actual 0x26b9',
      'tcp.window: expected 64240, actual 1000',
      'tcp.checksum: expected 0x3286, actual 0x298f',
    ].join('\n'),
  );
  t.is(renderDiff([]), 'no differences');
});

test('diffPackets: masks by layer type, layer name and field prefix', (t) => {
  t.deepEqual(
    diffPackets(packet('tcpSyn'), rewritten(), {
      mask: [{ layer: 'ipv4', field: 'ttl' }, { layer: 'ipv4', field: 'checksum' }, { layer: 'tcp' }],
    }),
    [],
  );
  const inner = decodePacket(packet('vxlan')).layers as LayerSpec[];
  const changed = buildPacket(
    inner.map((l, i) =>
      i === 5 ? ({ ...l, id: 99, checksum: undefined } as LayerSpec) : i === 2 ? ({ ...l, checksum: undefined } as LayerSpec) : l,
    ),
  );
  // The outer UDP checksum does not move: the inner header's id and checksum change cancel out.
  t.deepEqual(diffPackets(packet('vxlan'), changed), [
    { layer: 'ipv4[1]', field: 'id', expected: '2', actual: '99' },
    { layer: 'ipv4[1]', field: 'checksum', expected: '0x66db', actual: '0x667a' },
  ]);
  t.deepEqual(diffPackets(packet('vxlan'), changed, { mask: [{ layer: 'ipv4[1]' }] }), []);
  t.is(diffPackets(packet('vxlan'), changed, { mask: [{ layer: 'ipv4' }] }).length, 0);
  const flags = decodePacket(packet('tcpSyn')).layers as LayerSpec[];
  const fin = buildPacket([flags[0]!, flags[1]!, { ...flags[2], flags: { fin: true }, checksum: undefined } as LayerSpec]);
  t.deepEqual(diffPackets(packet('tcpSyn'), fin, { mask: [{ layer: 'tcp', field: 'checksum' }] }), [
    { layer: 'tcp', field: 'flags.fin', expected: 'false', actual: 'true' },
    { layer: 'tcp', field: 'flags.syn', expected: 'true', actual: 'false' },
  ]);
  t.deepEqual(
    diffPackets(packet('tcpSyn'), fin, {
      mask: [
        { layer: 'tcp', field: 'flags' },
        { layer: 'tcp', field: 'checksum' },
      ],
    }),
    [],
  );
});

test('diffPackets: missing layers, different layer types and decode errors', (t) => {
  const diffs = diffPackets(packet('udpVlan'), packet('tcpSyn').subarray(0, 40));
  t.deepEqual(diffs.slice(0, 2), [
    { layer: 'eth', field: 'ethertype', expected: '0x8100', actual: '0x800' },
    { layer: 'vlan', field: 'type', expected: 'vlan', actual: 'ipv4' },
  ]);
  t.deepEqual(diffs.slice(2), [
    { layer: 'ipv4', field: 'type', expected: 'ipv4', actual: '(absent)' },
    { layer: 'udp', field: 'type', expected: 'udp', actual: '(absent)' },
    { layer: 'payload', field: 'type', expected: 'payload', actual: '(absent)' },
    {
      layer: 'decode',
      field: 'error',
      expected: '(absent)',
      actual: 'ipv4: ipv4.totalLength: 60 runs past the end of the frame (26 bytes)',
    },
  ]);
});
