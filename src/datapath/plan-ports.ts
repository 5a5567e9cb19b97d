// Interfaces and the MAC tables (router MACs, L2 entries, known source MACs).
import { parseMac } from '../packet/index.js';
import { type Once, int, list, str } from './check.js';
import {
  INTF_F_L3,
  INTF_F_LEARN,
  INTF_F_XDP_TX,
  INTF_F_XDP_TX_ON,
  SMAC_F_KNOWN,
  dmacCodec,
  intfCodec,
  intfKeyCodec,
  macKeyCodec,
  rmacCodec,
  smacCodec,
} from './codecs.js';
import type { ConfigChange } from './model.js';
import type { PlanContext, Write } from './write.js';

export interface PortPlan {
  writes: Write[];
  removals: Write[];
}

function xdpTxFlags(field: string, v: unknown): number {
  if (v === undefined || v === 'auto') return 0;
  if (v === 'on') return INTF_F_XDP_TX | INTF_F_XDP_TX_ON;
  throw new Error(`${field}: expected 'auto' or 'on', got ${JSON.stringify(v)}`);
}

export function planPorts(change: ConfigChange, ctx: PlanContext, once: Once): PortPlan {
  const remove = change.remove ?? {};
  // Interfaces.
  const intfWrites: Write[] = list('interfaces', change.interfaces).map((c, i) => {
    const field = `interfaces[${i}]`;
    const ifindex = ctx.ifindex(str(`${field}.ifname`, c.ifname), `${field}.ifname`);
    const vlan = int(`${field}.vlan`, c.vlan, 0, 4095, 0);
    once(field, `interface ${c.ifname} vlan ${vlan}`);
    return {
      map: 'intf',
      key: intfKeyCodec.encode({ ifindex, vlan }),
      what: `interface ${c.ifname} vlan ${vlan}`,
      value: intfCodec.encode({
        port: int(`${field}.port`, c.port, 0, 0xffff),
        zone: int(`${field}.zone`, c.zone, 0, 0xffff, 0),
        bd: int(`${field}.bd`, c.bd, 0, 0xffff, 0),
        policer: int(`${field}.policer`, c.policer, 0, 0xffff, 0),
        mirror: int(`${field}.mirror`, c.mirror, 0, 0xffff, 0),
        flags: (c.routing === false ? 0 : INTF_F_L3) | (c.learn === true ? INTF_F_LEARN : 0) | xdpTxFlags(`${field}.xdpTx`, c.xdpTx),
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
    macWrites.push({
      map: 'dmac',
      key,
      what: `L2 entry ${e.mac}`,
      value: dmacCodec.encode({ ifindex, vlan: int(`${field}.vlan`, e.vlan, 0, 4095, 0), flags: 0 }),
    });
  });
  list('knownMacs', change.knownMacs).forEach((e, i) => {
    const field = `knownMacs[${i}]`;
    const key = macKey(field, e.mac, e.bd);
    once(field, `known MAC ${e.mac} bd ${e.bd ?? 0}`);
    macWrites.push({
      map: 'smac',
      key,
      what: `known MAC ${e.mac}`,
      value: smacCodec.encode({ event_ns: 0n, port: int(`${field}.port`, e.port, 0, 0xffff), flags: SMAC_F_KNOWN }),
    });
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

  return { writes: [...intfWrites, ...macWrites], removals: [...macRemovals, ...intfRemovals] };
}
