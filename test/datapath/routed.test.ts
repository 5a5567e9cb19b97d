// Routed packets in test-run mode, exact bytes: IPv4 and IPv6 through TC (slow path and
// flow-cache fast path) and XDP (fast path), VLAN push / pop / rewrite, TTL expiry.
import test from 'ava';
import { TC_ACT_OK, TC_ACT_REDIRECT, XDP_PASS, XDP_REDIRECT } from '../../native/constants.js';
import { type Datapath, type PathCounter, codecs } from '../../src/datapath/index.js';
import { type LayerSpec, buildPacket, parseIpv4, parseIpv6, parseMac } from '../../src/packet/index.js';
import { CLIENT_MAC, ROUTER_MAC, assertBytes, ipv4HeaderChecksumValid, loadDatapath } from './_setup.js';

const NH1_MAC = '02:00:00:00:01:01';
const NH2_MAC = '02:00:00:00:01:02';
const OUT_MAC = '02:00:00:00:00:02';

let dp: Datapath;

test.before(() => {
  dp = loadDatapath();
  dp.apply({
    interfaces: [
      { ifname: 'lo', port: 1 },
      { ifname: 'lo', vlan: 10, port: 2 },
    ],
    routerMacs: [{ mac: ROUTER_MAC }],
    nextHops: [
      { id: 1, mac: NH1_MAC, srcMac: OUT_MAC, ifname: 'lo' },
      { id: 2, mac: NH2_MAC, srcMac: OUT_MAC, ifname: 'lo', vlan: 20 },
      { id: 3, mac: '02:00:00:00:01:03', srcMac: OUT_MAC, ifname: 'lo', resolved: false },
    ],
    routes: [
      { prefix: '10.2.0.0/24', nextHops: [1] },
      { prefix: '10.3.0.0/24', nextHops: [2] },
      { prefix: '10.4.0.0/24', nextHops: [3] },
      { prefix: '10.0.0.1/32', local: true },
      { prefix: 'fd00:2::/64', nextHops: [1] },
      { prefix: 'fd00:3::/64', nextHops: [2] },
    ],
    eventIntervalMs: 60_000,
  });
});

test.after.always(() => dp?.destroy());

function tcp4(dst: string, ttl: number, macs: [string, string], vlan?: number): Buffer {
  const layers: LayerSpec[] = [{ type: 'eth', dst: macs[0], src: macs[1] }];
  if (vlan !== undefined) layers.push({ type: 'vlan', vid: vlan });
  layers.push(
    { type: 'ipv4', src: '10.1.0.5', dst, ttl, id: 0x1234 },
    { type: 'tcp', sport: 40000, dport: 80, seq: 1, ack: 1, flags: { ack: true, psh: true } },
    { type: 'payload', data: Buffer.from('hello, router') },
  );
  return buildPacket(layers);
}

function udp6(dst: string, hopLimit: number, macs: [string, string], vlan?: number): Buffer {
  const layers: LayerSpec[] = [{ type: 'eth', dst: macs[0], src: macs[1] }];
  if (vlan !== undefined) layers.push({ type: 'vlan', vid: vlan });
  layers.push(
    { type: 'ipv6', src: 'fd00:1::5', dst, hopLimit },
    { type: 'udp', sport: 5000, dport: 53 },
    { type: 'payload', data: Buffer.from('query') },
  );
  return buildPacket(layers);
}

function path(name: PathCounter): bigint {
  return dp.paths()[name].packets;
}

test.serial('IPv4 TCP is routed: MACs rewritten, TTL-1, checksum valid, TC_ACT_REDIRECT', (t) => {
  const before = path('l3_fwd');
  const r = dp.program('fp_tc_entry').testRun({ data: tcp4('10.2.0.7', 64, [ROUTER_MAC, CLIENT_MAC]) });
  t.is(r.retval, TC_ACT_REDIRECT);
  assertBytes(t, r.data, tcp4('10.2.0.7', 63, [NH1_MAC, OUT_MAC]), 'routed IPv4');
  t.true(ipv4HeaderChecksumValid(r.data!, 14));
  t.is(path('l3_fwd'), before + 1n);
});

test.serial('IPv6 UDP is routed: MACs rewritten, hop limit-1', (t) => {
  const r = dp.program('fp_tc_entry').testRun({ data: udp6('fd00:2::9', 2, [ROUTER_MAC, CLIENT_MAC]) });
  t.is(r.retval, TC_ACT_REDIRECT);
  assertBytes(t, r.data, udp6('fd00:2::9', 1, [NH1_MAC, OUT_MAC]), 'routed IPv6');
});

test.serial('VLAN push: untagged in, next hop on VLAN 20', (t) => {
  const r = dp.program('fp_tc_entry').testRun({ data: tcp4('10.3.0.7', 64, [ROUTER_MAC, CLIENT_MAC]) });
  t.is(r.retval, TC_ACT_REDIRECT);
  assertBytes(t, r.data, tcp4('10.3.0.7', 63, [NH2_MAC, OUT_MAC], 20), 'VLAN push');
  t.true(ipv4HeaderChecksumValid(r.data!, 18));
});

test.serial('VLAN pop: tagged 10 in, untagged next hop', (t) => {
  const r = dp.program('fp_tc_entry').testRun({ data: tcp4('10.2.0.7', 64, [ROUTER_MAC, CLIENT_MAC], 10) });
  t.is(r.retval, TC_ACT_REDIRECT);
  assertBytes(t, r.data, tcp4('10.2.0.7', 63, [NH1_MAC, OUT_MAC]), 'VLAN pop');
});

test.serial('VLAN rewrite: tagged 10 in, next hop on VLAN 20 (IPv6)', (t) => {
  const r = dp.program('fp_tc_entry').testRun({ data: udp6('fd00:3::1', 64, [ROUTER_MAC, CLIENT_MAC], 10) });
  t.is(r.retval, TC_ACT_REDIRECT);
  assertBytes(t, r.data, udp6('fd00:3::1', 63, [NH2_MAC, OUT_MAC], 20), 'VLAN 10 -> 20');
});

test.serial('TTL 1 goes to the stack unchanged; so do local routes', (t) => {
  const ttlBefore = path('stack_ttl');
  const pkt = tcp4('10.2.0.7', 1, [ROUTER_MAC, CLIENT_MAC]);
  const r = dp.program('fp_tc_entry').testRun({ data: pkt });
  t.is(r.retval, TC_ACT_OK);
  assertBytes(t, r.data, pkt, 'TTL expiry');
  t.is(path('stack_ttl'), ttlBefore + 1n);

  const hop = udp6('fd00:2::9', 1, [ROUTER_MAC, CLIENT_MAC]);
  const r6 = dp.program('fp_tc_entry').testRun({ data: hop });
  t.is(r6.retval, TC_ACT_OK);
  assertBytes(t, r6.data, hop, 'hop-limit expiry');
  t.is(path('stack_ttl'), ttlBefore + 2n);

  const localBefore = path('stack_local');
  const local = tcp4('10.0.0.1', 1, [ROUTER_MAC, CLIENT_MAC]);
  t.is(dp.program('fp_tc_entry').testRun({ data: local }).retval, TC_ACT_OK);
  t.is(path('stack_local'), localBefore + 1n);
});

test.serial('route miss and unresolved next hop go to the stack with one event per destination', (t) => {
  const events = dp.events();
  try {
    events.poll(0);
    const missBefore = path('stack_route_miss');
    const pkt = tcp4('10.99.0.1', 64, [ROUTER_MAC, CLIENT_MAC]);
    const r = dp.program('fp_tc_entry').testRun({ data: pkt });
    t.is(r.retval, TC_ACT_OK);
    assertBytes(t, r.data, pkt, 'route miss');
    t.is(path('stack_route_miss'), missBefore + 1n);
    const nhBefore = path('stack_nh_miss');
    t.is(dp.program('fp_tc_entry').testRun({ data: tcp4('10.4.0.1', 64, [ROUTER_MAC, CLIENT_MAC]) }).retval, TC_ACT_OK);
    t.is(path('stack_nh_miss'), nhBefore + 1n);
    const limited = path('event_limited');
    for (let i = 0; i < 3; i++) dp.program('fp_tc_entry').testRun({ data: pkt });
    t.is(path('stack_route_miss'), missBefore + 4n);
    t.is(path('event_limited'), limited + 3n, 'repeated misses within the interval raise no event');
    const got = events.poll(100).map((e) => ({ type: e.type, addr: e.addr, id: e.id, ifindex: e.ifindex }));
    t.deepEqual(got, [
      { type: 'route-miss', addr: '10.99.0.1', id: 0, ifindex: 1 },
      { type: 'nh-miss', addr: '10.4.0.1', id: 3, ifindex: 1 },
    ]);
  } finally {
    events.close();
  }
});

test.serial('not a router MAC and no L2 entry: stack', (t) => {
  const before = path('stack_dmac_miss');
  const pkt = tcp4('10.2.0.7', 64, ['02:00:00:00:99:99', CLIENT_MAC]);
  t.is(dp.program('fp_tc_entry').testRun({ data: pkt }).retval, TC_ACT_OK);
  t.is(path('stack_dmac_miss'), before + 1n);
});

function flowKey(src: string, dst: string, sport: number, dport: number, proto: number): Buffer {
  const v6 = src.includes(':');
  const addr = (a: string): Buffer => {
    const b = Buffer.alloc(16);
    (v6 ? parseIpv6(a) : parseIpv4(a)).copy(b);
    return b;
  };
  return codecs.flowKeyCodec.encode({
    saddr: addr(src),
    daddr: addr(dst),
    sport_be: sport,
    dport_be: dport,
    zone: 0,
    proto,
    family: v6 ? 6 : 4,
  });
}

function fcValue(generation: bigint, vlan: number): Buffer {
  return codecs.fcCodec.encode({
    generation,
    dmac: parseMac(NH1_MAC),
    smac: parseMac(OUT_MAC),
    ifindex: 1,
    vlan,
    flags: codecs.FC_F_DEC_TTL | codecs.FC_F_XDP_TX,
    mtu: 1500,
    route_id: 0,
    nh_id: 1,
    nat_saddr: Buffer.alloc(16),
    nat_daddr: Buffer.alloc(16),
    nat_sport_be: 0,
    nat_dport_be: 0,
  });
}

test.serial('flow-cache hit: TC and XDP apply the cached rewrite; a stale generation goes slow', (t) => {
  const key = flowKey('10.1.0.5', '10.2.0.7', 40000, 80, 6);
  const fc = dp.map('fc');
  try {
    fc.update(key, fcValue(dp.generation(), 0));
    const input = tcp4('10.2.0.7', 64, [ROUTER_MAC, CLIENT_MAC]);
    const expected = tcp4('10.2.0.7', 63, [NH1_MAC, OUT_MAC]);
    const tcHits = path('tc_fast_hit');
    const r = dp.program('fp_tc_entry').testRun({ data: input });
    t.is(r.retval, TC_ACT_REDIRECT);
    assertBytes(t, r.data, expected, 'TC fast path');
    t.is(path('tc_fast_hit'), tcHits + 1n);

    const xdpHits = path('xdp_fast_hit');
    const x = dp.program('fp_xdp_entry').testRun({ data: input });
    t.is(x.retval, XDP_REDIRECT);
    assertBytes(t, x.data, expected, 'XDP fast path');
    t.true(ipv4HeaderChecksumValid(x.data!, 14));
    t.is(path('xdp_fast_hit'), xdpHits + 1n);

    // VLAN push and pop in XDP (bpf_xdp_adjust_head).
    fc.update(key, fcValue(dp.generation(), 30));
    const pushed = dp.program('fp_xdp_entry').testRun({ data: input });
    t.is(pushed.retval, XDP_REDIRECT);
    assertBytes(t, pushed.data, tcp4('10.2.0.7', 63, [NH1_MAC, OUT_MAC], 30), 'XDP VLAN push');
    fc.update(key, fcValue(dp.generation(), 0));
    const popped = dp.program('fp_xdp_entry').testRun({ data: tcp4('10.2.0.7', 64, [ROUTER_MAC, CLIENT_MAC], 10) });
    // The tagged packet arrives on (lo, 10), whose zone is also 0: the same flow key.
    t.is(popped.retval, XDP_REDIRECT);
    assertBytes(t, popped.data, expected, 'XDP VLAN pop');

    // A configuration change bumps the generation: the entry is stale, XDP passes, TC goes slow.
    fc.update(key, fcValue(dp.generation() - 1n, 0));
    const stale = path('fc_stale');
    t.is(dp.program('fp_xdp_entry').testRun({ data: input }).retval, XDP_PASS);
    t.is(path('fc_stale'), stale, 'XDP leaves the stale entry to TC, which counts it');
    const slow = path('tc_slow');
    const s = dp.program('fp_tc_entry').testRun({ data: input });
    t.is(s.retval, TC_ACT_REDIRECT);
    assertBytes(t, s.data, expected, 'slow path after a stale entry');
    t.is(path('fc_stale'), stale + 1n, 'one stale packet, counted once');
    t.is(path('tc_slow'), slow + 1n);
  } finally {
    fc.delete(key);
  }
});

test.serial('per-route, per-next-hop and per-interface counters move', (t) => {
  const route = dp.counters('stats_route');
  const nh = dp.counters('stats_nh');
  const intf = dp.counters('stats_intf');
  t.true((route.get(0)?.packets ?? 0n) > 0n, 'route 10.2.0.0/24 (id 0) counted');
  t.true((nh.get(1)?.packets ?? 0n) > 0n, 'next hop 1 counted');
  t.true((intf.get(1)?.packets ?? 0n) > 0n, 'lo counted');
});

test.serial('a route removed and added again starts with zero counters', (t) => {
  t.true((dp.counters('stats_route').get(1)?.packets ?? 0n) > 0n, 'route 10.3.0.0/24 (id 1) has counts');
  dp.apply({ remove: { routes: [{ prefix: '10.3.0.0/24' }] } });
  dp.apply({ routes: [{ prefix: '10.3.0.0/24', nextHops: [2] }] });
  t.is(dp.counters('stats_route').get(1), undefined);
});

// The fast path must give exactly the slow path's bytes. For each packet: the slow-path
// output with no cache entry, then a cache entry holding the same decision, then the TC
// and XDP fast paths on the same input.
const DIFFERENTIAL: [string, () => Buffer, string, string, string, number, number][] = [
  ['IPv4 TCP', () => tcp4('10.2.0.7', 64, [ROUTER_MAC, CLIENT_MAC]), '10.1.0.5', '10.2.0.7', NH1_MAC, 0, 1],
  ['IPv4 TCP, VLAN pushed', () => tcp4('10.3.0.7', 64, [ROUTER_MAC, CLIENT_MAC]), '10.1.0.5', '10.3.0.7', NH2_MAC, 20, 2],
  ['IPv4 TCP, VLAN popped', () => tcp4('10.2.0.7', 9, [ROUTER_MAC, CLIENT_MAC], 10), '10.1.0.5', '10.2.0.7', NH1_MAC, 0, 1],
  ['IPv6 UDP', () => udp6('fd00:2::9', 64, [ROUTER_MAC, CLIENT_MAC]), 'fd00:1::5', 'fd00:2::9', NH1_MAC, 0, 1],
  ['IPv6 UDP, VLAN 10 -> 20', () => udp6('fd00:3::1', 64, [ROUTER_MAC, CLIENT_MAC], 10), 'fd00:1::5', 'fd00:3::1', NH2_MAC, 20, 2],
];

for (const [name, input, src, dst, nhMac, vlan, nhId] of DIFFERENTIAL) {
  test.serial(`differential ${name}: TC fast path and XDP fast path give the slow path's bytes`, (t) => {
    const v6 = src.includes(':');
    const [sport, dport, proto] = v6 ? [5000, 53, 17] : [40000, 80, 6];
    const key = flowKey(src, dst, sport, dport, proto);
    const fc = dp.map('fc');
    fc.delete(key);
    const slow = dp.program('fp_tc_entry').testRun({ data: input() });
    t.is(slow.retval, TC_ACT_REDIRECT, 'slow path redirects');
    const value = codecs.fcCodec.decode(fcValue(dp.generation(), vlan));
    fc.update(key, codecs.fcCodec.encode({ ...value, dmac: parseMac(nhMac), nh_id: nhId }));
    try {
      const hits = path('tc_fast_hit');
      const fast = dp.program('fp_tc_entry').testRun({ data: input() });
      t.is(path('tc_fast_hit'), hits + 1n, 'TC took the fast path');
      t.is(fast.retval, TC_ACT_REDIRECT);
      assertBytes(t, fast.data, slow.data!, 'TC fast = slow');
      const xdp = dp.program('fp_xdp_entry').testRun({ data: input() });
      t.is(xdp.retval, XDP_REDIRECT);
      assertBytes(t, xdp.data, slow.data!, 'XDP fast = slow');
    } finally {
      fc.delete(key);
    }
  });
}

test.serial('a full event ring: each event that does not fit is counted as event_lost, none vanishes uncounted', (t) => {
  const events = dp.events();
  try {
    events.poll(0);
    const lostBefore = path('event_lost');
    const missBefore = path('stack_route_miss');
    // Distinct unrouted destinations (one event each; nothing rate-limits them), more
    // than the 256 KiB ring holds (48-byte records + 8-byte headers: 4681), no reader.
    const n = 5000;
    for (let i = 0; i < n; i++) {
      const r = dp.program('fp_tc_entry').testRun({ data: tcp4(`10.200.${i >> 8}.${i & 0xff}`, 64, [ROUTER_MAC, CLIENT_MAC]) });
      t.is(r.retval, TC_ACT_OK);
    }
    t.is(path('stack_route_miss'), missBefore + BigInt(n));
    let got = 0;
    for (let batch = events.poll(0); batch.length > 0; batch = events.poll(0)) got += batch.length;
    const lost = path('event_lost') - lostBefore;
    t.is(got, 4681, 'the ring held as many records as fit');
    t.is(lost, BigInt(n - got), 'every event that did not fit was counted');
  } finally {
    events.close();
  }
});
