// Bad configuration is rejected with an error naming the field, and no map changes
// (full dumps of every configuration map compared before and after). A kernel error in
// the middle of a transaction rolls back what was written.
import test from 'ava';
import { BpfObject } from '../../native/index.js';
import { type Datapath, codecs } from '../../src/datapath/index.js';
import { checkCodecAgainstBtf } from '../../src/datapath/btf-check.js';
import { MAP_CODECS } from '../../src/datapath/map-codecs.js';
import { structCodec } from '../../src/datapath/struct-codec.js';
import type { ConfigChange } from '../../src/datapath/model.js';
import { OBJECT, ROUTER_MAC, loadDatapath, pinRoot } from './_setup.js';
import { removePins } from '../../src/datapath/index.js';

let dp: Datapath;

test.before(() => {
  dp = loadDatapath();
  dp.apply({
    interfaces: [{ ifname: 'lo', port: 1 }],
    routerMacs: [{ mac: ROUTER_MAC }],
    nextHops: [{ id: 1, mac: '02:00:00:00:01:01', srcMac: '02:00:00:00:00:02', ifname: 'lo' }],
    routes: [
      { prefix: '10.2.0.0/24', nextHops: [1] },
      { prefix: 'fd00:2::/64', nextHops: [1] },
    ],
  });
});

test.after.always(() => dp?.destroy());

function snapshot(): Record<string, [string, string][]> {
  const out: Record<string, [string, string][]> = {};
  for (const [name, m] of Object.entries(dp.dumpConfig())) out[name] = [...m].sort();
  return out;
}

const GOOD_PART: ConfigChange = {
  interfaces: [{ ifname: 'lo', vlan: 7, port: 9 }],
  nextHops: [{ id: 5, mac: '02:00:00:00:01:05', srcMac: '02:00:00:00:00:02', ifname: 'lo' }],
  routes: [{ prefix: '10.5.0.0/16', nextHops: [5] }],
};

const BAD: [string, ConfigChange, RegExp][] = [
  [
    'unknown interface',
    { ...GOOD_PART, interfaces: [...GOOD_PART.interfaces!, { ifname: 'fp-nosuchif', port: 3 }] },
    /^interfaces\[1\]\.ifname: unknown interface 'fp-nosuchif'/,
  ],
  [
    'unknown next-hop interface',
    { ...GOOD_PART, nextHops: [{ id: 6, mac: '02:00:00:00:01:06', srcMac: '02:00:00:00:00:02', ifname: 'fp-nosuchif' }] },
    /^nextHops\[0\]\.ifname: unknown interface 'fp-nosuchif'/,
  ],
  [
    'duplicate of an installed route',
    { ...GOOD_PART, routes: [...GOOD_PART.routes!, { prefix: '10.2.0.0/24', nextHops: [1] }] },
    /^routes\[1\]\.prefix: route 10\.2\.0\.0\/24 in zone 0 is already installed/,
  ],
  [
    'duplicate of an installed IPv6 route',
    { routes: [{ prefix: 'fd00:2:0:0::/64', nextHops: [1] }] },
    /^routes\[0\]\.prefix: route fd00:2::\/64 in zone 0 is already installed/,
  ],
  [
    'the same route twice in one change',
    {
      routes: [
        { prefix: '10.7.0.0/24', nextHops: [1] },
        { prefix: '10.7.0.0/24', nextHops: [1] },
      ],
    },
    /^routes\[1\]\.prefix: route 10\.7\.0\.0\/24 in zone 0 appears twice in this change/,
  ],
  [
    'next hop that does not exist',
    { ...GOOD_PART, routes: [{ prefix: '10.6.0.0/16', nextHops: [5, 77] }] },
    /^routes\[0\]\.nextHops\[1\]: next hop 77 does not exist/,
  ],
  ['route without next hops', { routes: [{ prefix: '10.6.0.0/16' }] }, /^routes\[0\]\.nextHops: expected 1\.\.4 next-hop ids, got 0/],
  [
    'five next hops',
    { routes: [{ prefix: '10.6.0.0/16', nextHops: [1, 1, 1, 1, 1] }] },
    /^routes\[0\]\.nextHops: expected 1\.\.4 next-hop ids, got 5/,
  ],
  [
    'host bits in a prefix',
    { routes: [{ prefix: '10.6.0.1/16', nextHops: [1] }] },
    /^routes\[0\]\.prefix: '10\.6\.0\.1\/16' has host bits set \(the prefix would be 10\.6\.0\.0\/16\)/,
  ],
  ['bad MAC', { ...GOOD_PART, routerMacs: [{ mac: '02:00:00:00:00' }] }, /^routerMacs\[0\]\.mac: '02:00:00:00:00' is not a MAC address/],
  [
    'VLAN out of range',
    { interfaces: [{ ifname: 'lo', vlan: 4096, port: 1 }] },
    /^interfaces\[0\]\.vlan: expected an integer 0\.\.4095, got 4096/,
  ],
  [
    'removing a next hop a route uses',
    { remove: { nextHops: [1] } },
    /^remove\.nextHops: next hop 1 is still used by route 10\.2\.0\.0\/24 zone 0/,
  ],
  [
    'removing a route that is not installed',
    { remove: { routes: [{ prefix: '10.8.0.0/24' }] } },
    /^remove\.routes\[0\]: no route 10\.8\.0\.0\/24 in zone 0 is installed/,
  ],
];

for (const [name, change, message] of BAD) {
  test.serial(`rejected, nothing written: ${name}`, (t) => {
    const before = snapshot();
    const err = t.throws(() => dp.apply(change));
    t.regex(err?.message ?? '', message);
    t.deepEqual(snapshot(), before);
  });
}

test.serial('a kernel error mid-way (intf map full at 512) rolls back every write', (t) => {
  const before = snapshot();
  const many: ConfigChange = {
    nextHops: [{ id: 9, mac: '02:00:00:00:01:09', srcMac: '02:00:00:00:00:02', ifname: 'lo' }],
    routes: [{ prefix: '10.9.0.0/16', nextHops: [9] }],
    interfaces: Array.from({ length: 600 }, (_, i) => ({ ifname: 'lo', vlan: i + 1, port: i + 1 })),
  };
  const err = t.throws(() => dp.apply(many));
  t.regex(err?.message ?? '', /^writing interface lo vlan \d+ to map intf failed: .*; every earlier write was rolled back$/);
  t.deepEqual(snapshot(), before);
});

test.serial('a good change applies and bumps the generation; a removal restores the maps', (t) => {
  const before = snapshot();
  const gen = dp.generation();
  dp.apply(GOOD_PART);
  t.is(dp.generation(), gen + 1n);
  t.notDeepEqual(snapshot(), before);
  dp.apply({ remove: { routes: [{ prefix: '10.5.0.0/16' }], nextHops: [5], interfaces: [{ ifname: 'lo', vlan: 7 }] } });
  const after = snapshot();
  delete after.cfg;
  const expected = { ...before };
  delete expected.cfg;
  t.deepEqual(after, expected);
});

test.serial('a codec that disagrees with the object BTF fails naming map and field', (t) => {
  const obj = new BpfObject(OBJECT, { pinRoot: pinRoot() });
  const root = obj.maps()[0]?.pinPath?.replace(/\/[^/]+$/, '');
  try {
    const layout = obj.btfLayout('nh');
    t.notThrows(() => checkCodecAgainstBtf({ map: 'nh', key: MAP_CODECS[6]!.key, value: codecs.nhCodec }, layout));
    const shifted = structCodec(
      'fp_nh',
      20,
      codecs.nhCodec.fields.map((f) => (f.name === 'vlan' ? { ...f, offset: 14 } : f)),
    );
    const e1 = t.throws(() => checkCodecAgainstBtf({ map: 'nh', key: MAP_CODECS[6]!.key, value: shifted }, layout));
    t.is(e1?.message, 'map nh value: field fp_nh.vlan is at offset 16 in BTF, codec says 14');
    const renamed = structCodec(
      'fp_nh',
      20,
      codecs.nhCodec.fields.map((f) => (f.name === 'flags' ? { ...f, name: 'flag' } : f)),
    );
    const e2 = t.throws(() => checkCodecAgainstBtf({ map: 'nh', key: MAP_CODECS[6]!.key, value: renamed }, layout));
    t.is(e2?.message, 'map nh value: field fp_nh.flag is not in the BTF struct');
    const bigger = structCodec('fp_nh', 24, [...codecs.nhCodec.fields]);
    const e3 = t.throws(() => checkCodecAgainstBtf({ map: 'nh', key: MAP_CODECS[6]!.key, value: bigger }, layout));
    t.is(e3?.message, "map nh value: BTF type 'fp_nh' is 20 bytes, codec fp_nh expects 24");
  } finally {
    obj.close();
    if (root !== undefined) removePins(root);
  }
});
