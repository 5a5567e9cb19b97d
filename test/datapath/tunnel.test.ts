// Tunnels in test-run mode, exact bytes: VXLAN, NVGRE and GTP-U encapsulation and
// decapsulation (crafted tunnel packets give the exact inner frame; encapsulate then
// decapsulate gives the original back), IPIP for DSR leaves the inner L3/L4 untouched,
// outer IPv4 checksums valid and UDP checksum 0.
import test from 'ava';
import { TC_ACT_OK, TC_ACT_REDIRECT } from '../../native/constants.js';
import type { Datapath } from '../../src/datapath/index.js';
import { readCounter } from '../../src/datapath/index.js';
import { type LayerSpec, buildPacket } from '../../src/packet/index.js';
import { CLIENT_MAC, ROUTER_MAC, assertBytes, ipv4HeaderChecksumValid, loadDatapath } from './_setup.js';

const NH_MAC = '02:00:00:00:01:01';
const OUT_MAC = '02:00:00:00:00:02';
const TUN_DMAC = '02:00:00:00:0d:01';
const TUN_SMAC = '02:00:00:00:0d:02';
const PEER_MAC = '02:00:00:00:0d:03';
const REMOTE_VM = '02:00:00:00:0e:01';
const REMOTE_VM2 = '02:00:00:00:0e:02';
const LOCAL_VM = '02:00:00:00:0f:01';
const VNI = 5000;
const VSID = 0x123456;
const UL_TEID = 0x2000;
const DL_TEID = 0x1000abcd;

let dp: Datapath;

test.before(() => {
  dp = loadDatapath();
  dp.apply({
    interfaces: [{ ifname: 'lo', port: 1 }],
    routerMacs: [{ mac: ROUTER_MAC }],
    nextHops: [{ id: 1, mac: NH_MAC, srcMac: OUT_MAC, ifname: 'lo' }],
    l2: [
      { mac: LOCAL_VM, ifname: 'lo' },
      { mac: REMOTE_VM, bd: 1, ifname: 'lo' },
      { mac: REMOTE_VM2, bd: 2, ifname: 'lo' },
    ],
    tunnels: [
      {
        id: 1,
        type: 'vxlan',
        key: VNI,
        local: '10.0.0.1',
        remote: '10.0.0.2',
        srcMac: TUN_SMAC,
        dstMac: TUN_DMAC,
        ifname: 'lo',
        sport: 50000,
      },
      {
        id: 2,
        type: 'nvgre',
        key: VSID,
        flowId: 7,
        local: '10.0.0.1',
        remote: '10.0.0.2',
        srcMac: TUN_SMAC,
        dstMac: TUN_DMAC,
        ifname: 'lo',
      },
      {
        id: 3,
        type: 'gtpu',
        key: DL_TEID,
        qfi: 9,
        sport: 2152,
        local: '10.0.0.1',
        remote: '10.0.0.3',
        srcMac: TUN_SMAC,
        dstMac: TUN_DMAC,
        ifname: 'lo',
      },
      { id: 4, type: 'ipip', local: '10.0.0.1', remote: '10.0.0.4', srcMac: TUN_SMAC, dstMac: TUN_DMAC, ifname: 'lo' },
      {
        id: 5,
        type: 'gtpu',
        key: 77,
        sport: 2152,
        local: '10.0.0.1',
        remote: '10.0.0.3',
        srcMac: TUN_SMAC,
        dstMac: TUN_DMAC,
        ifname: 'lo',
      },
    ],
    tunnelL2: [
      { mac: REMOTE_VM, tunnel: 1 },
      { mac: REMOTE_VM2, tunnel: 2 },
    ],
    tunnelRoutes: [
      { addr: '10.60.0.1', tunnel: 3 },
      { addr: '10.70.0.1', tunnel: 4 },
      { addr: '10.60.0.2', tunnel: 5 },
    ],
    tunnelTerms: [
      { type: 'vxlan', key: VNI, local: '10.0.0.1' },
      { type: 'nvgre', key: VSID, local: '10.0.0.1' },
      { type: 'gtpu', key: UL_TEID, local: '10.0.0.1', nextHop: 1 },
      // The far ends of our own tunnels, so that encapsulate + decapsulate can be run here.
      { type: 'vxlan', key: VNI, local: '10.0.0.2', bd: 1 },
      { type: 'nvgre', key: VSID, local: '10.0.0.2', bd: 2 },
      { type: 'gtpu', key: DL_TEID, local: '10.0.0.3', nextHop: 1 },
    ],
  });
});

test.after.always(() => dp?.destroy());

function innerFrame(dstMac: string, dst = '10.1.0.9'): Buffer {
  return buildPacket([
    { type: 'eth', dst: dstMac, src: CLIENT_MAC },
    { type: 'ipv4', src: '10.1.0.5', dst, id: 0x4242, ttl: 33 },
    { type: 'tcp', sport: 40000, dport: 80, seq: 7, ack: 9, flags: { ack: true } },
    { type: 'payload', data: Buffer.from('tunnelled bytes') },
  ]);
}

function ipPacket(dst: string): Buffer {
  return buildPacket([
    { type: 'ipv4', src: '10.1.0.5', dst, id: 0x77, ttl: 17, dscp: 10 },
    { type: 'udp', sport: 3000, dport: 4000 },
    { type: 'payload', data: Buffer.from('user plane') },
  ]);
}

/** Outer Ethernet + IPv4 as the datapath writes it (id 0, DF, TTL 64). */
function outer(src: string, dst: string, macs: [string, string] = [TUN_DMAC, TUN_SMAC], protocol?: number): LayerSpec[] {
  return [
    { type: 'eth', dst: macs[0], src: macs[1], ethertype: 0x0800 },
    { type: 'ipv4', src, dst, id: 0, ttl: 64, flags: { df: true }, protocol },
  ];
}

function run(data: Buffer) {
  return dp.program('fp_tc_entry').testRun({ data });
}

test.serial('VXLAN encap: L2 entry over tunnel 1 wraps the whole frame (UDP 4789, checksum 0, VNI)', (t) => {
  const inner = innerFrame(REMOTE_VM);
  const r = run(inner);
  t.is(r.retval, TC_ACT_REDIRECT);
  const expected = buildPacket([
    ...outer('10.0.0.1', '10.0.0.2'),
    { type: 'udp', sport: 50000, dport: 4789, checksum: 0 },
    { type: 'vxlan', vni: VNI },
    { type: 'payload', data: inner },
  ]);
  assertBytes(t, r.data, expected, 'VXLAN encapsulation');
  t.true(ipv4HeaderChecksumValid(r.data!, 14));
  t.is(readCounter(dp.map('stats_tun'), 1).packets >= 1n, true);
});

test.serial('VXLAN decap: a crafted packet to our VTEP gives the exact inner frame, bridged by its dmac', (t) => {
  const inner = innerFrame(LOCAL_VM);
  const pkt = buildPacket([
    ...outer('10.0.0.2', '10.0.0.1', [ROUTER_MAC, PEER_MAC]),
    { type: 'udp', sport: 12345, dport: 4789, checksum: 0 },
    { type: 'vxlan', vni: VNI },
    { type: 'payload', data: inner },
  ]);
  const r = run(pkt);
  t.is(r.retval, TC_ACT_REDIRECT);
  assertBytes(t, r.data, inner, 'VXLAN decapsulation');
});

test.serial('VXLAN round trip: encapsulate, then decapsulate at the far end, gives the original frame', (t) => {
  const inner = innerFrame(REMOTE_VM);
  const enc = run(inner);
  t.is(enc.retval, TC_ACT_REDIRECT);
  const dec = run(enc.data!);
  t.is(dec.retval, TC_ACT_REDIRECT);
  assertBytes(t, dec.data, inner, 'VXLAN round trip');
});

test.serial('NVGRE encap, decap and round trip: GRE key = VSID << 8 | FlowID, protocol 0x6558', (t) => {
  const inner = innerFrame(REMOTE_VM2);
  const enc = run(inner);
  t.is(enc.retval, TC_ACT_REDIRECT);
  const expected = buildPacket([
    ...outer('10.0.0.1', '10.0.0.2'),
    { type: 'gre', key: ((VSID << 8) | 7) >>> 0, protocol: 0x6558 },
    { type: 'payload', data: inner },
  ]);
  assertBytes(t, enc.data, expected, 'NVGRE encapsulation');
  t.true(ipv4HeaderChecksumValid(enc.data!, 14));
  const dec = run(enc.data!);
  t.is(dec.retval, TC_ACT_REDIRECT);
  assertBytes(t, dec.data, inner, 'NVGRE round trip');

  const local = innerFrame(LOCAL_VM);
  const crafted = buildPacket([
    ...outer('10.0.0.2', '10.0.0.1', [ROUTER_MAC, PEER_MAC]),
    { type: 'gre', key: (VSID << 8) >>> 0, protocol: 0x6558 },
    { type: 'payload', data: local },
  ]);
  const d2 = run(crafted);
  t.is(d2.retval, TC_ACT_REDIRECT);
  assertBytes(t, d2.data, local, 'NVGRE decapsulation');
});

test.serial('GTP-U downlink encap by UE address: TEID, PDU session container with the QFI, inner IP untouched', (t) => {
  const ip = ipPacket('10.60.0.1');
  const frame = Buffer.concat([buildPacket([{ type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC, ethertype: 0x0800 }]), ip]);
  const r = run(frame);
  t.is(r.retval, TC_ACT_REDIRECT);
  const expected = buildPacket([
    ...outer('10.0.0.1', '10.0.0.3'),
    { type: 'udp', sport: 2152, dport: 2152, checksum: 0 },
    { type: 'gtpu', teid: DL_TEID, extensions: [{ type: 'pduSession', pduType: 0, qfi: 9 }] },
    { type: 'payload', data: ip },
  ]);
  assertBytes(t, r.data, expected, 'GTP-U encapsulation with QFI');
  t.true(ipv4HeaderChecksumValid(r.data!, 14));

  // Without a QFI: the 8-byte header only.
  const ip2 = ipPacket('10.60.0.2');
  const r2 = run(Buffer.concat([buildPacket([{ type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC, ethertype: 0x0800 }]), ip2]));
  t.is(r2.retval, TC_ACT_REDIRECT);
  assertBytes(
    t,
    r2.data,
    buildPacket([
      ...outer('10.0.0.1', '10.0.0.3'),
      { type: 'udp', sport: 2152, dport: 2152, checksum: 0 },
      { type: 'gtpu', teid: 77 },
      { type: 'payload', data: ip2 },
    ]),
    'GTP-U encapsulation without QFI',
  );
});

test.serial('GTP-U uplink decap by TEID: the inner IP packet leaves by the session next hop, exact bytes', (t) => {
  const ip = ipPacket('10.9.9.9');
  const expected = Buffer.concat([buildPacket([{ type: 'eth', dst: NH_MAC, src: OUT_MAC, ethertype: 0x0800 }]), ip]);
  for (const extensions of [undefined, [{ type: 'pduSession' as const, pduType: 1, qfi: 5 }]]) {
    const pkt = buildPacket([
      ...outer('10.0.0.2', '10.0.0.1', [ROUTER_MAC, PEER_MAC]),
      { type: 'udp', sport: 2152, dport: 2152, checksum: 0 },
      { type: 'gtpu', teid: UL_TEID, extensions },
      { type: 'payload', data: ip },
    ]);
    const r = run(pkt);
    t.is(r.retval, TC_ACT_REDIRECT);
    assertBytes(t, r.data, expected, `GTP-U decapsulation (${extensions === undefined ? 'no extension' : 'PDU session container'})`);
  }
  // An unknown TEID is not ours: the packet goes on through the pipeline unchanged.
  const other = buildPacket([
    ...outer('10.0.0.2', '10.0.0.1', [ROUTER_MAC, PEER_MAC]),
    { type: 'udp', sport: 2152, dport: 2152, checksum: 0 },
    { type: 'gtpu', teid: 0x999 },
    { type: 'payload', data: ip },
  ]);
  const r = run(other);
  t.is(r.retval, TC_ACT_OK);
  assertBytes(t, r.data, other, 'unknown TEID untouched');
});

test.serial('GTP-U decap of an inner IPv6 packet: ethertype 0x86dd, exact bytes', (t) => {
  const ip6 = buildPacket([
    { type: 'ipv6', src: 'fd00:60::1', dst: 'fd00:9::9', hopLimit: 9 },
    { type: 'udp', sport: 3000, dport: 4000 },
    { type: 'payload', data: Buffer.from('v6 user plane') },
  ]);
  const pkt = buildPacket([
    ...outer('10.0.0.2', '10.0.0.1', [ROUTER_MAC, PEER_MAC]),
    { type: 'udp', sport: 2152, dport: 2152, checksum: 0 },
    { type: 'gtpu', teid: UL_TEID },
    { type: 'payload', data: ip6 },
  ]);
  const r = run(pkt);
  t.is(r.retval, TC_ACT_REDIRECT);
  assertBytes(
    t,
    r.data,
    Buffer.concat([buildPacket([{ type: 'eth', dst: NH_MAC, src: OUT_MAC, ethertype: 0x86dd }]), ip6]),
    'GTP-U IPv6 inner',
  );
});

test.serial('GTP-U round trip: downlink encap, decap at the far end: the inner IP packet is byte-exact', (t) => {
  const ip = ipPacket('10.60.0.1');
  const enc = run(Buffer.concat([buildPacket([{ type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC, ethertype: 0x0800 }]), ip]));
  t.is(enc.retval, TC_ACT_REDIRECT);
  const dec = run(enc.data!);
  t.is(dec.retval, TC_ACT_REDIRECT);
  assertBytes(
    t,
    dec.data,
    Buffer.concat([buildPacket([{ type: 'eth', dst: NH_MAC, src: OUT_MAC, ethertype: 0x0800 }]), ip]),
    'GTP-U round trip',
  );
});

test.serial('IPIP for DSR: outer IPv4 (protocol 4) added, the inner L3/L4 bytes untouched (TTL too)', (t) => {
  const ip = buildPacket([
    { type: 'ipv4', src: '10.1.0.5', dst: '10.70.0.1', id: 0x1111, ttl: 50 },
    { type: 'tcp', sport: 40001, dport: 443, seq: 1, ack: 2, flags: { ack: true, psh: true } },
    { type: 'payload', data: Buffer.from('request') },
  ]);
  const r = run(Buffer.concat([buildPacket([{ type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC, ethertype: 0x0800 }]), ip]));
  t.is(r.retval, TC_ACT_REDIRECT);
  const expected = buildPacket([...outer('10.0.0.1', '10.0.0.4', [TUN_DMAC, TUN_SMAC], 4), { type: 'payload', data: ip }]);
  assertBytes(t, r.data, expected, 'IPIP encapsulation');
  t.true(ipv4HeaderChecksumValid(r.data!, 14));
  t.deepEqual(r.data!.subarray(34), ip);
});

test.serial('VXLAN without a fixed source port: 49152..65535 from the inner flow hash, the same for every packet of a flow', (t) => {
  dp.apply({
    tunnels: [{ id: 6, type: 'vxlan', key: 6000, local: '10.0.0.1', remote: '10.0.0.2', srcMac: TUN_SMAC, dstMac: TUN_DMAC, ifname: 'lo' }],
    tunnelL2: [{ mac: '02:00:00:00:0e:06', tunnel: 6 }],
  });
  try {
    const sport = (dst: string): number => {
      const r = run(innerFrame('02:00:00:00:0e:06', dst));
      t.is(r.retval, TC_ACT_REDIRECT);
      return r.data!.readUInt16BE(34);
    };
    const a = sport('10.1.0.9');
    t.true(a >= 49152 && a <= 65535, `sport ${a}`);
    t.is(sport('10.1.0.9'), a, 'same flow, same port');
    const others = new Set(['10.1.0.10', '10.1.0.11', '10.1.0.12', '10.1.0.13'].map(sport));
    t.true(others.size > 1, 'different flows spread over ports');
  } finally {
    dp.apply({ remove: { tunnelL2: [{ mac: '02:00:00:00:0e:06' }], tunnels: [6] } });
  }
});

test.serial('a VLAN-tagged frame bridged into VXLAN is carried untagged (the tag belongs to the access port)', (t) => {
  dp.apply({ interfaces: [{ ifname: 'lo', vlan: 10, port: 2 }] });
  try {
    const inner = innerFrame(REMOTE_VM);
    const taggedIn = Buffer.concat([inner.subarray(0, 12), Buffer.from('8100000a', 'hex'), inner.subarray(12)]);
    const r = run(taggedIn);
    t.is(r.retval, TC_ACT_REDIRECT);
    assertBytes(
      t,
      r.data,
      buildPacket([
        ...outer('10.0.0.1', '10.0.0.2'),
        { type: 'udp', sport: 50000, dport: 4789, checksum: 0 },
        { type: 'vxlan', vni: VNI },
        { type: 'payload', data: inner },
      ]),
      'VXLAN of a tagged frame',
    );
  } finally {
    dp.apply({ remove: { interfaces: [{ ifname: 'lo', vlan: 10 }] } });
  }
});
