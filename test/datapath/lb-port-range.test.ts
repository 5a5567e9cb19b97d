// Port-range LB rules in test-run mode (real kernel, BPF_PROG_TEST_RUN): new flows to any
// port of [port, portEnd] go to the rule's endpoints in strict round robin with exact
// bytes (destination port kept for endpoint port 0, rewritten for a fixed one); ports
// just outside are routed plainly; an exact-port rule inside a range wins; bad ranges
// change no map; removal and replacement leave no stale lb_range entry; a rollback
// restores lb_range exactly.
import test, { type ExecutionContext } from 'ava';
import { type Datapath, type LbRule, dumpMap } from '../../src/datapath/index.js';
import { showLb } from '../../src/datapath/command-lb.js';
import { lbKeyCodec, lbRangeKeyCodec } from '../../src/datapath/lb-codecs.js';
import { portPrefixes } from '../../src/datapath/lb-range.js';
import { applyWrites } from '../../src/datapath/transaction.js';
import { BACKEND_MAC, type Seg, V4, V6, expectTc, loadLbDatapath, routed, tcp } from './_lb.js';
import { ROUTER_MAC } from './_setup.js';

let dp: Datapath;
const [E0, E1, E2, E3] = V4.eps;

test.before(() => {
  dp = loadLbDatapath();
  // The VIP is routable towards the client side: a port without a rule is visibly
  // routed, untranslated.
  dp.apply({
    routes: [
      { prefix: '10.0.0.0/24', nextHops: [2] },
      { prefix: 'fd00:100::/64', nextHops: [2] },
    ],
  });
});
test.after.always(() => dp?.destroy());
test.beforeEach(() => {
  dp.flushConnections();
  for (const r of dp.lbRules()) {
    dp.applyLb({
      remove: [
        { vip: r.vip, port: r.port, ...(r.portEnd !== undefined ? { portEnd: r.portEnd } : {}), protocol: r.protocol, zone: r.zone },
      ],
    });
  }
});

function range(endpoints: LbRule['endpoints'], over: Partial<LbRule> = {}): LbRule {
  return { vip: V4.vip, port: 8000, portEnd: 8099, protocol: 'tcp', algorithm: 'rr', endpoints, ...over };
}

const syn = (sport: number, dport: number, over: Partial<Seg> = {}): Seg => ({
  src: V4.client,
  dst: V4.vip,
  sport,
  dport,
  flags: 'S',
  seq: 7000 + sport,
  ...over,
});

/** A SYN to the VIP leaves towards the backend as `to` (address, port). */
function expectLb(t: ExecutionContext, s: Seg, to: [string, number], what: string): void {
  expectTc(t, dp, tcp(s), tcp(routed(s, 'backend', { dst: to[0], dport: to[1] })), what);
}

function lbState(): string {
  const lb = ['lb', 'lb_range', 'lb_ep', 'lb_tbl', 'lb_sess', 'ct', 'fc', 'cfg'].map(
    (m) => `${m}:${[...dumpMap(dp.map(m)).entries()].sort().join(';')}`,
  );
  const cfg = Object.entries(dp.dumpConfig()).map(([m, v]) => `${m}:${[...v.entries()].sort().join(';')}`);
  return [...lb, ...cfg].join('\n');
}

test.serial('prefix cover: minimal, exact, at most 30 blocks', (t) => {
  t.deepEqual(portPrefixes(8000, 8099), [
    { base: 8000, len: 10 },
    { base: 8064, len: 11 },
    { base: 8096, len: 14 },
  ]);
  t.deepEqual(portPrefixes(0, 65535), [{ base: 0, len: 0 }]);
  t.deepEqual(portPrefixes(80, 80), [{ base: 80, len: 16 }]);
  t.is(portPrefixes(1, 65534).length, 30);
  for (const [a, b] of [
    [1, 65534],
    [8000, 8099],
    [1023, 1025],
    [30000, 40000],
  ] as const) {
    const covered = portPrefixes(a, b).flatMap((p) => Array.from({ length: 1 << (16 - p.len) }, (_, i) => p.base + i));
    t.deepEqual(
      covered,
      Array.from({ length: b - a + 1 }, (_, i) => a + i),
      `${a}-${b} covered exactly once, in order`,
    );
  }
});

test.serial('endpoint port 0: both edges and inside go to the 3 backends in strict order, destination port kept', (t) => {
  dp.applyLb({ rules: [range([{ address: E0 }, { address: E1 }, { address: E2 }])] });
  const ports = [8000, 8099, 8050, 8001, 8098, 8064, 8031, 8032];
  const eps = [E0, E1, E2];
  ports.forEach((dport, i) => expectLb(t, syn(1000 + i, dport), [eps[i % 3]!, dport], `SYN to port ${dport} -> ${eps[i % 3]}:${dport}`));
  t.is(
    dp
      .lbRules()[0]!
      .endpoints.map((e) => e.sessions)
      .join(),
    '3,3,2',
  );
});

test.serial('ports just outside the range are not load-balanced (routed untranslated)', (t) => {
  dp.applyLb({ rules: [range([{ address: E0 }, { address: E1 }, { address: E2 }])] });
  for (const [i, dport] of [7999, 8100].entries()) {
    const s = syn(2000 + i, dport);
    expectTc(t, dp, tcp(s), tcp(routed(s, 'client')), `port ${dport}: plain routing`);
  }
  t.deepEqual(dp.connections(), [], 'no connection opened');
  expectLb(t, syn(2010, 8000), [E0, 8000], 'the rule still starts at its first endpoint');
});

test.serial("fixed endpoint port: every port of the range maps to it; the reply gets the client's port back", (t) => {
  dp.applyLb({
    rules: [
      range([
        { address: E0, port: 9000 },
        { address: E1, port: 9000 },
        { address: E2, port: 9001 },
      ]),
    ],
  });
  const plan: [number, string, number][] = [
    [8000, E0, 9000],
    [8099, E1, 9000],
    [8042, E2, 9001],
    [8077, E0, 9000],
  ];
  plan.forEach(([dport, ep, port], i) => expectLb(t, syn(3000 + i, dport), [ep, port], `SYN to ${dport} -> ${ep}:${port}`));
  const reply: Seg = {
    src: E0,
    dst: V4.client,
    sport: 9000,
    dport: 3003,
    flags: 'SA',
    seq: 500,
    ack: 7000 + 3003 + 1,
    macs: [ROUTER_MAC, BACKEND_MAC],
  };
  expectTc(t, dp, tcp(reply), tcp(routed(reply, 'client', { src: V4.vip, sport: 8077 })), 'SYN-ACK translated back to VIP:8077');
});

test.serial('an exact-port rule inside a range wins; the range keeps its own turn', (t) => {
  dp.applyLb({
    rules: [
      range([{ address: E0 }, { address: E1 }, { address: E2 }]),
      { vip: V4.vip, port: 8080, protocol: 'tcp', endpoints: [{ address: E3, port: 80 }] },
    ],
  });
  expectLb(t, syn(4000, 8079), [E0, 8079], 'range');
  expectLb(t, syn(4001, 8080), [E3, 80], 'exact rule');
  expectLb(t, syn(4002, 8081), [E1, 8081], 'range, next in turn');
  expectLb(t, syn(4003, 8080), [E3, 80], 'exact rule again');
  expectLb(t, syn(4004, 8000), [E2, 8000], 'range, third');
});

test.serial('IPv6 and UDP ranges; the same ports under another protocol are a separate rule', (t) => {
  dp.applyLb({
    rules: [
      range([{ address: V6.eps[0] }, { address: V6.eps[1] }, { address: V6.eps[2] }], { vip: V6.vip, port: 1024, portEnd: 2047 }),
      range([{ address: E0 }], { protocol: 'udp' }),
      range([{ address: E1 }, { address: E2 }]),
    ],
  });
  [1024, 2047, 1500, 1025].forEach((dport, i) => {
    const s = syn(5000 + i, dport, { family: 6, src: V6.client, dst: V6.vip });
    expectTc(t, dp, tcp(s), tcp(routed(s, 'backend', { dst: V6.eps[i % 3] })), `IPv6 port ${dport}`);
  });
  for (const [i, dport] of [1023, 2048].entries()) {
    const s = syn(5100 + i, dport, { family: 6, src: V6.client, dst: V6.vip });
    expectTc(t, dp, tcp(s), tcp(routed(s, 'client')), `IPv6 port ${dport}: plain routing`);
  }
  t.is(dp.connections().filter((c) => c.direction === 'original').length, 4, 'ports outside opened no connection');
  expectLb(t, syn(5200, 8050), [E1, 8050], 'tcp range');
  t.deepEqual(
    dp
      .lbRules()
      .map((r) => `${r.protocol} ${r.vip} ${r.port}-${r.portEnd}`)
      .sort(),
    ['tcp 10.0.0.100 8000-8099', 'tcp fd00:100::1 1024-2047', 'udp 10.0.0.100 8000-8099'],
  );
});

test.serial('dp show lb prints the range', (t) => {
  dp.applyLb({ rules: [range([{ address: E0 }])] });
  const out = showLb(
    'lb',
    (n) => dp.map(n),
    (h, rows) => [h, ...rows].map((r) => r.join('|')).join('\n'),
  );
  t.regex(out, /\|tcp 10\.0\.0\.100:8000-8099\|0\|dnat\|rr\|/);
});

const BAD: [string, LbRule[], RegExp][] = [
  [
    'end below start',
    [range([{ address: E0 }], { portEnd: 7999 })],
    /^rules\[0\]\.portEnd: 7999 is below port 8000 \(a range runs from port to portEnd, inclusive\)$/,
  ],
  [
    'range on icmp',
    [range([{ address: E0 }], { protocol: 'icmp', port: 0 })],
    /^rules\[0\]\.portEnd: a port range needs tcp, udp or sctp \(icmp has no ports\)$/,
  ],
  ['end out of range', [range([{ address: E0 }], { portEnd: 70000 })], /^rules\[0\]\.portEnd: expected an integer 1\.\.65535, got 70000$/],
  [
    'overlapping the installed range',
    [range([{ address: E0 }], { port: 8099, portEnd: 8200 })],
    /^rules\[0\]\.portEnd: ports 8099-8200 overlap installed rule \d+ \(ports 8000-8099\); ranges of one VIP, protocol and zone must not share a port$/,
  ],
  [
    'containing the installed range',
    [range([{ address: E0 }], { port: 1, portEnd: 65535 })],
    /^rules\[0\]\.portEnd: ports 1-65535 overlap installed rule \d+ \(ports 8000-8099\)/,
  ],
  [
    'two overlapping ranges in one change',
    [range([{ address: E0 }], { port: 9000, portEnd: 9010 }), range([{ address: E1 }], { port: 9010, portEnd: 9020 })],
    /^rules\[1\]\.portEnd: ports 9010-9020 overlap rules\[0\] \(ports 9000-9010\)/,
  ],
];

for (const [name, rules, message] of BAD) {
  test.serial(`bad input: ${name} -> clear error, no map changed`, (t) => {
    dp.applyLb({ rules: [range([{ address: E0 }, { address: E1 }])] });
    const before = lbState();
    // A valid rule in the same change must not be written either.
    t.throws(() => dp.applyLb({ rules: [...rules, range([{ address: E2 }], { port: 20000, portEnd: 20100 })] }), { message });
    t.is(lbState(), before);
  });
}

test.serial('bad input: removing a range that is not installed names it, nothing changed', (t) => {
  dp.applyLb({ rules: [range([{ address: E0 }])] });
  const before = lbState();
  t.throws(
    () =>
      dp.applyLb({
        remove: [
          { vip: V4.vip, port: 8000, protocol: 'tcp' },
          { vip: V4.vip, port: 8000, portEnd: 8098, protocol: 'tcp' },
        ],
      }),
    { message: /^remove\[0\]: no rule 10\.0\.0\.100 tcp\/8000 zone 0 \(the installed rule is the range 8000-8099: portEnd 8099\)$/ },
  );
  t.throws(
    () =>
      dp.applyLb({
        remove: [
          { vip: V4.vip, port: 8000, portEnd: 8099, protocol: 'tcp' },
          { vip: V4.vip, port: 8000, portEnd: 8098, protocol: 'tcp' },
        ],
      }),
    { message: /^remove\[1\]: no rule 10\.0\.0\.100 tcp\/8000-8098 zone 0 \(the installed rule is the range 8000-8099: portEnd 8099\)$/ },
  );
  t.is(lbState(), before);
});

function rangeEntries(): [number, number, string][] {
  return [...dumpMap(dp.map('lb_range')).entries()]
    .map(([k, v]) => {
      const rk = lbRangeKeyCodec.decode(Buffer.from(k, 'hex'));
      const rule = lbKeyCodec.decode(Buffer.from(v, 'hex'));
      return [rk.port_be, rk.prefixlen - 160, `${rule.port_be}-${rule.port_end_be}`] as [number, number, string];
    })
    .sort((a, b) => a[0] - b[0]);
}

test.serial('removal, replacement and a range change leave exactly the live prefixes', (t) => {
  const eps = [{ address: E0 }, { address: E1 }, { address: E2 }];
  dp.applyLb({ rules: [range(eps)] });
  t.deepEqual(
    rangeEntries(),
    portPrefixes(8000, 8099).map((p) => [p.base, p.len, '8000-8099']),
  );
  expectLb(t, syn(6000, 8010), [E0, 8010], 'first');
  // Same key, new endpoint list: prefixes unchanged, the RR turn continues.
  dp.applyLb({ rules: [range([...eps, { address: E3 }])] });
  t.deepEqual(
    rangeEntries(),
    portPrefixes(8000, 8099).map((p) => [p.base, p.len, '8000-8099']),
  );
  expectLb(t, syn(6001, 8011), [E1, 8011], 'replacement keeps the turn');
  // Another range in place of this one, in one change.
  dp.applyLb({ remove: [{ vip: V4.vip, port: 8000, portEnd: 8099, protocol: 'tcp' }], rules: [range(eps, { port: 8050, portEnd: 8200 })] });
  t.deepEqual(
    rangeEntries(),
    portPrefixes(8050, 8200).map((p) => [p.base, p.len, '8050-8200']),
  );
  t.deepEqual(dp.connections(), [], "the removed rule's connections went with it");
  dp.applyLb({ remove: [{ vip: V4.vip, port: 8050, portEnd: 8200, protocol: 'tcp' }] });
  t.is(dumpMap(dp.map('lb_range')).size, 0, 'lb_range empty');
  t.is(dumpMap(dp.map('lb')).size, 0, 'lb empty');
});

test.serial("a failed write rolls lb_range back exactly (a nested prefix is deleted, not given its cover's value)", (t) => {
  dp.applyLb({ rules: [range([{ address: E0 }])] });
  const before = lbState();
  const cover = dp.map('lb_range').keys()[0]!;
  const nested = Buffer.from(cover);
  nested.writeUInt32LE(160 + 16, 0);
  t.throws(
    () =>
      applyWrites(
        [
          { map: 'lb_range', key: nested, value: Buffer.alloc(24, 0xee), what: 'nested prefix' },
          { map: 'lb', key: Buffer.alloc(3), value: Buffer.alloc(56), what: 'a bad write' },
        ],
        (n) => dp.map(n),
      ),
    { message: /^writing a bad write to map lb failed: .*; every earlier write was rolled back$/ },
  );
  t.is(lbState(), before);
});
