// A deployment config as the datapath change that reaches it: from nothing (dp up) or from
// the state installed by an earlier config (dp apply, SIGHUP), as one transaction whose
// removals are what the earlier config had and the new one does not.
import type { DeployConfig } from '../config/deploy-model.js';
import type { DatapathState, RouteConfig } from '../config/datapath-model.js';
import type { DatapathChange } from '../datapath/model.js';

/** A local route per own address, unless the configuration routes that prefix itself. */
export function localRoutes(addresses: string[], routes: RouteConfig[]): RouteConfig[] {
  const have = new Set(routes.map((r) => `${r.zone ?? 0}|${r.prefix}`));
  return addresses.map((a) => ({ prefix: `${a}/${a.includes(':') ? 128 : 32}`, local: true })).filter((r) => !have.has(`0|${r.prefix}`));
}

/** The configuration the file asks for, with its local routes. */
export function desiredState(config: DeployConfig): DatapathState {
  const dp = config.datapath;
  const routes = [...(dp.routes ?? []), ...localRoutes(config.addresses ?? [], dp.routes ?? [])];
  return { ...dp, ...(routes.length > 0 ? { routes } : {}) };
}

type Keyed<T> = { key: (item: T) => string };
type ItemOf<L> = NonNullable<L> extends (infer I)[] ? I : never;

const KEYS = {
  interfaces: { key: (i) => `${i.ifname}.${i.vlan ?? 0}` },
  routerMacs: { key: (m) => `${m.mac.toLowerCase()}|${m.bd ?? 0}` },
  nextHops: { key: (n) => String(n.id) },
  routes: { key: (r) => `${r.zone ?? 0}|${r.prefix}` },
  l2: { key: (e) => `${e.mac.toLowerCase()}|${e.bd ?? 0}` },
  knownMacs: { key: (e) => `${e.mac.toLowerCase()}|${e.bd ?? 0}` },
  policers: { key: (p) => String(p.id) },
  qos: { key: (q) => `${q.port}|${q.class}` },
  mirrors: { key: (m) => String(m.id) },
  tunnels: { key: (t) => String(t.id) },
  tunnelTerms: { key: (t) => `${t.type}|${t.key}|${t.local}` },
  tunnelL2: { key: (t) => `${t.mac.toLowerCase()}|${t.bd ?? 0}` },
  tunnelRoutes: { key: (t) => `${t.addr}|${t.zone ?? 0}` },
  lbRules: { key: (r) => `${r.protocol}|${r.zone ?? 0}|${r.vip}|${r.port}|${r.portEnd ?? r.port}` },
} satisfies { [K in Exclude<keyof DatapathState, 'eventIntervalMs'>]-?: Keyed<ItemOf<DatapathState[K]>> };

type Section = keyof typeof KEYS;
export const SECTIONS = Object.keys(KEYS) as Section[];

/** What a removal names of an item (its key fields only). */
function removalOf(section: Section, item: Record<string, unknown>): unknown {
  const pick = (...names: string[]): Record<string, unknown> =>
    Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]]));
  switch (section) {
    case 'interfaces':
      return pick('ifname', 'vlan');
    case 'routerMacs':
    case 'l2':
    case 'knownMacs':
    case 'tunnelL2':
      return pick('mac', 'bd');
    case 'nextHops':
    case 'policers':
    case 'mirrors':
    case 'tunnels':
      return item.id;
    case 'routes':
      return pick('prefix', 'zone');
    case 'qos':
      return pick('port', 'class');
    case 'tunnelTerms':
      return pick('type', 'key', 'local');
    case 'tunnelRoutes':
      return pick('addr', 'zone');
    case 'lbRules':
      return pick('vip', 'port', 'portEnd', 'protocol', 'zone');
  }
}

export interface StateDiff {
  change: DatapathChange;
  /** One line per added, changed or removed item: '+ routes 0|10.0.0.0/24'. */
  summary: string[];
}

/** The transaction that turns installed state `from` into `to`. */
export function diffStates(from: DatapathState, to: DatapathState): StateDiff {
  const change: Record<string, unknown> = {};
  const remove: Record<string, unknown[]> = {};
  const summary: string[] = [];
  for (const section of SECTIONS) {
    const { key } = KEYS[section] as Keyed<Record<string, unknown>>;
    const before = new Map(((from[section] ?? []) as Record<string, unknown>[]).map((i) => [key(i), i]));
    const after = new Map(((to[section] ?? []) as Record<string, unknown>[]).map((i) => [key(i), i]));
    const upserts: Record<string, unknown>[] = [];
    for (const [k, item] of after) {
      const old = before.get(k);
      if (old === undefined) {
        upserts.push(item);
        summary.push(`+ ${section} ${k}`);
      } else if (JSON.stringify(old) !== JSON.stringify(item)) {
        upserts.push(section === 'routes' ? { ...item, replace: true } : item);
        summary.push(`~ ${section} ${k}`);
      }
    }
    const gone = [...before].filter(([k]) => !after.has(k));
    for (const [k] of gone) summary.push(`- ${section} ${k}`);
    if (upserts.length > 0) change[section] = upserts;
    if (gone.length > 0) {
      if (section === 'lbRules') change.removeLbRules = gone.map(([, i]) => removalOf(section, i));
      else remove[section] = gone.map(([, i]) => removalOf(section, i));
    }
  }
  if (to.eventIntervalMs !== from.eventIntervalMs && to.eventIntervalMs !== undefined) {
    change.eventIntervalMs = to.eventIntervalMs;
    summary.push(`~ eventIntervalMs ${to.eventIntervalMs}`);
  }
  if (Object.keys(remove).length > 0) change.remove = remove;
  return { change: change, summary };
}
