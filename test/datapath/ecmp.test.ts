// ECMP over 4 next hops by flow hash: a flow always takes the same next hop; many flows
// use all of them.
import test from 'ava';
import { TC_ACT_REDIRECT } from '../../native/constants.js';
import type { Datapath } from '../../src/datapath/index.js';
import { buildPacket, formatMac } from '../../src/packet/index.js';
import { CLIENT_MAC, ROUTER_MAC, baseConfig, loadDatapath } from './_setup.js';

const HOPS = [11, 12, 13, 14];
const macOf = (id: number): string => `02:00:00:00:02:${id.toString(16).padStart(2, '0')}`;

let dp: Datapath;

test.before(() => {
  dp = loadDatapath();
  baseConfig(dp);
  dp.apply({
    nextHops: HOPS.map((id) => ({ id, mac: macOf(id), srcMac: '02:00:00:00:00:02', ifname: 'lo' })),
    routes: [
      { prefix: '10.9.0.0/16', nextHops: HOPS },
      { prefix: 'fd00:9::/48', nextHops: HOPS },
    ],
  });
});

test.after.always(() => dp?.destroy());

function udp(src: string, dst: string, sport: number, seq: number): Buffer {
  return buildPacket([
    { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC },
    src.includes(':') ? { type: 'ipv6', src, dst } : { type: 'ipv4', src, dst, id: seq },
    { type: 'udp', sport, dport: 4000 },
    { type: 'payload', data: Buffer.from(`packet ${seq}`) },
  ]);
}

/** The next-hop id a packet was sent to, read from the rewritten destination MAC. */
function nextHopOf(packet: Buffer): number {
  const r = dp.program('fp_tc_entry').testRun({ data: packet });
  if (r.retval !== TC_ACT_REDIRECT || r.data === null) throw new Error(`not routed: retval ${r.retval}`);
  const mac = formatMac(r.data);
  const id = HOPS.find((h) => macOf(h) === mac);
  if (id === undefined) throw new Error(`unexpected destination MAC ${mac}`);
  return id;
}

for (const [family, src, dst] of [
  ['IPv4', '10.1.0.5', '10.9.3.4'],
  ['IPv6', 'fd00:1::5', 'fd00:9::3:4'],
] as const) {
  test.serial(`${family}: one flow takes the same next hop for 100 packets`, (t) => {
    const first = nextHopOf(udp(src, dst, 33333, 0));
    for (let seq = 1; seq < 100; seq++) t.is(nextHopOf(udp(src, dst, 33333, seq)), first);
  });

  // 1000 flows (source ports 20000..20999). Each next hop should get 250; the test asks
  // for at least 150 (15%). The flows are fixed, so the outcome is deterministic; for
  // flows drawn at random under a uniform hash, one next hop falls below 150 with
  // probability < 4 * P(Bin(1000, 0.25) < 150) ~ 4e-14.
  test.serial(`${family}: 1000 flows spread over all 4 next hops (each >= 15%)`, (t) => {
    const counts = new Map<number, number>(HOPS.map((h) => [h, 0]));
    for (let i = 0; i < 1000; i++) {
      const id = nextHopOf(udp(src, dst, 20000 + i, 0));
      counts.set(id, counts.get(id)! + 1);
    }
    t.log(`next-hop shares: ${[...counts].map(([h, n]) => `${h}: ${n}`).join(', ')}`);
    for (const [h, n] of counts) t.true(n >= 150, `next hop ${h} got ${n} of 1000 flows`);
  });
}

test.serial('the per-next-hop counters add up to the packets routed', (t) => {
  const nh = dp.counters('stats_nh');
  const total = HOPS.reduce((sum, h) => sum + (nh.get(h)?.packets ?? 0n), 0n);
  t.is(total, 2n * (100n + 1000n));
});
