// A DUT host between a generator and a sink, for the tests of `bench wire --iface` with a
// real datapath in the middle: namespace gen holds both ends (eth-a sends, eth-b counts),
// namespace dut routes between eth-in and eth-out with `fastpath dp up`, and a management
// link (mgmt0, 10.9.9.0/24) carries SSH outside the datapath's interfaces.
import { type TopologyDescription } from '../../netns/index.js';

export const NET = {
  genA: '02:fb:10:00:00:02',
  dutIn: '02:fb:10:00:00:01',
  dutOut: '02:fb:20:00:00:01',
  genB: '02:fb:20:00:00:02',
  genMgmt: '10.9.9.2',
  dutMgmt: '10.9.9.1',
} as const;

export const DUT_TOPOLOGY: TopologyDescription = {
  name: 'wire-dut',
  hosts: [{ name: 'gen' }, { name: 'dut', sysctls: { 'net.ipv4.ip_forward': 0 } }],
  links: [
    {
      a: { host: 'gen', ifname: 'eth-a', mac: NET.genA, addresses: ['10.1.0.2/24'] },
      b: { host: 'dut', ifname: 'eth-in', mac: NET.dutIn, addresses: ['10.1.0.1/24'] },
    },
    {
      a: { host: 'dut', ifname: 'eth-out', mac: NET.dutOut, addresses: ['10.2.0.1/24'] },
      b: { host: 'gen', ifname: 'eth-b', mac: NET.genB, addresses: ['10.2.0.2/24'] },
    },
    {
      a: { host: 'gen', ifname: 'mgmt0', addresses: [`${NET.genMgmt}/24`] },
      b: { host: 'dut', ifname: 'mgmt0', addresses: [`${NET.dutMgmt}/24`] },
    },
  ],
};

/** The dp up config of the DUT: 10.1.0.0/24 <-> 10.2.0.0/24 routed by our datapath (XDP
 *  on the generator's side), optionally an interface policer on eth-in. */
export function dutConfig(policer?: { cir: number; cbs: number }): string {
  return [
    'attach:',
    '  - { ifname: eth-in, xdp: native }',
    '  - { ifname: eth-out }',
    'addresses: [10.1.0.1, 10.2.0.1]',
    'datapath:',
    '  interfaces:',
    `    - { ifname: eth-in, port: 1${policer !== undefined ? ', policer: 1' : ''} }`,
    '    - { ifname: eth-out, port: 2 }',
    '  routerMacs:',
    `    - { mac: "${NET.dutIn}" }`,
    `    - { mac: "${NET.dutOut}" }`,
    '  nextHops:',
    `    - { id: 1, mac: "${NET.genA}", srcMac: "${NET.dutIn}", ifname: eth-in }`,
    `    - { id: 2, mac: "${NET.genB}", srcMac: "${NET.dutOut}", ifname: eth-out }`,
    '  routes:',
    '    - { prefix: 10.1.0.0/24, nextHops: [1] }',
    '    - { prefix: 10.2.0.0/24, nextHops: [2] }',
    ...(policer !== undefined ? ['  policers:', `    - { id: 1, mode: srtcm, cir: ${policer.cir}, cbs: ${policer.cbs}, ebs: 0 }`] : []),
    '',
  ].join('\n');
}
