// The typed LB configuration (issue 5): rules keyed by (VIP, port or port range, protocol, zone).
import type { LbAlgo, LbMode } from './lb-codecs.js';

export type LbProtocol = 'tcp' | 'udp' | 'sctp' | 'icmp';

export interface LbEndpoint {
  /** IPv4 or IPv6, the VIP's family. */
  address: string;
  /** 0 / absent = the client's destination port (the VIP's port, or any port of a range). */
  port?: number;
  /** 1..65535, default 1; 0 = never chosen by WRR. */
  weight?: number;
  /** false = no new flows (existing ones continue unless flushed). Default true. */
  active?: boolean;
}

export interface LbRule {
  vip: string;
  /** 0 for ICMP. With portEnd: the first port of the range. */
  port: number;
  /** Last port of an inclusive range [port, portEnd] (TCP / UDP / SCTP). A range rule is
   * found only when no exact-port rule of the same VIP, protocol and zone matches (the
   * exact rule wins); ranges of one VIP, protocol and zone must not share a port. An
   * endpoint port of 0 keeps the client's destination port; a fixed one maps every port
   * of the range to it. portEnd equal to port is the exact rule. */
  portEnd?: number;
  protocol: LbProtocol;
  zone?: number;
  /** Default 'dnat'. */
  mode?: LbMode;
  /** Default 'rr'. */
  algorithm?: LbAlgo;
  /** Source address for 'onearm' (the LB's own address) and 'fullnat'; for 'dsr-ipip' the
   * outer IPv4 source (the client's packet goes unchanged inside IPIP to the endpoint). */
  snatAddress?: string;
  /** Persistence timeout for 'persist' (default 10 000 ms). */
  persistMs?: number;
  /** Policer id (a configured policer) run on the client's packets of the rule's flows,
   * slow path and flow-cache hits; red is dropped. Absent / 0 = none. */
  policer?: number;
  endpoints: LbEndpoint[];
}

export interface LbRuleRef {
  vip: string;
  port: number;
  /** A range rule is named by both ends. */
  portEnd?: number;
  protocol: LbProtocol;
  zone?: number;
}

/** One transaction: every rule is validated before any map is touched. */
export interface LbChange {
  /** Added, or replacing the rule with the same key (endpoints matched by address+port). */
  rules?: LbRule[];
  /** Rules to delete, with their connections and flow-cache entries. */
  remove?: LbRuleRef[];
  /** Also delete the connections of endpoints that are inactive after this change. */
  flushInactive?: boolean;
}
