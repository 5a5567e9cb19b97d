// What a namespace really holds, read back with `ip -j`: lets tests (and humans) compare a
// built topology with its description.
import { run } from './run.js';

export interface InterfaceView {
  ifname: string;
  mtu: number;
  mac: string;
  up: boolean;
  /** CIDRs, link-local IPv6 left out. */
  addresses: string[];
}

export interface RouteView {
  family: 4 | 6;
  dst: string;
  via?: string;
  dev?: string;
}

export interface NeighbourView {
  ip: string;
  mac?: string;
  dev: string;
  state: string[];
}

export interface NamespaceView {
  interfaces: InterfaceView[];
  routes: RouteView[];
  neighbours: NeighbourView[];
}

interface IpAddrJson {
  ifname: string;
  mtu: number;
  address?: string;
  flags?: string[];
  addr_info?: { family: string; local: string; prefixlen: number; scope: string }[];
}

interface IpRouteJson {
  dst: string;
  gateway?: string;
  dev?: string;
}

interface IpNeighJson {
  dst: string;
  lladdr?: string;
  dev: string;
  state?: string[];
}

async function json<T>(ns: string, args: string[]): Promise<T> {
  const out = (await run('ip', ['-j', '-n', ns, ...args])).stdout.trim();
  return (out === '' ? [] : JSON.parse(out)) as T;
}

export async function inspectNamespace(ns: string): Promise<NamespaceView> {
  const [addrs, routes4, routes6, neigh] = await Promise.all([
    json<IpAddrJson[]>(ns, ['addr', 'show']),
    json<IpRouteJson[]>(ns, ['-4', 'route', 'show']),
    json<IpRouteJson[]>(ns, ['-6', 'route', 'show']),
    json<IpNeighJson[]>(ns, ['neigh', 'show']),
  ]);
  return {
    interfaces: addrs.map((a) => ({
      ifname: a.ifname,
      mtu: a.mtu,
      mac: a.address ?? '',
      up: (a.flags ?? []).includes('UP'),
      addresses: (a.addr_info ?? []).filter((i) => i.scope !== 'link').map((i) => `${i.local}/${i.prefixlen}`),
    })),
    routes: [
      ...routes4.map((r): RouteView => ({
        family: 4,
        dst: r.dst,
        ...(r.gateway ? { via: r.gateway } : {}),
        ...(r.dev ? { dev: r.dev } : {}),
      })),
      ...routes6.map((r): RouteView => ({
        family: 6,
        dst: r.dst,
        ...(r.gateway ? { via: r.gateway } : {}),
        ...(r.dev ? { dev: r.dev } : {}),
      })),
    ],
    neighbours: neigh.map((n) => ({ ip: n.dst, ...(n.lladdr ? { mac: n.lladdr } : {}), dev: n.dev, state: n.state ?? [] })),
  };
}

/** Reads net.* sysctls inside a namespace, e.g. ['net.ipv4.ip_forward'] -> { ...: '1' }. */
export async function readSysctls(ns: string, keys: string[]): Promise<Record<string, string>> {
  const out = (await run('ip', ['netns', 'exec', ns, 'sysctl', '-n', ...keys])).stdout.trim().split('\n');
  if (out.length !== keys.length) throw new Error(`sysctl -n ${keys.join(' ')} in ${ns}: ${out.length} lines for ${keys.length} keys`);
  return Object.fromEntries(keys.map((k, i) => [k, out[i]!]));
}
