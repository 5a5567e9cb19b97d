// What the parser extracts, read back from the per-CPU scratch (through its BTF layout)
// after a test run: VLAN from the frame, fragments, IPv6 extension headers, TCP flags,
// VXLAN VNI, GTP-U TEID and QFI, SCTP tag and first chunk, ICMP / ICMPv6 echo ids.
import test from 'ava';
import type { Datapath } from '../../src/datapath/index.js';
import { type LayerSpec, buildPacket } from '../../src/packet/index.js';
import { type BtfValue, readBtf } from './_btf-read.js';
import { CLIENT_MAC, ROUTER_MAC, loadDatapath } from './_setup.js';

let dp: Datapath;

test.before(() => {
  dp = loadDatapath();
  dp.apply({
    interfaces: [
      { ifname: 'lo', port: 1 },
      { ifname: 'lo', vlan: 10, port: 2 },
    ],
    routerMacs: [{ mac: ROUTER_MAC }],
  });
});

test.after.always(() => dp?.destroy());

type Pkt = Record<string, BtfValue> & { key: Record<string, BtfValue> };

let serial = 0;

/** Runs the packet (padded to a length no other case uses) and returns its scratch. */
function parse(layers: LayerSpec[]): Pkt {
  serial++;
  const packet = buildPacket([...layers, { type: 'trailer', data: Buffer.alloc(serial) }]);
  dp.program('fp_tc_entry').testRun({ data: packet });
  const layout = dp.btfLayout('scratch').value;
  const key = Buffer.alloc(4);
  const mine = (dp.map('scratch').lookupPerCpu(key) ?? [])
    .map((b) => readBtf(b, 0, layout) as Pkt)
    .filter((p) => p.len === packet.length && p.ifindex === 1);
  if (mine.length !== 1) throw new Error(`expected the scratch of one CPU to hold this packet, found ${mine.length}`);
  return mine[0]!;
}

/** A __u32[4] address as read from BTF (host-order words of network-order bytes) -> hex. */
function addrHex(v: BtfValue): string {
  const b = Buffer.alloc(16);
  (v as number[]).forEach((w, i) => b.writeUInt32LE(w, 4 * i));
  return b.toString('hex');
}

const be16 = (n: number): number => ((n & 0xff) << 8) | (n >> 8);
const v4hex = (a: string): string => Buffer.concat([Buffer.from(a.split('.').map(Number)), Buffer.alloc(12)]).toString('hex');
const eth: LayerSpec = { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC };
const ip4 = (extra: Partial<Extract<LayerSpec, { type: 'ipv4' }>> = {}): LayerSpec => ({
  type: 'ipv4',
  src: '10.1.0.5',
  dst: '10.2.0.7',
  ttl: 33,
  tos: 0x28,
  ...extra,
});

test.serial('802.1Q in the frame, IPv4 with options, TCP flags', (t) => {
  const p = parse([
    eth,
    { type: 'vlan', vid: 10 },
    ip4({ id: 77, options: [{ type: 1 }, { type: 1 }, { type: 1 }, { type: 0 }] }),
    { type: 'tcp', sport: 1234, dport: 80, flags: { syn: true, ack: true } },
  ]);
  t.like(p, { vlan: 10, vlan_in_frame: 1, l3_off: 18, l4_off: 18 + 24, ttl: 33, tos: 0x28, tcp_flags: 0x12, frag: 0, ipid: 77 });
  t.like(p.key, { family: 4, proto: 6, sport_be: be16(1234), dport_be: be16(80) });
  t.is(addrHex(p.key.saddr!), v4hex('10.1.0.5'));
  t.is(addrHex(p.key.daddr!), v4hex('10.2.0.7'));
  t.like(p.intf, { port: 2 });
});

test.serial('IPv4 fragments: the first keeps ports, later ones have none', (t) => {
  const first = parse([
    eth,
    ip4({ id: 0x4321, flags: { mf: true } }),
    { type: 'udp', sport: 5, dport: 6, udpLength: 4000 },
    { type: 'payload', data: Buffer.alloc(32) },
  ]);
  t.like(first, { frag: 1, ipid: 0x4321 });
  t.like(first.key, { proto: 17, sport_be: be16(5), dport_be: be16(6) });
  const later = parse([eth, ip4({ id: 0x4321, fragOffset: 5, protocol: 17 }), { type: 'payload', data: Buffer.alloc(40) }]);
  t.like(later, { frag: 2, ipid: 0x4321 });
  t.like(later.key, { proto: 17, sport_be: 0, dport_be: 0 });
});

test.serial('IPv6 extension headers are skipped; a fragment header gives the id', (t) => {
  const p = parse([
    eth,
    {
      type: 'ipv6',
      src: 'fd00:1::5',
      dst: 'fd00:2::7',
      hopLimit: 9,
      extensions: [
        { type: 'hopByHop', options: [] },
        { type: 'fragment', id: 0x01234567, mf: true },
      ],
    },
    { type: 'udp', sport: 7, dport: 8 },
  ]);
  t.like(p, { frag: 1, ipid: 0x01234567, ttl: 9, l3_off: 14, l4_off: 14 + 40 + 8 + 8 });
  t.like(p.key, { family: 6, proto: 17, sport_be: be16(7), dport_be: be16(8) });
  t.is(addrHex(p.key.saddr!), 'fd000001000000000000000000000005');
  t.is(addrHex(p.key.daddr!), 'fd000002000000000000000000000007');
});

test.serial('VXLAN VNI and GTP-U TEID + QFI', (t) => {
  const vx = parse([
    eth,
    ip4(),
    { type: 'udp', sport: 999 },
    { type: 'vxlan', vni: 0x123456 },
    { type: 'eth', dst: '02:00:00:00:00:0b', src: '02:00:00:00:00:0c', ethertype: 0x0800 },
  ]);
  t.like(vx, { tunnel: 1, tun_id: 0x123456 });
  t.like(vx.key, { dport_be: be16(4789) });
  const gtp = parse([
    eth,
    ip4(),
    { type: 'udp', sport: 2152 },
    { type: 'gtpu', teid: 0xdeadbeef, extensions: [{ type: 'pduSession', pduType: 1, qfi: 9 }] },
    { type: 'payload', data: Buffer.alloc(8) },
  ]);
  t.like(gtp, { tunnel: 2, tun_id: 0xdeadbeef, gtp_qfi: 9 });
});

test.serial('SCTP: verification tag and first chunk type', (t) => {
  const p = parse([
    eth,
    ip4(),
    { type: 'sctp', sport: 3868, dport: 3869, vtag: 0xabcdef01, chunks: [{ type: 'cookie-echo', cookie: Buffer.alloc(8, 1) }] },
  ]);
  t.like(p, { sctp_vtag: 0xabcdef01, sctp_chunk: 10 });
  t.like(p.key, { proto: 132, sport_be: be16(3868), dport_be: be16(3869) });
});

test.serial('ICMP and ICMPv6 echo: the identifier is both ports', (t) => {
  const p4 = parse([eth, ip4(), { type: 'icmp', icmpType: 8, id: 0x4242, seq: 1 }]);
  t.like(p4, { icmp_type: 8, icmp_code: 0 });
  t.like(p4.key, { proto: 1, sport_be: be16(0x4242), dport_be: be16(0x4242) });
  const p6 = parse([eth, { type: 'ipv6', src: 'fd00:1::5', dst: 'fd00:2::7' }, { type: 'icmpv6', icmpType: 128, id: 7, seq: 1 }]);
  t.like(p6, { icmp_type: 128 });
  t.like(p6.key, { proto: 58, sport_be: be16(7), dport_be: be16(7) });
});

test.serial('ARP and IPv6 neighbour discovery go to the stack', (t) => {
  const before = dp.paths().stack_not_ip.packets;
  const arp = buildPacket([
    { type: 'eth', dst: 'ff:ff:ff:ff:ff:ff', src: CLIENT_MAC },
    { type: 'arp', op: 1, sha: CLIENT_MAC, spa: '10.1.0.5', tpa: '10.1.0.1' },
  ]);
  t.is(dp.program('fp_tc_entry').testRun({ data: arp }).retval, 0);
  const ns = buildPacket([
    { type: 'eth', dst: '33:33:ff:00:00:01', src: CLIENT_MAC },
    { type: 'ipv6', src: 'fd00:1::5', dst: 'ff02::1:ff00:1', hopLimit: 255 },
    { type: 'icmpv6', icmpType: 135, target: 'fd00:1::1' },
  ]);
  t.is(dp.program('fp_tc_entry').testRun({ data: ns }).retval, 0);
  t.is(dp.paths().stack_not_ip.packets, before + 2n);
});
