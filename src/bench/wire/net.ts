// The wire benchmark's network: gen -> dut -> sink over veth. The DUT (device under
// test) namespace is where kernel forwarding, nftables or our datapath do their work;
// the ceiling is measured with the sink on the DUT's ingress instead.
import type { TopologyDescription } from '../../../netns/index.js';

export const WIRE_NET = {
  genMac: '02:fb:00:01:00:02',
  dutInMac: '02:fb:00:01:00:01',
  dutOutMac: '02:fb:00:02:00:01',
  sinkMac: '02:fb:00:02:00:02',
  genAddr: '10.1.0.2',
  dutInAddr: '10.1.0.1',
  dutOutAddr: '10.2.0.1',
  /** Routed destination; also the first DNAT backend. */
  sinkAddr: '10.2.0.2',
  backends: ['10.2.0.2', '10.2.0.3'],
  /** The service address nftables DNATs (and our LB). */
  vip: '10.9.0.1',
  dutIn: 'eth0',
  dutOut: 'eth1',
} as const;

export function wireTopology(): TopologyDescription {
  const n = WIRE_NET;
  return {
    name: 'bench-wire',
    hosts: [
      { name: 'gen' },
      {
        name: 'dut',
        // Forwarding is switched on only for the kernel modes: with it off, anything that
        // reaches the sink in our modes was forwarded by our datapath.
        sysctls: {
          'net.ipv4.ip_forward': 0,
          'net.ipv4.conf.all.rp_filter': 0,
          'net.ipv4.conf.default.rp_filter': 0,
          'net.ipv4.conf.eth0.rp_filter': 0,
          'net.ipv4.conf.eth1.rp_filter': 0,
        },
        neighbours: [
          ...n.backends.map((ip) => ({ ip, mac: n.sinkMac, dev: n.dutOut })),
          ...[2, 3, 4, 5].map((last) => ({ ip: `10.1.0.${last}`, mac: n.genMac, dev: n.dutIn })),
        ],
      },
      { name: 'sink', routes: [{ dst: 'default', via: n.dutOutAddr }] },
    ],
    links: [
      {
        a: { host: 'gen', ifname: 'eth0', mac: n.genMac, addresses: [`${n.genAddr}/24`] },
        b: { host: 'dut', ifname: n.dutIn, mac: n.dutInMac, addresses: [`${n.dutInAddr}/24`] },
      },
      {
        a: { host: 'dut', ifname: n.dutOut, mac: n.dutOutMac, addresses: [`${n.dutOutAddr}/24`] },
        b: { host: 'sink', ifname: 'eth0', mac: n.sinkMac, addresses: n.backends.map((a) => `${a}/24`) },
      },
    ],
  };
}
