import test from 'ava';
import {
  buildPacket,
  decodePacket,
  formatIpv6,
  parseIpv6,
  type DecodedLayer,
  type LayerSpec,
  type SctpChunk,
} from '../../src/packet/index.js';
import { VECTORS } from './vectors.js';

/** Decoded layers without the position fields, for exact comparisons. */
function fieldsOnly(layers: DecodedLayer[]): LayerSpec[] {
  return layers.map(({ offset: _o, length: _l, ...rest }) => rest);
}

for (const [name, v] of Object.entries(VECTORS)) {
  test(`vector ${name}: exact bytes, valid checksums, decode -> build identical`, (t) => {
    const built = buildPacket(v.layers);
    t.is(built.toString('hex'), v.hex);
    const d = decodePacket(built);
    t.is(d.error, undefined);
    t.true(
      d.checksums.every((c) => c.valid),
      JSON.stringify(d.checksums),
    );
    t.is(buildPacket(d.layers).toString('hex'), v.hex);
  });
}

test('decoded TCP SYN: every field explicit, offsets and lengths', (t) => {
  const d = decodePacket(Buffer.from(VECTORS.tcpSyn!.hex, 'hex'));
  t.deepEqual(
    d.layers.map((l) => [l.type, l.offset, l.length]),
    [
      ['eth', 0, 14],
      ['ipv4', 14, 20],
      ['tcp', 34, 40],
    ],
  );
  t.deepEqual(fieldsOnly(d.layers)[2], {
    type: 'tcp',
    sport: 1234,
    dport: 80,
    seq: 1,
    ack: 0,
    dataOffset: 10,
    reserved: 0,
    flags: { fin: false, syn: true, rst: false, psh: false, ack: false, urg: false, ece: false, cwr: false, ae: false },
    window: 64240,
    checksum: 0x3286,
    urgent: 0,
    options: [
      { kind: 'mss', value: 1460 },
      { kind: 'sackPerm' },
      { kind: 'timestamps', tsval: 100, tsecr: 0 },
      { kind: 'nop' },
      { kind: 'wscale', value: 7 },
    ],
  });
  t.deepEqual(d.checksums, [
    { layer: 'ipv4', index: 1, field: 'checksum', valid: true, expected: 0x25b9, actual: 0x25b9 },
    { layer: 'tcp', index: 2, field: 'checksum', valid: true, expected: 0x3286, actual: 0x3286 },
  ]);
});

test('overrides build bad packets on purpose, and the decoder reports them', (t) => {
  const [eth, ip, tcp] = VECTORS.tcpSyn!.layers;
  const badCsum = buildPacket([eth!, { ...ip, checksum: 0xdead } as LayerSpec, { ...tcp, checksum: 0xbeef } as LayerSpec]);
  t.is(badCsum.readUInt16BE(24), 0xdead);
  t.is(badCsum.readUInt16BE(50), 0xbeef);
  const d = decodePacket(badCsum);
  t.is(d.error, undefined);
  t.deepEqual(d.checksums, [
    { layer: 'ipv4', index: 1, field: 'checksum', valid: false, expected: 0x25b9, actual: 0xdead },
    { layer: 'tcp', index: 2, field: 'checksum', valid: false, expected: 0x3286, actual: 0xbeef },
  ]);
  t.deepEqual(buildPacket(d.layers), badCsum);

  const long = buildPacket([eth!, { ...ip, totalLength: 9999 } as LayerSpec, tcp!]);
  t.is(long.readUInt16BE(16), 9999);
  t.deepEqual(decodePacket(long).error, {
    layer: 'ipv4',
    offset: 14,
    message: 'ipv4.totalLength: 9999 runs past the end of the frame (60 bytes)',
  });

  const shortIhl = buildPacket([eth!, { ...ip, ihl: 3 } as LayerSpec, tcp!]);
  t.is(shortIhl[14], 0x43);
  const ds = decodePacket(shortIhl);
  t.deepEqual(
    ds.layers.map((l) => l.type),
    ['eth', 'ipv4'],
  );
  t.deepEqual(ds.error, { layer: 'ipv4', offset: 14, message: 'ipv4.ihl: 3 is below the minimum 5' });

  const udp = buildPacket([
    eth!,
    { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' },
    { type: 'udp', sport: 1, dport: 2, udpLength: 4, checksum: 0 },
  ]);
  t.is(udp.readUInt16BE(38), 4);
  t.deepEqual(decodePacket(udp).error, { layer: 'udp', offset: 34, message: 'udp.udpLength: 4 is below the minimum 8' });

  const ether = buildPacket([
    { type: 'eth', ethertype: 0x88b5 },
    { type: 'payload', data: Buffer.from([1, 2]) },
  ]);
  t.is(ether.toString('hex'), '00000000000000000000000088b50102');
  t.deepEqual(fieldsOnly(decodePacket(ether).layers), [
    { type: 'eth', dst: '00:00:00:00:00:00', src: '00:00:00:00:00:00', ethertype: 0x88b5 },
    { type: 'payload', data: Buffer.from([1, 2]) },
  ]);
});

test('SCTP: every chunk type with parameters and causes builds and decodes back exactly', (t) => {
  const cookie = Buffer.from('0123456789abcdef0123', 'hex');
  const chunks: SctpChunk[] = [
    {
      type: 'init-ack',
      initiateTag: 0xa1b2c3d4,
      arwnd: 32768,
      outStreams: 5,
      inStreams: 6,
      initialTsn: 7,
      params: [
        { type: 'cookie', data: cookie },
        { type: 'ipv6', addr: 'fd00:1::5' },
        { type: 'raw', code: 0x8000, data: Buffer.from([1]) },
      ],
    },
    { type: 'cookie-echo', cookie },
    { type: 'cookie-ack' },
    { type: 'data', tsn: 1, streamId: 2, streamSeq: 3, ppid: 4, data: Buffer.from('x'), unordered: true },
    { type: 'sack', cumTsnAck: 9, arwnd: 1000, gapBlocks: [{ start: 2, end: 3 }], dupTsns: [5] },
    { type: 'heartbeat', params: [{ type: 'heartbeatInfo', data: Buffer.from('beat') }] },
    { type: 'heartbeat-ack', params: [{ type: 'heartbeatInfo', data: Buffer.from('beat') }] },
    { type: 'shutdown', cumTsnAck: 12 },
    { type: 'shutdown-ack' },
    { type: 'shutdown-complete', tBit: true },
    { type: 'abort', tBit: true, causes: [{ code: 12, data: Buffer.from('user says bye') }] },
    { type: 'error', causes: [{ code: 1, data: Buffer.from([0, 5, 0, 0]) }] },
  ];
  const built = buildPacket([{ type: 'sctp', sport: 9, dport: 10, vtag: 0x01020304, chunks }]);
  const d = decodePacket(built, { first: 'sctp' });
  t.is(d.error, undefined);
  t.true(d.checksums[0]!.valid);
  const got = (fieldsOnly(d.layers)[0] as Extract<LayerSpec, { type: 'sctp' }>).chunks;
  t.deepEqual(
    got.map((c) => c.type),
    chunks.map((c) => c.type),
  );
  t.deepEqual(got[0], { ...chunks[0], flags: 0, chunkLength: 4 + 16 + 16 + 20 + 5 });
  t.deepEqual(got[3], {
    type: 'data',
    flags: 7,
    chunkLength: 17,
    tsn: 1,
    streamId: 2,
    streamSeq: 3,
    ppid: 4,
    data: Buffer.from('x'),
    unordered: true,
    beginning: true,
    ending: true,
  });
  t.deepEqual(got[4], { ...chunks[4], flags: 0, chunkLength: 24 });
  t.deepEqual(got[9], { type: 'shutdown-complete', flags: 1, chunkLength: 4, tBit: true });
  t.deepEqual(got[10], {
    type: 'abort',
    flags: 1,
    chunkLength: 21,
    tBit: true,
    causes: [{ code: 12, data: Buffer.from('user says bye') }],
  });
  t.deepEqual(buildPacket(d.layers), built);
  // DATA flags byte and padding on the wire: 1-byte payload padded to 4.
  const dataAt = built.indexOf(Buffer.from([0x00, 0x07, 0x00, 0x11]));
  t.true(dataAt > 0);
  t.is(built.subarray(dataAt + 16, dataAt + 20).toString('hex'), '78000000');
});

test('SCTP overrides: chunk length and checksum', (t) => {
  const built = buildPacket([
    { type: 'sctp', sport: 1, dport: 2, vtag: 3, checksum: 0x12345678, chunks: [{ type: 'cookie-ack', chunkLength: 40 }] },
  ]);
  t.is(built.toString('hex'), '000100020000000378563412' + '0b000028');
  const d = decodePacket(built, { first: 'sctp' });
  t.false(d.checksums[0]!.valid);
  t.deepEqual(d.error, { layer: 'sctp', offset: 0, message: 'sctp.chunks[0].chunkLength: 40 does not fit in the 4 bytes left' });
});

test('VXLAN: the inner frame is decoded by UDP port', (t) => {
  const d = decodePacket(Buffer.from(VECTORS.vxlan!.hex, 'hex'));
  t.deepEqual(
    d.layers.map((l) => l.type),
    ['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'icmp'],
  );
  t.deepEqual(fieldsOnly(d.layers)[3], { type: 'vxlan', flags: 8, reserved1: 0, vni: 4242, reserved2: 0 });
  t.deepEqual(
    d.checksums.map((c) => `${c.layer}:${c.valid}`),
    ['ipv4:true', 'udp:true', 'ipv4[1]:true', 'icmp:true'],
  );
});

test('GTP-U: PDU session container with QFI, inner IPv4 decoded', (t) => {
  const d = decodePacket(Buffer.from(VECTORS.gtpuQfi!.hex, 'hex'));
  t.deepEqual(
    d.layers.map((l) => l.type),
    ['eth', 'ipv4', 'udp', 'gtpu', 'ipv4', 'udp'],
  );
  t.deepEqual(fieldsOnly(d.layers)[3], {
    type: 'gtpu',
    version: 1,
    pt: 1,
    flags: 4,
    msgType: 255,
    gtpLength: 36,
    teid: 0x1234,
    seq: 0,
    npdu: 0,
    extensions: [{ type: 'pduSession', pduType: 0, spare: 0, ppp: false, rqi: false, qfi: 9 }],
  });
  const ul = buildPacket([
    { type: 'gtpu', teid: 1, extensions: [{ type: 'pduSession', pduType: 1, qfi: 63 }] },
    { type: 'payload', data: Buffer.from([0]) },
  ]);
  t.is(ul.toString('hex'), '34ff000900000001' + '00000085' + '01103f00' + '00');
});

test('IPv6 extension headers and a fragment header decode exactly', (t) => {
  const d = decodePacket(Buffer.from(VECTORS.ipv6Extensions!.hex, 'hex'));
  const ip = fieldsOnly(d.layers)[1] as Extract<LayerSpec, { type: 'ipv6' }>;
  t.deepEqual(ip.extensions, [
    {
      type: 'hopByHop',
      nextHeader: 60,
      hdrExtLen: 0,
      options: [
        { type: 5, data: Buffer.from([0, 0]) },
        { type: 1, data: Buffer.alloc(0) },
      ],
    },
    { type: 'destOpts', nextHeader: 44, hdrExtLen: 0, options: [{ type: 1, data: Buffer.alloc(4) }] },
    { type: 'fragment', nextHeader: 17, reserved: 0, fragOffset: 0, res2: 0, mf: true, id: 0xabcd },
  ]);
  t.is(d.layers[1]!.length, 64);
  // A first fragment does not hold the whole datagram: no UDP checksum verdict.
  t.deepEqual(
    d.checksums.map((c) => c.layer),
    [],
  );
  const later = buildPacket([
    { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2', extensions: [{ type: 'fragment', id: 1, fragOffset: 2, nextHeader: 17 }] },
    { type: 'payload', data: Buffer.from('tail') },
  ]);
  t.deepEqual(
    decodePacket(later, { first: 'ipv6' }).layers.map((l) => l.type),
    ['ipv6', 'payload'],
  );
  const routed = buildPacket([
    { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2', extensions: [{ type: 'routing', routingType: 0, addresses: ['fd00::3', 'fd00::4'] }] },
    { type: 'udp', sport: 1, dport: 2 },
  ]);
  const r = fieldsOnly(decodePacket(routed, { first: 'ipv6' }).layers)[0] as Extract<LayerSpec, { type: 'ipv6' }>;
  t.deepEqual(r.extensions, [
    { type: 'routing', nextHeader: 17, hdrExtLen: 4, routingType: 0, segmentsLeft: 2, reserved: 0, addresses: ['fd00::3', 'fd00::4'] },
  ]);
});

test('IPv4 options and fragments', (t) => {
  const d = decodePacket(Buffer.from(VECTORS.ipv4RouterAlert!.hex, 'hex'));
  const ip = fieldsOnly(d.layers)[1] as Extract<LayerSpec, { type: 'ipv4' }>;
  t.is(ip.ihl, 6);
  t.deepEqual(ip.options, [{ type: 148, data: Buffer.from([0, 0]) }]);
  const f = decodePacket(Buffer.from(VECTORS.ipv4LaterFragment!.hex, 'hex'));
  t.deepEqual(
    f.layers.map((l) => l.type),
    ['eth', 'ipv4', 'payload'],
  );
  t.deepEqual((f.layers[1] as Extract<LayerSpec, { type: 'ipv4' }>).flags, { df: false, mf: true, reserved: false });
  t.is((f.layers[1] as Extract<LayerSpec, { type: 'ipv4' }>).fragOffset, 185);
  // First fragment: TCP header decoded, its checksum not judged.
  const first = buildPacket([
    { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', flags: { mf: true } },
    { type: 'tcp', sport: 1, dport: 2 },
  ]);
  const fd = decodePacket(first, { first: 'ipv4' });
  t.deepEqual(
    fd.layers.map((l) => l.type),
    ['ipv4', 'tcp'],
  );
  t.deepEqual(
    fd.checksums.map((c) => c.layer),
    ['ipv4'],
  );
  const nops = buildPacket([{ type: 'ipv4', src: '1.1.1.1', dst: '2.2.2.2', protocol: 253, options: [{ type: 1 }, { type: 0 }] }]);
  t.is(nops.subarray(20, 24).toString('hex'), '01000000');
  t.deepEqual((decodePacket(nops, { first: 'ipv4' }).layers[0] as Extract<LayerSpec, { type: 'ipv4' }>).options, [
    { type: 1 },
    { type: 0 },
  ]);
});

test('ICMPv6 neighbour advertisement flags and target', (t) => {
  const na = buildPacket([
    { type: 'ipv6', src: 'fd00::2', dst: 'fd00::1', hopLimit: 255 },
    {
      type: 'icmpv6',
      icmpType: 'neighbor-advertisement',
      naFlags: { solicited: true, override: true },
      target: 'fd00::2',
      ndOptions: [{ type: 'tll', mac: '02:00:00:00:00:02' }],
    },
  ]);
  const d = decodePacket(na, { first: 'ipv6' });
  t.true(d.checksums[0]!.valid);
  t.deepEqual(fieldsOnly(d.layers)[1], {
    type: 'icmpv6',
    icmpType: 136,
    code: 0,
    checksum: na.readUInt16BE(42),
    rest: 0x60000000,
    naFlags: { router: false, solicited: true, override: true },
    target: 'fd00::2',
    ndOptions: [{ type: 'tll', mac: '02:00:00:00:00:02' }],
  });
});

test('bad input: an Error naming the field', (t) => {
  t.throws(() => buildPacket([{ type: 'eth' }, { type: 'vlan', vid: 5000 }, { type: 'ipv4', src: '1.1.1.1', dst: '2.2.2.2' }]), {
    message: 'layers[1] (vlan): vlan.vid: 5000 is out of range 0..4095',
  });
  t.throws(
    () =>
      buildPacket([
        { type: 'eth', src: '02:00:00:00:00' },
        { type: 'ipv4', src: '1.1.1.1', dst: '2.2.2.2' },
      ]),
    { message: "layers[0] (eth): eth.src: '02:00:00:00:00' is not a MAC address (aa:bb:cc:dd:ee:ff)" },
  );
  t.throws(
    () =>
      buildPacket([
        { type: 'ipv4', src: '10.0.0.256', dst: '2.2.2.2' },
        { type: 'udp', sport: 1, dport: 2 },
      ]),
    { message: "layers[0].src: '10.0.0.256' is not an IPv4 address" },
  );
  t.throws(() => buildPacket([{ type: 'tcp', sport: 1, dport: 2 }]), {
    message: 'layers[0] (tcp): tcp.checksum: no enclosing ipv4/ipv6 layer to compute it from; give it',
  });
  t.throws(() => buildPacket([{ type: 'eth' }, { type: 'payload', data: Buffer.alloc(1) }]), {
    message: "layers[0] (eth): eth.ethertype: cannot infer it from the next layer 'payload'; give it",
  });
  t.throws(() => buildPacket([]), { message: 'layers: need at least one layer' });
});

test('IPv6 text: RFC 5952 on output, any valid form on input', (t) => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['2001:db8::0001', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::ffff:10.1.2.3', '::ffff:10.1.2.3'],
    ['::ffff:a01:203', '::ffff:10.1.2.3'],
    ['64:ff9b::a01:203', '64:ff9b::a01:203'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['FD00:A::B', 'fd00:a::b'],
  ];
  for (const [input, output] of cases) t.is(formatIpv6(parseIpv6(input)), output, input);
  for (const bad of ['1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', 'fd00::g']) t.throws(() => parseIpv6(bad), undefined, bad);
});
