// The datapath configuration the fuzz pass runs against: a client side (the loopback
// interface, the default ingress of test runs for TC and XDP alike), a server side (a
// stand-in veth), IPv4 and IPv6 routes, and LB rules for TCP, UDP and SCTP on one VIP.
import type { DatapathSection } from '../types.js';

export const FUZZ_MACS = {
  router: '02:f2:00:00:00:01',
  client: '02:f2:00:00:00:02',
  serverRouter: '02:f2:00:00:01:01',
  server: '02:f2:00:00:01:02',
} as const;

export const FUZZ_ADDR = {
  client4: '10.0.1.2',
  server4: '10.0.2.2',
  vip4: '10.0.9.100',
  backend4: '10.0.2.10',
  client6: 'fd00:1::2',
  server6: 'fd00:2::2',
} as const;

export const FUZZ_VIP_PORTS = { tcp: 80, udp: 53, sctp: 5000 } as const;

export function fuzzDatapath(): DatapathSection {
  return {
    // Test runs redirect nowhere: both ports may take XDP frames, so the XDP fast path runs.
    interfaces: [
      { ifname: 'client-side', port: 1, xdpTx: 'on' },
      { ifname: 'server-side', port: 2, xdpTx: 'on' },
    ],
    routerMacs: [{ mac: FUZZ_MACS.router }, { mac: FUZZ_MACS.serverRouter }],
    nextHops: [
      { id: 1, mac: FUZZ_MACS.client, srcMac: FUZZ_MACS.router, ifname: 'client-side' },
      { id: 2, mac: FUZZ_MACS.server, srcMac: FUZZ_MACS.serverRouter, ifname: 'server-side' },
    ],
    routes: [
      { prefix: '10.0.1.1/32', local: true },
      { prefix: '10.0.1.0/24', nextHops: [1] },
      { prefix: '10.0.2.0/24', nextHops: [2] },
      { prefix: 'fd00:1::/64', nextHops: [1] },
      { prefix: 'fd00:2::/64', nextHops: [2] },
    ],
    lbRules: (['tcp', 'udp', 'sctp'] as const).map((protocol) => ({
      vip: FUZZ_ADDR.vip4,
      port: FUZZ_VIP_PORTS[protocol],
      protocol,
      mode: 'dnat' as const,
      algorithm: 'rr' as const,
      endpoints: [
        { address: FUZZ_ADDR.backend4, port: 8000 + FUZZ_VIP_PORTS[protocol] },
        { address: '10.0.2.11', port: 8000 + FUZZ_VIP_PORTS[protocol] },
      ],
    })),
  };
}
