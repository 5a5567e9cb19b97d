// Turns a ConfigChange into map writes, validating all of it first against the change
// itself and the maps' current contents. Nothing here writes a map.
import type { BpfMap } from '../../native/index.js';
import { parseMac } from '../packet/index.js';
import {
  ECMP_MAX, INTF_F_L3, INTF_F_LEARN, MAX_NH, NH_F_VALID, RT_F_LOCAL, SMAC_F_KNOWN,
  cfgCodec, dmacCodec, intfCodec, intfKeyCodec, macKeyCodec, nhCodec, rmacCodec, routeCodec,
  rt4KeyCodec, rt6KeyCodec, smacCodec,
} from './codecs.js';
import type { ConfigChange, RouteConfig } from './model.js';
import { type Prefix, formatPrefix, parsePrefix } from './prefix.js';
import { u32Codec } from './struct-codec.js';

/** One map write; value null = delete. */
export interface Write {
  map: string;
  key: Buffer;
  value: Buffer | null;
  /** What the write is for, for error messages. */
  what: string;
}

export interface PlanContext {
  map(name: string): BpfMap;
  /** ifindex of an interface in the datapath's namespace; throws naming `field`. */
  ifindex(ifname: string, field: string): number;
}

function int(field: string, v: unknown, min: number, max: number, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${field}: expected an integer ${min}..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function list<T>(field: string, v: T[] | undefined): T[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${field}: expected an array`);
  return v;
}

function str(field: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new Error(`${field}: expected a non-empty string`);
  return v;
}

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
        zone: k.zone_be, key, map: name, routeId: v.route_id, flags: v.flags,
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

interface RoutePlan { cfg: RouteConfig; prefix: Prefix; zone: number; field: string; map: 'rt_v4' | 'rt_v6'; key: Buffer }

export interface Plan {
  writes: Write[];
  /** Route ids taken by this change that no installed route had: their counters start at 0. */
  newRouteIds: number[];
}

export function planChange(change: ConfigChange, ctx: PlanContext): Plan {
  if (change === null || typeof change !== 'object') throw new Error('change: expected an object');
  const writes: Write[] = [];
  const remove = change.remove ?? {};
  const seen = new Set<string>();
  const once = (field: string, id: string): void => {
    if (seen.has(id)) throw new Error(`${field}: ${id} appears twice in this change`);
    seen.add(id);
  };

  // Next hops set by this change.
  const nhSet = new Map<number, Buffer>();
  list('nextHops', change.nextHops).forEach((n, i) => {
    const field = `nextHops[${i}]`;
    const id = int(`${field}.id`, n.id, 1, MAX_NH - 1);
    once(`${field}.id`, `next hop ${id}`);
    const ifindex = ctx.ifindex(str(`${field}.ifname`, n.ifname), `${field}.ifname`);
    nhSet.set(id, nhCodec.encode({
      dmac: parseMac(str(`${field}.mac`, n.mac), `${field}.mac`),
      smac: parseMac(str(`${field}.srcMac`, n.srcMac), `${field}.srcMac`),
      ifindex,
      vlan: int(`${field}.vlan`, n.vlan, 0, 4095, 0),
      flags: n.resolved === false ? 0 : NH_F_VALID,
    }));
  });
  const nhRemoved = new Set<number>();
  list('remove.nextHops', remove.nextHops).forEach((id, i) => {
    const field = `remove.nextHops[${i}]`;
    int(field, id, 1, MAX_NH - 1);
    once(field, `removal of next hop ${id}`);
    if (nhSet.has(id)) throw new Error(`${field}: next hop ${id} is both set and removed in this change`);
    if (!nextHopExists(ctx.map, id)) throw new Error(`${field}: next hop ${id} does not exist`);
    nhRemoved.add(id);
  });
  const nhExistsAfter = (id: number): boolean =>
    nhSet.has(id) || (!nhRemoved.has(id) && nextHopExists(ctx.map, id));

  // Routes.
  const installed = readRoutes(ctx.map);
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
  const routePlans: RoutePlan[] = list('routes', change.routes).map((r, i) => {
    const field = `routes[${i}]`;
    const prefix = parsePrefix(r.prefix, `${field}.prefix`);
    const zone = int(`${field}.zone`, r.zone, 0, 0xffff, 0);
    const { map, key } = routeKey(prefix, zone);
    once(`${field}.prefix`, `route ${formatPrefix(prefix)} in zone ${zone}`);
    if (installedByKey.has(keyId(map, key)) && !routesRemoved.has(keyId(map, key)) && r.replace !== true) {
      throw new Error(`${field}.prefix: route ${formatPrefix(prefix)} in zone ${zone} is already installed (set replace: true to replace it)`);
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
    const user = installed.find((r) => r.nextHops.includes(id) && !routesRemoved.has(keyId(r.map, r.key))
      && !replacedKeys.has(keyId(r.map, r.key)));
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
    hops.forEach((id, j) => { nh[j] = id; });
    return {
      map: p.map, key: p.key, what: `route ${formatPrefix(p.prefix)} zone ${p.zone}`,
      value: routeCodec.encode({ route_id: routeId, flags: p.cfg.local === true ? RT_F_LOCAL : 0, nh_count: hops.length, nh }),
    };
  });

  // Interfaces.
  const intfWrites: Write[] = list('interfaces', change.interfaces).map((c, i) => {
    const field = `interfaces[${i}]`;
    const ifindex = ctx.ifindex(str(`${field}.ifname`, c.ifname), `${field}.ifname`);
    const vlan = int(`${field}.vlan`, c.vlan, 0, 4095, 0);
    once(field, `interface ${c.ifname} vlan ${vlan}`);
    return {
      map: 'intf', key: intfKeyCodec.encode({ ifindex, vlan }), what: `interface ${c.ifname} vlan ${vlan}`,
      value: intfCodec.encode({
        port: int(`${field}.port`, c.port, 0, 0xffff),
        zone: int(`${field}.zone`, c.zone, 0, 0xffff, 0),
        bd: int(`${field}.bd`, c.bd, 0, 0xffff, 0),
        policer: int(`${field}.policer`, c.policer, 0, 0xffff, 0),
        mirror: int(`${field}.mirror`, c.mirror, 0, 0xffff, 0),
        flags: (c.routing === false ? 0 : INTF_F_L3) | (c.learn === true ? INTF_F_LEARN : 0),
      }),
    };
  });
  const intfRemovals: Write[] = list('remove.interfaces', remove.interfaces).map((c, i) => {
    const field = `remove.interfaces[${i}]`;
    const ifindex = ctx.ifindex(str(`${field}.ifname`, c.ifname), `${field}.ifname`);
    const vlan = int(`${field}.vlan`, c.vlan, 0, 4095, 0);
    const key = intfKeyCodec.encode({ ifindex, vlan });
    once(field, `removal of interface ${c.ifname} vlan ${vlan}`);
    if (ctx.map('intf').lookup(key) === null) throw new Error(`${field}: interface ${c.ifname} vlan ${vlan} is not configured`);
    return { map: 'intf', key, value: null, what: `interface ${c.ifname} vlan ${vlan}` };
  });

  // MAC tables.
  const macKey = (field: string, mac: string, bd: number | undefined): Buffer =>
    macKeyCodec.encode({ mac: parseMac(str(`${field}.mac`, mac), `${field}.mac`), bd: int(`${field}.bd`, bd, 0, 0xffff, 0) });
  const macWrites: Write[] = [];
  list('routerMacs', change.routerMacs).forEach((m, i) => {
    const key = macKey(`routerMacs[${i}]`, m.mac, m.bd);
    once(`routerMacs[${i}]`, `router MAC ${m.mac} bd ${m.bd ?? 0}`);
    macWrites.push({ map: 'rmac', key, value: rmacCodec.encode({ flags: 0 }), what: `router MAC ${m.mac}` });
  });
  list('l2', change.l2).forEach((e, i) => {
    const field = `l2[${i}]`;
    const key = macKey(field, e.mac, e.bd);
    once(field, `L2 entry ${e.mac} bd ${e.bd ?? 0}`);
    const ifindex = ctx.ifindex(str(`${field}.ifname`, e.ifname), `${field}.ifname`);
    macWrites.push({ map: 'dmac', key, what: `L2 entry ${e.mac}`,
      value: dmacCodec.encode({ ifindex, vlan: int(`${field}.vlan`, e.vlan, 0, 4095, 0), flags: 0 }) });
  });
  list('knownMacs', change.knownMacs).forEach((e, i) => {
    const field = `knownMacs[${i}]`;
    const key = macKey(field, e.mac, e.bd);
    once(field, `known MAC ${e.mac} bd ${e.bd ?? 0}`);
    macWrites.push({ map: 'smac', key, what: `known MAC ${e.mac}`,
      value: smacCodec.encode({ event_ns: 0n, port: int(`${field}.port`, e.port, 0, 0xffff), flags: SMAC_F_KNOWN }) });
  });
  const macRemovals: Write[] = [];
  const removeMacs = (field: string, map: string, what: string, entries: { mac: string; bd?: number }[] | undefined): void => {
    list(field, entries).forEach((e, i) => {
      const key = macKey(`${field}[${i}]`, e.mac, e.bd);
      once(`${field}[${i}]`, `removal of ${what} ${e.mac} bd ${e.bd ?? 0}`);
      if (ctx.map(map).lookup(key) === null) throw new Error(`${field}[${i}]: ${what} ${e.mac} bd ${e.bd ?? 0} is not configured`);
      macRemovals.push({ map, key, value: null, what: `${what} ${e.mac}` });
    });
  };
  removeMacs('remove.routerMacs', 'rmac', 'router MAC', remove.routerMacs);
  removeMacs('remove.l2', 'dmac', 'L2 entry', remove.l2);
  removeMacs('remove.knownMacs', 'smac', 'known MAC', remove.knownMacs);

  const learnNs = change.eventIntervalMs === undefined ? undefined
    : BigInt(int('eventIntervalMs', change.eventIntervalMs, 1, 3_600_000)) * 1_000_000n;

  // Order: what routes point at exists before the routes, and goes after them.
  for (const [id, value] of [...nhSet].sort((a, b) => a[0] - b[0])) {
    writes.push({ map: 'nh', key: u32Codec.encode(id), value, what: `next hop ${id}` });
  }
  writes.push(...intfWrites, ...macWrites, ...routeWrites);
  for (const r of installed) {
    if (routesRemoved.has(keyId(r.map, r.key))) {
      writes.push({ map: r.map, key: r.key, value: null, what: `route ${formatPrefix(r.prefix)} zone ${r.zone}` });
    }
  }
  for (const id of nhRemoved) {
    writes.push({ map: 'nh', key: u32Codec.encode(id), value: Buffer.alloc(nhCodec.size), what: `next hop ${id}` });
  }
  writes.push(...macRemovals, ...intfRemovals);

  // Every change can alter a cached decision: bump the generation last.
  const cfgKey = u32Codec.encode(0);
  const current = ctx.map('cfg').lookup(cfgKey);
  const cfg = current === null ? { generation: 0n, event_interval_ns: 0n } : cfgCodec.decode(current);
  writes.push({ map: 'cfg', key: cfgKey, what: 'generation',
    value: cfgCodec.encode({ generation: cfg.generation + 1n, event_interval_ns: learnNs ?? cfg.event_interval_ns }) });
  return { writes, newRouteIds };
}
