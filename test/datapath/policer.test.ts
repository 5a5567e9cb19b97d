// Policers in test-run mode with controlled token state: exact colours, counters and
// token counts for trTCM and srTCM, colour-blind and colour-aware; yellow re-marking;
// the policer on the flow-cache hit path (TC and XDP). Token state is set through the
// map before each sequence with last_ns in the future, which freezes refilling.
import test from 'ava';
import { TC_ACT_OK, TC_ACT_REDIRECT, TC_ACT_SHOT, XDP_DROP, XDP_REDIRECT } from '../../native/constants.js';
import { type Datapath, codecs } from '../../src/datapath/index.js';
import { type PolicerConfig, setPolicerState } from '../../src/datapath/policer.js';
import { readPolicers } from '../../src/datapath/policer.js';
import { buildPacket, parseIpv4, parseMac } from '../../src/packet/index.js';
import { CLIENT_MAC, ROUTER_MAC, assertBytes, ipv4HeaderChecksumValid, loadDatapath } from './_setup.js';

const FROZEN = 2n ** 62n;
const NH_MAC = '02:00:00:00:01:01';
const OUT_MAC = '02:00:00:00:00:02';

let dp: Datapath;

const POLICERS: PolicerConfig[] = [
  { id: 1, mode: 'trtcm', cir: 1000, cbs: 1000, pir: 2000, pbs: 2000 },
  { id: 2, mode: 'trtcm', cir: 1000, cbs: 1000, pir: 2000, pbs: 2000, colourAware: true, yellowDscps: [10], redDscps: [12] },
  { id: 3, mode: 'srtcm', cir: 1000, cbs: 1000, ebs: 500 },
  { id: 4, mode: 'srtcm', cir: 1000, cbs: 1000, ebs: 500, colourAware: true, yellowDscps: [10], redDscps: [12] },
  { id: 5, mode: 'trtcm', cir: 1000, cbs: 1000, pir: 2000, pbs: 2000, remarkYellow: 46 },
];

test.before(() => {
  dp = loadDatapath();
  dp.apply({
    policers: POLICERS,
    interfaces: [{ ifname: 'lo', port: 1, xdpTx: 'on' }],
    routerMacs: [{ mac: ROUTER_MAC }],
    nextHops: [{ id: 1, mac: NH_MAC, srcMac: OUT_MAC, ifname: 'lo' }],
    routes: [{ prefix: '10.2.0.0/24', nextHops: [1] }],
  });
});

test.after.always(() => dp?.destroy());

/** UDP from 10.1.0.5 whose IP total length is ipLen. Unrouted destination: the stack. */
function udp(ipLen: number, dscp = 0, dst = '10.9.0.1', macs: [string, string] = [ROUTER_MAC, CLIENT_MAC], ttl = 64): Buffer {
  return buildPacket([
    { type: 'eth', dst: macs[0], src: macs[1] },
    { type: 'ipv4', src: '10.1.0.5', dst, dscp, ttl, id: 7 },
    { type: 'udp', sport: 4000, dport: 5000 },
    { type: 'payload', data: Buffer.alloc(ipLen - 28, 0x5a) },
  ]);
}

function usePolicer(id: number): void {
  dp.apply({ interfaces: [{ ifname: 'lo', port: 1, policer: id, xdpTx: 'on' }] });
}

type Verdict = 'pass' | 'drop';

function run(pkt: Buffer): Verdict {
  const r = dp.program('fp_tc_entry').testRun({ data: pkt });
  if (r.retval === TC_ACT_SHOT) return 'drop';
  if (r.retval === TC_ACT_OK || r.retval === TC_ACT_REDIRECT) return 'pass';
  throw new Error(`unexpected retval ${r.retval}`);
}

function state(id: number) {
  const p = readPolicers(dp.map('pol'), dp.map('stats_pol')).find((x) => x.id === id);
  if (p === undefined) throw new Error(`policer ${id} missing`);
  return p;
}

function counters(id: number): [bigint, bigint][] {
  const c = state(id).counters;
  return [
    [c.green.packets, c.green.bytes],
    [c.yellow.packets, c.yellow.bytes],
    [c.red.packets, c.red.bytes],
  ];
}

function sub(a: [bigint, bigint][], b: [bigint, bigint][]): [bigint, bigint][] {
  return a.map(([p, by], i) => [p - b[i]![0], by - b[i]![1]]);
}

interface Case {
  name: string;
  id: number;
  c: bigint;
  e: bigint;
  /** [dscp, expected colour] per 400-byte packet. */
  seq: [number, 'G' | 'Y' | 'R'][];
  after: [bigint, bigint];
}

const CASES: Case[] = [
  {
    name: 'trTCM colour-blind',
    id: 1,
    c: 1000n,
    e: 2000n,
    seq: [
      [0, 'G'],
      [0, 'G'],
      [0, 'Y'],
      [0, 'Y'],
      [0, 'Y'],
      [0, 'R'],
      [0, 'R'],
    ],
    after: [200n, 0n],
  },
  {
    name: 'trTCM colour-aware',
    id: 2,
    c: 1000n,
    e: 2000n,
    seq: [
      [0, 'G'],
      [10, 'Y'],
      [12, 'R'],
      [0, 'G'],
      [0, 'Y'],
      [10, 'Y'],
      [0, 'R'],
    ],
    after: [200n, 0n],
  },
  {
    name: 'srTCM colour-blind',
    id: 3,
    c: 1000n,
    e: 500n,
    seq: [
      [0, 'G'],
      [0, 'G'],
      [0, 'Y'],
      [0, 'R'],
      [0, 'R'],
    ],
    after: [200n, 100n],
  },
  {
    name: 'srTCM colour-aware',
    id: 4,
    c: 1000n,
    e: 500n,
    seq: [
      [0, 'G'],
      [10, 'Y'],
      [12, 'R'],
      [0, 'G'],
      [0, 'R'],
    ],
    after: [200n, 100n],
  },
  // Aware with pre-green packets but E empty: srTCM still gives green from C.
  {
    name: 'srTCM colour-aware, E empty',
    id: 4,
    c: 800n,
    e: 0n,
    seq: [
      [10, 'R'],
      [0, 'G'],
      [0, 'G'],
      [0, 'R'],
    ],
    after: [0n, 0n],
  },
];

for (const tc of CASES) {
  test.serial(`${tc.name}: exact colours, counters and tokens`, (t) => {
    usePolicer(tc.id);
    setPolicerState(dp.map('pol'), tc.id, { cTokens: tc.c, eTokens: tc.e, lastNs: FROZEN });
    const before = counters(tc.id);
    const got = tc.seq.map(([dscp]) => run(udp(400, dscp)));
    t.deepEqual(
      got,
      tc.seq.map(([, col]) => (col === 'R' ? 'drop' : 'pass')),
    );
    const n = (col: string): bigint => BigInt(tc.seq.filter(([, c]) => c === col).length);
    t.deepEqual(sub(counters(tc.id), before), [
      [n('G'), 400n * n('G')],
      [n('Y'), 400n * n('Y')],
      [n('R'), 400n * n('R')],
    ]);
    const s = state(tc.id);
    t.deepEqual([s.cTokens, s.eTokens], tc.after);
  });
}

test.serial('the charge is the IP total length, not the frame length', (t) => {
  usePolicer(1);
  setPolicerState(dp.map('pol'), 1, { cTokens: 1000n, eTokens: 2000n, lastNs: FROZEN });
  // 999-byte IP packet: green; the 14-byte Ethernet header is not charged.
  t.is(run(udp(999)), 'pass');
  const s = state(1);
  t.deepEqual([s.cTokens, s.eTokens], [1n, 1001n]);
});

test.serial('IPv6: the charge is payload length + 40', (t) => {
  usePolicer(1);
  setPolicerState(dp.map('pol'), 1, { cTokens: 1000n, eTokens: 2000n, lastNs: FROZEN });
  const pkt = buildPacket([
    { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC },
    { type: 'ipv6', src: 'fd00:1::5', dst: 'fd00:9::1' },
    { type: 'udp', sport: 4000, dport: 5000 },
    { type: 'payload', data: Buffer.alloc(252) },
  ]);
  t.is(run(pkt), 'pass');
  const s = state(1);
  t.deepEqual([s.cTokens, s.eTokens], [700n, 1700n]);
});

test.serial('an old last-update time refills both buckets to their bursts, then charges', (t) => {
  usePolicer(1);
  setPolicerState(dp.map('pol'), 1, { cTokens: 0n, eTokens: 0n, lastNs: 0n });
  t.is(run(udp(400)), 'pass');
  const s = state(1);
  t.deepEqual([s.cTokens, s.eTokens], [600n, 1600n]);
  t.not(s.lastNs, 0n);
});

test.serial('yellow is re-marked to the configured DSCP with a valid IPv4 checksum; green is untouched', (t) => {
  usePolicer(5);
  setPolicerState(dp.map('pol'), 5, { cTokens: 400n, eTokens: 2000n, lastNs: FROZEN });
  const green = dp.program('fp_tc_entry').testRun({ data: udp(400, 8) });
  t.is(green.retval, TC_ACT_OK);
  assertBytes(t, green.data, udp(400, 8), 'green keeps DSCP 8');
  const yellow = dp.program('fp_tc_entry').testRun({ data: udp(400, 8) });
  t.is(yellow.retval, TC_ACT_OK);
  assertBytes(t, yellow.data, udp(400, 46), 'yellow re-marked to DSCP 46');
  t.true(ipv4HeaderChecksumValid(yellow.data!, 14));
});

test.serial('the policer runs on the flow-cache hit path, TC and XDP: policed traffic stays fast', (t) => {
  usePolicer(1);
  const key = codecs.flowKeyCodec.encode({
    saddr: Buffer.concat([parseIpv4('10.1.0.5'), Buffer.alloc(12)]),
    daddr: Buffer.concat([parseIpv4('10.2.0.7'), Buffer.alloc(12)]),
    sport_be: 4000,
    dport_be: 5000,
    zone: 0,
    proto: 17,
    family: 4,
  });
  dp.map('fc').update(
    key,
    codecs.fcCodec.encode({
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
    }),
  );
  try {
    setPolicerState(dp.map('pol'), 1, { cTokens: 400n, eTokens: 800n, lastNs: FROZEN });
    const hits = (): bigint => dp.paths().tc_fast_hit.packets;
    const xhits = (): bigint => dp.paths().xdp_fast_hit.packets;
    const before = counters(1);
    const h0 = hits();
    const input = udp(400, 0, '10.2.0.7');
    const r1 = dp.program('fp_tc_entry').testRun({ data: input });
    t.is(r1.retval, TC_ACT_REDIRECT);
    assertBytes(t, r1.data, udp(400, 0, '10.2.0.7', [NH_MAC, OUT_MAC], 63), 'green fast-path hit');
    t.true(ipv4HeaderChecksumValid(r1.data!, 14));
    const x0 = xhits();
    const x1 = dp.program('fp_xdp_entry').testRun({ data: input });
    t.is(x1.retval, XDP_REDIRECT, 'yellow in XDP');
    t.is(xhits(), x0 + 1n);
    t.is(dp.program('fp_xdp_entry').testRun({ data: input }).retval, XDP_DROP, 'red in XDP');
    t.is(dp.program('fp_tc_entry').testRun({ data: input }).retval, TC_ACT_SHOT, 'red in TC');
    t.is(hits(), h0 + 1n);
    t.deepEqual(sub(counters(1), before), [
      [1n, 400n],
      [1n, 400n],
      [2n, 800n],
    ]);
  } finally {
    dp.map('fc').delete(key);
  }
});

test.serial('an interface without a policer is not policed', (t) => {
  usePolicer(0);
  setPolicerState(dp.map('pol'), 1, { cTokens: 0n, eTokens: 0n, lastNs: FROZEN });
  const before = counters(1);
  t.is(run(udp(400)), 'pass');
  t.deepEqual(counters(1), before);
});
