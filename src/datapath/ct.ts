// Connection-tracking readers and maintenance: the decoded CT dump, the flow-cache dump,
// deleting connections (both entries + their flow-cache entries), session recount, and
// the ageing sweeper with per-state timeouts.
import type { BpfMap } from '../../native/index.js';
import { formatIpv4, formatIpv6, formatMac } from '../packet/index.js';
import { fcCodec, flowKeyCodec } from './codecs.js';
import {
  CT_F_DNAT,
  CT_F_DSR,
  CT_F_IPIP,
  CT_F_PICKUP,
  CT_F_REPLY,
  CT_F_SNAT,
  CT_STATES,
  type CtRaw,
  type CtState,
  LB_EP_MAX,
  ctCodec,
  ctKeyCodec,
} from './lb-codecs.js';
import { u32Codec } from './struct-codec.js';

type MapOf = (name: string) => BpfMap;

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6', 132: 'sctp' };

export interface FlowTuple {
  family: 4 | 6;
  protocol: string;
  zone: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

export interface CtEntry {
  key: FlowTuple;
  /** 'original' (client -> VIP) or 'reply'. */
  direction: 'original' | 'reply';
  /** Decoded state of the connection (read from the original entry for both). */
  state: CtState;
  /** The packet after translation. */
  translated: { src: string; dst: string; sport: number; dport: number };
  flags: string[];
  ruleId: number;
  endpoint: number;
  seenNs: bigint;
  raw: CtRaw;
  keyHex: string;
}

export interface FcEntry {
  key: FlowTuple;
  generation: bigint;
  dmac: string;
  smac: string;
  ifindex: number;
  vlan: number;
  flags: string[];
  nat: { src: string; dst: string; sport: number; dport: number } | null;
  hits: bigint;
}

export function addrText(family: number, b: Buffer): string {
  return family === 4 ? formatIpv4(b) : formatIpv6(b);
}

export function decodeTuple(key: Buffer): FlowTuple {
  const k = ctKeyCodec.decode(key);
  return {
    family: k.family as 4 | 6,
    protocol: PROTO_NAMES[k.proto] ?? String(k.proto),
    zone: k.zone,
    src: addrText(k.family, k.saddr),
    dst: addrText(k.family, k.daddr),
    sport: k.sport_be,
    dport: k.dport_be,
  };
}

function ctFlags(f: number): string[] {
  const out: string[] = [];
  if (f & CT_F_SNAT) out.push('snat');
  if (f & CT_F_DNAT) out.push('dnat');
  if (f & CT_F_DSR) out.push('dsr');
  if (f & CT_F_IPIP) out.push('ipip');
  if (f & CT_F_PICKUP) out.push('pickup');
  return out;
}

export function dumpCt(map: MapOf): CtEntry[] {
  const ct = map('ct');
  const entries = new Map<string, CtRaw>();
  for (const key of ct.keys()) {
    const v = ct.lookup(key);
    if (v !== null) entries.set(key.toString('hex'), ctCodec.decode(v));
  }
  const out: CtEntry[] = [];
  for (const [hex, raw] of entries) {
    const reply = (raw.flags & CT_F_REPLY) !== 0;
    const owner = reply ? entries.get(raw.peer.toString('hex')) : raw;
    const key = decodeTuple(Buffer.from(hex, 'hex'));
    out.push({
      key,
      direction: reply ? 'reply' : 'original',
      state: CT_STATES[owner?.state ?? 0] ?? 'none',
      translated: {
        src: addrText(key.family, raw.nat_saddr),
        dst: addrText(key.family, raw.nat_daddr),
        sport: raw.nat_sport_be,
        dport: raw.nat_dport_be,
      },
      flags: ctFlags(raw.flags),
      ruleId: raw.rule_id,
      endpoint: raw.ep,
      seenNs: raw.seen_ns,
      raw,
      keyHex: hex,
    });
  }
  return out;
}

export function dumpFc(map: MapOf): FcEntry[] {
  const fc = map('fc');
  const out: FcEntry[] = [];
  for (const key of fc.keys()) {
    const v = fc.lookup(key);
    if (v === null) continue;
    const r = fcCodec.decode(v);
    const t = decodeTuple(key);
    const nat = (r.flags & 6) !== 0;
    const flags = [
      [1, 'dec-ttl'],
      [2, 'snat'],
      [4, 'dnat'],
      [8, 'ct'],
    ]
      .filter(([b]) => (r.flags & (b as number)) !== 0)
      .map(([, n]) => n as string);
    out.push({
      key: t,
      generation: r.generation,
      dmac: formatMac(r.dmac),
      smac: formatMac(r.smac),
      ifindex: r.ifindex,
      vlan: r.vlan,
      flags,
      nat: nat
        ? { src: addrText(t.family, r.nat_saddr), dst: addrText(t.family, r.nat_daddr), sport: r.nat_sport_be, dport: r.nat_dport_be }
        : null,
      hits: r.hits ?? 0n,
    });
  }
  return out;
}

/** Deletes one connection given either of its CT keys: both entries, both cache entries. */
export function deleteConnection(map: MapOf, keyHex: string, raw: CtRaw): void {
  const key = Buffer.from(keyHex, 'hex');
  map('fc').delete(key);
  map('ct').delete(key);
  if ((raw.flags & CT_F_DSR) === 0) {
    map('fc').delete(raw.peer);
    map('ct').delete(raw.peer);
  }
}

/** Rewrites lb_sess of the given rules from the original CT entries that exist now. */
export function recountSessions(map: MapOf, ruleIds: Iterable<number>): void {
  const ids = new Set(ruleIds);
  if (ids.size === 0) return;
  const counts = new Map<number, number>();
  for (const e of dumpCt(map)) {
    if (e.direction !== 'original' || !ids.has(e.ruleId)) continue;
    const k = e.ruleId * LB_EP_MAX + e.endpoint;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const sess = map('lb_sess');
  for (const id of ids) {
    for (let i = 0; i < LB_EP_MAX; i++) {
      const k = id * LB_EP_MAX + i;
      sess.update(u32Codec.encode(k), u32Codec.encode(counts.get(k) ?? 0));
    }
  }
}

/** Idle timeouts per state, ms (defaults as loxilb: handshake / closing 10 s, TCP
 *  established 30 min, UDP / ICMP 20 s, SCTP established 30 min). */
export interface CtTimeouts {
  tcpHandshakeMs: number;
  tcpEstablishedMs: number;
  tcpClosingMs: number;
  udpMs: number;
  udpEstablishedMs: number;
  icmpMs: number;
  sctpHandshakeMs: number;
  sctpEstablishedMs: number;
}

export const DEFAULT_CT_TIMEOUTS: CtTimeouts = {
  tcpHandshakeMs: 10_000,
  tcpEstablishedMs: 1_800_000,
  tcpClosingMs: 10_000,
  udpMs: 20_000,
  udpEstablishedMs: 20_000,
  icmpMs: 20_000,
  sctpHandshakeMs: 10_000,
  sctpEstablishedMs: 1_800_000,
};

/** Every field present, an integer 0..7 days in ms; the error names the field. */
export function checkTimeouts(t: CtTimeouts): void {
  if (t === null || typeof t !== 'object') throw new Error('timeouts: expected an object');
  for (const k of Object.keys(DEFAULT_CT_TIMEOUTS) as (keyof CtTimeouts)[]) {
    const v = t[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 7 * 86_400_000) {
      throw new Error(`timeouts.${k}: expected an integer 0..${7 * 86_400_000} ms, got ${JSON.stringify(v)}`);
    }
  }
}

export function timeoutFor(t: CtTimeouts, proto: string, state: CtState): number {
  if (proto === 'tcp') {
    if (state === 'established') return t.tcpEstablishedMs;
    if (state === 'fin_wait' || state === 'closing') return t.tcpClosingMs;
    return t.tcpHandshakeMs;
  }
  if (proto === 'udp') return state === 'established' ? t.udpEstablishedMs : t.udpMs;
  if (proto === 'sctp') return state === 'established' ? t.sctpEstablishedMs : t.sctpHandshakeMs;
  return t.icmpMs;
}

/** The kernel's CLOCK_MONOTONIC in ns: CT stamps (bpf_ktime_get_coarse_ns) are this clock
 *  as of the last tick, at most one tick (1/HZ) behind. */
export function monotonicNs(): bigint {
  return process.hrtime.bigint();
}

export interface AgeResult {
  /** Connections deleted (each removes its two entries and cache entries). */
  expired: number;
  remaining: number;
}

/**
 * What the sweeper remembers between sweeps: the fast path counts hits on its cache
 * entries instead of reading a clock (a clock read cost ~30 ns per packet), so a
 * connection was last active at the sweep that first saw its hit counts move.
 */
export type HitMemory = Map<string, { hits: bigint; atNs: bigint }>;

/**
 * Deletes every connection idle longer than its state's timeout at `nowNs`. Idle time is
 * measured from the latest of both CT entries' slow-path stamps (bpf_ktime_get_coarse_ns) and
 * the last sweep at which a cache entry's hit count moved (`memory`; without one, a
 * cache entry with hits counts as active now). Session counts fall by one per connection.
 */
export function ageConnections(map: MapOf, timeouts: CtTimeouts, nowNs = monotonicNs(), memory?: HitMemory): AgeResult {
  const entries = dumpCt(map);
  const byHex = new Map(entries.map((e) => [e.keyHex, e]));
  const fc = map('fc');
  const seenBy = new Map<string, bigint>();
  const fcSeen = (keyHex: string): bigint => {
    const v = fc.lookup(Buffer.from(keyHex, 'hex'));
    if (v === null) return 0n;
    const hits = fcCodec.decode(v).hits ?? 0n;
    const before = memory?.get(keyHex);
    let at: bigint;
    if (before !== undefined && before.hits === hits) at = before.atNs;
    else at = hits === 0n && before === undefined ? 0n : nowNs;
    seenBy.set(keyHex, at);
    memory?.set(keyHex, { hits, atNs: at });
    return at;
  };
  const sess = map('lb_sess');
  let expired = 0;
  let remaining = 0;
  for (const e of entries) {
    if (e.direction !== 'original') continue;
    const peerHex = e.raw.peer.toString('hex');
    const peer = (e.raw.flags & CT_F_DSR) === 0 ? byHex.get(peerHex) : undefined;
    const seen = [e.seenNs, peer?.seenNs ?? 0n, fcSeen(e.keyHex), peer === undefined ? 0n : fcSeen(peerHex)].reduce(
      (a, b) => (b > a ? b : a),
      0n,
    );
    const limit = BigInt(timeoutFor(timeouts, e.key.protocol, e.state)) * 1_000_000n;
    if (nowNs - seen <= limit) {
      remaining++;
      continue;
    }
    deleteConnection(map, e.keyHex, e.raw);
    memory?.delete(e.keyHex);
    memory?.delete(peerHex);
    const k = u32Codec.encode(e.ruleId * LB_EP_MAX + e.endpoint);
    const cur = sess.lookup(k);
    if (cur !== null && cur.readUInt32LE(0) > 0) sess.update(k, u32Codec.encode(cur.readUInt32LE(0) - 1));
    expired++;
  }
  // Reply entries whose original is gone (LRU eviction) are orphans: remove them too.
  for (const e of entries) {
    if (e.direction === 'reply' && !byHex.has(e.raw.peer.toString('hex'))) {
      map('ct').delete(Buffer.from(e.keyHex, 'hex'));
      map('fc').delete(Buffer.from(e.keyHex, 'hex'));
    }
  }
  if (memory !== undefined) for (const k of [...memory.keys()]) if (!byHex.has(k)) memory.delete(k);
  return { expired, remaining };
}

/** Periodic sweeper; stop() ends it. */
export class CtSweeper {
  private timer: NodeJS.Timeout | undefined;
  private readonly memory: HitMemory = new Map();

  constructor(
    private readonly map: MapOf,
    readonly timeouts: CtTimeouts,
    intervalMs = 1000,
  ) {
    checkTimeouts(timeouts);
    this.timer = setInterval(() => {
      this.sweep();
    }, intervalMs);
    this.timer.unref();
  }

  /** One sweep now (also what the timer runs). */
  sweep(nowNs = monotonicNs()): AgeResult {
    return ageConnections(this.map, this.timeouts, nowNs, this.memory);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

export { flowKeyCodec };

/** Deletes every connection, cache entry, fragment and persistence record; zeroes the
 *  session counts. For tests and benchmark resets, not for a running service. */
export function flushConnections(map: MapOf): void {
  // One batch lookup instead of a key walk: a full CT is 512 Ki entries.
  for (const name of ['ct', 'fc', 'ct_frag', 'lb_persist']) {
    const m = map(name);
    const { keys, count } = m.batchLookup(65536);
    if (count > 0) m.batchDelete(keys.subarray(0, count * m.info.keySize));
  }
  const sess = map('lb_sess');
  const { keys, values, count } = sess.batchLookup();
  const zero = u32Codec.encode(0);
  for (let i = 0; i < count; i++) {
    if (values.readUInt32LE(i * sess.info.valueStride) !== 0) sess.update(keys.subarray(i * 4, i * 4 + 4), zero);
  }
}
