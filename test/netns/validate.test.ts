// Bad topology descriptions: every problem is reported with its field path, all at once,
// and buildTopology creates nothing.
import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { buildTopology, TopologyValidationError, validateTopology } from '../../netns/index.js';
import { loadTopologyFile } from '../../netns/topology/load.js';
import { STATE_DIR } from '../../netns/topology/state.js';

// The shape base() builds, loose enough for the cases to break it.
interface Route {
  dst: string;
  via?: string;
  dev?: string;
}
interface Host {
  name: string;
  forwarding?: boolean;
  routes?: Route[];
  neighbours?: unknown[];
  sysctls?: Record<string, unknown>;
}
interface End {
  host: string;
  ifname: string;
  addresses?: string[];
  mac?: string;
  vlans?: unknown[];
  [field: string]: unknown;
}
interface Link {
  name?: string;
  mtu?: number;
  a: End;
  b: End;
}
type AddressedEnd = End & { addresses: [string, string] };
interface Description {
  hosts: [Host & { routes: [Route, ...Route[]] }, Host, ...Host[]];
  links: [Link & { a: AddressedEnd; b: AddressedEnd }, ...Link[]];
}

function base(): Description {
  return {
    hosts: [
      { name: 'client', routes: [{ dst: 'default', via: '10.0.1.1' }] },
      { name: 'router', forwarding: true },
    ],
    links: [
      {
        a: { host: 'client', ifname: 'eth0', addresses: ['10.0.1.2/24', 'fd00:1::2/64'] },
        b: { host: 'router', ifname: 'eth0', addresses: ['10.0.1.1/24', 'fd00:1::1/64'] },
      },
    ],
  };
}

function errorsOf(desc: unknown): string[] {
  try {
    validateTopology(desc);
  } catch (err) {
    if (err instanceof TopologyValidationError) return err.errors;
    throw err;
  }
  return [];
}

function fpNamespacesWith(runId: string): string[] {
  return existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(`fp-${runId}-`)) : [];
}

test('the base description and the example files are valid', (t) => {
  t.deepEqual(errorsOf(base()), []);
  for (const file of ['pair.yaml', 'three-host.yaml', 'vlan-pair.yaml']) {
    t.notThrows(() => loadTopologyFile(`netns/topologies/${file}`), file);
  }
});

const cases: [string, (d: Description) => void, string[]][] = [
  ['duplicate host name', (d) => d.hosts.push({ name: 'client' }), ["hosts[2].name: duplicate host name 'client' (also hosts[0].name)"]],
  [
    'duplicate link name',
    (d) => {
      d.links[0].name = 'wire';
      d.links.push({ name: 'wire', a: { host: 'client', ifname: 'eth1' }, b: { host: 'router', ifname: 'eth1' } });
    },
    ["links[1].name: duplicate link name 'wire' (also links[0])"],
  ],
  [
    'duplicate interface name on one host',
    (d) => d.links.push({ a: { host: 'client', ifname: 'eth0' }, b: { host: 'router', ifname: 'eth9' } }),
    ["links[1].a: duplicate interface 'eth0' on host 'client' (also links[0].a)"],
  ],
  ['link to an unknown host', (d) => (d.links[0].b.host = 'nowhere'), ["links[0].b.host: unknown host 'nowhere'"]],
  [
    'bad IPv4 CIDR',
    (d) => (d.links[0].b.addresses[0] = '10.0.0.300/24'),
    ["links[0].b.addresses[0]: '10.0.0.300/24' is not a valid IPv4 CIDR"],
  ],
  [
    'bad IPv6 CIDR',
    (d) => (d.links[0].a.addresses[1] = 'fd00::1/129'),
    ["links[0].a.addresses[1]: 'fd00::1/129' is not a valid IPv6 CIDR"],
  ],
  [
    'CIDR without prefix',
    (d) => (d.links[0].a.addresses[0] = '10.0.1.2'),
    ["links[0].a.addresses[0]: '10.0.1.2' is not a valid IPv4 CIDR"],
  ],
  [
    'address outside the link subnet',
    (d) => (d.links[0].b.addresses[0] = '10.0.2.1/24'),
    ["links[0].b.addresses[0]: '10.0.2.1/24' is not on the link's subnet (links[0].a has 10.0.1.2/24)"],
  ],
  [
    'route via not on a connected subnet',
    (d) => (d.hosts[0].routes[0].via = '10.9.9.1'),
    ["hosts[0].routes[0].via: '10.9.9.1' is not on any connected subnet of host 'client'"],
  ],
  [
    'route family mismatch and unknown dev',
    (d) => d.hosts[0].routes.push({ dst: 'fd00:9::/64', via: '10.0.1.1', dev: 'eth7' }),
    [
      "hosts[0].routes[1].dev: 'eth7' is not an interface of host 'client'",
      "hosts[0].routes[1].via: '10.0.1.1' is IPv4 but dst 'fd00:9::/64' is IPv6",
    ],
  ],
  [
    'bad MAC',
    (d) => (d.links[0].a.mac = '02:00:00:00:00'),
    ["links[0].a.mac: '02:00:00:00:00' is not a valid MAC address (expected xx:xx:xx:xx:xx:xx)"],
  ],
  ['multicast MAC', (d) => (d.links[0].a.mac = '01:00:5e:00:00:01'), ["links[0].a.mac: '01:00:5e:00:00:01' is not a unicast MAC address"]],
  ['MTU out of range', (d) => (d.links[0].mtu = 67), ['links[0].mtu: 67 is out of range (68..65535)']],
  [
    'interface name over 15 characters',
    (d) => (d.links[0].a.ifname = 'a-very-long-name0'),
    ["links[0].a.ifname: 'a-very-long-name0' is not a valid interface name (more than 15 characters)"],
  ],
  [
    'VLAN sub-interface name over 15 characters',
    (d) => (d.links[0].a.vlans = [{ id: 4000, ifname: 'eth0.4000-tagged' }]),
    ["links[0].a.vlans[0].ifname: 'eth0.4000-tagged' is not a valid interface name (more than 15 characters)"],
  ],
  ['unknown field', (d) => (d.links[0].a.adresses = []), ['links[0].a.adresses: unknown field']],
  [
    'static neighbour with bad fields',
    (d) => (d.hosts[1].neighbours = [{ ip: '10.0.1.500', mac: 'zz', dev: 'eth0' }]),
    [
      "hosts[1].neighbours[0].ip: '10.0.1.500' is not a valid IP address",
      "hosts[1].neighbours[0].mac: 'zz' is not a valid MAC address (expected xx:xx:xx:xx:xx:xx)",
    ],
  ],
  ['sysctl outside net.*', (d) => (d.hosts[1].sysctls = { 'kernel.panic': 1 }), ['hosts[1].sysctls.kernel.panic: not a net.* sysctl key']],
];

for (const [name, mutate, expected] of cases) {
  test(`rejects: ${name}`, async (t) => {
    const desc = base();
    mutate(desc);
    t.deepEqual(errorsOf(desc), expected);
    const runId = `val${process.pid}${name.length}`;
    const err = await t.throwsAsync(buildTopology(desc, { runId }), { instanceOf: TopologyValidationError });
    t.true(err.message.includes(expected[0]!));
    t.deepEqual(fpNamespacesWith(runId), []);
    t.false(existsSync(`${STATE_DIR}/${runId}.json`));
  });
}

test('collects every error, not just the first', (t) => {
  const desc = base();
  desc.hosts.push({ name: 'client' });
  desc.links[0].b.host = 'nowhere';
  desc.links[0].a.addresses[0] = '10.0.0.300/24';
  desc.links[0].mtu = 100000;
  t.deepEqual(errorsOf(desc), [
    "hosts[2].name: duplicate host name 'client' (also hosts[0].name)",
    'links[0].mtu: 100000 is out of range (68..65535)',
    "links[0].a.addresses[0]: '10.0.0.300/24' is not a valid IPv4 CIDR",
    "links[0].b.host: unknown host 'nowhere'",
  ]);
});

test('the error message lists every problem', (t) => {
  const desc = base();
  desc.links[0].a.mac = 'bad';
  desc.links[0].mtu = 0;
  const err = t.throws(() => validateTopology(desc), { instanceOf: TopologyValidationError });
  t.is(
    err.message,
    "invalid topology (2 errors):\n  links[0].mtu: 0 is out of range (68..65535)\n  links[0].a.mac: 'bad' is not a valid MAC address (expected xx:xx:xx:xx:xx:xx)",
  );
});

test('hosts must be a non-empty list', (t) => {
  t.deepEqual(errorsOf({ hosts: [] }), ['hosts: must be a non-empty list']);
  t.deepEqual(errorsOf({ hosts: [{ name: 'a' }], links: {} }), ['links: must be a list, got {}']);
});
