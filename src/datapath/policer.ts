// Policers (RFC 2698 trTCM, RFC 2697 srTCM): codec of bpf/include/policer.h fp_policer,
// planning of policer changes, readers, and a test-only token-state setter.
import type { PolicerConfig } from '../config/datapath-model.js';
import type { BpfMap } from '../../native/index.js';
import { type Once, int, list } from './check.js';
import { type Counter, readCounters } from './readers.js';
import { type FieldKind, type FieldSpec, structCodec, u32Codec } from './struct-codec.js';
import type { PlanContext, Write } from './write.js';

export type { PolicerConfig };

function f(name: string, offset: number, size: number, kind: FieldKind): FieldSpec {
  return { name, offset, size, kind };
}

export interface PolicerRaw {
  lock?: number;
  flags: number;
  cir: bigint;
  pir: bigint;
  cbs: bigint;
  ebs: bigint;
  c_tokens: bigint;
  e_tokens: bigint;
  last_ns: bigint;
  dscp_yellow: bigint;
  dscp_red: bigint;
  c_frac: number;
  e_frac: number;
  yellow_dscp: number;
  pad?: Buffer;
}

export const policerCodec = structCodec<PolicerRaw>('fp_policer', 96, [
  f('lock', 0, 4, 'u32'),
  f('flags', 4, 4, 'u32'),
  f('cir', 8, 8, 'u64'),
  f('pir', 16, 8, 'u64'),
  f('cbs', 24, 8, 'u64'),
  f('ebs', 32, 8, 'u64'),
  f('c_tokens', 40, 8, 'u64'),
  f('e_tokens', 48, 8, 'u64'),
  f('last_ns', 56, 8, 'u64'),
  f('dscp_yellow', 64, 8, 'u64'),
  f('dscp_red', 72, 8, 'u64'),
  f('c_frac', 80, 4, 'u32'),
  f('e_frac', 84, 4, 'u32'),
  f('yellow_dscp', 88, 1, 'u8'),
  f('pad', 89, 7, 'bytes'),
]);

export const POL_F_SRTCM = 1;
export const POL_F_AWARE = 2;
export const POL_F_REMARK = 4;
/** pol is an array: configured slots carry this flag. */
export const POL_F_VALID = 8;
/** Policer ids are 1..MAX_POL-1 (policer.h FP_MAX_POL). */
export const MAX_POL = 4096;
export const COLOURS = ['green', 'yellow', 'red'] as const;
export type Colour = (typeof COLOURS)[number];
/** The datapath's 64-bit products stay exact up to this rate (policer.h). */
export const MAX_RATE = 4_000_000_000;
const MAX_BURST = 2 ** 40;

function dscpMask(field: string, v: number[] | undefined): bigint {
  let mask = 0n;
  list(field, v).forEach((d, i) => {
    mask |= 1n << BigInt(int(`${field}[${i}]`, d, 0, 63));
  });
  return mask;
}

/** Validates one policer and encodes it with full buckets. */
export function encodePolicer(c: PolicerConfig, field: string): Buffer {
  if (c === null || typeof c !== 'object') throw new Error(`${field}: expected an object`);
  if (c.mode !== 'trtcm' && c.mode !== 'srtcm')
    throw new Error(`${field}.mode: expected 'trtcm' or 'srtcm', got ${JSON.stringify(c.mode)}`);
  const cir = int(`${field}.cir`, c.cir, 1, MAX_RATE);
  const cbs = int(`${field}.cbs`, c.cbs, 1, MAX_BURST);
  let pir = 0;
  let ebs: number;
  if (c.mode === 'trtcm') {
    if (c.ebs !== undefined) throw new Error(`${field}.ebs: a trtcm policer has pir/pbs, not ebs`);
    pir = int(`${field}.pir`, c.pir, 1, MAX_RATE);
    if (cir > pir) throw new Error(`${field}.cir: ${cir} is above pir ${pir} (RFC 2698 needs cir <= pir)`);
    ebs = int(`${field}.pbs`, c.pbs, 1, MAX_BURST);
  } else {
    if (c.pir !== undefined) throw new Error(`${field}.pir: an srtcm policer has one rate (cir) and ebs`);
    if (c.pbs !== undefined) throw new Error(`${field}.pbs: an srtcm policer has ebs, not pbs`);
    ebs = int(`${field}.ebs`, c.ebs, 0, MAX_BURST, 0);
  }
  const aware = c.colourAware === true;
  if (!aware && (c.yellowDscps !== undefined || c.redDscps !== undefined)) {
    throw new Error(`${field}.colourAware: yellowDscps/redDscps need colourAware: true`);
  }
  const dscpYellow = dscpMask(`${field}.yellowDscps`, c.yellowDscps);
  const dscpRed = dscpMask(`${field}.redDscps`, c.redDscps);
  if ((dscpYellow & dscpRed) !== 0n) throw new Error(`${field}.redDscps: a DSCP is listed both yellow and red`);
  const remark = c.remarkYellow === undefined ? undefined : int(`${field}.remarkYellow`, c.remarkYellow, 0, 63);
  return policerCodec.encode({
    flags: POL_F_VALID | (c.mode === 'srtcm' ? POL_F_SRTCM : 0) | (aware ? POL_F_AWARE : 0) | (remark === undefined ? 0 : POL_F_REMARK),
    cir: BigInt(cir),
    pir: BigInt(pir),
    cbs: BigInt(cbs),
    ebs: BigInt(ebs),
    c_tokens: BigInt(cbs),
    e_tokens: BigInt(ebs),
    last_ns: 0n,
    dscp_yellow: dscpYellow,
    dscp_red: dscpRed,
    c_frac: 0,
    e_frac: 0,
    yellow_dscp: remark ?? 0,
  });
}

export interface PolicerPlan {
  writes: Write[];
  removals: Write[];
  /** Ids that exist after the change (installed + added - removed). */
  exists(id: number): boolean;
  /** Ids added by this change: their counters start at 0. */
  added: number[];
}

export function planPolicers(
  policers: PolicerConfig[] | undefined,
  removeIds: number[] | undefined,
  ctx: PlanContext,
  once: Once,
): PolicerPlan {
  const map = ctx.map('pol');
  const installed = (id: number): boolean => {
    const raw = map.lookup(u32Codec.encode(id));
    return raw !== null && (policerCodec.decode(raw).flags & POL_F_VALID) !== 0;
  };
  const writes: Write[] = list('policers', policers).map((c, i) => {
    const field = `policers[${i}]`;
    const id = int(`${field}.id`, c?.id, 1, MAX_POL - 1);
    once(field, `policer ${id}`);
    return { map: 'pol', key: u32Codec.encode(id), value: encodePolicer(c, field), what: `policer ${id}` };
  });
  const removed = new Set<number>();
  const removals: Write[] = list('remove.policers', removeIds).map((v, i) => {
    const field = `remove.policers[${i}]`;
    const id = int(field, v, 1, MAX_POL - 1);
    once(field, `removal of policer ${id}`);
    if (!installed(id)) throw new Error(`${field}: policer ${id} is not configured`);
    removed.add(id);
    return { map: 'pol', key: u32Codec.encode(id), value: Buffer.alloc(policerCodec.size), what: `policer ${id}` };
  });
  const addedIds = new Set(writes.map((w) => w.key.readUInt32LE(0)));
  for (const id of addedIds) {
    if (removed.has(id)) throw new Error(`remove.policers: policer ${id} is both set and removed in this change`);
  }
  return {
    writes,
    removals,
    exists: (id) => addedIds.has(id) || (installed(id) && !removed.has(id)),
    added: [...addedIds].filter((id) => !installed(id)),
  };
}

export interface PolicerState {
  id: number;
  mode: 'trtcm' | 'srtcm';
  colourAware: boolean;
  cir: bigint;
  pir: bigint;
  cbs: bigint;
  ebs: bigint;
  cTokens: bigint;
  eTokens: bigint;
  lastNs: bigint;
  remarkYellow?: number;
  counters: Record<Colour, Counter>;
}

/** Every policer with its token state and colour counters (counts: readCounters(stats_pol);
 *  passed in because readers.ts -> codecs.ts -> this file would be an import cycle). */
export function decodePolicers(pol: BpfMap, counts: Map<number, Counter>): PolicerState[] {
  const zero = { packets: 0n, bytes: 0n };
  const { keys, values, count } = pol.batchLookup();
  return Array.from({ length: count }, (_, i): PolicerState | undefined => {
    const id = keys.readUInt32LE(i * 4);
    const raw = values.subarray(i * pol.info.valueStride, i * pol.info.valueStride + pol.info.valueSize);
    const v = policerCodec.decode(raw);
    if ((v.flags & POL_F_VALID) === 0) return undefined;
    const counters = Object.fromEntries(COLOURS.map((c, i) => [c, counts.get(id * 3 + i) ?? zero])) as Record<Colour, Counter>;
    return {
      id,
      mode: (v.flags & POL_F_SRTCM) !== 0 ? 'srtcm' : 'trtcm',
      colourAware: (v.flags & POL_F_AWARE) !== 0,
      cir: v.cir,
      pir: v.pir,
      cbs: v.cbs,
      ebs: v.ebs,
      cTokens: v.c_tokens,
      eTokens: v.e_tokens,
      lastNs: v.last_ns,
      remarkYellow: (v.flags & POL_F_REMARK) !== 0 ? v.yellow_dscp : undefined,
      counters,
    };
  })
    .filter((p): p is PolicerState => p !== undefined)
    .sort((a, b) => a.id - b.id);
}

/** Zeroes the colour counters of the given policer ids (new ids must not show old counts). */
export function resetPolicerCounters(stats: BpfMap, ids: number[], cpus: number): void {
  const zeros = Array.from({ length: cpus }, () => Buffer.alloc(stats.info.valueSize));
  for (const id of ids) for (let c = 0; c < 3; c++) stats.updatePerCpu(u32Codec.encode(id * 3 + c), zeros);
}

/**
 * TEST ONLY: sets a policer's token counts and last-update time. A lastNs in the future
 * (e.g. 2n ** 62n) freezes refilling, so the colours of the next packets are exact; 0
 * makes the next packet refill the buckets to full.
 */
export function setPolicerState(pol: BpfMap, id: number, state: { cTokens: bigint; eTokens: bigint; lastNs: bigint }): void {
  const key = u32Codec.encode(id);
  const raw = pol.lookup(key);
  const v = raw === null ? undefined : policerCodec.decode(raw);
  if (v === undefined || (v.flags & POL_F_VALID) === 0) throw new Error(`id: policer ${id} is not configured`);
  // BPF_F_LOCK (4): written under the value's spin lock, never torn against a packet.
  pol.update(
    key,
    policerCodec.encode({ ...v, c_tokens: state.cTokens, e_tokens: state.eTokens, last_ns: state.lastNs, c_frac: 0, e_frac: 0 }),
    4,
  );
}

/** Policers with their colour counters. */
export function readPolicers(pol: BpfMap, statsPol: BpfMap): PolicerState[] {
  return decodePolicers(pol, readCounters(statsPol));
}
