// `fastpath dp show intf|routes|nh|macs|stats|drops --pin-root DIR`: the pinned maps of
// a running datapath, printed for a person.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BpfMap } from '../../native/index.js';
import { formatMac } from '../packet/index.js';
import { cfgCodec, dmacCodec, intfCodec, intfKeyCodec, macKeyCodec, nhCodec, smacCodec } from './codecs.js';
import { showLb } from './command-lb.js';
import { DROP_REASONS, PATHS } from './names.js';
import { readRoutes } from './plan.js';
import { formatPrefix } from './prefix.js';
import { type Counter, readCounters, readNamedCounters } from './readers.js';
import { u32Codec } from './struct-codec.js';
import { QOS_MIRROR_TUNNEL_SHOW, QOS_MIRROR_TUNNEL_USAGE, showQosMirrorTunnel } from './show-qos-mirror-tunnel.js';

const WHAT = ['intf', 'routes', 'nh', 'macs', 'stats', 'drops', 'ct', 'fc', 'lb', ...QOS_MIRROR_TUNNEL_SHOW] as const;
type What = (typeof WHAT)[number];

const USAGE = `usage: fastpath dp show <${WHAT.join('|')}> --pin-root DIR

  intf    interfaces: (ifindex, vlan) -> port, zone, bridge domain, policer, mirror, flags
  routes  IPv4 and IPv6 routes per zone with next hops and per-route counters
  nh      next hops with MACs, out interface, VLAN and per-next-hop counters
  macs    router MACs, L2 (dmac) entries and known / pending source MACs
  stats   generation, per-interface counters and path counters
  drops   drop counters per reason
  ct      connection tracking: both entries of every connection, state, translation
  fc      flow cache: cached decisions with their rewrite and generation
  lb      LB rules with endpoints, weights, active flags and session counts
${QOS_MIRROR_TUNNEL_USAGE}`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function counterCells(c: Counter | undefined): string[] {
  return [String(c?.packets ?? 0n), String(c?.bytes ?? 0n)];
}

class PinnedMaps {
  private readonly open = new Map<string, BpfMap>();

  constructor(private readonly root: string) {}

  get(name: string): BpfMap {
    let m = this.open.get(name);
    if (m === undefined) {
      const path = join(this.root, name);
      if (!existsSync(path)) throw new Error(`--pin-root: ${path} does not exist (is a datapath loaded with this pin root?)`);
      m = BpfMap.openPinned(path);
      this.open.set(name, m);
    }
    return m;
  }

  close(): void {
    for (const m of this.open.values()) m.close();
  }
}

function flagNames(flags: number, names: [number, string][]): string {
  const set = names.filter(([bit]) => (flags & bit) !== 0).map(([, n]) => n);
  return set.length === 0 ? '-' : set.join(',');
}

function show(what: What, maps: PinnedMaps): string {
  switch (what) {
    case 'intf': {
      const m = maps.get('intf');
      const rows = m
        .keys()
        .map((k) => {
          const key = intfKeyCodec.decode(k);
          const v = intfCodec.decode(m.lookup(k)!);
          return [
            String(key.ifindex),
            String(key.vlan),
            String(v.port),
            String(v.zone),
            String(v.bd),
            String(v.policer),
            String(v.mirror),
            flagNames(v.flags, [
              [1, 'l3'],
              [2, 'learn'],
            ]),
          ];
        })
        .sort((a, b) => Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1]));
      return table(['ifindex', 'vlan', 'port', 'zone', 'bd', 'policer', 'mirror', 'flags'], rows);
    }
    case 'routes': {
      const stats = readCounters(maps.get('stats_route'));
      const rows = readRoutes((n) => maps.get(n)).map((r) => [
        formatPrefix(r.prefix),
        String(r.zone),
        String(r.routeId),
        (r.flags & 1) !== 0 ? 'local' : r.nextHops.join(','),
        ...counterCells(stats.get(r.routeId)),
      ]);
      return table(['prefix', 'zone', 'id', 'next hops', 'packets', 'bytes'], rows);
    }
    case 'nh': {
      const m = maps.get('nh');
      const stats = readCounters(maps.get('stats_nh'));
      const { keys, values, count } = m.batchLookup();
      const rows: string[][] = [];
      for (let i = 0; i < count; i++) {
        const v = nhCodec.decode(values.subarray(i * m.info.valueStride));
        if (v.ifindex === 0) continue;
        const id = keys.readUInt32LE(i * 4);
        rows.push([
          String(id),
          formatMac(v.dmac),
          formatMac(v.smac),
          String(v.ifindex),
          String(v.vlan),
          (v.flags & 1) !== 0 ? 'yes' : 'no',
          ...counterCells(stats.get(id)),
        ]);
      }
      return table(['id', 'mac', 'src mac', 'ifindex', 'vlan', 'resolved', 'packets', 'bytes'], rows);
    }
    case 'macs': {
      const rows: string[][] = [];
      for (const k of maps.get('rmac').keys()) {
        const key = macKeyCodec.decode(k);
        rows.push(['router', formatMac(key.mac), String(key.bd), '-', '-']);
      }
      const dmac = maps.get('dmac');
      for (const k of dmac.keys()) {
        const key = macKeyCodec.decode(k);
        const v = dmacCodec.decode(dmac.lookup(k)!);
        rows.push(['l2', formatMac(key.mac), String(key.bd), `ifindex ${v.ifindex}`, v.vlan === 0 ? 'untagged' : `vlan ${v.vlan}`]);
      }
      const smac = maps.get('smac');
      for (const k of smac.keys()) {
        const key = macKeyCodec.decode(k);
        const raw = smac.lookup(k);
        if (raw === null) continue;
        const v = smacCodec.decode(raw);
        rows.push([(v.flags & 1) !== 0 ? 'known' : 'pending', formatMac(key.mac), String(key.bd), `port ${v.port}`, '-']);
      }
      return table(['kind', 'mac', 'bd', 'to', 'vlan'], rows);
    }
    case 'stats': {
      const cfgRaw = maps.get('cfg').lookup(u32Codec.encode(0));
      const gen = cfgRaw === null ? 0n : cfgCodec.decode(cfgRaw).generation;
      const intf = [...readCounters(maps.get('stats_intf'))]
        .sort((a, b) => a[0] - b[0])
        .map(([ifindex, c]) => [String(ifindex), ...counterCells(c)]);
      const paths = Object.entries(readNamedCounters(maps.get('stats_path'), PATHS))
        .filter(([, c]) => c.packets !== 0n)
        .map(([name, c]) => [name, ...counterCells(c)]);
      return `generation ${gen}\n\n${table(['ifindex', 'packets', 'bytes'], intf)}\n${table(['path', 'packets', 'bytes'], paths)}`;
    }
    case 'ct':
    case 'fc':
    case 'lb':
      return showLb(what, (n) => maps.get(n), table);
    case 'drops': {
      const rows = Object.entries(readNamedCounters(maps.get('stats_drop'), DROP_REASONS))
        .filter(([name]) => name !== 'none')
        .map(([name, c]) => [name, ...counterCells(c)]);
      return table(['reason', 'packets', 'bytes'], rows);
    }
    default:
      return showQosMirrorTunnel(what, (n) => maps.get(n));
  }
}

export function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const rest = [...argv];
  let pinRoot: string | undefined;
  const at = rest.indexOf('--pin-root');
  if (at >= 0) {
    pinRoot = rest[at + 1];
    rest.splice(at, 2);
  }
  const [verb, what, ...extra] = rest;
  if (verb !== 'show' || !WHAT.includes(what as What) || extra.length > 0) {
    process.stderr.write(
      `fastpath dp: expected 'show <${WHAT.join('|')}>'${verb === undefined ? '' : `, got '${[verb, what, ...extra].filter((x) => x !== undefined).join(' ')}'`}\n\n${USAGE}`,
    );
    return 2;
  }
  if (pinRoot === undefined || pinRoot === '') {
    process.stderr.write(`fastpath dp: --pin-root DIR is required (the bpffs directory the datapath pinned its maps in)\n`);
    return 2;
  }
  const maps = new PinnedMaps(pinRoot);
  try {
    process.stdout.write(show(what as What, maps));
    return 0;
  } catch (e) {
    process.stderr.write(`fastpath dp show ${what}: ${(e as Error).message}\n`);
    return 1;
  } finally {
    maps.close();
  }
}
