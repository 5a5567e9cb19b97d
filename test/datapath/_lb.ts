// Shared set-up of the LB / CT tests in test-run mode: a client side (10.1.0.0/24,
// fd00:1::/64 via next hop 2) and a backend side (10.2.0.0/24, fd00:2::/64 via next hop
// 1) behind 'lo', and packet builders whose output for the expected translation is
// built the same way (so exact bytes also prove the checksums).
import type { ExecutionContext } from 'ava';
import { TC_ACT_REDIRECT } from '../../native/constants.js';
import type { Datapath, DropReason, LbEndpoint, LbRule, PathCounter } from '../../src/datapath/index.js';
import { type LayerSpec, buildPacket } from '../../src/packet/index.js';
import { CLIENT_MAC, ROUTER_MAC, assertBytes, loadDatapath } from './_setup.js';

export const BACKEND_NH_MAC = '02:00:00:00:01:01';
export const CLIENT_NH_MAC = '02:00:00:00:02:01';
export const OUT_MAC = '02:00:00:00:00:02';
export const BACKEND_MAC = '02:00:00:00:00:bb';

/** Addresses of one family; four endpoints, named by position. */
export interface LbAddresses {
  client: string;
  vip: string;
  snat: string;
  eps: [string, string, string, string];
}

export const V4: LbAddresses = {
  client: '10.1.0.5',
  vip: '10.0.0.100',
  snat: '10.0.0.1',
  eps: ['10.2.0.1', '10.2.0.2', '10.2.0.3', '10.2.0.4'],
};
export const V6: LbAddresses = {
  client: 'fd00:1::5',
  vip: 'fd00:100::1',
  snat: 'fd00:100::2',
  eps: ['fd00:2::1', 'fd00:2::2', 'fd00:2::3', 'fd00:2::4'],
};

export function loadLbDatapath(): Datapath {
  const dp = loadDatapath();
  dp.apply({
    interfaces: [{ ifname: 'lo', port: 1, xdpTx: 'on' }],
    routerMacs: [{ mac: ROUTER_MAC }],
    nextHops: [
      { id: 1, mac: BACKEND_NH_MAC, srcMac: OUT_MAC, ifname: 'lo' },
      { id: 2, mac: CLIENT_NH_MAC, srcMac: OUT_MAC, ifname: 'lo' },
    ],
    routes: [
      { prefix: '10.2.0.0/24', nextHops: [1] },
      { prefix: '10.1.0.0/24', nextHops: [2] },
      { prefix: '10.9.0.0/24', nextHops: [2] },
      { prefix: 'fd00:2::/64', nextHops: [1] },
      { prefix: 'fd00:1::/64', nextHops: [2] },
    ],
  });
  return dp;
}

export type Proto = 'tcp' | 'udp' | 'sctp';

export interface Seg {
  family?: 4 | 6;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** TCP flags, e.g. 'S', 'SA', 'A', 'PA', 'FA', 'R'. */
  flags?: string;
  seq?: number;
  ack?: number;
  ttl?: number;
  payload?: Buffer;
  /** Frame MACs [dst, src]; default towards our router MAC from the client. */
  macs?: [string, string];
  ipId?: number;
}

function l3(s: Seg, protocol?: number): LayerSpec {
  const ttl = s.ttl ?? 64;
  if ((s.family ?? 4) === 6) return { type: 'ipv6', src: s.src, dst: s.dst, hopLimit: ttl };
  return { type: 'ipv4', src: s.src, dst: s.dst, ttl, id: s.ipId ?? 0x4242, ...(protocol === undefined ? {} : { protocol }) };
}

function eth(s: Seg): LayerSpec {
  const [dst, src] = s.macs ?? [ROUTER_MAC, CLIENT_MAC];
  return { type: 'eth', dst, src };
}

export function tcp(s: Seg): Buffer {
  const f = s.flags ?? 'A';
  return buildPacket([
    eth(s),
    l3(s),
    {
      type: 'tcp',
      sport: s.sport,
      dport: s.dport,
      seq: s.seq ?? 1000,
      ack: s.ack ?? 0,
      flags: { syn: f.includes('S'), ack: f.includes('A'), fin: f.includes('F'), rst: f.includes('R'), psh: f.includes('P') },
    },
    ...(s.payload ? [{ type: 'payload' as const, data: s.payload }] : []),
  ]);
}

export function udp(s: Seg): Buffer {
  return buildPacket([
    eth(s),
    l3(s),
    { type: 'udp', sport: s.sport, dport: s.dport },
    { type: 'payload', data: s.payload ?? Buffer.from('datagram') },
  ]);
}

/** The same segment after the datapath: routed MACs, TTL - 1. */
export function routed(s: Seg, towards: 'backend' | 'client', patch: Partial<Seg> = {}): Seg {
  return { ...s, ...patch, ttl: (s.ttl ?? 64) - 1, macs: [towards === 'backend' ? BACKEND_NH_MAC : CLIENT_NH_MAC, OUT_MAC] };
}

export function rule(endpoints: (string | LbEndpoint)[], over: Partial<LbRule> = {}): LbRule {
  return {
    vip: V4.vip,
    port: 80,
    protocol: 'tcp',
    endpoints: endpoints.map((e) => (typeof e === 'string' ? { address: e, port: 8080 } : e)),
    ...over,
  };
}

/** Runs one frame through TC; the result must be a redirect. */
export function tc(dp: Datapath, frame: Buffer): Buffer {
  const r = dp.program('fp_tc_entry').testRun({ data: frame });
  if (r.retval !== TC_ACT_REDIRECT || r.data === null) throw new Error(`expected a redirect, got retval ${r.retval}`);
  return r.data;
}

export function expectTc(t: ExecutionContext, dp: Datapath, input: Buffer, expected: Buffer, what: string): void {
  const r = dp.program('fp_tc_entry').testRun({ data: input });
  t.is(r.retval, TC_ACT_REDIRECT, `${what}: verdict`);
  assertBytes(t, r.data, expected, what);
}

/** The IPv4 destination of a routed frame (which endpoint was chosen). */
export function dst4(frame: Buffer): string {
  return `${frame[30]}.${frame[31]}.${frame[32]}.${frame[33]}`;
}

export function path(dp: Datapath, name: PathCounter): bigint {
  return dp.paths()[name].packets;
}

export function drop(dp: Datapath, name: DropReason): bigint {
  return dp.drops()[name].packets;
}

/** SYNs of n new flows from sport base.. : the chosen endpoint of each, in order. */
export function synSequence(dp: Datapath, n: number, base: number, src = V4.client): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(dst4(tc(dp, tcp({ src, dst: V4.vip, sport: base + i, dport: 80, flags: 'S' }))));
  return out;
}
