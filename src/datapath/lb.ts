// The LbRule API: validate the whole change, write it (rolled back if the kernel refuses
// a write), then bring connections in line — delete those of removed rules, removed
// endpoints (and inactive ones when asked), renumber moved endpoints, recount sessions —
// and bump the generation so every cached decision is rebuilt.
import type { BpfMap } from '../../native/index.js';
import { cfgCodec } from './codecs.js';
import { dumpCt, deleteConnection, recountSessions } from './ct.js';
import { CT_F_REPLY, LB_ALGOS, LB_EP_MAX, LB_MODES, ctCodec } from './lb-codecs.js';
import type { LbChange, LbProtocol } from './lb-model.js';
import { PROTOCOLS, planLb, readRules } from './lb-plan.js';
import { addrText } from './ct.js';
import { u32Codec } from './struct-codec.js';
import { applyWrites } from './transaction.js';
import type { PlanContext } from './write.js';

type MapOf = (name: string) => BpfMap;

export function bumpGeneration(map: MapOf): void {
  const key = u32Codec.encode(0);
  const cur = map('cfg').lookup(key);
  const cfg = cfgCodec.decode(cur ?? Buffer.alloc(cfgCodec.size));
  map('cfg').update(key, cfgCodec.encode({ ...cfg, generation: cfg.generation + 1n }));
}

export function applyLb(change: LbChange, ctx: PlanContext): void {
  const plan = planLb(change, ctx);
  applyWrites(plan.writes, ctx.map);
  const touched = new Set<number>([...plan.remap.keys(), ...plan.inactive.keys()]);
  for (const e of dumpCt(ctx.map)) {
    if (!touched.has(e.ruleId)) continue;
    const m = plan.remap.get(e.ruleId);
    const newIdx = m === null ? -1 : (m?.get(e.endpoint) ?? e.endpoint);
    const flush = newIdx < 0 || (change.flushInactive === true && plan.inactive.get(e.ruleId)?.has(newIdx) === true);
    if (flush) {
      if (ctx.map('ct').lookup(Buffer.from(e.keyHex, 'hex')) !== null) deleteConnection(ctx.map, e.keyHex, e.raw);
    } else {
      // Open connections follow the rule's policer (the original entry carries it).
      const policer = (e.raw.flags & CT_F_REPLY) === 0 ? (plan.policers.get(e.ruleId) ?? 0) : 0;
      if (newIdx !== e.endpoint || policer !== (e.raw.policer ?? 0)) {
        ctx.map('ct').update(Buffer.from(e.keyHex, 'hex'), ctCodec.encode({ ...e.raw, ep: newIdx, policer }));
      }
    }
  }
  recountSessions(ctx.map, touched);
  bumpGeneration(ctx.map);
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
  return readRules({ map }).map((r) => {
    const k = r.key;
    const family = k.readUInt8(21);
    const mode = LB_MODES[r.raw.mode] ?? String(r.raw.mode);
    const end = k.readUInt16BE(22);
    return {
      ruleId: r.raw.rule_id, vip: addrText(family, k.subarray(0, 16)), port: k.readUInt16BE(16), ...(end !== 0 ? { portEnd: end } : {}),
      protocol: protocolName(k.readUInt8(20)),
      zone: k.readUInt16LE(18), mode, algorithm: LB_ALGOS[r.raw.algo] ?? String(r.raw.algo),
      snatAddress: mode === 'onearm' || mode === 'fullnat' || mode === 'dsr-ipip' ? addrText(family, r.raw.snat_addr) : null,
      policer: r.raw.policer ?? 0,
      endpoints: r.endpoints.map((e, i) => ({
        index: i, address: addrText(family, e.addr), port: e.port_be, weight: e.weight,
        active: ((r.raw.active >> BigInt(i)) & 1n) === 1n,
        sessions: sess.lookup(u32Codec.encode(r.raw.rule_id * LB_EP_MAX + i))?.readUInt32LE(0) ?? 0,
      })),
    };
  }).sort((a, b) => a.ruleId - b.ruleId);
}
