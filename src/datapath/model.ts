// The typed configuration of the datapath (issue 4 scope: ports, MACs, routes, next hops).
import type { Dp3Change, Dp3Remove } from './model-dp3.js';

export type * from './model-dp3.js';

/** (interface, VLAN) -> logical port. */
export interface InterfaceConfig {
  ifname: string;
  /** 0 / absent = untagged. */
  vlan?: number;
  port: number;
  zone?: number;
  /** Bridge domain: scopes router MACs, L2 entries and learning. */
  bd?: number;
  policer?: number;
  mirror?: number;
  /** Route packets addressed to a router MAC (default true). */
  routing?: boolean;
  /** Raise learning events for unknown source MACs (default false). */
  learn?: boolean;
  /** May the XDP entry redirect frames out of this port? 'auto' (default): while the
   *  kernel says the device takes XDP frames (for a veth: its peer has GRO on or an XDP
   *  program); 'on': always (a driver that does not report it; test runs). */
  xdpTx?: 'auto' | 'on';
}

export interface RouterMacConfig {
  mac: string;
  bd?: number;
}

/** A neighbour as a next hop: the MACs to write and the interface to leave by. */
export interface NextHopConfig {
  /** 1..4095 (0 is reserved). */
  id: number;
  /** The neighbour's MAC (destination). */
  mac: string;
  /** Our MAC on the out interface (source). */
  srcMac: string;
  ifname: string;
  /** 0 / absent = send untagged. */
  vlan?: number;
  /** false = known but unresolved: packets go to the stack with an event (default true). */
  resolved?: boolean;
}

export interface RouteConfig {
  /** 'a.b.c.d/len' or an IPv6 prefix 'fd00::/64'. Host bits must be zero. */
  prefix: string;
  zone?: number;
  /** 1..4 next-hop ids (ECMP by flow hash); none for a local route. */
  nextHops?: number[];
  /** Deliver to the host stack instead of forwarding. */
  local?: boolean;
  /** Allow replacing an installed route with the same (zone, prefix). */
  replace?: boolean;
}

/** A bridged destination: dmac -> out interface (and VLAN). */
export interface L2EntryConfig {
  mac: string;
  bd?: number;
  ifname: string;
  vlan?: number;
}

/** A source MAC the control plane knows: no learning events for it. */
export interface KnownMacConfig {
  mac: string;
  bd?: number;
  port: number;
}

export interface RemoveSet extends Dp3Remove {
  interfaces?: { ifname: string; vlan?: number }[];
  routerMacs?: RouterMacConfig[];
  nextHops?: number[];
  routes?: { prefix: string; zone?: number }[];
  l2?: { mac: string; bd?: number }[];
  knownMacs?: { mac: string; bd?: number }[];
}

/** One transaction: everything is validated before any map is touched. */
export interface ConfigChange extends Dp3Change {
  interfaces?: InterfaceConfig[];
  routerMacs?: RouterMacConfig[];
  nextHops?: NextHopConfig[];
  routes?: RouteConfig[];
  l2?: L2EntryConfig[];
  knownMacs?: KnownMacConfig[];
  remove?: RemoveSet;
  /** Minimum gap between events for one MAC (learning) or destination (route / next-hop
   *  miss); default 1000 ms. */
  eventIntervalMs?: number;
}
