// Every malformed case is dropped by TC with exactly its own drop counter +1 (and
// nothing else counted as a drop); XDP passes it on untouched for TC to decide.
// Each case runs untagged and with an 802.1Q tag in the frame. The kernel's test-run
// refuses some malformed untagged IPv4/IPv6 input itself (EINVAL, before any program
// runs); the tagged form reaches the program on every kernel, so it is always checked.
import test, { type ExecutionContext } from 'ava';
import { isNativeError } from '../../native/index.js';
import { TC_ACT_SHOT, XDP_PASS } from '../../native/constants.js';
import { type Datapath, type DropReason, DROP_REASONS } from '../../src/datapath/index.js';
import { type LayerSpec, buildPacket } from '../../src/packet/index.js';
import { CLIENT_MAC, ROUTER_MAC, baseConfig, loadDatapath } from './_setup.js';

let dp: Datapath;

test.before(() => {
  dp = loadDatapath();
  baseConfig(dp);
  dp.apply({ interfaces: [{ ifname: 'lo', vlan: 10, port: 2 }] });
});

function tagged(p: Buffer): Buffer {
  return Buffer.concat([p.subarray(0, 12), Buffer.from([0x81, 0x00, 0x00, 0x0a]), p.subarray(12)]);
}

test.after.always(() => dp?.destroy());

const eth = (ethertype?: number): LayerSpec => ({ type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC, ethertype });
const ip4 = (extra: Partial<Extract<LayerSpec, { type: 'ipv4' }>> = {}): LayerSpec => ({
  type: 'ipv4',
  src: '10.1.0.5',
  dst: '10.2.0.7',
  ...extra,
});
const ip6 = (extra: Partial<Extract<LayerSpec, { type: 'ipv6' }>> = {}): LayerSpec => ({
  type: 'ipv6',
  src: 'fd00:1::5',
  dst: 'fd00:2::7',
  ...extra,
});
const bytes = (n: number): LayerSpec => ({ type: 'payload', data: Buffer.alloc(n, 0xab) });

/** Ethernet header + raw bytes after it. */
function rawAfterEth(ethertype: number, rest: Buffer): Buffer {
  return Buffer.concat([buildPacket([eth(ethertype)]), rest]);
}

/** An IPv4 packet whose payload (protocol proto) is `payload` bytes of 0xab. */
function ip4Payload(proto: number, payload: number): Buffer {
  return buildPacket([eth(), ip4({ protocol: proto }), bytes(payload)]);
}

function ip6Payload(next: number, payload: number): Buffer {
  return buildPacket([eth(), ip6({ nextHeader: next }), bytes(payload)]);
}

interface Case {
  reason: (typeof DROP_REASONS)[number];
  name: string;
  packet: () => Buffer;
}

const CASES: Case[] = [
  { reason: 'vlan_trunc', name: '802.1Q tag with 2 of its 4 bytes', packet: () => rawAfterEth(0x8100, Buffer.from([0, 10])) },
  {
    reason: 'ip4_trunc',
    name: 'IPv4 header of 12 bytes',
    packet: () => rawAfterEth(0x0800, buildPacket([ip4({ protocol: 253 }), bytes(8)]).subarray(0, 12)),
  },
  {
    reason: 'ip4_version',
    name: 'IPv4 ethertype, version 5',
    packet: () => {
      const p = buildPacket([eth(), ip4({ protocol: 253 }), bytes(20)]);
      p[14] = 0x55;
      return p;
    },
  },
  {
    reason: 'ip4_ihl',
    name: 'IHL 4',
    packet: () => {
      const p = buildPacket([eth(), ip4({ protocol: 253 }), bytes(20)]);
      p[14] = 0x44;
      return p;
    },
  },
  {
    reason: 'ip4_len_short',
    name: 'total length 16 < header 20',
    packet: () => buildPacket([eth(), ip4({ totalLength: 16, protocol: 253 }), bytes(20)]),
  },
  {
    reason: 'ip4_len_beyond',
    name: 'total length 200 in a 54-byte frame',
    packet: () => buildPacket([eth(), ip4({ totalLength: 200, protocol: 253 }), bytes(20)]),
  },
  {
    reason: 'ip4_len_short',
    name: 'IHL 15 (60 bytes) beyond total length 40',
    packet: () => {
      const p = buildPacket([eth(), ip4({ protocol: 17 }), bytes(20)]);
      p[14] = 0x4f;
      return p;
    },
  },
  {
    reason: 'ip4_csum',
    name: 'IPv4 header checksum off by one',
    packet: () => {
      const p = buildPacket([eth(), ip4({ protocol: 17 }), { type: 'udp', sport: 1, dport: 2 }, bytes(8)]);
      p[14 + 11]! ^= 0x01;
      return p;
    },
  },
  {
    reason: 'ip4_csum',
    name: 'IPv4 with options, a flipped option byte',
    packet: () => {
      const p = buildPacket([
        eth(),
        ip4({ protocol: 17, options: [{ raw: Buffer.from([1, 1, 1, 0]) }] }),
        { type: 'udp', sport: 1, dport: 2 },
        bytes(8),
      ]);
      p[14 + 21]! ^= 0x10;
      return p;
    },
  },
  {
    reason: 'ip6_trunc',
    name: 'IPv6 header of 30 bytes',
    packet: () => rawAfterEth(0x86dd, buildPacket([ip6(), bytes(8)]).subarray(0, 30)),
  },
  {
    reason: 'ip6_version',
    name: 'IPv6 ethertype, version 4',
    packet: () => {
      const p = buildPacket([eth(), ip6({ nextHeader: 59 }), bytes(8)]);
      p[14] = 0x40 | (p[14]! & 0x0f);
      return p;
    },
  },
  {
    reason: 'ip6_len_beyond',
    name: 'payload length 500 in a short frame',
    packet: () => buildPacket([eth(), ip6({ payloadLength: 500, nextHeader: 59 }), bytes(16)]),
  },
  {
    reason: 'ip6_ext_trunc',
    name: 'hop-by-hop header claiming 16 bytes of 8',
    packet: () =>
      ip6Payload(0, 0).length > 0
        ? buildPacket([eth(), ip6({ nextHeader: 0 }), { type: 'payload', data: Buffer.from([17, 1, 0, 0, 0, 0, 0, 0]) }])
        : Buffer.alloc(0),
  },
  {
    reason: 'ip6_ext_trunc',
    name: 'extension header with fewer than 8 bytes',
    packet: () => buildPacket([eth(), ip6({ nextHeader: 60 }), bytes(4)]),
  },
  { reason: 'tcp_trunc', name: 'IPv4 TCP with 10 header bytes', packet: () => ip4Payload(6, 10) },
  { reason: 'tcp_trunc', name: 'IPv6 TCP with 19 header bytes', packet: () => ip6Payload(6, 19) },
  {
    reason: 'tcp_doff',
    name: 'TCP data offset 4',
    packet: () => {
      const p = buildPacket([eth(), ip4(), { type: 'tcp', sport: 1, dport: 2 }]);
      p[34 + 12] = 0x40;
      return p;
    },
  },
  {
    reason: 'tcp_doff',
    name: 'TCP data offset 15 beyond the payload',
    packet: () => {
      const p = buildPacket([eth(), ip4(), { type: 'tcp', sport: 1, dport: 2 }, bytes(8)]);
      p[34 + 12] = 0xf0;
      return p;
    },
  },
  { reason: 'udp_trunc', name: 'UDP with 4 header bytes', packet: () => ip4Payload(17, 4) },
  {
    reason: 'udp_len',
    name: 'UDP length 100 in an 18-byte payload',
    packet: () => buildPacket([eth(), ip4(), { type: 'udp', sport: 1, dport: 2, udpLength: 100 }, bytes(10)]),
  },
  {
    reason: 'udp_len',
    name: 'UDP length 7',
    packet: () => buildPacket([eth(), ip6(), { type: 'udp', sport: 1, dport: 2, udpLength: 7 }, bytes(10)]),
  },
  { reason: 'sctp_trunc', name: 'SCTP common header without a chunk', packet: () => ip4Payload(132, 12) },
  { reason: 'icmp_trunc', name: 'ICMP with 4 bytes', packet: () => ip4Payload(1, 4) },
  { reason: 'icmp6_trunc', name: 'ICMPv6 with 6 bytes', packet: () => ip6Payload(58, 6) },
];

function checkDrop(t: ExecutionContext, reason: DropReason, packet: Buffer): void {
  const before = dp.drops();
  const r = dp.program('fp_tc_entry').testRun({ data: packet });
  t.is(r.retval, TC_ACT_SHOT, 'TC verdict');
  const after = dp.drops();
  for (const name of DROP_REASONS) {
    const delta = after[name].packets - before[name].packets;
    t.is(delta, name === reason ? 1n : 0n, `drop counter ${name}`);
  }
  t.is(after[reason].bytes - before[reason].bytes, BigInt(packet.length), 'bytes counted');

  const x = dp.program('fp_xdp_entry').testRun({ data: packet });
  t.is(x.retval, XDP_PASS, 'XDP leaves it to TC');
  t.is(x.data?.toString('hex'), packet.toString('hex'), 'XDP does not touch it');
  t.deepEqual(dp.drops(), after, 'XDP counts no drop');
}

for (const c of CASES) {
  test.serial(`drop ${c.reason}: ${c.name}`, (t) => {
    const packet = c.packet();
    if (c.reason !== 'vlan_trunc') checkDrop(t, c.reason, tagged(packet));
    try {
      checkDrop(t, c.reason, packet);
    } catch (e) {
      if (!isNativeError(e) || e.code !== 'EINVAL' || c.reason === 'vlan_trunc') throw e;
      t.log(`untagged form refused by the kernel's test-run input check (EINVAL); checked tagged only`);
    }
  });
}

test.serial('every drop reason but none, eth_trunc and rewrite has a case', (t) => {
  // eth_trunc cannot be produced: the kernel refuses test-run input under 14 bytes and
  // no such frame reaches TC; rewrite needs a failing helper. The connection-tracking
  // drops (ct_invalid, ct_collision) are state, not malformation: lb-ct.test.ts has them.
  const covered = new Set(CASES.map((c) => c.reason));
  const missing = DROP_REASONS.filter(
    (r) => !covered.has(r) && !['none', 'eth_trunc', 'rewrite', 'ct_invalid', 'ct_collision'].includes(r),
  );
  t.deepEqual(missing, []);
});

test.serial('well-formed edge cases are not dropped', (t) => {
  const good: [string, Buffer][] = [
    [
      'IPv4 with options',
      buildPacket([eth(), ip4({ options: [{ type: 1 }, { type: 1 }, { type: 1 }, { type: 0 }] }), { type: 'udp', sport: 1, dport: 2 }]),
    ],
    ['IPv4 later fragment (no L4 header)', buildPacket([eth(), ip4({ protocol: 6, fragOffset: 10 }), bytes(3)])],
    [
      'IPv4 first fragment, UDP length beyond it',
      buildPacket([eth(), ip4({ flags: { mf: true } }), { type: 'udp', sport: 1, dport: 2, udpLength: 1000 }, bytes(16)]),
    ],
    [
      'Ethernet padding after the IP packet',
      buildPacket([eth(), ip4(), { type: 'udp', sport: 1, dport: 2 }, { type: 'trailer', data: Buffer.alloc(18) }]),
    ],
    [
      'IPv6 with hop-by-hop and destination options',
      buildPacket([
        eth(),
        ip6({
          extensions: [
            { type: 'hopByHop', options: [] },
            { type: 'destOpts', options: [] },
          ],
        }),
        { type: 'tcp', sport: 1, dport: 2 },
      ]),
    ],
  ];
  for (const [name, packet] of good) {
    const before = dp.drops();
    const r = dp.program('fp_tc_entry').testRun({ data: packet });
    t.not(r.retval, TC_ACT_SHOT, name);
    t.deepEqual(dp.drops(), before, `${name}: no drop counted`);
  }
});
