// The datapath's configuration: what `Datapath.apply` and the LB rules take, and what a
// scenario's datapath section and config steps hold. src/datapath takes its types from here.
import Type, { type Static } from 'typebox';
import { LB_ALGOS, LB_MODES } from '../datapath/lb-codecs.js';
import { Address, BridgeDomain, Ifname, Ipv4Address, Mac, U16, U32, Vlan, Zone, strict, uint } from './primitives.js';

const PolicerId = uint(1, 4095);
const MirrorId = uint(1, 31);
const TunnelId = uint(1, 1023);
const NextHopId = uint(1, 4095);
const Dscp = uint(0, 63);

export const InterfaceConfig = strict(
  {
    ifname: Ifname,
    vlan: Type.Optional(Vlan),
    port: U16,
    zone: Type.Optional(Zone),
    bd: Type.Optional(BridgeDomain),
    routing: Type.Optional(Type.Boolean({ description: 'Route packets addressed to a router MAC (default true).' })),
    learn: Type.Optional(Type.Boolean({ description: 'Raise learning events for unknown source MACs (default false).' })),
    policer: Type.Optional(uint(0, 4095)),
    mirror: Type.Optional(uint(0, 31)),
    xdpTx: Type.Optional(
      Type.Enum(['auto', 'on'], {
        description:
          'May the XDP entry redirect frames out of this port: auto (default) while the kernel says the device takes XDP frames (a veth: its peer has GRO on or an XDP program); on: always.',
      }),
    ),
  },
  { description: '(interface, VLAN) -> logical port.' },
);

export const RouterMacConfig = strict({ mac: Mac, bd: Type.Optional(BridgeDomain) });

export const NextHopConfig = strict(
  {
    id: NextHopId,
    mac: Mac,
    srcMac: Mac,
    ifname: Ifname,
    vlan: Type.Optional(Vlan),
    resolved: Type.Optional(
      Type.Boolean({ description: 'false = known but unresolved: packets go to the stack with an event (default true).' }),
    ),
  },
  { description: 'A neighbour as a next hop: the MACs to write and the interface to leave by.' },
);

export const RouteConfig = strict({
  prefix: Type.String({ minLength: 1, description: "'a.b.c.d/len' or an IPv6 prefix 'fd00::/64'; host bits zero." }),
  zone: Type.Optional(Zone),
  nextHops: Type.Optional(Type.Array(NextHopId, { minItems: 1, maxItems: 4 })),
  local: Type.Optional(Type.Boolean({ description: 'Deliver to the host stack instead of forwarding.' })),
  replace: Type.Optional(Type.Boolean({ description: 'Allow replacing an installed route with the same (zone, prefix).' })),
});

export const L2EntryConfig = strict({ mac: Mac, bd: Type.Optional(BridgeDomain), ifname: Ifname, vlan: Type.Optional(Vlan) });

export const KnownMacConfig = strict(
  { mac: Mac, bd: Type.Optional(BridgeDomain), port: U16 },
  { description: 'A source MAC the control plane knows: no learning events for it.' },
);

export const PolicerConfig = strict(
  {
    id: PolicerId,
    mode: Type.Enum(['trtcm', 'srtcm'], { description: 'trtcm = RFC 2698 (cir, cbs, pir, pbs); srtcm = RFC 2697 (cir, cbs, ebs).' }),
    cir: uint(1),
    cbs: uint(1),
    pir: Type.Optional(uint(1)),
    pbs: Type.Optional(uint(1)),
    ebs: Type.Optional(uint(0)),
    colourAware: Type.Optional(Type.Boolean()),
    yellowDscps: Type.Optional(Type.Array(Dscp)),
    redDscps: Type.Optional(Type.Array(Dscp)),
    remarkYellow: Type.Optional(Dscp),
  },
  { description: 'interfaces[].policer or an LB rule refers to one by id.' },
);

export const QosConfig = strict(
  {
    port: uint(0, 511),
    class: uint(0, 7),
    priority: uint(0, 4294967295),
    dscp: Type.Optional(Dscp),
  },
  { description: 'Ingress QoS: packets of a logical port whose DSCP class selector is class get skb priority (and DSCP).' },
);

export const MirrorConfig = strict(
  {
    id: MirrorId,
    ifname: Ifname,
    vlan: Type.Optional(Vlan),
    ingress: Type.Optional(Type.Boolean()),
    egress: Type.Optional(Type.Boolean()),
  },
  { description: 'A mirror port; interfaces[].mirror refers to one by id.' },
);

export const TUNNEL_TYPES = ['vxlan', 'nvgre', 'gtpu', 'ipip'] as const;
export const TERMINATED_TUNNEL_TYPES = ['vxlan', 'nvgre', 'gtpu'] as const;

export const TunnelConfig = strict(
  {
    id: TunnelId,
    type: Type.Enum([...TUNNEL_TYPES]),
    key: Type.Optional(U32),
    qfi: Type.Optional(uint(0, 63)),
    flowId: Type.Optional(uint(0, 255)),
    sport: Type.Optional(U16),
    local: Ipv4Address,
    remote: Ipv4Address,
    srcMac: Mac,
    dstMac: Mac,
    ifname: Ifname,
  },
  { description: 'An encapsulation: outer IPv4 from local to remote, Ethernet from srcMac to dstMac, out of ifname.' },
);

export const TunnelTermConfig = strict(
  {
    type: Type.Enum([...TERMINATED_TUNNEL_TYPES]),
    key: U32,
    local: Ipv4Address,
    bd: Type.Optional(BridgeDomain),
    nextHop: Type.Optional(uint(0, 4095)),
    qfi: Type.Optional(uint(0, 63)),
  },
  { description: 'A terminated tunnel: packets to local with this type and key are decapsulated.' },
);

export const TunnelL2Config = strict({ mac: Mac, bd: Type.Optional(BridgeDomain), tunnel: TunnelId });
export const TunnelRouteConfig = strict({ addr: Ipv4Address, zone: Type.Optional(Zone), tunnel: TunnelId });

export const LB_PROTOCOLS = ['tcp', 'udp', 'sctp', 'icmp'] as const;

const lbKeyFields = {
  vip: Address,
  port: Type.Integer({ minimum: 0, maximum: 65535, description: '0 for ICMP. With portEnd: the first port of the range.' }),
  portEnd: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 65535, description: 'Last port of an inclusive range [port, portEnd] (tcp, udp, sctp).' }),
  ),
  protocol: Type.Enum([...LB_PROTOCOLS]),
  zone: Type.Optional(Zone),
};

export const LbRuleRef = strict(lbKeyFields);

export const LbEndpoint = strict({
  address: Address,
  port: Type.Optional(U16),
  weight: Type.Optional(U16),
  active: Type.Optional(Type.Boolean()),
});

export const LbRule = strict({
  ...lbKeyFields,
  mode: Type.Optional(Type.Enum([...LB_MODES])),
  algorithm: Type.Optional(Type.Enum([...LB_ALGOS])),
  snatAddress: Type.Optional(Address),
  persistMs: Type.Optional(uint(1, 86_400_000)),
  policer: Type.Optional(uint(0, 4095)),
  endpoints: Type.Array(LbEndpoint, { minItems: 1 }),
});

export const RemoveSet = strict(
  {
    interfaces: Type.Optional(Type.Array(strict({ ifname: Ifname, vlan: Type.Optional(Vlan) }))),
    routerMacs: Type.Optional(Type.Array(RouterMacConfig)),
    nextHops: Type.Optional(Type.Array(NextHopId)),
    routes: Type.Optional(Type.Array(strict({ prefix: Type.String({ minLength: 1 }), zone: Type.Optional(Zone) }))),
    l2: Type.Optional(Type.Array(strict({ mac: Mac, bd: Type.Optional(BridgeDomain) }))),
    knownMacs: Type.Optional(Type.Array(strict({ mac: Mac, bd: Type.Optional(BridgeDomain) }))),
    policers: Type.Optional(Type.Array(PolicerId)),
    qos: Type.Optional(Type.Array(strict({ port: uint(0, 511), class: uint(0, 7) }))),
    mirrors: Type.Optional(Type.Array(MirrorId)),
    tunnels: Type.Optional(Type.Array(TunnelId)),
    tunnelTerms: Type.Optional(Type.Array(strict({ type: Type.Enum([...TERMINATED_TUNNEL_TYPES]), key: U32, local: Ipv4Address }))),
    tunnelL2: Type.Optional(Type.Array(strict({ mac: Mac, bd: Type.Optional(BridgeDomain) }))),
    tunnelRoutes: Type.Optional(Type.Array(strict({ addr: Ipv4Address, zone: Type.Optional(Zone) }))),
  },
  { description: 'Entries to delete.' },
);

/** The fields of one `Datapath.apply` transaction. */
export const configChangeFields = {
  interfaces: Type.Optional(Type.Array(InterfaceConfig)),
  routerMacs: Type.Optional(Type.Array(RouterMacConfig)),
  nextHops: Type.Optional(Type.Array(NextHopConfig)),
  routes: Type.Optional(Type.Array(RouteConfig)),
  l2: Type.Optional(Type.Array(L2EntryConfig)),
  knownMacs: Type.Optional(Type.Array(KnownMacConfig)),
  policers: Type.Optional(Type.Array(PolicerConfig)),
  qos: Type.Optional(Type.Array(QosConfig)),
  mirrors: Type.Optional(Type.Array(MirrorConfig)),
  tunnels: Type.Optional(Type.Array(TunnelConfig)),
  tunnelTerms: Type.Optional(Type.Array(TunnelTermConfig)),
  tunnelL2: Type.Optional(Type.Array(TunnelL2Config)),
  tunnelRoutes: Type.Optional(Type.Array(TunnelRouteConfig)),
  remove: Type.Optional(RemoveSet),
  eventIntervalMs: Type.Optional(uint(1, 3_600_000)),
};

export const ConfigChange = strict(configChangeFields, {
  description: 'One transaction: everything is validated before any map is touched.',
});

/** The LB part of a transaction. */
export const lbChangeFields = {
  lbRules: Type.Optional(Type.Array(LbRule, { description: 'Added, or replacing the rule with the same key.' })),
  removeLbRules: Type.Optional(Type.Array(LbRuleRef, { description: 'Rules to delete, with their connections.' })),
  flushInactive: Type.Optional(Type.Boolean({ description: 'Also delete the connections of endpoints inactive after this change.' })),
};

/** One configuration transaction (Datapath.apply): the configuration and the LB rules. */
export const DatapathChange = strict({ ...configChangeFields, ...lbChangeFields });

/** A scenario's datapath section (and a config step): the whole configuration plus where to attach. */
export const DatapathSection = strict({
  attach: Type.Optional(
    Type.Array(Ifname, { description: 'dut interfaces to attach TC ingress to; default every interface in interfaces.' }),
  ),
  ...configChangeFields,
  ...lbChangeFields,
});

/** A whole configuration as a state to be in (a deployment config file's datapath
 *  section): what a DatapathSection adds, without the removals, which `dp apply` derives
 *  by comparing with what is installed. */
const { remove: _remove, ...stateConfigFields } = configChangeFields;
export const DatapathState = strict({ ...stateConfigFields, lbRules: lbChangeFields.lbRules });

export type InterfaceConfig = Static<typeof InterfaceConfig>;
export type RouterMacConfig = Static<typeof RouterMacConfig>;
export type NextHopConfig = Static<typeof NextHopConfig>;
export type RouteConfig = Static<typeof RouteConfig>;
export type L2EntryConfig = Static<typeof L2EntryConfig>;
export type KnownMacConfig = Static<typeof KnownMacConfig>;
export type PolicerConfig = Static<typeof PolicerConfig>;
export type QosConfig = Static<typeof QosConfig>;
export type MirrorConfig = Static<typeof MirrorConfig>;
export type TunnelType = (typeof TUNNEL_TYPES)[number];
export type TunnelConfig = Static<typeof TunnelConfig>;
export type TunnelTermConfig = Static<typeof TunnelTermConfig>;
export type TunnelL2Config = Static<typeof TunnelL2Config>;
export type TunnelRouteConfig = Static<typeof TunnelRouteConfig>;
export type LbProtocol = (typeof LB_PROTOCOLS)[number];
export type LbEndpoint = Static<typeof LbEndpoint>;
export type LbRule = Static<typeof LbRule>;
export type LbRuleRef = Static<typeof LbRuleRef>;
export type RemoveSet = Static<typeof RemoveSet>;
export type ConfigChange = Static<typeof ConfigChange>;
export type DatapathChange = Static<typeof DatapathChange>;
export type DatapathSection = Static<typeof DatapathSection>;
export type DatapathState = Static<typeof DatapathState>;
