// Planning of issue 6 configuration (policers, QoS, mirrors, tunnels) and its references
// from interfaces. Writes go before the interfaces (what they point at exists first);
// removals after the interfaces' removals.
import { intfCodec, intfKeyCodec } from './codecs.js';
import type { Once } from './check.js';
import type { ConfigChange } from './model.js';
import { planPolicers } from './policer.js';
import type { PlanContext, Write } from './write.js';

export interface Dp3Plan {
  writes: Write[];
  removals: Write[];
  newPolicerIds: number[];
}

/** Interfaces installed and not rewritten or removed by this change. */
function untouchedInterfaces(change: ConfigChange, ctx: PlanContext): { what: string; policer: number; mirror: number }[] {
  const touched = new Set<string>();
  for (const c of [...(change.interfaces ?? []), ...(change.remove?.interfaces ?? [])]) {
    try {
      touched.add(intfKeyCodec.encode({ ifindex: ctx.ifindex(c.ifname, 'ifname'), vlan: c.vlan ?? 0 }).toString('hex'));
    } catch { /* planPorts reports a bad interface */ }
  }
  const m = ctx.map('intf');
  const out: { what: string; policer: number; mirror: number }[] = [];
  for (const k of m.keys()) {
    if (touched.has(k.toString('hex'))) continue;
    const raw = m.lookup(k);
    if (raw === null) continue;
    const key = intfKeyCodec.decode(k);
    const v = intfCodec.decode(raw);
    out.push({ what: `installed interface ifindex ${key.ifindex} vlan ${key.vlan}`, policer: v.policer, mirror: v.mirror });
  }
  return out;
}

export function planDp3(change: ConfigChange, ctx: PlanContext, once: Once): Dp3Plan {
  const policers = planPolicers(change.policers, change.remove?.policers, ctx, once);

  (change.interfaces ?? []).forEach((c, i) => {
    if (c?.policer !== undefined && c.policer !== 0 && Number.isInteger(c.policer) && !policers.exists(c.policer)) {
      throw new Error(`interfaces[${i}].policer: policer ${c.policer} is not configured`);
    }
  });
  for (const intf of untouchedInterfaces(change, ctx)) {
    if (intf.policer !== 0 && !policers.exists(intf.policer)) {
      throw new Error(`remove.policers: policer ${intf.policer} is still used by ${intf.what}`);
    }
  }
  return { writes: [...policers.writes], removals: [...policers.removals], newPolicerIds: policers.added };
}
