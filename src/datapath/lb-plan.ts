// Validates an LbChange against itself and the installed rules and turns it into map
// writes. Nothing here writes a map.
import { isIP } from 'node:net';
import { parseIpv4, parseIpv6 } from '../packet/index.js';
import { int, list, onceChecker, str } from './check.js';
import {
  LB_ALGOS,
  LB_EP_MAX,
  LB_MODES,
  LB_RULES_MAX,
  LB_TBL_MAX,
  type LbAlgo,
  type LbEpRaw,
  type LbKeyRaw,
  type LbRaw,
  lbCodec,
  lbEpCodec,
  lbKeyCodec,
  lbTblCodec,
} from './lb-codecs.js';
import type { LbChange, LbEndpoint, LbProtocol, LbRule, LbRuleRef } from './lb-model.js';
import { RangeSet, isRange, rangeDeletes, rangeWrites, readRangeEntries } from './lb-range.js';
import { maglevSize, maglevTable, wrrSequence } from './maglev.js';

if (maglevSize(LB_EP_MAX) > LB_TBL_MAX) throw new Error('lb_tbl cannot hold a Maglev table for LB_EP_MAX endpoints');
import { MAX_POL, POL_F_VALID, policerCodec } from './policer.js';
import { u32Codec } from './struct-codec.js';
import type { PlanContext, Write } from './write.js';

export const PROTOCOLS: Record<LbProtocol, number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1 };

export interface InstalledRule {
  key: Buffer;
  raw: LbRaw;
  endpoints: LbEpRaw[];
}

export interface LbPlan {
  writes: Write[];
  /** Rule ids whose connections the caller must revisit, with old -> new endpoint index
   *  (-1 = endpoint gone: delete its connections). A removed rule maps to null. */
  remap: Map<number, Map<number, number> | null>;
  /** rule id -> indices of endpoints that are inactive after the change. */
  inactive: Map<number, Set<number>>;
  /** rule id -> policer id after the change (0 = none), for its open connections. */
  policers: Map<number, number>;
}

function address(field: string, text: unknown): { family: 4 | 6; bytes: Buffer } {
  const s = str(field, text);
  const v = isIP(s);
  if (v === 4) {
    const b = Buffer.alloc(16);
    parseIpv4(s, field).copy(b);
    return { family: 4, bytes: b };
  }
  if (v === 6) return { family: 6, bytes: parseIpv6(s, field) };
  throw new Error(`${field}: '${s}' is not an IPv4 or IPv6 address`);
}

export function ruleKey(ref: LbRuleRef, field: string): { key: Buffer; raw: LbKeyRaw } {
  if (ref === null || typeof ref !== 'object') throw new Error(`${field}: expected an object`);
  const proto = PROTOCOLS[ref.protocol];
  if (proto === undefined)
    throw new Error(`${field}.protocol: expected one of ${Object.keys(PROTOCOLS).join(', ')}, got ${JSON.stringify(ref.protocol)}`);
  const vip = address(`${field}.vip`, ref.vip);
  const port = ref.protocol === 'icmp' ? int(`${field}.port`, ref.port ?? 0, 0, 0) : int(`${field}.port`, ref.port, 1, 65535);
  let end = 0;
  if (ref.portEnd !== undefined) {
    if (ref.protocol === 'icmp') throw new Error(`${field}.portEnd: a port range needs tcp, udp or sctp (icmp has no ports)`);
    end = int(`${field}.portEnd`, ref.portEnd, 1, 65535);
    if (end < port) throw new Error(`${field}.portEnd: ${end} is below port ${port} (a range runs from port to portEnd, inclusive)`);
    // A one-port range is the exact rule of that port.
    if (end === port) end = 0;
  }
  const v6 = vip.family === 6 && proto === 1 ? 58 : proto;
  const raw: LbKeyRaw = {
    vip: vip.bytes,
    port_be: port,
    zone: int(`${field}.zone`, ref.zone, 0, 65535, 0),
    proto: v6,
    family: vip.family,
    port_end_be: end,
  };
  return { key: lbKeyCodec.encode(raw), raw };
}

function refText(ref: LbRuleRef): string {
  const ports = ref.portEnd !== undefined && ref.portEnd !== ref.port ? `${ref.port}-${ref.portEnd}` : `${ref.port}`;
  return `${ref.vip} ${ref.protocol}/${ports} zone ${ref.zone ?? 0}`;
}

/** Every installed rule, decoded with its endpoints. */
export function readRules(ctx: Pick<PlanContext, 'map'>): InstalledRule[] {
  const lb = ctx.map('lb');
  const ep = ctx.map('lb_ep');
  const out: InstalledRule[] = [];
  for (const key of lb.keys()) {
    const v = lb.lookup(key);
    if (v === null) continue;
    const raw = lbCodec.decode(v);
    const endpoints: LbEpRaw[] = [];
    for (let i = 0; i < raw.n_ep; i++) {
      const e = ep.lookup(u32Codec.encode(raw.rule_id * LB_EP_MAX + i));
      endpoints.push(lbEpCodec.decode(e ?? Buffer.alloc(lbEpCodec.size)));
    }
    out.push({ key, raw, endpoints });
  }
  return out;
}

export interface CheckedEndpoint {
  raw: LbEpRaw;
  active: boolean;
  id: string;
}

export function checkEndpoints(field: string, eps: LbEndpoint[], family: 4 | 6): CheckedEndpoint[] {
  const list_ = list(field, eps);
  if (list_.length === 0) throw new Error(`${field}: a rule needs at least one endpoint`);
  if (list_.length > LB_EP_MAX) throw new Error(`${field}: ${list_.length} endpoints, the map holds ${LB_EP_MAX} per rule`);
  const seen = new Map<string, number>();
  const out = list_.map((e, i) => {
    const f = `${field}[${i}]`;
    if (e === null || typeof e !== 'object') throw new Error(`${f}: expected an object`);
    const a = address(`${f}.address`, e.address);
    if (a.family !== family) throw new Error(`${f}.address: IPv${a.family} address '${e.address}' for an IPv${family} VIP`);
    const port = int(`${f}.port`, e.port, 0, 65535, 0);
    const weight = int(`${f}.weight`, e.weight, 0, 65535, 1);
    if (e.active !== undefined && typeof e.active !== 'boolean') throw new Error(`${f}.active: expected a boolean`);
    const id = `${a.bytes.toString('hex')}:${port}`;
    const first = seen.get(id);
    if (first !== undefined) throw new Error(`${f}: duplicate of ${field}[${first}] (${e.address} port ${port})`);
    seen.set(id, i);
    return { raw: { addr: a.bytes, port_be: port, weight }, active: e.active !== false, id };
  });
  if (out.every((e) => e.raw.weight === 0)) throw new Error(`${field}[*].weight: every weight is 0, no endpoint could be chosen`);
  return out;
}

export interface CheckedRule {
  modeIdx: number;
  algoIdx: number;
  algo: LbAlgo;
  eps: CheckedEndpoint[];
  snat: Buffer;
  persistMs: number;
  policer: number;
  /** Indices of the active endpoints. */
  active: number[];
}

/** The checks of one rule that need no map (the config model's validation runs them too,
 *  before anything is created); k is the rule's key from ruleKey. */
export function checkRule(rule: LbRule, field: string, k: LbKeyRaw): CheckedRule {
  const mode = rule.mode ?? 'dnat';
  const algo = rule.algorithm ?? 'rr';
  const modeIdx = LB_MODES.indexOf(mode);
  if (modeIdx < 0) throw new Error(`${field}.mode: expected one of ${LB_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  const algoIdx = LB_ALGOS.indexOf(algo);
  if (algoIdx < 0) throw new Error(`${field}.algorithm: expected one of ${LB_ALGOS.join(', ')}, got ${JSON.stringify(algo)}`);
  const eps = checkEndpoints(`${field}.endpoints`, rule.endpoints, k.family as 4 | 6);
  let snat: Buffer = Buffer.alloc(16);
  if (mode === 'dsr-ipip' && k.family !== 4) throw new Error(`${field}.mode: dsr-ipip needs an IPv4 VIP (IPv4 in IPv4)`);
  if (mode === 'onearm' || mode === 'fullnat' || mode === 'dsr-ipip') {
    if (rule.snatAddress === undefined)
      throw new Error(
        `${field}.snatAddress: mode ${mode} needs ${mode === 'dsr-ipip' ? 'the outer source address' : 'the source address to translate to'}`,
      );
    const a = address(`${field}.snatAddress`, rule.snatAddress);
    if (a.family !== k.family) throw new Error(`${field}.snatAddress: IPv${a.family} address for an IPv${k.family} VIP`);
    snat = a.bytes;
  } else if (rule.snatAddress !== undefined) {
    throw new Error(`${field}.snatAddress: only for modes onearm, fullnat and dsr-ipip`);
  }
  const persistMs = int(`${field}.persistMs`, rule.persistMs, 1, 86_400_000, 10_000);
  const policer = int(`${field}.policer`, rule.policer, 0, MAX_POL - 1, 0);
  const active = eps.map((e, j) => (e.active ? j : -1)).filter((j) => j >= 0);
  if (active.length > 0 && algo === 'wrr' && active.every((j) => eps[j]!.raw.weight === 0)) {
    throw new Error(`${field}.endpoints[*].weight: every active endpoint has weight 0`);
  }
  return { modeIdx, algoIdx, algo, eps, snat, persistMs, policer, active };
}

function policerConfigured(ctx: Pick<PlanContext, 'map'>, id: number): boolean {
  const raw = ctx.map('pol').lookup(u32Codec.encode(id));
  return raw !== null && (policerCodec.decode(raw).flags & POL_F_VALID) !== 0;
}

/** policerExists: whether a policer id is configured once the transaction's own policer
 *  changes are applied (default: installed now). */
/** The names errors give the rule lists: as `applyLb` takes them, or as a whole
 *  transaction (`apply`, a config file) calls them. */
export interface LbFieldNames {
  rules: string;
  remove: string;
}

export const LB_CHANGE_FIELDS: LbFieldNames = { rules: 'rules', remove: 'remove' };

export function planLb(
  change: LbChange,
  ctx: PlanContext,
  policerExists: (id: number) => boolean = (id) => policerConfigured(ctx, id),
  names: LbFieldNames = LB_CHANGE_FIELDS,
): LbPlan {
  if (change === null || typeof change !== 'object') throw new Error('change: expected an object');
  const once = onceChecker();
  const installed = readRules(ctx);
  const byKey = new Map(installed.map((r) => [r.key.toString('hex'), r]));
  const usedIds = new Set(installed.map((r) => r.raw.rule_id));
  const writes: Write[] = [];
  const remap = new Map<number, Map<number, number> | null>();
  const inactive = new Map<number, Set<number>>();
  const removedIds = new Set<number>();
  const policers = new Map<number, number>();
  const rangeEntries = readRangeEntries(ctx);
  const ranges = new RangeSet();
  for (const r of installed) {
    const k = lbKeyCodec.decode(r.key);
    if (isRange(k)) ranges.add(r.key.toString('hex'), k, `installed rule ${r.raw.rule_id}`);
  }

  list(names.remove, change.remove).forEach((ref, i) => {
    const { key } = ruleKey(ref, `${names.remove}[${i}]`);
    const hex = key.toString('hex');
    once(`${names.remove}[${i}]`, hex);
    const r = byKey.get(hex);
    if (r === undefined) {
      // The same rule but for the range end: say how the installed one is named.
      const near = installed.find((x) => x.key.subarray(0, 22).equals(key.subarray(0, 22)));
      const end = near?.key.readUInt16BE(22) ?? 0;
      const hint =
        near === undefined
          ? ''
          : end === 0
            ? ` (the installed rule of port ${ref.port} is an exact-port rule: no portEnd)`
            : ` (the installed rule is the range ${ref.port}-${end}: portEnd ${end})`;
      throw new Error(`${names.remove}[${i}]: no rule ${refText(ref)}${hint}`);
    }
    removedIds.add(r.raw.rule_id);
    remap.set(r.raw.rule_id, null);
    ranges.delete(hex);
    const gone = rangeDeletes(rangeEntries, hex, `${names.remove}[${i}] port prefix`);
    for (const w of gone) rangeEntries.delete(w.key.toString('hex'));
    writes.push(...gone, { map: 'lb', key, value: null, what: `${names.remove}[${i}]` });
  });

  const freeIds = (): number => {
    for (let id = 1; id < LB_RULES_MAX; id++)
      if (!usedIds.has(id) || removedIds.has(id)) {
        usedIds.add(id);
        removedIds.delete(id);
        return id;
      }
    throw new Error(`${names.rules}: all ${LB_RULES_MAX - 1} rule ids are in use`);
  };

  list(names.rules, change.rules).forEach((rule: LbRule, i) => {
    const field = `${names.rules}[${i}]`;
    const { key, raw: k } = ruleKey(rule, field);
    const hex = key.toString('hex');
    once(field, hex);
    if (isRange(k)) ranges.add(hex, k, field, field);
    const { modeIdx, algoIdx, algo, eps, snat, persistMs, policer, active } = checkRule(rule, field, k);
    if (policer !== 0 && !policerExists(policer)) {
      throw new Error(`${field}.policer: policer ${policer} is not configured`);
    }

    let tbl: Uint8Array | undefined;
    if (algo === 'maglev' && active.length > 0) {
      // One fixed prime size for every rule (>= 100 x the most endpoints a rule holds):
      // a size that followed the endpoint count would reshuffle every flow on a change.
      tbl = maglevTable(
        active.map((j) => [j, eps[j]!.id]),
        maglevSize(LB_EP_MAX),
      );
    } else if (algo === 'wrr' && active.length > 0) {
      const seq = wrrSequence(active.map((j) => [j, eps[j]!.raw.weight]));
      if (seq.length > LB_TBL_MAX)
        throw new Error(`${field}.endpoints[*].weight: weights sum to ${seq.length}, the WRR table holds ${LB_TBL_MAX}`);
      tbl = Uint8Array.from(seq);
    }

    const existing = byKey.get(hex);
    const ruleId = existing?.raw.rule_id ?? freeIds();
    if (existing !== undefined) {
      const m = new Map<number, number>();
      const newIdx = new Map(eps.map((e, j) => [e.id, j]));
      existing.endpoints.forEach((e, j) => {
        m.set(j, newIdx.get(`${e.addr.toString('hex')}:${e.port_be}`) ?? -1);
      });
      remap.set(ruleId, m);
    }
    inactive.set(ruleId, new Set(eps.map((e, j) => (e.active ? -1 : j)).filter((j) => j >= 0)));

    const oldCount = existing?.endpoints.length ?? 0;
    for (let j = 0; j < Math.max(eps.length, oldCount); j++) {
      const v = j < eps.length ? lbEpCodec.encode(eps[j]!.raw) : Buffer.alloc(lbEpCodec.size);
      writes.push({ map: 'lb_ep', key: u32Codec.encode(ruleId * LB_EP_MAX + j), value: v, what: `${field}.endpoints[${j}]` });
    }
    if (tbl !== undefined) {
      const ep = Buffer.alloc(LB_TBL_MAX);
      Buffer.from(tbl).copy(ep);
      writes.push({ map: 'lb_tbl', key: u32Codec.encode(ruleId), value: lbTblCodec.encode({ ep }), what: `${field} slot table` });
    }
    let activeMask = 0n;
    for (const j of active) activeMask |= 1n << BigInt(j);
    const value: LbRaw = {
      rule_id: ruleId,
      mode: modeIdx,
      algo: algoIdx,
      n_ep: eps.length,
      tbl_size: tbl?.length ?? 0,
      rr_hint: existing?.raw.rr_hint ?? 0,
      active: activeMask,
      persist_ns: BigInt(persistMs) * 1_000_000n,
      snat_addr: snat,
      policer,
    };
    policers.set(ruleId, policer);
    writes.push({ map: 'lb', key, value: lbCodec.encode(value), what: field });
    if (isRange(k)) {
      const add = rangeWrites(rangeEntries, k, field);
      for (const w of add) rangeEntries.set(w.key.toString('hex'), key.toString('hex'));
      writes.push(...add);
    }
  });
  return { writes, remap, inactive, policers };
}
