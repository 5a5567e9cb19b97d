// LB rules in a configuration transaction: the connection follow-up of a planned LB
// change (connections of removed rules and endpoints deleted, moved endpoints renumbered,
// open connections following their rule's policer, sessions recounted), as map writes
// that go into the same transaction; and the view of installed rules.
import type { BpfMap } from '../../native/index.js';
import { type CtEntry, addrText, dumpCt } from './ct.js';
import { CT_F_DSR, CT_F_REPLY, LB_ALGOS, LB_EP_MAX, LB_MODES, ctCodec } from './lb-codecs.js';
import type { LbProtocol } from './lb-model.js';
import { type LbPlan, PROTOCOLS, readRules } from './lb-plan.js';
import { u32Codec } from './struct-codec.js';
import type { PlanContext, Write } from './write.js';

type MapOf = (name: string) => BpfMap;

/** The writes that bring tracked connections in line with an LB plan. */
export function planConnections(plan: LbPlan, flushInactive: boolean, ctx: Pick<PlanContext, 'map'>): Write[] {
  const touched = new Set<number>([...plan.remap.keys(), ...plan.inactive.keys()]);
  if (touched.size === 0) return [];
  const writes: Write[] = [];
  const gone = new Set<string>();
  const endpointAfter = new Map<string, number>();
  const entries: CtEntry[] = dumpCt(ctx.map);
  const drop = (keyHex: string, what: string): void => {
    if (gone.has(keyHex)) return;
    gone.add(keyHex);
    const key = Buffer.from(keyHex, 'hex');
    writes.push({ map: 'fc', key, value: null, what }, { map: 'ct', key, value: null, what });
  };
  for (const e of entries) {
    if (!touched.has(e.ruleId) || gone.has(e.keyHex)) continue;
    const m = plan.remap.get(e.ruleId);
    const newIdx = m === null ? -1 : (m?.get(e.endpoint) ?? e.endpoint);
    const flush = newIdx < 0 || (flushInactive && plan.inactive.get(e.ruleId)?.has(newIdx) === true);
    if (flush) {
      const what = `connection of rule ${e.ruleId} endpoint ${e.endpoint}`;
      drop(e.keyHex, what);
      if ((e.raw.flags & CT_F_DSR) === 0) drop(e.raw.peer.toString('hex'), what);
      continue;
    }
    endpointAfter.set(e.keyHex, newIdx);
    // Open connections follow the rule's policer (the original entry carries it).
    const policer = (e.raw.flags & CT_F_REPLY) === 0 ? (plan.policers.get(e.ruleId) ?? 0) : 0;
    if (newIdx !== e.endpoint || policer !== (e.raw.policer ?? 0)) {
      writes.push({
        map: 'ct',
        key: Buffer.from(e.keyHex, 'hex'),
        value: ctCodec.encode({ ...e.raw, ep: newIdx, policer }),
        what: `connection of rule ${e.ruleId}`,
      });
    }
  }
  const counts = new Map<number, number>();
  for (const e of entries) {
    if (e.direction !== 'original' || !touched.has(e.ruleId) || gone.has(e.keyHex)) continue;
    const k = e.ruleId * LB_EP_MAX + (endpointAfter.get(e.keyHex) ?? e.endpoint);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  for (const id of touched) {
    for (let i = 0; i < LB_EP_MAX; i++) {
      const k = id * LB_EP_MAX + i;
      writes.push({ map: 'lb_sess', key: u32Codec.encode(k), value: u32Codec.encode(counts.get(k) ?? 0), what: `sessions of rule ${id}` });
    }
  }
  return writes;
}

function protocolName(p: number): LbProtocol {
  if (p === 58) return 'icmp';
  const name = (Object.keys(PROTOCOLS) as LbProtocol[]).find((n) => PROTOCOLS[n] === p);
  if (name === undefined) throw new Error(`lb: rule with unknown protocol ${p}`);
  return name;
}

export interface LbRuleView {
  ruleId: number;
  vip: string;
  port: number;
  /** Only for a range rule: its last port. */
  portEnd?: number;
  protocol: LbProtocol;
  zone: number;
  mode: string;
  algorithm: string;
  snatAddress: string | null;
  /** 0 = none. */
  policer: number;
  endpoints: { index: number; address: string; port: number; weight: number; active: boolean; sessions: number }[];
}

/** Installed rules with their endpoints and per-endpoint session counts. */
export function dumpLb(map: MapOf): LbRuleView[] {
  const sess = map('lb_sess');
  return readRules({ map })
    .map((r) => {
      const k = r.key;
      const family = k.readUInt8(21);
      const mode = LB_MODES[r.raw.mode] ?? String(r.raw.mode);
      const end = k.readUInt16BE(22);
      return {
        ruleId: r.raw.rule_id,
        vip: addrText(family, k.subarray(0, 16)),
        port: k.readUInt16BE(16),
        ...(end !== 0 ? { portEnd: end } : {}),
        protocol: protocolName(k.readUInt8(20)),
        zone: k.readUInt16LE(18),
        mode,
        algorithm: LB_ALGOS[r.raw.algo] ?? String(r.raw.algo),
        snatAddress: mode === 'onearm' || mode === 'fullnat' || mode === 'dsr-ipip' ? addrText(family, r.raw.snat_addr) : null,
        policer: r.raw.policer ?? 0,
        endpoints: r.endpoints.map((e, i) => ({
          index: i,
          address: addrText(family, e.addr),
          port: e.port_be,
          weight: e.weight,
          active: ((r.raw.active >> BigInt(i)) & 1n) === 1n,
          sessions: sess.lookup(u32Codec.encode(r.raw.rule_id * LB_EP_MAX + i))?.readUInt32LE(0) ?? 0,
        })),
      };
    })
    .sort((a, b) => a.ruleId - b.ruleId);
}
