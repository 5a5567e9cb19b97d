// `fastpath dp show ct|fc|lb`: connection tracking, flow cache and LB rules, for a person.
import type { BpfMap } from '../../native/index.js';
import { dumpCt, dumpFc } from './ct.js';
import { dumpLb } from './lb.js';

type MapOf = (name: string) => BpfMap;
type Table = (header: string[], rows: string[][]) => string;

function hostPort(addr: string, port: number | string): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export function showLb(what: 'ct' | 'fc' | 'lb', map: MapOf, table: Table): string {
  switch (what) {
    case 'ct': {
      const rows = dumpCt(map)
        .map((c) => [
          c.key.protocol,
          String(c.key.zone),
          hostPort(c.key.src, c.key.sport),
          hostPort(c.key.dst, c.key.dport),
          c.direction,
          c.state,
          hostPort(c.translated.src, c.translated.sport),
          hostPort(c.translated.dst, c.translated.dport),
          c.flags.join(',') || '-',
          String(c.ruleId),
          String(c.endpoint),
        ])
        .sort((a, b) => a.join().localeCompare(b.join()));
      return table(['proto', 'zone', 'source', 'destination', 'dir', 'state', 'to source', 'to destination', 'flags', 'rule', 'ep'], rows);
    }
    case 'fc': {
      const rows = dumpFc(map).map((f) => [
        f.key.protocol,
        String(f.key.zone),
        hostPort(f.key.src, f.key.sport),
        hostPort(f.key.dst, f.key.dport),
        f.nat === null ? '-' : `${hostPort(f.nat.src, f.nat.sport)} -> ${hostPort(f.nat.dst, f.nat.dport)}`,
        f.dmac,
        String(f.ifindex),
        String(f.vlan),
        f.flags.join(',') || '-',
        String(f.generation),
      ]);
      return table(['proto', 'zone', 'source', 'destination', 'nat', 'dmac', 'ifindex', 'vlan', 'flags', 'generation'], rows);
    }
    case 'lb': {
      const rows: string[][] = [];
      for (const r of dumpLb(map)) {
        for (const e of r.endpoints) {
          const ports = r.portEnd === undefined ? String(r.port) : `${r.port}-${r.portEnd}`;
          rows.push([
            String(r.ruleId),
            `${r.protocol} ${hostPort(r.vip, ports)}`,
            String(r.zone),
            r.mode,
            r.algorithm,
            r.snatAddress ?? '-',
            String(e.index),
            hostPort(e.address, e.port),
            String(e.weight),
            e.active ? 'yes' : 'no',
            String(e.sessions),
          ]);
        }
      }
      return table(['rule', 'vip', 'zone', 'mode', 'algorithm', 'snat', 'ep', 'endpoint', 'weight', 'active', 'sessions'], rows);
    }
  }
}
