// Every host's kernel counts what it received broken: checksum and header errors. A
// datapath that forwards a frame with a bad checksum (XDP after a CHECKSUM_PARTIAL sender,
// a wrong incremental update) shows up here even when the application retries and the
// flow looks fine, so a wire run reads them before and after and fails on any rise.
import type { Topology } from '../../netns/index.js';
import type { Check } from './types.js';

/** Group.Counter names of /proc/net/snmp and /proc/net/snmp6 that must not rise. */
export const WATCHED_COUNTERS = [
  'Ip.InHdrErrors',
  'Icmp.InCsumErrors',
  'Tcp.InCsumErrors',
  'Udp.InCsumErrors',
  'Ip6.InHdrErrors',
  'Icmp6.InCsumErrors',
  'Udp6.InCsumErrors',
] as const;

export type HostCounters = Map<string, Record<string, number>>;

/** "Ip: Forwarding DefaultTTL ..." / "Ip: 1 64 ..." line pairs, and "Ip6InHdrErrors 0". */
export function parseSnmp(snmp: string, snmp6: string): Record<string, number> {
  const out: Record<string, number> = {};
  const lines = snmp.split('\n').filter((l) => l.includes(':'));
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [group, names = ''] = lines[i]!.split(':');
    const values = lines[i + 1]!.split(':')[1]?.trim().split(/\s+/) ?? [];
    names
      .trim()
      .split(/\s+/)
      .forEach((n, j) => {
        if (values[j] !== undefined) out[`${group}.${n}`] = Number(values[j]);
      });
  }
  for (const line of snmp6.split('\n')) {
    const m = /^(Ip6|Icmp6|Udp6|UdpLite6)(\S+)\s+(\d+)$/.exec(line.trim());
    if (m !== null) out[`${m[1]}.${m[2]}`] = Number(m[3]);
  }
  return out;
}

export async function readHostCounters(topo: Topology, hosts: string[]): Promise<HostCounters> {
  const read = async (host: string): Promise<[string, Record<string, number>]> => {
    const [snmp, snmp6] = await Promise.all([
      topo.exec(host, ['cat', '/proc/net/snmp']),
      topo.exec(host, ['cat', '/proc/net/snmp6']).catch(() => ({ stdout: '' })),
    ]);
    return [host, parseSnmp(snmp.stdout, snmp6.stdout)];
  };
  return new Map(await Promise.all(hosts.map(read)));
}

/** One check per host: the watched counters that rose, unless allowed ("host:Group.Name"). */
export function hostCounterChecks(before: HostCounters, after: HostCounters, allowed: readonly string[] = []): Check[] {
  return [...before.keys()].map((host) => {
    const b = before.get(host) ?? {};
    const a = after.get(host) ?? {};
    const rose = WATCHED_COUNTERS.filter((c) => !allowed.includes(`${host}:${c}`))
      .map((c) => ({ c, d: (a[c] ?? 0) - (b[c] ?? 0) }))
      .filter((x) => x.d > 0);
    const name = `host ${host}: no checksum or header errors`;
    return rose.length === 0
      ? { name, ok: true }
      : {
          name,
          ok: false,
          detail: `${host}'s kernel counted ${rose.map((x) => `${x.c} +${x.d}`).join(', ')} during the run (broken frames reached it)`,
        };
  });
}
