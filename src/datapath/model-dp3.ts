// The typed configuration of issue 6: policers, QoS, mirrors, tunnels. ConfigChange and
// RemoveSet (model.ts) extend these.
import type { PolicerConfig } from './policer.js';

export type { PolicerConfig } from './policer.js';

/** Ingress QoS: packets of logical port `port` whose DSCP class selector (DSCP >> 3) is
 *  `class` get skb priority `priority` and, when given, DSCP `dscp`. Ports 0..511. TC
 *  only: XDP hands packets with a QoS entry to TC. The class is taken after policing
 *  (a re-marked yellow packet is classed by its new DSCP). */
export interface QosConfig {
  port: number;
  /** 0..7. */
  class: number;
  priority: number;
  dscp?: number;
}

/** A mirror port: interfaces[].mirror = id copies that interface's packets here. */
export interface MirrorConfig {
  /** 1..31. */
  id: number;
  ifname: string;
  /** Tag the copy with this VLAN (absent = the copy is sent as received). */
  vlan?: number;
  /** Copy what the interface receives (default true). */
  ingress?: boolean;
  /** Copy what the interface sends (default false; needs fp_tc_egress attached there,
   *  attach({ egress: true })). */
  egress?: boolean;
}

export type TunnelType = 'vxlan' | 'nvgre' | 'gtpu' | 'ipip';

/** An encapsulation: outer IPv4 header from local to remote, Ethernet from srcMac to
 *  dstMac, sent out of ifname. */
export interface TunnelConfig {
  /** 1..1023. */
  id: number;
  type: TunnelType;
  /** VXLAN VNI / NVGRE VSID (24 bits) or GTP-U TEID (32 bits); not for ipip. */
  key?: number;
  /** GTP-U: adds a PDU session container (downlink) with this QFI (0..63). */
  qfi?: number;
  /** NVGRE FlowID (8 bits, default 0). */
  flowId?: number;
  /** VXLAN / GTP-U UDP source port (default: from the inner flow hash, 49152..65535). */
  sport?: number;
  local: string;
  remote: string;
  srcMac: string;
  dstMac: string;
  ifname: string;
}

/** A terminated tunnel: packets to `local` with this type and key are decapsulated. */
export interface TunnelTermConfig {
  type: 'vxlan' | 'nvgre' | 'gtpu';
  /** VNI / VSID / TEID. */
  key: number;
  local: string;
  /** VXLAN / NVGRE: the inner frame is bridged in this bridge domain (dmac). */
  bd?: number;
  /** GTP-U: the inner IP packet leaves by this next hop (nextHops[].id). */
  nextHop?: number;
  /** GTP-U: only packets with this QFI match (default any). */
  qfi?: number;
}

/** L2 over a tunnel: frames to mac in bd are encapsulated by tunnel (vxlan / nvgre). */
export interface TunnelL2Config {
  mac: string;
  bd?: number;
  tunnel: number;
}

/** L3 over a tunnel: IPv4 packets to addr (zone) are encapsulated by tunnel (gtpu: the
 *  UE address of a downlink session; ipip: a DSR backend). */
export interface TunnelRouteConfig {
  addr: string;
  zone?: number;
  tunnel: number;
}

export interface Dp3Change {
  /** Set (or replace, with full buckets) policers. */
  policers?: PolicerConfig[];
  qos?: QosConfig[];
  mirrors?: MirrorConfig[];
  tunnels?: TunnelConfig[];
  tunnelTerms?: TunnelTermConfig[];
  tunnelL2?: TunnelL2Config[];
  tunnelRoutes?: TunnelRouteConfig[];
}

export interface Dp3Remove {
  policers?: number[];
  qos?: { port: number; class: number }[];
  mirrors?: number[];
  tunnels?: number[];
  tunnelTerms?: { type: 'vxlan' | 'nvgre' | 'gtpu'; key: number; local: string }[];
  tunnelL2?: { mac: string; bd?: number }[];
  tunnelRoutes?: { addr: string; zone?: number }[];
}
