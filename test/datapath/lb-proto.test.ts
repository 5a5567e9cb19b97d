// UDP, SCTP and ICMP echo connection states in test-run mode; fragments following the
// first fragment's NAT; bad LB input refused with nothing written.
import test from 'ava';
import { TC_ACT_REDIRECT, TC_ACT_SHOT } from '../../native/constants.js';
import type { Datapath, LbRule } from '../../src/datapath/index.js';
import { dumpMap } from '../../src/datapath/index.js';
import { type LayerSpec, buildPacket } from '../../src/packet/index.js';
import { CLIENT_MAC, ROUTER_MAC, assertBytes } from './_setup.js';
import { BACKEND_NH_MAC, CLIENT_NH_MAC, OUT_MAC, V4, V6, drop, loadLbDatapath, path, rule, tc, udp } from './_lb.js';

let dp: Datapath;
test.before(() => {
  dp = loadLbDatapath();
  dp.applyLb({
    rules: [
      rule([{ address: V4.eps[0] }], { protocol: 'udp', port: 53 }),
      rule([{ address: V4.eps[0] }], { protocol: 'sctp', port: 36412 }),
      rule([V4.eps[0]], { protocol: 'icmp', port: 0 }),
      rule([V6.eps[0]], { vip: V6.vip, protocol: 'icmp', port: 0 }),
    ],
  });
});
test.after.always(() => dp?.destroy());
test.beforeEach(() => dp.flushConnections());

function states(): string[] {
  return dp
    .connections()
    .map((c) => `${c.direction}:${c.state}`)
    .sort();
}

test.serial('UDP: new, unidirectional after 4 one-way packets, established by a reply, then cached', (t) => {
  const c = { src: V4.client, dst: V4.vip, sport: 5353, dport: 53 };
  tc(dp, udp(c));
  t.deepEqual(states(), ['original:new', 'reply:new']);
  for (let i = 0; i < 4; i++) tc(dp, udp(c));
  t.deepEqual(states(), ['original:unidirectional', 'reply:unidirectional']);
  t.is(dp.flowCache().length, 0, 'not cached before a reply');
  const reply = tc(dp, udp({ src: V4.eps[0], dst: V4.client, sport: 53, dport: 5353, payload: Buffer.from('answer') }));
  assertBytes(
    t,
    reply,
    udp({ src: V4.vip, dst: V4.client, sport: 53, dport: 5353, ttl: 63, macs: [CLIENT_NH_MAC, OUT_MAC], payload: Buffer.from('answer') }),
    'reply NAT',
  );
  t.deepEqual(states(), ['original:established', 'reply:established']);
  const fast = path(dp, 'tc_fast_hit');
  tc(dp, udp(c));
  tc(dp, udp(c));
  t.is(path(dp, 'tc_fast_hit'), fast + 1n, 'installed by the first packet after the reply, fast from the next');
});

function sctp(
  src: string,
  dst: string,
  sport: number,
  dport: number,
  vtag: number,
  chunk: Record<string, unknown>,
  macs: [string, string] = [ROUTER_MAC, CLIENT_MAC],
  ttl = 64,
): Buffer {
  return buildPacket([
    { type: 'eth', dst: macs[0], src: macs[1] },
    { type: 'ipv4', src, dst, ttl, id: 1 },
    { type: 'sctp', sport, dport, vtag, chunks: [chunk] } as unknown as LayerSpec,
  ]);
}

test.serial('SCTP: INIT / INIT-ACK / COOKIE-ECHO / COOKIE-ACK with tags checked, DATA, SHUTDOWN sequence', (t) => {
  const C = (vtag: number, chunk: Record<string, unknown>): Buffer => sctp(V4.client, V4.vip, 5000, 36412, vtag, chunk);
  const S = (vtag: number, chunk: Record<string, unknown>): Buffer => sctp(V4.eps[0], V4.client, 36412, 5000, vtag, chunk);
  const CT = 0xc11e,
    ST = 0x5e7e;
  tc(dp, C(0, { type: 'init', initiateTag: CT, initialTsn: 1 }));
  t.deepEqual(states(), ['original:sctp_init', 'reply:sctp_init']);
  const bad = drop(dp, 'ct_invalid');
  t.is(
    dp.program('fp_tc_entry').testRun({
      data: S(0xbad, { type: 'init-ack', initiateTag: ST, initialTsn: 1, params: [{ type: 'cookie', data: Buffer.alloc(8) }] }),
    }).retval,
    TC_ACT_SHOT,
    'INIT-ACK with a wrong tag',
  );
  t.is(drop(dp, 'ct_invalid'), bad + 1n);
  tc(dp, S(CT, { type: 'init-ack', initiateTag: ST, initialTsn: 1, params: [{ type: 'cookie', data: Buffer.alloc(8) }] }));
  t.deepEqual(states(), ['original:sctp_init_ack', 'reply:sctp_init_ack']);
  tc(dp, C(ST, { type: 'cookie-echo', cookie: Buffer.alloc(8) }));
  t.deepEqual(states(), ['original:sctp_cookie_echo', 'reply:sctp_cookie_echo']);
  tc(dp, S(CT, { type: 'cookie-ack' }));
  t.deepEqual(states(), ['original:established', 'reply:established']);
  const data = C(ST, { type: 'data', tsn: 1, data: Buffer.from('hello') });
  tc(dp, data);
  const fast = path(dp, 'tc_fast_hit');
  const out = tc(dp, data);
  t.is(path(dp, 'tc_fast_hit'), fast + 1n, 'established SCTP takes the fast path');
  assertBytes(
    t,
    out,
    sctp(V4.client, V4.eps[0], 5000, 36412, ST, { type: 'data', tsn: 1, data: Buffer.from('hello') }, [BACKEND_NH_MAC, OUT_MAC], 63),
    'DATA',
  );
  t.is(
    dp.program('fp_tc_entry').testRun({ data: C(0x1234, { type: 'data', tsn: 2, data: Buffer.from('x') }) }).retval,
    TC_ACT_SHOT,
    'wrong vtag on the slow path',
  );
  tc(dp, C(ST, { type: 'shutdown', cumTsnAck: 0 }));
  t.deepEqual(states(), ['original:sctp_shutdown', 'reply:sctp_shutdown']);
  tc(dp, S(CT, { type: 'shutdown-ack' }));
  t.deepEqual(states(), ['original:sctp_shutdown_ack', 'reply:sctp_shutdown_ack']);
  tc(dp, C(ST, { type: 'shutdown-complete' }));
  t.deepEqual(states(), []);
  t.deepEqual(dp.flowCache(), []);
});

test.serial('SCTP: ABORT deletes the connection', (t) => {
  tc(dp, sctp(V4.client, V4.vip, 5001, 36412, 0, { type: 'init', initiateTag: 9, initialTsn: 1 }));
  t.is(states().length, 2);
  tc(dp, sctp(V4.eps[0], V4.client, 36412, 5001, 9, { type: 'abort' }));
  t.deepEqual(states(), []);
});

function echo(
  family: 4 | 6,
  src: string,
  dst: string,
  type: 'request' | 'reply',
  ttl = 64,
  macs: [string, string] = [ROUTER_MAC, CLIENT_MAC],
): Buffer {
  const l3: LayerSpec = family === 4 ? { type: 'ipv4', src, dst, ttl, id: 3 } : { type: 'ipv6', src, dst, hopLimit: ttl };
  const l4: LayerSpec =
    family === 4
      ? { type: 'icmp', icmpType: type === 'request' ? 8 : 0, id: 77, seq: 1 }
      : { type: 'icmpv6', icmpType: type === 'request' ? 128 : 129, id: 77, seq: 1 };
  return buildPacket([{ type: 'eth', dst: macs[0], src: macs[1] }, l3, l4, { type: 'payload', data: Buffer.from('ping') }]);
}

for (const family of [4, 6] as const) {
  test.serial(`ICMP echo IPv${family}: request DNAT, reply translated back, established`, (t) => {
    const A = family === 4 ? V4 : V6;
    assertBytes(
      t,
      tc(dp, echo(family, A.client, A.vip, 'request')),
      echo(family, A.client, A.eps[0], 'request', 63, [BACKEND_NH_MAC, OUT_MAC]),
      'request',
    );
    t.deepEqual(states(), ['original:new', 'reply:new']);
    assertBytes(
      t,
      tc(dp, echo(family, A.eps[0], A.client, 'reply')),
      echo(family, A.vip, A.client, 'reply', 63, [CLIENT_NH_MAC, OUT_MAC]),
      'reply',
    );
    t.deepEqual(states(), ['original:established', 'reply:established']);
  });
}

test.serial("fragments: later fragments (no ports) follow the first fragment's NAT", (t) => {
  const whole = Buffer.alloc(64, 0x61);
  const frag = (dst: string, first: boolean, ttl = 64, macs: [string, string] = [ROUTER_MAC, CLIENT_MAC], dport = 53): Buffer =>
    buildPacket([
      { type: 'eth', dst: macs[0], src: macs[1] },
      { type: 'ipv4', src: V4.client, dst, ttl, id: 0x7777, protocol: 17, flags: { mf: first }, fragOffset: first ? 0 : 4 },
      ...(first
        ? [
            { type: 'udp', sport: 6000, dport, udpLength: 8 + 32 + 64 } as LayerSpec,
            { type: 'payload', data: whole.subarray(0, 24) } as LayerSpec,
          ]
        : [{ type: 'payload', data: whole } as LayerSpec]),
    ]);
  const out1 = tc(dp, frag(V4.vip, true));
  assertBytes(t, out1, frag(V4.eps[0], true, 63, [BACKEND_NH_MAC, OUT_MAC]), 'first fragment DNAT');
  const out2 = tc(dp, frag(V4.vip, false));
  assertBytes(t, out2, frag(V4.eps[0], false, 63, [BACKEND_NH_MAC, OUT_MAC]), 'later fragment: same address translation');
});

function lbState(): string {
  return ['lb', 'lb_ep', 'lb_tbl', 'lb_sess', 'ct', 'fc', 'cfg']
    .map((m) => `${m}:${[...dumpMap(dp.map(m)).entries()].join(';')}`)
    .join('\n');
}

const BAD: [string, LbRule, RegExp][] = [
  ['no endpoints', rule([]), /^rules\[0\]\.endpoints: a rule needs at least one endpoint/],
  ['wrong family', rule([V4.eps[0], V6.eps[1]]), /^rules\[0\]\.endpoints\[1\]\.address: IPv6 address/],
  ['too many', rule(Array.from({ length: 65 }, (_, i) => `10.2.1.${i + 1}`)), /^rules\[0\]\.endpoints: 65 endpoints, the map holds 64/],
  [
    'all weights zero',
    rule([
      { address: V4.eps[0], weight: 0 },
      { address: V4.eps[1], weight: 0 },
    ]),
    /^rules\[0\]\.endpoints\[\*\]\.weight: every weight is 0/,
  ],
  ['duplicate endpoint', rule([V4.eps[0], V4.eps[1], V4.eps[0]]), /^rules\[0\]\.endpoints\[2\]: duplicate of rules\[0\]\.endpoints\[0\]/],
  ['one-arm without address', rule([V4.eps[0]], { mode: 'onearm' }), /^rules\[0\]\.snatAddress: mode onearm needs/],
  ['bad protocol', rule([V4.eps[0]], { protocol: 'gre' as never }), /^rules\[0\]\.protocol: expected one of/],
];

for (const [name, bad, message] of BAD) {
  test.serial(`bad input: ${name} -> clear error, no map touched`, (t) => {
    const before = lbState();
    // A valid rule in the same change must not be written either.
    t.throws(() => dp.applyLb({ rules: [bad, rule([V4.eps[2]], { port: 8443 })] }), { message });
    t.is(lbState(), before);
  });
}

test.serial('64 endpoints in one rule are accepted (IPv6)', (t) => {
  dp.applyLb({
    rules: [
      rule(
        Array.from({ length: 64 }, (_, i) => `fd00:2::${(i + 1).toString(16)}`),
        { vip: V6.vip, port: 443, algorithm: 'maglev' },
      ),
    ],
  });
  t.is(dp.lbRules().find((r) => r.port === 443)?.endpoints.length, 64);
  const r = dp.program('fp_tc_entry').testRun({
    data: buildPacket([
      { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC },
      { type: 'ipv6', src: V6.client, dst: V6.vip },
      { type: 'tcp', sport: 1, dport: 443, flags: { syn: true } },
    ]),
  });
  t.is(r.retval, TC_ACT_REDIRECT);
  dp.applyLb({ remove: [{ vip: V6.vip, port: 443, protocol: 'tcp' }] });
});

test.serial("IPv6 fragments: later fragments follow the first fragment's NAT by fragment id", (t) => {
  dp.applyLb({ rules: [rule([{ address: V6.eps[0] }], { vip: V6.vip, protocol: 'udp', port: 53 })] });
  try {
    const whole = Buffer.alloc(64, 0x62);
    const frag = (dst: string, first: boolean, hop = 64, macs: [string, string] = [ROUTER_MAC, CLIENT_MAC]): Buffer =>
      buildPacket([
        { type: 'eth', dst: macs[0], src: macs[1] },
        {
          type: 'ipv6',
          src: V6.client,
          dst,
          hopLimit: hop,
          extensions: [{ type: 'fragment', nextHeader: 17, fragOffset: first ? 0 : 4, mf: first, id: 0xabcdef }],
        },
        ...(first
          ? [
              { type: 'udp', sport: 6001, dport: 53, udpLength: 8 + 24 + 64 } as LayerSpec,
              { type: 'payload', data: whole.subarray(0, 24) } as LayerSpec,
            ]
          : [{ type: 'payload', data: whole } as LayerSpec]),
      ] as LayerSpec[]);
    assertBytes(t, tc(dp, frag(V6.vip, true)), frag(V6.eps[0], true, 63, [BACKEND_NH_MAC, OUT_MAC]), 'first fragment DNAT');
    assertBytes(t, tc(dp, frag(V6.vip, false)), frag(V6.eps[0], false, 63, [BACKEND_NH_MAC, OUT_MAC]), 'later fragment: same translation');
  } finally {
    dp.applyLb({ remove: [{ vip: V6.vip, port: 53, protocol: 'udp' }] });
  }
});
