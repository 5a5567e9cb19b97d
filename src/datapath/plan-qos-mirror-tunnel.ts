// Planning of policers, QoS, mirrors and tunnels and its references
// from interfaces and to next hops. plan.ts puts the writes after the next hops and
// before the interfaces (what is pointed at exists first), the removals last.
import { intfCodec, intfKeyCodec } from './codecs.js';
import type { Once } from './check.js';
import { readRules } from './lb-plan.js';
import { planMirrors, planQos } from './mirror.js';
import type { ConfigChange } from './model.js';
import { nextHopExists } from './plan-routes.js';
import { planPolicers } from './policer.js';
import { planTunnels } from './tunnels.js';
import type { PlanContext, Write } from './write.js';

export interface QosMirrorTunnelPlan {
  writes: Write[];
  removals: Write[];
  newPolicerIds: number[];
  /** Whether a policer id is configured after the change. */
  policerExists: (id: number) => boolean;
}

interface InterfaceRefs {
  what: string;
  policer: number;
  mirror: number;
}

/** Interfaces installed and not rewritten or removed by this change. */
function untouchedInterfaces(change: ConfigChange, ctx: PlanContext): InterfaceRefs[] {
  const touched = new Set<string>();
  for (const c of [...(change.interfaces ?? []), ...(change.remove?.interfaces ?? [])]) {
    try {
      touched.add(intfKeyCodec.encode({ ifindex: ctx.ifindex(c.ifname, 'ifname'), vlan: c.vlan ?? 0 }).toString('hex'));
    } catch {
      /* planPorts reports a bad interface */
    }
  }
  const m = ctx.map('intf');
  const out: InterfaceRefs[] = [];
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

export function planQosMirrorTunnel(change: ConfigChange, ctx: PlanContext, once: Once): QosMirrorTunnelPlan {
  const policers = planPolicers(change.policers, change.remove?.policers, ctx, once);
  const mirrors = planMirrors(change, ctx, once);
  const qos = planQos(change, ctx, once);
  const removedNh = new Set(change.remove?.nextHops ?? []);
  const addedNh = new Set((change.nextHops ?? []).map((n) => n?.id));
  const tunnels = planTunnels(change, ctx, once, (id) => addedNh.has(id) || (nextHopExists((n) => ctx.map(n), id) && !removedNh.has(id)));
  for (const id of removedNh) {
    const by = tunnels.termNextHops.get(id);
    if (by !== undefined && !addedNh.has(id)) throw new Error(`remove.nextHops: next hop ${id} is still used by ${by}`);
  }

  (change.interfaces ?? []).forEach((c, i) => {
    if (typeof c?.policer === 'number' && c.policer !== 0 && !policers.exists(c.policer)) {
      throw new Error(`interfaces[${i}].policer: policer ${c.policer} is not configured`);
    }
    if (typeof c?.mirror === 'number' && c.mirror !== 0 && !mirrors.exists(c.mirror)) {
      throw new Error(`interfaces[${i}].mirror: mirror ${c.mirror} is not configured`);
    }
  });
  for (const intf of untouchedInterfaces(change, ctx)) {
    if (intf.policer !== 0 && !policers.exists(intf.policer)) {
      throw new Error(`remove.policers: policer ${intf.policer} is still used by ${intf.what}`);
    }
    if (intf.mirror !== 0 && !mirrors.exists(intf.mirror)) {
      throw new Error(`remove.mirrors: mirror ${intf.mirror} is still used by ${intf.what}`);
    }
  }
  for (const rule of readRules(ctx)) {
    const id = rule.raw.policer ?? 0;
    if (id !== 0 && !policers.exists(id)) {
      throw new Error(`remove.policers: policer ${id} is still used by LB rule ${rule.raw.rule_id}`);
    }
  }
  return {
    writes: [...policers.writes, ...mirrors.writes, ...qos.writes, ...tunnels.writes],
    removals: [...tunnels.removals, ...qos.removals, ...mirrors.removals, ...policers.removals],
    newPolicerIds: policers.added,
    policerExists: (id) => policers.exists(id),
  };
}
