// Tunnels: encapsulations (tun), terminations (tun_term), L2 entries over a tunnel (dmac
// with DMAC_F_TUNNEL) and L3 destinations over a tunnel (tun_dst). Planning only.
import { parseIpv4, parseMac } from '../packet/index.js';
import { type Once, int, list, str } from './check.js';
import { dmacCodec, macKeyCodec } from './codecs.js';
import {
  DMAC_F_TUNNEL,
  MAX_TUN,
  TERM_F_QFI,
  TUN_F_QFI,
  TUN_TYPES,
  tunCodec,
  tunDstKeyCodec,
  tunTermCodec,
  tunTermKeyCodec,
} from './codecs-qos-mirror-tunnel.js';
import type { ConfigChange, TunnelConfig, TunnelTermConfig, TunnelType } from './model.js';
import { u32Codec } from './struct-codec.js';
import type { PlanContext, Write } from './write.js';

const TYPE_NUM: Record<TunnelType, number> = { vxlan: 1, nvgre: 2, gtpu: 3, ipip: 4 };

function tunnelType(field: string, v: unknown, allowed: readonly TunnelType[]): TunnelType {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new Error(`${field}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as TunnelType;
}

function keyOf(field: string, type: TunnelType, v: unknown): number {
  if (type === 'ipip') {
    if (v !== undefined) throw new Error(`${field}: an ipip tunnel has no key`);
    return 0;
  }
  return int(field, v, 0, type === 'gtpu' ? 0xffffffff : 0xffffff);
}

/** The checks of one tunnel that need no map or interface (the config model's validation
 *  runs them too, before anything is created). */
export function tunnelFields(
  c: TunnelConfig,
  field: string,
): { type: TunnelType; key: number; qfi: number | undefined; saddr: Buffer; daddr: Buffer; dmac: Buffer; smac: Buffer } {
  if (c === null || typeof c !== 'object') throw new Error(`${field}: expected an object`);
  const type = tunnelType(`${field}.type`, c.type, ['vxlan', 'nvgre', 'gtpu', 'ipip']);
  const key = keyOf(`${field}.key`, type, c.key);
  if (c.qfi !== undefined && type !== 'gtpu') throw new Error(`${field}.qfi: only gtpu tunnels carry a QFI`);
  if (c.flowId !== undefined && type !== 'nvgre') throw new Error(`${field}.flowId: only nvgre tunnels have a FlowID`);
  if (c.sport !== undefined && type !== 'vxlan' && type !== 'gtpu') throw new Error(`${field}.sport: only vxlan and gtpu tunnels use UDP`);
  return {
    type,
    key,
    qfi: c.qfi === undefined ? undefined : int(`${field}.qfi`, c.qfi, 0, 63),
    saddr: parseIpv4(str(`${field}.local`, c.local), `${field}.local`),
    daddr: parseIpv4(str(`${field}.remote`, c.remote), `${field}.remote`),
    dmac: parseMac(str(`${field}.dstMac`, c.dstMac), `${field}.dstMac`),
    smac: parseMac(str(`${field}.srcMac`, c.srcMac), `${field}.srcMac`),
  };
}

function encodeTunnel(c: TunnelConfig, field: string, ctx: PlanContext): Buffer {
  const t = tunnelFields(c, field);
  return tunCodec.encode({
    type: TYPE_NUM[t.type],
    flags: t.qfi === undefined ? 0 : TUN_F_QFI,
    qfi: t.qfi ?? 0,
    flow_id: int(`${field}.flowId`, c.flowId, 0, 255, 0),
    key: t.key,
    saddr: t.saddr,
    daddr: t.daddr,
    dmac: t.dmac,
    smac: t.smac,
    ifindex: ctx.ifindex(str(`${field}.ifname`, c.ifname), `${field}.ifname`),
    sport_be: int(`${field}.sport`, c.sport, 1, 65535, 0),
  });
}

export function termKey(field: string, c: { type: unknown; key: unknown; local: unknown }): { key: Buffer; type: TunnelType; id: number } {
  const type = tunnelType(`${field}.type`, c.type, ['vxlan', 'nvgre', 'gtpu']);
  const id = keyOf(`${field}.key`, type, c.key);
  const daddr = parseIpv4(str(`${field}.local`, c.local), `${field}.local`);
  return { key: tunTermKeyCodec.encode({ daddr, key: id, type: TYPE_NUM[type] }), type, id };
}

export interface TunnelPlan {
  writes: Write[];
  removals: Write[];
  /** Next-hop ids the terminations that remain after the change use. */
  termNextHops: Map<number, string>;
}

/** The tunnel type installed (or set by this change) in slot id, undefined if none. */
type TunnelLookup = (id: number) => TunnelType | undefined;

export function planTunnels(change: ConfigChange, ctx: PlanContext, once: Once, nextHopExists: (id: number) => boolean): TunnelPlan {
  const remove = change.remove ?? {};
  const tunMap = ctx.map('tun');
  const installedType = (id: number): TunnelType | undefined => {
    const raw = tunMap.lookup(u32Codec.encode(id));
    const t = raw === null ? 0 : tunCodec.decode(raw).type;
    return t === 0 ? undefined : (TUN_TYPES[t] as TunnelType);
  };

  // Tunnels (array slots: removal writes zeros).
  const set = new Map<number, TunnelType>();
  const tunWrites = list('tunnels', change.tunnels).map((c, i) => {
    const field = `tunnels[${i}]`;
    const id = int(`${field}.id`, c?.id, 1, MAX_TUN - 1);
    once(field, `tunnel ${id}`);
    const value = encodeTunnel(c, field, ctx);
    set.set(id, c.type);
    return { map: 'tun', key: u32Codec.encode(id), value, what: `tunnel ${id}` };
  });
  const removedTunnels = new Set<number>();
  const tunRemovals = list('remove.tunnels', remove.tunnels).map((v, i) => {
    const field = `remove.tunnels[${i}]`;
    const id = int(field, v, 1, MAX_TUN - 1);
    once(field, `removal of tunnel ${id}`);
    if (installedType(id) === undefined) throw new Error(`${field}: tunnel ${id} is not configured`);
    if (set.has(id)) throw new Error(`${field}: tunnel ${id} is both set and removed in this change`);
    removedTunnels.add(id);
    return { map: 'tun', key: u32Codec.encode(id), value: Buffer.alloc(tunCodec.size), what: `tunnel ${id}` };
  });
  const typeAfter: TunnelLookup = (id) => set.get(id) ?? (removedTunnels.has(id) ? undefined : installedType(id));

  // Terminations.
  const termMap = ctx.map('tun_term');
  const installedTerms = termMap.keys().map((k) => ({ k, key: tunTermKeyCodec.decode(k), v: tunTermCodec.decode(termMap.lookup(k)!) }));
  const removedTerms = new Set<string>();
  const termRemovals = list('remove.tunnelTerms', remove.tunnelTerms).map((c, i) => {
    const field = `remove.tunnelTerms[${i}]`;
    const { key, type, id } = termKey(field, c);
    once(field, `removal of ${type} termination ${id} at ${c.local}`);
    if (termMap.lookup(key) === null) throw new Error(`${field}: ${type} termination ${id} at ${c.local} is not configured`);
    removedTerms.add(key.toString('hex'));
    return { map: 'tun_term', key, value: null, what: `${type} termination ${id}` };
  });
  const teids = new Map<number, string>();
  for (const t of installedTerms) {
    if (t.key.type === TYPE_NUM.gtpu && !removedTerms.has(t.k.toString('hex'))) teids.set(t.key.key, 'an installed termination');
  }
  const termNextHops = new Map<number, string>();
  for (const t of installedTerms) {
    if (t.key.type === TYPE_NUM.gtpu && !removedTerms.has(t.k.toString('hex')))
      termNextHops.set(t.v.nh_id, `GTP-U termination TEID ${t.key.key}`);
  }
  const termWrites = list('tunnelTerms', change.tunnelTerms).map((c: TunnelTermConfig, i) => {
    const field = `tunnelTerms[${i}]`;
    if (c === null || typeof c !== 'object') throw new Error(`${field}: expected an object`);
    const { key, type, id } = termKey(field, c);
    once(field, `${type} termination ${id} at ${c.local}`);
    if (termMap.lookup(key) !== null && !removedTerms.has(key.toString('hex'))) {
      throw new Error(`${field}: ${type} termination ${id} at ${c.local} is already installed`);
    }
    if (type === 'gtpu') {
      const by = teids.get(id);
      if (by !== undefined) throw new Error(`${field}.key: duplicate TEID ${id} (already used by ${by})`);
      teids.set(id, field);
      if (c.bd !== undefined) throw new Error(`${field}.bd: a gtpu termination forwards by nextHop, not bd`);
      const nh = int(`${field}.nextHop`, c.nextHop, 1, 4095);
      if (!nextHopExists(nh)) throw new Error(`${field}.nextHop: next hop ${nh} does not exist`);
      termNextHops.set(nh, `GTP-U termination TEID ${id}`);
      const qfi = c.qfi;
      return {
        map: 'tun_term',
        key,
        what: `gtpu termination ${id}`,
        value: tunTermCodec.encode({
          bd: 0,
          flags: qfi === undefined ? 0 : TERM_F_QFI,
          qfi: qfi === undefined ? 0 : int(`${field}.qfi`, qfi, 0, 63),
          nh_id: nh,
        }),
      };
    }
    if (c.nextHop !== undefined) throw new Error(`${field}.nextHop: a ${type} termination bridges in bd, it has no next hop`);
    return {
      map: 'tun_term',
      key,
      what: `${type} termination ${id}`,
      value: tunTermCodec.encode({ bd: int(`${field}.bd`, c.bd, 0, 0xffff, 0), flags: 0, qfi: 0, nh_id: 0 }),
    };
  });

  // L2 over tunnels (dmac entries flagged DMAC_F_TUNNEL; ifindex = tunnel id).
  const dmacMap = ctx.map('dmac');
  const macKey = (field: string, mac: string, bd: number | undefined): Buffer =>
    macKeyCodec.encode({ mac: parseMac(str(`${field}.mac`, mac), `${field}.mac`), bd: int(`${field}.bd`, bd, 0, 0xffff, 0) });
  const l2Writes = list('tunnelL2', change.tunnelL2).map((e, i) => {
    const field = `tunnelL2[${i}]`;
    const key = macKey(field, e?.mac, e?.bd);
    once(field, `L2 entry ${e.mac} bd ${e.bd ?? 0}`);
    const id = int(`${field}.tunnel`, e.tunnel, 1, MAX_TUN - 1);
    const type = typeAfter(id);
    if (type === undefined) throw new Error(`${field}.tunnel: tunnel ${id} is not configured`);
    if (type !== 'vxlan' && type !== 'nvgre') throw new Error(`${field}.tunnel: tunnel ${id} is ${type}; L2 needs vxlan or nvgre`);
    return {
      map: 'dmac',
      key,
      what: `L2 entry ${e.mac} over tunnel ${id}`,
      value: dmacCodec.encode({ ifindex: id, vlan: 0, flags: DMAC_F_TUNNEL }),
    };
  });
  const l2Removals = list('remove.tunnelL2', remove.tunnelL2).map((e, i) => {
    const field = `remove.tunnelL2[${i}]`;
    const key = macKey(field, e?.mac, e?.bd);
    once(field, `removal of L2 entry ${e.mac} bd ${e.bd ?? 0}`);
    const raw = dmacMap.lookup(key);
    if (raw === null || (dmacCodec.decode(raw).flags & DMAC_F_TUNNEL) === 0) {
      throw new Error(`${field}: no L2 entry over a tunnel for ${e.mac} bd ${e.bd ?? 0}`);
    }
    return { map: 'dmac', key, value: null, what: `L2 entry ${e.mac} over a tunnel` };
  });

  // L3 destinations over tunnels.
  const dstMap = ctx.map('tun_dst');
  const dstKey = (field: string, addr: string, zone: number | undefined): Buffer =>
    tunDstKeyCodec.encode({ addr: parseIpv4(str(`${field}.addr`, addr), `${field}.addr`), zone: int(`${field}.zone`, zone, 0, 0xffff, 0) });
  const dstRemoved = new Set<string>();
  const dstRemovals = list('remove.tunnelRoutes', remove.tunnelRoutes).map((e, i) => {
    const field = `remove.tunnelRoutes[${i}]`;
    const key = dstKey(field, e?.addr, e?.zone);
    once(field, `removal of tunnel route ${e.addr} zone ${e.zone ?? 0}`);
    if (dstMap.lookup(key) === null) throw new Error(`${field}: no tunnel route for ${e.addr} zone ${e.zone ?? 0}`);
    dstRemoved.add(key.toString('hex'));
    return { map: 'tun_dst', key, value: null, what: `tunnel route ${e.addr}` };
  });
  const dstWrites = list('tunnelRoutes', change.tunnelRoutes).map((e, i) => {
    const field = `tunnelRoutes[${i}]`;
    const key = dstKey(field, e?.addr, e?.zone);
    once(field, `tunnel route ${e.addr} zone ${e.zone ?? 0}`);
    const id = int(`${field}.tunnel`, e.tunnel, 1, MAX_TUN - 1);
    const type = typeAfter(id);
    if (type === undefined) throw new Error(`${field}.tunnel: tunnel ${id} is not configured`);
    if (type !== 'gtpu' && type !== 'ipip') throw new Error(`${field}.tunnel: tunnel ${id} is ${type}; L3 needs gtpu or ipip`);
    return { map: 'tun_dst', key, what: `tunnel route ${e.addr}`, value: u32Codec.encode(id) };
  });

  // A removed tunnel must not stay referenced.
  const l2Removed = new Set(l2Removals.map((w) => w.key.toString('hex')));
  const l2Rewritten = new Set(l2Writes.map((w) => w.key.toString('hex')));
  for (const k of dmacMap.keys()) {
    const raw = dmacMap.lookup(k);
    if (raw === null) continue;
    const d = dmacCodec.decode(raw);
    const hex = k.toString('hex');
    if ((d.flags & DMAC_F_TUNNEL) !== 0 && removedTunnels.has(d.ifindex) && !l2Removed.has(hex) && !l2Rewritten.has(hex)) {
      throw new Error(`remove.tunnels: tunnel ${d.ifindex} is still used by an L2 entry (bd ${macKeyCodec.decode(k).bd})`);
    }
  }
  const dstRewritten = new Set(dstWrites.map((w) => w.key.toString('hex')));
  for (const k of dstMap.keys()) {
    const raw = dstMap.lookup(k);
    if (raw === null) continue;
    const id = raw.readUInt32LE(0);
    const hex = k.toString('hex');
    if (removedTunnels.has(id) && !dstRemoved.has(hex) && !dstRewritten.has(hex)) {
      throw new Error(`remove.tunnels: tunnel ${id} is still used by a tunnel route`);
    }
  }

  return {
    writes: [...tunWrites, ...termWrites, ...l2Writes, ...dstWrites],
    removals: [...l2Removals, ...dstRemovals, ...termRemovals, ...tunRemovals],
    termNextHops,
  };
}
