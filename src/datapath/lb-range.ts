// Port-range LB rules: the minimal prefix cover of a range, the lb_range entries that
// point at the rule's lb key, and the overlap check between ranges of one
// (zone, VIP, protocol). Nothing here writes a map.
import { LB_RANGE_FIXED_BITS, type LbKeyRaw, lbKeyCodec, lbRangeKeyCodec } from './lb-codecs.js';
import type { PlanContext, Write } from './write.js';

export interface PortPrefix {
  /** First port of the block. */
  base: number;
  /** Prefix length in bits, 0..16: the block is 2^(16 - len) ports. */
  len: number;
}

/** The fewest aligned power-of-two blocks that cover [from, to] exactly (at most 30). */
export function portPrefixes(from: number, to: number): PortPrefix[] {
  const out: PortPrefix[] = [];
  let p = from;
  while (p <= to) {
    let bits = 0;
    while (bits < 16 && (p & ((1 << (bits + 1)) - 1)) === 0 && p + (1 << (bits + 1)) - 1 <= to) bits++;
    out.push({ base: p, len: 16 - bits });
    p += 1 << bits;
  }
  return out;
}

/** The lb_range keys of a range rule's lb key. */
export function rangeKeys(k: LbKeyRaw): Buffer[] {
  return portPrefixes(k.port_be, k.port_end_be ?? k.port_be).map((x) =>
    lbRangeKeyCodec.encode({
      prefixlen: LB_RANGE_FIXED_BITS + x.len,
      zone: k.zone,
      proto: k.proto,
      family: k.family,
      vip: k.vip,
      port_be: x.base,
    }),
  );
}

export function isRange(k: LbKeyRaw): boolean {
  return (k.port_end_be ?? 0) !== 0;
}

/** Every lb_range entry: hex key -> hex value (the rule's lb key). */
export function readRangeEntries(ctx: Pick<PlanContext, 'map'>): Map<string, string> {
  const m = ctx.map('lb_range');
  const out = new Map<string, string>();
  for (const key of m.keys()) {
    const v = m.lookup(key);
    if (v !== null) out.set(key.toString('hex'), v.toString('hex'));
  }
  return out;
}

/** Deletes of every lb_range entry pointing at the rule key (whatever range made them). */
export function rangeDeletes(entries: Map<string, string>, ruleKeyHex: string, what: string): Write[] {
  const out: Write[] = [];
  for (const [k, v] of entries) if (v === ruleKeyHex) out.push({ map: 'lb_range', key: Buffer.from(k, 'hex'), value: null, what });
  return out;
}

/** The lb_range writes that make the range rule reachable (entries already right are skipped). */
export function rangeWrites(entries: Map<string, string>, k: LbKeyRaw, what: string): Write[] {
  const value = lbKeyCodec.encode(k);
  return rangeKeys(k)
    .filter((rk) => entries.get(rk.toString('hex')) !== value.toString('hex'))
    .map((rk) => ({ map: 'lb_range', key: rk, value, what: `${what} port prefix` }));
}

interface Held {
  from: number;
  to: number;
  group: string;
  name: string;
}

/** Ranges of one (zone, VIP, protocol) may not share a port: the first conflict throws. */
export class RangeSet {
  private readonly held = new Map<string, Held>();

  private static group(k: LbKeyRaw): string {
    return `${k.zone}/${k.proto}/${k.family}/${k.vip.toString('hex')}`;
  }

  /** Holds the range of key `hex` (replacing what that key held before). */
  add(hex: string, k: LbKeyRaw, name: string, field?: string): void {
    const from = k.port_be;
    const to = k.port_end_be ?? from;
    const group = RangeSet.group(k);
    if (field !== undefined) {
      for (const [h, o] of this.held) {
        if (h !== hex && o.group === group && from <= o.to && o.from <= to) {
          throw new Error(
            `${field}.portEnd: ports ${from}-${to} overlap ${o.name} (ports ${o.from}-${o.to}); ranges of one VIP, protocol and zone must not share a port`,
          );
        }
      }
    }
    this.held.set(hex, { from, to, group, name });
  }

  delete(hex: string): void {
    this.held.delete(hex);
  }
}
