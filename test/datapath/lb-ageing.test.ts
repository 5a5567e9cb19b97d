// Ageing: CT stamps are the kernel's monotonic clock (bpf_ktime_get_ns), the sweeper
// applies per-state timeouts, counts fast-path activity by hit counts that move between
// sweeps, removes both directions and their cache entries, and gives the endpoint's
// session back. Bad timeouts are refused naming the field.
import test from 'ava';
import { type Datapath, DEFAULT_CT_TIMEOUTS, monotonicNs } from '../../src/datapath/index.js';
import { V4, loadLbDatapath, path, rule, tcp, type Seg } from './_lb.js';

let dp: Datapath;
test.before(() => {
  dp = loadLbDatapath();
  dp.applyLb({ rules: [rule([V4.eps[0]])] });
});
test.after.always(() => dp?.destroy());

const MS = 1_000_000n;

test.serial('per-state timeouts on kernel timestamps; fast-path hits keep a connection alive; expiry removes everything', (t) => {
  const c: Seg = { src: V4.client, dst: V4.vip, sport: 46000, dport: 80 };
  const s: Seg = { src: V4.eps[0], dst: V4.client, sport: 8080, dport: 46000 };
  const t0 = monotonicNs();
  dp.program('fp_tc_entry').testRun({ data: tcp({ ...c, flags: 'S', seq: 1 }) });
  dp.program('fp_tc_entry').testRun({ data: tcp({ ...s, flags: 'SA', seq: 9, ack: 2 }) });
  dp.program('fp_tc_entry').testRun({ data: tcp({ ...c, flags: 'A', seq: 2, ack: 10 }) });
  const t1 = monotonicNs();
  const seen = dp.connections().map((x) => x.seenNs);
  // The coarse clock is CLOCK_MONOTONIC as of the last tick: at most 1/HZ (<= 10 ms) behind.
  t.true(
    seen.every((n) => n >= t0 - 10n * MS && n <= t1),
    `stamps are CLOCK_MONOTONIC ns as of the last tick (hrtime ${t0}..${t1}, stamps ${seen.join(', ')})`,
  );

  const timeouts = { ...DEFAULT_CT_TIMEOUTS, tcpEstablishedMs: 1000 };
  const sweeper = dp.sweeper(timeouts, 3_600_000);
  try {
    const base = t1;
    t.deepEqual(sweeper.sweep(base + 500n * MS), { expired: 0, remaining: 1 });
    const data = tcp({ ...c, flags: 'PA', seq: 2, ack: 10, payload: Buffer.from('keep me') });
    const fast = path(dp, 'tc_fast_hit');
    dp.program('fp_tc_entry').testRun({ data });
    t.is(path(dp, 'tc_fast_hit'), fast + 1n);
    t.deepEqual(sweeper.sweep(base + 900n * MS), { expired: 0, remaining: 1 }, 'hits moved: active at this sweep');
    t.deepEqual(sweeper.sweep(base + 1800n * MS), { expired: 0, remaining: 1 }, '900 ms idle < 1000 ms');
    t.is(dp.lbRules()[0]!.endpoints[0]!.sessions, 1);
    t.deepEqual(sweeper.sweep(base + 2000n * MS), { expired: 1, remaining: 0 }, '1100 ms idle: expired');
    t.deepEqual(dp.connections(), []);
    t.deepEqual(dp.flowCache(), []);
    t.is(dp.lbRules()[0]!.endpoints[0]!.sessions, 0, 'ageing gives the session back');
  } finally {
    sweeper.stop();
  }
});

test.serial('handshake states use the handshake timeout', (t) => {
  dp.program('fp_tc_entry').testRun({ data: tcp({ src: V4.client, dst: V4.vip, sport: 46001, dport: 80, flags: 'S', seq: 1 }) });
  const now = monotonicNs();
  t.deepEqual(dp.ageConnections({ ...DEFAULT_CT_TIMEOUTS, tcpHandshakeMs: 5000 }, now + 4000n * MS), { expired: 0, remaining: 1 });
  t.deepEqual(dp.ageConnections({ ...DEFAULT_CT_TIMEOUTS, tcpHandshakeMs: 5000 }, now + 6000n * MS), { expired: 1, remaining: 0 });
});

test.serial('bad timeouts are refused naming the field', (t) => {
  t.throws(() => dp.ageConnections({ ...DEFAULT_CT_TIMEOUTS, udpMs: -1 }), { message: /^timeouts\.udpMs: expected an integer/ });
  t.throws(() => dp.sweeper({ ...DEFAULT_CT_TIMEOUTS, icmpMs: 1.5 }), { message: /^timeouts\.icmpMs: expected an integer/ });
});
