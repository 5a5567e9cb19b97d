// Turns one configuration transaction — ports, routes, next hops, policers, mirrors, QoS,
// tunnels and LB rules with their connections — into ordered map writes, validating all of
// it first against the change itself and the maps' current contents. The generation bump
// is the last write, inside the same rollback record. Nothing here writes a map.
import { int, onceChecker } from './check.js';
import { cfgFeatures } from './cfg-features.js';
import { cfgCodec } from './codecs.js';
import type { LbChange } from './lb-model.js';
import { type LbFieldNames, planLb } from './lb-plan.js';
import { planConnections } from './lb.js';
import type { ConfigChange, DatapathChange } from './model.js';
import { withIntfMirror } from './intf-mirror.js';
import { planPorts } from './plan-ports.js';
import { planQosMirrorTunnel } from './plan-qos-mirror-tunnel.js';
import { planRoutes } from './plan-routes.js';
import { u32Codec } from './struct-codec.js';
import type { PlanContext, Write } from './write.js';

export type { PlanContext, Write } from './write.js';
export { readRoutes, routeKey, nextHopExists, type InstalledRoute } from './plan-routes.js';

export interface Plan {
  writes: Write[];
  /** Route ids taken by this change that no installed route had: their counters start at 0. */
  newRouteIds: number[];
  /** Policer ids no installed policer had: their counters start at 0. */
  newPolicerIds: number[];
}

/** The LB part of a transaction, in the form planLb takes. */
export function lbPart(change: DatapathChange): LbChange | undefined {
  if (change.lbRules === undefined && change.removeLbRules === undefined) return undefined;
  return {
    ...(change.lbRules !== undefined ? { rules: change.lbRules } : {}),
    ...(change.removeLbRules !== undefined ? { remove: change.removeLbRules } : {}),
    ...(change.flushInactive !== undefined ? { flushInactive: change.flushInactive } : {}),
  };
}

/** The configuration part (everything but the LB rules). */
export function configPart(change: DatapathChange): ConfigChange {
  const { lbRules: _rules, removeLbRules: _remove, flushInactive: _flush, ...config } = change;
  return config;
}

/** Errors of a whole transaction name the LB lists as DatapathChange does. */
export const DATAPATH_CHANGE_LB_FIELDS: LbFieldNames = { rules: 'lbRules', remove: 'removeLbRules' };

export function planChange(change: DatapathChange, ctx: PlanContext, lbNames: LbFieldNames = DATAPATH_CHANGE_LB_FIELDS): Plan {
  if (change === null || typeof change !== 'object') throw new Error('change: expected an object');
  const once = onceChecker();
  const config = configPart(change);
  const routes = planRoutes(config, ctx, once);
  const ports = planPorts(config, ctx, once);
  const features = planQosMirrorTunnel(config, ctx, once);
  const intervalNs =
    config.eventIntervalMs === undefined ? undefined : BigInt(int('eventIntervalMs', config.eventIntervalMs, 1, 3_600_000)) * 1_000_000n;

  // What routes point at exists before the routes, and goes after them.
  const writes: Write[] = withIntfMirror([
    ...routes.nextHops,
    ...features.writes,
    ...ports.writes,
    ...routes.routes,
    ...routes.removals,
    ...ports.removals,
    ...features.removals,
  ]);

  // LB rules after the policers they use; their connections follow them.
  const lb = lbPart(change);
  if (lb !== undefined) {
    const lbPlan = planLb(lb, ctx, features.policerExists, lbNames);
    writes.push(...lbPlan.writes, ...planConnections(lbPlan, lb.flushInactive === true, ctx));
  }

  // Every change can alter a cached decision: bump the generation last.
  const cfgKey = u32Codec.encode(0);
  const current = ctx.map('cfg').lookup(cfgKey);
  const cfg = cfgCodec.decode(current ?? Buffer.alloc(cfgCodec.size));
  writes.push({
    map: 'cfg',
    key: cfgKey,
    what: 'generation',
    value: cfgCodec.encode({
      ...cfg,
      ...cfgFeatures(ctx, writes, cfg),
      generation: cfg.generation + 1n,
      event_interval_ns: intervalNs ?? cfg.event_interval_ns,
    }),
  });
  return { writes, newRouteIds: routes.newRouteIds, newPolicerIds: features.newPolicerIds };
}
