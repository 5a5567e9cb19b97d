// The cps benchmark's network: client -> dut -> two backends, each behind its own DUT
// interface. Static neighbours everywhere, so no ARP is in any measured path.
import type { TopologyDescription } from '../../../netns/index.js';

export const CPS_NET = {
  clientMac: '02:fc:00:03:00:02',
  /** One source address per mode (modes.ts): a backend's TIME_WAIT sockets from one mode
   *  never meet the next mode's connections (with DNAT in between, the client's port
   *  reuse and timestamps would make them look like old duplicates). */
  clientAddrs: ['10.3.0.2', '10.3.0.3', '10.3.0.4', '10.3.0.5'],
  dutMacs: ['02:fc:00:03:00:01', '02:fc:00:41:00:01', '02:fc:00:42:00:01'],
  dutAddrs: ['10.3.0.1', '10.4.1.1', '10.4.2.1'],
  backendMacs: ['02:fc:00:41:00:02', '02:fc:00:42:00:02'],
  backendAddrs: ['10.4.1.2', '10.4.2.2'],
  backendNames: ['backend-1', 'backend-2'],
  vip: '10.9.0.1',
  tcpPort: 8080,
  udpPort: 9090,
} as const;

export function cpsTopology(): TopologyDescription {
  const n = CPS_NET;
  return {
    name: 'bench-cps',
    hosts: [
      {
        name: 'client',
        routes: [{ dst: 'default', via: n.dutAddrs[0] }],
        neighbours: [{ ip: n.dutAddrs[0], mac: n.dutMacs[0], dev: 'eth0' }],
      },
      {
        name: 'dut',
        sysctls: { 'net.ipv4.ip_forward': 0, 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0 },
        neighbours: [
          ...n.clientAddrs.map((ip) => ({ ip, mac: n.clientMac, dev: 'eth0' })),
          { ip: n.backendAddrs[0], mac: n.backendMacs[0], dev: 'eth1' },
          { ip: n.backendAddrs[1], mac: n.backendMacs[1], dev: 'eth2' },
        ],
      },
      ...([1, 2] as const).map((i) => ({
        name: `backend${i}`,
        routes: [{ dst: 'default', via: n.dutAddrs[i] }],
        neighbours: [{ ip: n.dutAddrs[i], mac: n.dutMacs[i], dev: 'eth0' }],
      })),
    ],
    links: [
      {
        a: { host: 'client', ifname: 'eth0', mac: n.clientMac, addresses: n.clientAddrs.map((a) => `${a}/24`) },
        b: { host: 'dut', ifname: 'eth0', mac: n.dutMacs[0], addresses: [`${n.dutAddrs[0]}/24`] },
      },
      ...[0, 1].map((i) => ({
        a: { host: 'dut', ifname: `eth${i + 1}`, mac: n.dutMacs[i + 1], addresses: [`${n.dutAddrs[i + 1]}/24`] },
        b: { host: `backend${i + 1}`, ifname: 'eth0', mac: n.backendMacs[i], addresses: [`${n.backendAddrs[i]}/24`] },
      })),
    ],
  };
}
