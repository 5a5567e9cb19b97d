// Our datapath in the cps DUT: 'routed' (the client talks to each backend's own address)
// or 'lb' (the client talks to the VIP; DNAT round robin over the two backends, TCP and
// UDP, the same job as the nftables mode).
import type { ConfigChange, LbChange } from '../../datapath/index.js';
import { CPS_NET } from './net.js';

export interface CpsDatapathScenario {
  name: string;
  description: string;
  /** Addresses the client connects to (connections are split evenly). */
  targets: string[];
  config: () => ConfigChange;
  /** Load-balancing rules, applied after config(). */
  lb?: () => LbChange;
}

const n = CPS_NET;

const routed: CpsDatapathScenario = {
  name: 'routed',
  description: 'L3 forwarding between the client and each backend, both directions',
  targets: [...n.backendAddrs],
  config: () => ({
    interfaces: [0, 1, 2].map((i) => ({ ifname: `eth${i}`, port: i + 1 })),
    routerMacs: n.dutMacs.map((mac) => ({ mac })),
    nextHops: [
      { id: 1, mac: n.clientMac, srcMac: n.dutMacs[0], ifname: 'eth0' },
      { id: 2, mac: n.backendMacs[0], srcMac: n.dutMacs[1], ifname: 'eth1' },
      { id: 3, mac: n.backendMacs[1], srcMac: n.dutMacs[2], ifname: 'eth2' },
    ],
    routes: [
      ...n.dutAddrs.map((a) => ({ prefix: `${a}/32`, local: true })),
      { prefix: '10.3.0.0/24', nextHops: [1] },
      { prefix: '10.4.1.0/24', nextHops: [2] },
      { prefix: '10.4.2.0/24', nextHops: [3] },
    ],
  }),
};

const lb: CpsDatapathScenario = {
  name: 'lb',
  description: `DNAT from ${n.vip} (TCP ${n.tcpPort}, UDP ${n.udpPort}) round robin over both backends`,
  targets: [n.vip],
  config: routed.config,
  lb: () => ({
    rules: [
      { vip: n.vip, port: n.tcpPort, protocol: 'tcp', algorithm: 'rr', endpoints: n.backendAddrs.map((address) => ({ address })) },
      { vip: n.vip, port: n.udpPort, protocol: 'udp', algorithm: 'rr', endpoints: n.backendAddrs.map((address) => ({ address })) },
    ],
  }),
};

export const CPS_DATAPATH_SCENARIOS: Record<string, CpsDatapathScenario> & { routed: CpsDatapathScenario; lb: CpsDatapathScenario } = {
  routed,
  lb,
};
