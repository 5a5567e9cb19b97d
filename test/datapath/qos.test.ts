// QoS in test-run mode: (port, DSCP class) -> skb priority (read back from the output
// __sk_buff) and DSCP (exact bytes, IPv4 checksum valid; IPv6 traffic class); XDP hands
// packets with a QoS entry to TC; a re-marked yellow packet is classed by its new DSCP.
import test from 'ava';
import { TC_ACT_OK, TC_ACT_REDIRECT, XDP_PASS, XDP_REDIRECT } from '../../native/constants.js';
import { type Datapath, codecs } from '../../src/datapath/index.js';
import { setPolicerState } from '../../src/datapath/policer.js';
import { buildPacket, parseIpv4, parseMac } from '../../src/packet/index.js';
import { CLIENT_MAC, ROUTER_MAC, assertBytes, ipv4HeaderChecksumValid, loadDatapath } from './_setup.js';

const NH_MAC = '02:00:00:00:01:01';
const OUT_MAC = '02:00:00:00:00:02';
const SKB_PRIORITY = 32; // offsetof(struct __sk_buff, priority)

let dp: Datapath;

test.before(() => {
  dp = loadDatapath();
  dp.apply({
    interfaces: [{ ifname: 'lo', port: 1, xdpTx: 'on' }],
    routerMacs: [{ mac: ROUTER_MAC }],
    nextHops: [{ id: 1, mac: NH_MAC, srcMac: OUT_MAC, ifname: 'lo' }],
    routes: [{ prefix: '10.2.0.0/24', nextHops: [1] }],
    qos: [
      { port: 1, class: 5, priority: 6, dscp: 34 },
      { port: 1, class: 0, priority: 3 },
    ],
  });
});

test.after.always(() => dp?.destroy());

function udp4(dscp: number, dst = '10.9.0.1'): Buffer {
  return buildPacket([
    { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC },
    { type: 'ipv4', src: '10.1.0.5', dst, dscp, ecn: 1, id: 3 },
    { type: 'udp', sport: 4000, dport: 5000 },
    { type: 'payload', data: Buffer.from('qos') },
  ]);
}

function udp6(tc: number): Buffer {
  return buildPacket([
    { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC },
    { type: 'ipv6', src: 'fd00:1::5', dst: 'fd00:9::1', trafficClass: tc, flowLabel: 0x12345 },
    { type: 'udp', sport: 4000, dport: 5000 },
    { type: 'payload', data: Buffer.from('qos6') },
  ]);
}

function runTc(data: Buffer): { retval: number; data: Buffer | null; priority: number } {
  const r = dp.program('fp_tc_entry').testRun({ data, ctx: Buffer.alloc(192) });
  return { retval: r.retval, data: r.data, priority: r.ctx!.readUInt32LE(SKB_PRIORITY) };
}

test.serial('class 5 (DSCP 46): priority 6 and DSCP 34 (ECN kept, checksum valid)', (t) => {
  const r = runTc(udp4(46));
  t.is(r.retval, TC_ACT_OK);
  t.is(r.priority, 6);
  assertBytes(t, r.data, udp4(34), 'DSCP 46 -> 34');
  t.true(ipv4HeaderChecksumValid(r.data!, 14));
});

test.serial('class 0: priority 3, DSCP unchanged; a class without an entry is untouched', (t) => {
  const r0 = runTc(udp4(0));
  t.is(r0.priority, 3);
  assertBytes(t, r0.data, udp4(0), 'class 0 bytes');
  const r1 = runTc(udp4(8));
  t.is(r1.priority, 0);
  assertBytes(t, r1.data, udp4(8), 'class 1 bytes');
});

test.serial('IPv6: the traffic class DSCP is rewritten, ECN and flow label kept', (t) => {
  const r = runTc(udp6((46 << 2) | 2));
  t.is(r.priority, 6);
  assertBytes(t, r.data, udp6((34 << 2) | 2), 'IPv6 DSCP 46 -> 34');
});

test.serial('XDP hands packets with a QoS entry to TC; others take the XDP fast path', (t) => {
  const key = (dport: number): Buffer =>
    codecs.flowKeyCodec.encode({
      saddr: Buffer.concat([parseIpv4('10.1.0.5'), Buffer.alloc(12)]),
      daddr: Buffer.concat([parseIpv4('10.2.0.7'), Buffer.alloc(12)]),
      sport_be: 4000,
      dport_be: dport,
      zone: 0,
      proto: 17,
      family: 4,
    });
  const value = codecs.fcCodec.encode({
    generation: dp.generation(),
    dmac: parseMac(NH_MAC),
    smac: parseMac(OUT_MAC),
    ifindex: 1,
    vlan: 0,
    flags: codecs.FC_F_DEC_TTL | codecs.FC_F_XDP_TX,
    mtu: 0xffff,
    route_id: 0,
    nh_id: 1,
    nat_saddr: Buffer.alloc(16),
    nat_daddr: Buffer.alloc(16),
    nat_sport_be: 0,
    nat_dport_be: 0,
  });
  dp.map('fc').update(key(5000), value);
  try {
    t.is(dp.program('fp_xdp_entry').testRun({ data: udp4(46, '10.2.0.7') }).retval, XDP_PASS, 'QoS class 5: to TC');
    t.is(dp.program('fp_xdp_entry').testRun({ data: udp4(8, '10.2.0.7') }).retval, XDP_REDIRECT, 'class 1: XDP fast path');
    const tc = runTc(udp4(46, '10.2.0.7'));
    t.is(tc.retval, TC_ACT_REDIRECT, 'TC fast path hit with QoS applied');
    t.is(tc.priority, 6);
  } finally {
    dp.map('fc').delete(key(5000));
  }
});

test.serial('a re-marked yellow packet is classed by its new DSCP', (t) => {
  dp.apply({
    policers: [{ id: 1, mode: 'srtcm', cir: 1000, cbs: 100, ebs: 10_000, remarkYellow: 46 }],
    interfaces: [{ ifname: 'lo', port: 1, policer: 1, xdpTx: 'on' }],
  });
  try {
    setPolicerState(dp.map('pol'), 1, { cTokens: 0n, eTokens: 10_000n, lastNs: 2n ** 62n });
    const r = runTc(udp4(0));
    t.is(r.priority, 6, 'yellow -> DSCP 46 -> class 5');
    assertBytes(t, r.data, udp4(34), 'then QoS DSCP 34');
  } finally {
    dp.apply({ interfaces: [{ ifname: 'lo', port: 1, xdpTx: 'on' }], remove: { policers: [1] } });
  }
});
