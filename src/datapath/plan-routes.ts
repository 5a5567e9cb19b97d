// Routes and next hops: validated together (a route needs its next hops, a next hop may
// only go when no route uses it), route ids allocated, writes ordered by the caller.
import type { BpfMap } from '../../native/index.js';
import { parseMac } from '../packet/index.js';
import { type Once, int, list, str } from './check.js';
import { ECMP_MAX, MAX_NH, NH_F_VALID, RT_F_LOCAL, nhCodec, routeCodec, rt4KeyCodec, rt6KeyCodec } from './codecs.js';
import type { ConfigChange, RouteConfig } from './model.js';
import { type Prefix, formatPrefix, parsePrefix } from './prefix.js';
import { u32Codec } from './struct-codec.js';
import type { PlanContext, Write } from './write.js';

export interface InstalledRoute {
  prefix: Prefix;
  zone: number;
  key: Buffer;
  map: 'rt_v4' | 'rt_v6';
  routeId: number;
  flags: number;
  nextHops: number[];
}

export function routeKey(prefix: Prefix, zone: number): { map: 'rt_v4' | 'rt_v6'; key: Buffer } {
  if (prefix.family === 4) {
    return { map: 'rt_v4', key: rt4KeyCodec.encode({ prefixlen: 32 + prefix.len, zone_be: zone, addr: prefix.addr }) };
  }
  return { map: 'rt_v6', key: rt6KeyCodec.encode({ prefixlen: 32 + prefix.len, zone_be: zone, addr: prefix.addr }) };
}

/** Every installed route, decoded. */
export function readRoutes(map: (name: string) => BpfMap): InstalledRoute[] {
  const out: InstalledRoute[] = [];
  for (const name of ['rt_v4', 'rt_v6'] as const) {
    const m = map(name);
    for (const key of m.keys()) {
      const raw = m.lookup(key);
      if (raw === null) continue;
      const v = routeCodec.decode(raw);
      const k = name === 'rt_v4' ? rt4KeyCodec.decode(key) : rt6KeyCodec.decode(key);
      out.push({
        prefix: { family: name === 'rt_v4' ? 4 : 6, addr: k.addr, len: k.prefixlen - 32 },
        zone: k.zone_be,
        key,
        map: name,
        routeId: v.route_id,
        flags: v.flags,
        nextHops: v.nh.slice(0, v.nh_count),
      });
    }
  }
  return out;
}

/** True when next-hop slot id holds a configured next hop (configured ones have an ifindex). */
export function nextHopExists(map: (name: string) => BpfMap, id: number): boolean {
  const raw = map('nh').lookup(u32Codec.encode(id));
  return raw !== null && nhCodec.decode(raw).ifindex !== 0;
}

interface RouteItem {
  cfg: RouteConfig;
  prefix: Prefix;
  zone: number;
  field: string;
  map: 'rt_v4' | 'rt_v6';
  key: Buffer;
}

export interface RoutePlan {
  /** Next hops set, in id order: written first. */
  nextHops: Write[];
  routes: Write[];
  /** Route then next-hop removals: written after everything else is in place. */
  removals: Write[];
  newRouteIds: number[];
}

export function planRoutes(change: ConfigChange, ctx: PlanContext, once: Once): RoutePlan {
  const remove = change.remove ?? {};
  // Next hops set by this change.
  const nhSet = new Map<number, Buffer>();
  list('nextHops', change.nextHops).forEach((n, i) => {
    const field = `nextHops[${i}]`;
    const id = int(`${field}.id`, n.id, 1, MAX_NH - 1);
    once(`${field}.id`, `next hop ${id}`);
    const ifindex = ctx.ifindex(str(`${field}.ifname`, n.ifname), `${field}.ifname`);
    nhSet.set(
      id,
      nhCodec.encode({
        dmac: parseMac(str(`${field}.mac`, n.mac), `${field}.mac`),
        smac: parseMac(str(`${field}.srcMac`, n.srcMac), `${field}.srcMac`),
        ifindex,
        vlan: int(`${field}.vlan`, n.vlan, 0, 4095, 0),
        flags: n.resolved === false ? 0 : NH_F_VALID,
      }),
    );
  });
  const nhRemoved = new Set<number>();
  list('remove.nextHops', remove.nextHops).forEach((id, i) => {
    const field = `remove.nextHops[${i}]`;
    int(field, id, 1, MAX_NH - 1);
    once(field, `removal of next hop ${id}`);
    if (nhSet.has(id)) throw new Error(`${field}: next hop ${id} is both set and removed in this change`);
    if (!nextHopExists((n) => ctx.map(n), id)) throw new Error(`${field}: next hop ${id} does not exist`);
    nhRemoved.add(id);
  });
  const nhExistsAfter = (id: number): boolean => nhSet.has(id) || (!nhRemoved.has(id) && nextHopExists((n) => ctx.map(n), id));

  // Routes.
  const installed = readRoutes((n) => ctx.map(n));
  const keyId = (map: string, key: Buffer): string => `${map}:${key.toString('hex')}`;
  const installedByKey = new Map(installed.map((r) => [keyId(r.map, r.key), r]));
  const routesRemoved = new Set<string>();
  list('remove.routes', remove.routes).forEach((r, i) => {
    const field = `remove.routes[${i}]`;
    const prefix = parsePrefix(r.prefix, `${field}.prefix`);
    const zone = int(`${field}.zone`, r.zone, 0, 0xffff, 0);
    const { map, key } = routeKey(prefix, zone);
    once(field, `removal of route ${formatPrefix(prefix)} zone ${zone}`);
    if (!installedByKey.has(keyId(map, key))) {
      throw new Error(`${field}: no route ${formatPrefix(prefix)} in zone ${zone} is installed`);
    }
    routesRemoved.add(keyId(map, key));
  });
  const routePlans: RouteItem[] = list('routes', change.routes).map((r, i) => {
    const field = `routes[${i}]`;
    const prefix = parsePrefix(r.prefix, `${field}.prefix`);
    const zone = int(`${field}.zone`, r.zone, 0, 0xffff, 0);
    const { map, key } = routeKey(prefix, zone);
    once(`${field}.prefix`, `route ${formatPrefix(prefix)} in zone ${zone}`);
    if (installedByKey.has(keyId(map, key)) && !routesRemoved.has(keyId(map, key)) && r.replace !== true) {
      throw new Error(
        `${field}.prefix: route ${formatPrefix(prefix)} in zone ${zone} is already installed (set replace: true to replace it)`,
      );
    }
    const hops = list(`${field}.nextHops`, r.nextHops);
    if (r.local === true) {
      if (hops.length !== 0) throw new Error(`${field}.nextHops: a local route takes no next hops`);
    } else if (hops.length < 1 || hops.length > ECMP_MAX) {
      throw new Error(`${field}.nextHops: expected 1..${ECMP_MAX} next-hop ids, got ${hops.length}`);
    }
    hops.forEach((id, j) => {
      int(`${field}.nextHops[${j}]`, id, 1, MAX_NH - 1);
      if (!nhExistsAfter(id)) throw new Error(`${field}.nextHops[${j}]: next hop ${id} does not exist`);
    });
    return { cfg: r, prefix, zone, field, map, key };
  });

  // A next hop may only go when no remaining route uses it.
  const replacedKeys = new Set(routePlans.map((p) => keyId(p.map, p.key)));
  for (const id of nhRemoved) {
    const user = installed.find(
      (r) => r.nextHops.includes(id) && !routesRemoved.has(keyId(r.map, r.key)) && !replacedKeys.has(keyId(r.map, r.key)),
    );
    const newUser = routePlans.find((p) => (p.cfg.nextHops ?? []).includes(id));
    const by = user ? `${formatPrefix(user.prefix)} zone ${user.zone}` : newUser ? newUser.field : undefined;
    if (by !== undefined) throw new Error(`remove.nextHops: next hop ${id} is still used by route ${by}`);
  }

  // Route ids: replaced routes keep theirs, new ones take the lowest free.
  const usedIds = new Set(installed.filter((r) => !routesRemoved.has(keyId(r.map, r.key))).map((r) => r.routeId));
  let nextFree = 0;
  const newRouteIds: number[] = [];
  const routeWrites: Write[] = routePlans.map((p) => {
    const existing = installedByKey.get(keyId(p.map, p.key));
    let routeId: number;
    if (existing !== undefined && !routesRemoved.has(keyId(p.map, p.key))) {
      routeId = existing.routeId;
    } else {
      while (usedIds.has(nextFree)) nextFree++;
      routeId = nextFree;
      usedIds.add(routeId);
      newRouteIds.push(routeId);
    }
    const hops = p.cfg.nextHops ?? [];
    const nh = [0, 0, 0, 0];
    hops.forEach((id, j) => {
      nh[j] = id;
    });
    return {
      map: p.map,
      key: p.key,
      what: `route ${formatPrefix(p.prefix)} zone ${p.zone}`,
      value: routeCodec.encode({ route_id: routeId, flags: p.cfg.local === true ? RT_F_LOCAL : 0, nh_count: hops.length, nh }),
    };
  });

  const nextHops = [...nhSet]
    .sort((a, b) => a[0] - b[0])
    .map(([id, value]): Write => ({ map: 'nh', key: u32Codec.encode(id), value, what: `next hop ${id}` }));
  const removals: Write[] = installed
    .filter((r) => routesRemoved.has(keyId(r.map, r.key)))
    .map((r) => ({ map: r.map, key: r.key, value: null, what: `route ${formatPrefix(r.prefix)} zone ${r.zone}` }));
  for (const id of nhRemoved) {
    removals.push({ map: 'nh', key: u32Codec.encode(id), value: Buffer.alloc(nhCodec.size), what: `next hop ${id}` });
  }
  return { nextHops, routes: routeWrites, removals, newRouteIds };
}
