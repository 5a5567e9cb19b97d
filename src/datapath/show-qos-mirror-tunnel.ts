// `fastpath dp show pol|mirr|sess|qos|tun`: policers, mirrors, LB sessions, QoS and
// tunnels of a running datapath.
import type { BpfMap } from '../../native/index.js';
import { formatIpv4, formatMac } from '../packet/index.js';
import {
  DMAC_F_TUNNEL,
  MIRR_F_EGRESS,
  MIRR_F_INGRESS,
  MIRR_F_VALID,
  QOS_CLASSES,
  QOS_F_DSCP,
  QOS_F_VALID,
  TERM_F_QFI,
  TUN_F_QFI,
  TUN_TYPES,
  mirrorCodec,
  qosCodec,
  tunCodec,
  tunDstKeyCodec,
  tunTermCodec,
  tunTermKeyCodec,
} from './codecs-qos-mirror-tunnel.js';
import { dmacCodec, macKeyCodec } from './codecs.js';
import { readPolicers } from './policer.js';
import { type Counter, readCounters } from './readers.js';

export const QOS_MIRROR_TUNNEL_SHOW = ['pol', 'mirr', 'sess', 'qos', 'tun'] as const;
export type QosMirrorTunnelShow = (typeof QOS_MIRROR_TUNNEL_SHOW)[number];

export const QOS_MIRROR_TUNNEL_USAGE = `  pol     policers: mode, rates (bytes/s), bursts, tokens, green/yellow/red counters
  mirr    mirrors: port, VLAN of the copy, directions, copies sent
  sess    GTP-U sessions: uplink TEIDs terminated (QFI, next hop), downlink TEIDs by UE address
  qos     QoS: (port, class) -> skb priority, DSCP
  tun     tunnels (VXLAN, NVGRE, GTP-U, IPIP), terminations, L2 / L3 entries over them
`;

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function arrayEntries(m: BpfMap): [number, Buffer][] {
  const { keys, values, count } = m.batchLookup();
  const out: [number, Buffer][] = [];
  for (let i = 0; i < count; i++)
    out.push([keys.readUInt32LE(i * 4), values.subarray(i * m.info.valueStride, i * m.info.valueStride + m.info.valueSize)]);
  return out;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const cnt = (c: Counter | undefined): string => `${c?.packets ?? 0n}/${c?.bytes ?? 0n}`;

function tunnels(get: (name: string) => BpfMap) {
  return arrayEntries(get('tun'))
    .map(([id, raw]) => ({ id, v: tunCodec.decode(raw) }))
    .filter((x) => x.v.type !== 0);
}

function terms(get: (name: string) => BpfMap) {
  const m = get('tun_term');
  return m.keys().map((k) => ({ k: tunTermKeyCodec.decode(k), v: tunTermCodec.decode(m.lookup(k)!) }));
}

function dsts(get: (name: string) => BpfMap) {
  const m = get('tun_dst');
  return m.keys().map((k) => ({ k: tunDstKeyCodec.decode(k), id: m.lookup(k)!.readUInt32LE(0) }));
}

export function showQosMirrorTunnel(what: QosMirrorTunnelShow, get: (name: string) => BpfMap): string {
  switch (what) {
    case 'pol': {
      const rows = readPolicers(get('pol'), get('stats_pol')).map((p) => [
        String(p.id),
        p.mode,
        p.colourAware ? 'aware' : 'blind',
        String(p.cir),
        p.mode === 'trtcm' ? String(p.pir) : '-',
        String(p.cbs),
        String(p.ebs),
        String(p.cTokens),
        String(p.eTokens),
        p.remarkYellow === undefined ? '-' : String(p.remarkYellow),
        cnt(p.counters.green),
        cnt(p.counters.yellow),
        cnt(p.counters.red),
      ]);
      return table(
        [
          'id',
          'mode',
          'colour',
          'cir',
          'pir',
          'cbs',
          'ebs/pbs',
          'c tokens',
          'e tokens',
          'yellow dscp',
          'green pkts/bytes',
          'yellow pkts/bytes',
          'red pkts/bytes',
        ],
        rows,
      );
    }
    case 'mirr': {
      const stats = readCounters(get('stats_mirr'));
      const rows = arrayEntries(get('mirr'))
        .map(([id, raw]) => ({ id, v: mirrorCodec.decode(raw) }))
        .filter((x) => (x.v.flags & MIRR_F_VALID) !== 0)
        .map(({ id, v }) => [
          String(id),
          String(v.ifindex),
          v.vlan === 0 ? 'as received' : `vlan ${v.vlan}`,
          [(v.flags & MIRR_F_INGRESS) !== 0 ? 'ingress' : '', (v.flags & MIRR_F_EGRESS) !== 0 ? 'egress' : ''].filter(Boolean).join(','),
          cnt(stats.get(id)),
        ]);
      return table(['id', 'ifindex', 'copy', 'directions', 'copies pkts/bytes'], rows);
    }
    case 'sess': {
      const rows: string[][] = [];
      for (const { k, v } of terms(get)
        .filter((x) => x.k.type === 3)
        .sort((a, b) => a.k.key - b.k.key)) {
        rows.push(['uplink', hex(k.key), (v.flags & TERM_F_QFI) !== 0 ? String(v.qfi) : 'any', formatIpv4(k.daddr), '-', `nh ${v.nh_id}`]);
      }
      const byTunnel = new Map<number, string[]>();
      for (const d of dsts(get))
        byTunnel.set(d.id, [...(byTunnel.get(d.id) ?? []), `${formatIpv4(d.k.addr)}${d.k.zone ? ` zone ${d.k.zone}` : ''}`]);
      for (const { id, v } of tunnels(get).filter((x) => x.v.type === 3)) {
        rows.push([
          'downlink',
          hex(v.key),
          (v.flags & TUN_F_QFI) !== 0 ? String(v.qfi) : '-',
          formatIpv4(v.saddr),
          formatIpv4(v.daddr),
          `tunnel ${id}: UE ${(byTunnel.get(id) ?? ['-']).join(',')}`,
        ]);
      }
      return table(['dir', 'teid', 'qfi', 'local', 'remote', 'forwarding'], rows);
    }
    case 'qos': {
      const rows = arrayEntries(get('qos'))
        .map(([slot, raw]) => ({ slot, v: qosCodec.decode(raw) }))
        .filter((x) => (x.v.flags & QOS_F_VALID) !== 0)
        .map(({ slot, v }) => [
          String(Math.floor(slot / QOS_CLASSES)),
          String(slot % QOS_CLASSES),
          String(v.priority),
          (v.flags & QOS_F_DSCP) !== 0 ? String(v.dscp) : 'keep',
        ]);
      return table(['port', 'class', 'priority', 'dscp'], rows);
    }
    case 'tun': {
      const stats = readCounters(get('stats_tun'));
      const enc = tunnels(get).map(({ id, v }) => [
        String(id),
        TUN_TYPES[v.type] ?? `type ${v.type}`,
        v.type === 4 ? '-' : hex(v.key),
        formatIpv4(v.saddr),
        formatIpv4(v.daddr),
        `${formatMac(v.smac)} > ${formatMac(v.dmac)} ifindex ${v.ifindex}`,
        cnt(stats.get(id)),
      ]);
      const term = terms(get).map(({ k, v }) => [
        TUN_TYPES[k.type] ?? `type ${k.type}`,
        hex(k.key),
        formatIpv4(k.daddr),
        k.type === 3 ? `nh ${v.nh_id}` : `bd ${v.bd}`,
      ]);
      const dmac = get('dmac');
      const l2 = dmac
        .keys()
        .map((k) => ({ k: macKeyCodec.decode(k), v: dmacCodec.decode(dmac.lookup(k)!) }))
        .filter((x) => (x.v.flags & DMAC_F_TUNNEL) !== 0)
        .map(({ k, v }) => ['l2', `${formatMac(k.mac)} bd ${k.bd}`, `tunnel ${v.ifindex}`]);
      const l3 = dsts(get).map(({ k, id }) => ['l3', `${formatIpv4(k.addr)} zone ${k.zone}`, `tunnel ${id}`]);
      return (
        `${table(['id', 'type', 'key', 'local', 'remote', 'outer ethernet', 'encap pkts/bytes'], enc)}\n` +
        `${table(['terminated', 'key', 'local', 'inner to'], term)}\ndecapsulated ${cnt(stats.get(0))}\n\n` +
        table(['over tunnel', 'match', 'to'], [...l2, ...l3])
      );
    }
  }
}
