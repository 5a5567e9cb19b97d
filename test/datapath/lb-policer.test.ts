// A policer attached to an LB rule, in test-run mode with frozen buckets: exact colours,
// counters and tokens on a new flow (slow path), on the packet that installs the flow
// cache and on fast-path hits (TC and XDP); replies are not charged; bad references are
// refused with nothing applied.
import test from 'ava';
import { TC_ACT_REDIRECT, TC_ACT_SHOT, XDP_DROP, XDP_REDIRECT } from '../../native/constants.js';
import { type Datapath, codecs } from '../../src/datapath/index.js';
import { setPolicerState } from '../../src/datapath/policer.js';
import { readPolicers } from '../../src/datapath/policer.js';
import { parseIpv4 } from '../../src/packet/index.js';
import { assertBytes } from './_setup.js';
import { V4, expectTc, loadLbDatapath, path, routed, rule, udp } from './_lb.js';

const FROZEN = 2n ** 62n;
const EP = V4.eps[1];
/** 372 bytes of payload: IP total length 400. */
const PAYLOAD = Buffer.alloc(372, 0x5a);

let dp: Datapath;

test.before(() => {
  dp = loadLbDatapath();
  dp.apply({ policers: [{ id: 1, mode: 'trtcm', cir: 1000, cbs: 1000, pir: 2000, pbs: 2000 }] });
});
test.after.always(() => dp?.destroy());

function counters(): [bigint, bigint][] {
  const p = readPolicers(dp.map('pol'), dp.map('stats_pol')).find((x) => x.id === 1);
  if (p === undefined) throw new Error('policer 1 missing');
  const c = p.counters;
  return [
    [c.green.packets, c.green.bytes],
    [c.yellow.packets, c.yellow.bytes],
    [c.red.packets, c.red.bytes],
  ];
}

function tokens(): [bigint, bigint] {
  const p = readPolicers(dp.map('pol'), dp.map('stats_pol')).find((x) => x.id === 1);
  if (p === undefined) throw new Error('policer 1 missing');
  return [p.cTokens, p.eTokens];
}

function sub(a: [bigint, bigint][], b: [bigint, bigint][]): [bigint, bigint][] {
  return a.map(([p, by], i) => [p - b[i]![0], by - b[i]![1]]);
}

function fcKey(sport: number): Buffer {
  return codecs.flowKeyCodec.encode({
    saddr: Buffer.concat([parseIpv4(V4.client), Buffer.alloc(12)]),
    daddr: Buffer.concat([parseIpv4(V4.vip), Buffer.alloc(12)]),
    sport_be: sport,
    dport_be: 80,
    zone: 0,
    proto: 17,
    family: 4,
  });
}

test.serial('new flow, cache install and fast-path hits are policed by the rule policer: exact colours and counters', (t) => {
  dp.flushConnections();
  dp.applyLb({ rules: [rule([EP], { protocol: 'udp', policer: 1 })] });
  t.is(dp.lbRules()[0]!.policer, 1);
  setPolicerState(dp.map('pol'), 1, { cTokens: 800n, eTokens: 1600n, lastNs: FROZEN });
  const before = counters();
  const client = { src: V4.client, dst: V4.vip, sport: 41000, dport: 80, payload: PAYLOAD };
  const toEp = udp(routed(client, 'backend', { dst: EP, dport: 8080 }));

  // 1: new flow (slow path, CT created): green.
  expectTc(t, dp, udp(client), toEp, 'new flow, green');
  t.deepEqual(tokens(), [400n, 1200n]);
  // The endpoint's reply: not charged.
  const reply = { src: EP, dst: V4.client, sport: 8080, dport: 41000, payload: PAYLOAD };
  expectTc(t, dp, udp(reply), udp(routed(reply, 'client', { src: V4.vip, sport: 80 })), 'reply');
  t.deepEqual(tokens(), [400n, 1200n]);
  // 2: established, slow path installs the flow cache carrying the policer: green.
  const installs = path(dp, 'fc_install');
  expectTc(t, dp, udp(client), toEp, 'cache install, green');
  t.is(path(dp, 'fc_install'), installs + 1n);
  const fc = dp.map('fc').lookup(fcKey(41000));
  t.not(fc, null);
  t.is(codecs.fcCodec.decode(fc!).policer, 1);
  t.deepEqual(tokens(), [0n, 800n]);

  // 3: TC fast-path hit: yellow (passes). 4: XDP fast-path hit: yellow. 5, 6: red in TC and XDP.
  const hits = path(dp, 'tc_fast_hit');
  const xhits = path(dp, 'xdp_fast_hit');
  expectTc(t, dp, udp(client), toEp, 'fast hit, yellow');
  t.is(path(dp, 'tc_fast_hit'), hits + 1n);
  const x = dp.program('fp_xdp_entry').testRun({ data: udp(client) });
  t.is(x.retval, XDP_REDIRECT, 'XDP fast hit, yellow');
  assertBytes(t, x.data, toEp, 'XDP fast hit bytes');
  t.is(path(dp, 'xdp_fast_hit'), xhits + 1n);
  t.deepEqual(tokens(), [0n, 0n]);
  t.is(dp.program('fp_tc_entry').testRun({ data: udp(client) }).retval, TC_ACT_SHOT, 'red in TC');
  t.is(dp.program('fp_xdp_entry').testRun({ data: udp(client) }).retval, XDP_DROP, 'red in XDP');
  t.is(path(dp, 'tc_fast_hit'), hits + 1n, 'a red packet is not a forwarded hit');
  t.is(path(dp, 'xdp_fast_hit'), xhits + 1n);
  t.deepEqual(sub(counters(), before), [
    [2n, 800n],
    [2n, 800n],
    [2n, 800n],
  ]);
});

test.serial('a red first packet of a new flow is dropped and counted', (t) => {
  dp.flushConnections();
  dp.applyLb({ rules: [rule([EP], { protocol: 'udp', policer: 1 })] });
  setPolicerState(dp.map('pol'), 1, { cTokens: 0n, eTokens: 399n, lastNs: FROZEN });
  const before = counters();
  const client = { src: V4.client, dst: V4.vip, sport: 41001, dport: 80, payload: PAYLOAD };
  t.is(dp.program('fp_tc_entry').testRun({ data: udp(client) }).retval, TC_ACT_SHOT);
  t.deepEqual(sub(counters(), before), [
    [0n, 0n],
    [0n, 0n],
    [1n, 400n],
  ]);
  t.deepEqual(tokens(), [0n, 399n]);
});

test.serial('open connections follow a rule policer change; no policer = not charged', (t) => {
  dp.flushConnections();
  dp.applyLb({ rules: [rule([EP], { protocol: 'udp', policer: 1 })] });
  setPolicerState(dp.map('pol'), 1, { cTokens: 0n, eTokens: 0n, lastNs: FROZEN });
  const client = { src: V4.client, dst: V4.vip, sport: 41002, dport: 80, payload: PAYLOAD };
  const toEp = udp(routed(client, 'backend', { dst: EP, dport: 8080 }));
  t.is(dp.program('fp_tc_entry').testRun({ data: udp(client) }).retval, TC_ACT_SHOT, 'policed: red');
  dp.applyLb({ rules: [rule([EP], { protocol: 'udp' })] });
  t.is(dp.lbRules()[0]!.policer, 0);
  const before = counters();
  expectTc(
    t,
    dp,
    udp({ ...client, sport: 41003 }),
    udp(routed({ ...client, sport: 41003 }, 'backend', { dst: EP, dport: 8080 })),
    'new flow, unpoliced',
  );
  const r = dp.program('fp_tc_entry').testRun({ data: udp(client) });
  t.is(r.retval, TC_ACT_REDIRECT, 'open connection, policer removed from its rule');
  assertBytes(t, r.data, toEp, 'open connection bytes');
  t.deepEqual(counters(), before);
});

test.serial('bad references: unknown policer id, removing a policer a rule uses; nothing applied', (t) => {
  dp.flushConnections();
  dp.applyLb({ rules: [rule([EP], { protocol: 'udp', policer: 1 })] });
  const lbBefore = JSON.stringify(dp.lbRules());
  t.throws(() => dp.applyLb({ rules: [rule([EP], { protocol: 'udp', policer: 0 }), rule([EP], { protocol: 'tcp', policer: 77 })] }), {
    message: 'rules[1].policer: policer 77 is not configured',
  });
  t.throws(() => dp.applyLb({ rules: [rule([EP], { protocol: 'tcp', policer: 4096 })] }), { message: /^rules\[0\]\.policer: / });
  t.is(JSON.stringify(dp.lbRules()), lbBefore);
  t.throws(() => dp.apply({ remove: { policers: [1] } }), { message: /^remove\.policers: policer 1 is still used by LB rule \d+$/ });
  t.true(readPolicers(dp.map('pol'), dp.map('stats_pol')).some((p) => p.id === 1));
});
