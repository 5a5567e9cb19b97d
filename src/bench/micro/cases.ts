// The micro benchmark's table: one entry per measured case (the load-balancing cases,
// lb-bench.ts and micro/lb-algorithm-cases.ts, join it: LB fast-path hit, new flow per
// algorithm and protocol, policed): a case applies what it needs in prepare() and names a reset() that puts the state back
// before every sample (not timed), e.g. deleting the CT entry so every sample is a SYN.
import { TC_ACT_REDIRECT, XDP_REDIRECT } from '../../../native/constants.js';
import type { BpfProgram } from '../../../native/index.js';
import { type ConfigChange, type Datapath, codecs } from '../../datapath/index.js';
import { buildPacket, parseIpv4, parseIpv6, parseMac } from '../../packet/index.js';
import type { Expectation } from './checked-sampler.js';

export interface MicroEnv {
  dp: Datapath;
}

export interface PreparedCase {
  program: BpfProgram;
  /** The input packet; every sample runs on a fresh copy. */
  data: Buffer;
  /** Runs before every sample, untimed. */
  reset?: () => void;
  /** What every timed call must return and write (checked-sampler.ts). */
  expect: Expectation;
  /** Found while preparing (e.g. the entries a map holds), recorded with the metric. */
  params?: Record<string, number>;
}

export interface MicroCase {
  /** Metric id, stable across runs (compare joins on it). */
  id: string;
  name: string;
  hook: 'tc' | 'xdp';
  params: Record<string, string | number>;
  prepare(env: MicroEnv): PreparedCase;
}

export const MICRO = {
  routerMac: '02:00:00:00:00:01',
  nhMac: '02:00:00:00:01:01',
  outMac: '02:00:00:00:00:02',
  client4: '10.1.0.5',
  server4: '10.2.0.7',
  client6: 'fd00:1::5',
  server6: 'fd00:2::7',
} as const;

/** Applied once before the cases: routing to 10.2.0.0/24 and fd00:2::/64 out of lo (test
 *  runs need no attached interface, only ones that exist). */
export const MICRO_BASE_CONFIG: ConfigChange = {
  interfaces: [{ ifname: 'lo', port: 1, xdpTx: 'on' }],
  routerMacs: [{ mac: MICRO.routerMac }],
  nextHops: [{ id: 1, mac: MICRO.nhMac, srcMac: MICRO.outMac, ifname: 'lo' }],
  routes: [
    { prefix: '10.2.0.0/24', nextHops: [1] },
    { prefix: 'fd00:2::/64', nextHops: [1] },
  ],
};

/** The redirect verdict of a forwarded packet on each hook. */
export const REDIRECT = { tc: TC_ACT_REDIRECT, xdp: XDP_REDIRECT } as const;

/** A routed frame as it arrives (forwarded: false) or as next hop 1 must receive it: its
 *  MACs and one hop less of TTL / hop limit. */
function tcpPacket(family: 4 | 6, forwarded = false): Buffer {
  const ttl = forwarded ? 63 : 64;
  return buildPacket([
    forwarded ? { type: 'eth', dst: MICRO.nhMac, src: MICRO.outMac } : { type: 'eth', dst: MICRO.routerMac, src: '02:00:00:00:00:aa' },
    family === 6
      ? { type: 'ipv6', src: MICRO.client6, dst: MICRO.server6, hopLimit: ttl }
      : { type: 'ipv4', src: MICRO.client4, dst: MICRO.server4, ttl },
    { type: 'tcp', sport: 40000, dport: 80, flags: { ack: true } },
    { type: 'payload', data: Buffer.alloc(family === 6 ? 0 : 10) },
  ]);
}

function flowKey(family: 4 | 6): Buffer {
  const addr = (a: string): Buffer => (family === 4 ? Buffer.concat([parseIpv4(a), Buffer.alloc(12)]) : parseIpv6(a));
  return codecs.flowKeyCodec.encode({
    saddr: addr(family === 4 ? MICRO.client4 : MICRO.client6),
    daddr: addr(family === 4 ? MICRO.server4 : MICRO.server6),
    sport_be: 40000,
    dport_be: 80,
    zone: 0,
    proto: 6,
    family,
  });
}

/** What the slow path would cache for the routed flow. */
function installFlowCache(dp: Datapath, family: 4 | 6): void {
  dp.map('fc').update(
    flowKey(family),
    codecs.fcCodec.encode({
      generation: dp.generation(),
      dmac: parseMac(MICRO.nhMac),
      smac: parseMac(MICRO.outMac),
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
}

function routedSlow(family: 4 | 6): MicroCase {
  return {
    id: `micro/tc/routed-v${family}-slow`,
    name: `IPv${family} TCP routed, TC slow path (entry + tail call + L3)`,
    hook: 'tc',
    params: { family, proto: 'tcp', path: 'slow', hook: 'tc' },
    prepare: ({ dp }) => {
      const key = flowKey(family);
      // Never a cache hit, even once the slow path learns to install entries.
      return {
        program: dp.program('fp_tc_entry'),
        data: tcpPacket(family),
        reset: () => void dp.map('fc').delete(key),
        expect: { verdict: REDIRECT.tc, output: [tcpPacket(family, true)] },
      };
    },
  };
}

function routedFcHit(hook: 'tc' | 'xdp'): MicroCase {
  return {
    id: `micro/${hook}/routed-v4-fc-hit`,
    name: `IPv4 TCP routed, ${hook.toUpperCase()} flow-cache hit`,
    hook,
    params: { family: 4, proto: 'tcp', path: 'fast', hook },
    prepare: ({ dp }) => {
      installFlowCache(dp, 4);
      return {
        program: dp.program(hook === 'tc' ? 'fp_tc_entry' : 'fp_xdp_entry'),
        data: tcpPacket(4),
        expect: { verdict: REDIRECT[hook], output: [tcpPacket(4, true)] },
      };
    },
  };
}

export const MICRO_CASES: MicroCase[] = [routedSlow(4), routedSlow(6), routedFcHit('tc'), routedFcHit('xdp')];
