// Turns a ConfigChange into ordered map writes, validating all of it first against the
// change itself and the maps' current contents. Nothing here writes a map.
import { int, onceChecker } from './check.js';
import { cfgFeatures } from './cfg-features.js';
import { cfgCodec } from './codecs.js';
import type { ConfigChange } from './model.js';
import { withIntfMirror } from './intf-mirror.js';
import { planPorts } from './plan-ports.js';
import { planDp3 } from './plan-dp3.js';
import { planRoutes } from './plan-routes.js';
import { u32Codec } from './struct-codec.js';
import type { PlanContext, Write } from './write.js';

export type { PlanContext, Write } from './write.js';
export { readRoutes, routeKey, nextHopExists, type InstalledRoute } from './plan-routes.js';

export interface Plan {
  writes: Write[];
  /** Route ids taken by this change that no installed route had: their counters start at 0. */
  newRouteIds: number[];
  /** Policer ids no installed policer had: their counters start at 0 (issue 6). */
  newPolicerIds: number[];
}

export function planChange(change: ConfigChange, ctx: PlanContext): Plan {
  if (change === null || typeof change !== 'object') throw new Error('change: expected an object');
  const once = onceChecker();
  const routes = planRoutes(change, ctx, once);
  const ports = planPorts(change, ctx, once);
  const dp3 = planDp3(change, ctx, once);
  const intervalNs = change.eventIntervalMs === undefined ? undefined
    : BigInt(int('eventIntervalMs', change.eventIntervalMs, 1, 3_600_000)) * 1_000_000n;

  // What routes point at exists before the routes, and goes after them.
  const writes: Write[] = withIntfMirror([...routes.nextHops, ...dp3.writes, ...ports.writes, ...routes.routes, ...routes.removals,
    ...ports.removals, ...dp3.removals]);

  // Every change can alter a cached decision: bump the generation last.
  const cfgKey = u32Codec.encode(0);
  const current = ctx.map('cfg').lookup(cfgKey);
  const cfg = cfgCodec.decode(current ?? Buffer.alloc(cfgCodec.size));
  writes.push({ map: 'cfg', key: cfgKey, what: 'generation',
    value: cfgCodec.encode({ ...cfg, ...cfgFeatures(ctx, writes, cfg), generation: cfg.generation + 1n,
      event_interval_ns: intervalNs ?? cfg.event_interval_ns }) });
  return { writes, newRouteIds: routes.newRouteIds, newPolicerIds: dp3.newPolicerIds };
}
