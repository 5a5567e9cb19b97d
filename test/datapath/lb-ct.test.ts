// Connection tracking and DNAT in test-run mode, exact bytes: the TCP lifecycle through
// the CT stage (states from the CT dump, slow then fast by the counters, entries gone
// after the close), invalid packets, the flow-cache invalidation by generation, and the
// differential check fast path == slow path (TC and XDP).
import test from 'ava';
import { TC_ACT_REDIRECT, TC_ACT_SHOT, XDP_REDIRECT } from '../../native/constants.js';
import type { Datapath } from '../../src/datapath/index.js';
import { type LayerSpec, buildPacket } from '../../src/packet/index.js';
import { assertBytes } from './_setup.js';
import {
  BACKEND_NH_MAC,
  CLIENT_NH_MAC,
  OUT_MAC,
  V4,
  V6,
  drop,
  expectTc,
  loadLbDatapath,
  path,
  routed,
  rule,
  tcp,
  type Seg,
} from './_lb.js';

let dp: Datapath;

test.before(() => {
  dp = loadLbDatapath();
  dp.applyLb({ rules: [rule([V4.eps[0]]), rule([V6.eps[0]], { vip: V6.vip })] });
});
test.after.always(() => dp?.destroy());
test.beforeEach(() => dp.flushConnections());

function states(): string[] {
  return dp
    .connections()
    .map((c) => `${c.direction}:${c.state}`)
    .sort();
}

function lifecycle(t: import('ava').ExecutionContext, family: 4 | 6): void {
  const A = family === 4 ? V4 : V6;
  const c: Seg = { family, src: A.client, dst: A.vip, sport: 40000, dport: 80 };
  const s: Seg = { family, src: A.eps[0], dst: A.client, sport: 8080, dport: 40000, macs: ['02:00:00:00:00:01', '02:00:00:00:00:bb'] };
  const toBackend = (x: Seg): Seg => routed(x, 'backend', { dst: A.eps[0], dport: 8080 });
  const toClient = (x: Seg): Seg => routed(x, 'client', { src: A.vip, sport: 80 });

  const syn = { ...c, flags: 'S', seq: 100 };
  expectTc(t, dp, tcp(syn), tcp(toBackend(syn)), 'SYN DNAT');
  t.deepEqual(states(), ['original:syn_sent', 'reply:syn_sent']);

  const synAck = { ...s, flags: 'SA', seq: 500, ack: 101 };
  expectTc(t, dp, tcp(synAck), tcp(toClient(synAck)), 'SYN-ACK reverse NAT');
  t.deepEqual(states(), ['original:syn_recv', 'reply:syn_recv']);

  const installs = path(dp, 'fc_install');
  const ack = { ...c, flags: 'A', seq: 101, ack: 501 };
  expectTc(t, dp, tcp(ack), tcp(toBackend(ack)), 'ACK');
  t.deepEqual(states(), ['original:established', 'reply:established']);
  t.is(path(dp, 'fc_install'), installs + 1n, 'the ACK that establishes installs the cache entry');

  const fast = path(dp, 'tc_fast_hit');
  const data = { ...c, flags: 'PA', seq: 101, ack: 501, payload: Buffer.from('GET / HTTP/1.0\r\n\r\n') };
  expectTc(t, dp, tcp(data), tcp(toBackend(data)), 'data on the fast path');
  t.is(path(dp, 'tc_fast_hit'), fast + 1n, 'fast hit');

  const slow = path(dp, 'tc_slow');
  const resp = { ...s, flags: 'PA', seq: 501, ack: 119, payload: Buffer.from('HTTP/1.0 200 OK\r\n\r\n') };
  expectTc(t, dp, tcp(resp), tcp(toClient(resp)), 'first reply data: slow, installs');
  t.is(path(dp, 'tc_slow'), slow + 1n);
  expectTc(t, dp, tcp(resp), tcp(toClient(resp)), 'second reply data: fast');
  t.is(path(dp, 'tc_fast_hit'), fast + 2n);
  t.is(dp.flowCache().length, 2, 'one cache entry per direction');

  const retire = path(dp, 'fc_retire');
  const fin = { ...c, flags: 'FA', seq: 119, ack: 520 };
  expectTc(t, dp, tcp(fin), tcp(toBackend(fin)), 'client FIN');
  t.is(path(dp, 'fc_retire'), retire + 1n, "FIN retires its direction's cache entry");
  t.deepEqual(states(), ['original:fin_wait', 'reply:fin_wait']);
  const finAck = { ...s, flags: 'FA', seq: 520, ack: 120 };
  expectTc(t, dp, tcp(finAck), tcp(toClient(finAck)), 'server FIN-ACK');
  t.deepEqual(states(), ['original:closing', 'reply:closing']);
  const last = { ...c, flags: 'A', seq: 120, ack: 521 };
  const closed = path(dp, 'ct_close');
  expectTc(t, dp, tcp(last), tcp(toBackend(last)), 'last ACK');
  t.is(path(dp, 'ct_close'), closed + 1n);
  t.deepEqual(states(), [], 'both CT entries gone');
  t.deepEqual(dp.flowCache(), [], 'both cache entries gone');
  t.is(dp.lbRules().find((r) => r.vip === A.vip)?.endpoints[0]!.sessions, 0, 'session count back to 0');
}

test.serial('TCP lifecycle IPv4: states, slow then fast, entries gone after the close', (t) => lifecycle(t, 4));
test.serial('TCP lifecycle IPv6: states, slow then fast, entries gone after the close', (t) => lifecycle(t, 6));

test.serial('SYN-ACK with the wrong ack number is dropped (ct_invalid); RST closes', (t) => {
  const c: Seg = { src: V4.client, dst: V4.vip, sport: 41000, dport: 80 };
  const s: Seg = { src: V4.eps[0], dst: V4.client, sport: 8080, dport: 41000 };
  dp.program('fp_tc_entry').testRun({ data: tcp({ ...c, flags: 'S', seq: 7 }) });
  const before = drop(dp, 'ct_invalid');
  const r = dp.program('fp_tc_entry').testRun({ data: tcp({ ...s, flags: 'SA', seq: 1, ack: 9 }) });
  t.is(r.retval, TC_ACT_SHOT);
  t.is(drop(dp, 'ct_invalid'), before + 1n);
  t.deepEqual(states(), ['original:syn_sent', 'reply:syn_sent'], 'state unchanged');
  t.is(dp.program('fp_tc_entry').testRun({ data: tcp({ ...s, flags: 'R', seq: 1, ack: 8 }) }).retval, TC_ACT_REDIRECT);
  t.deepEqual(states(), [], 'RST deletes both entries');
});

test.serial('mid-stream packet of an unknown flow is picked up as established', (t) => {
  const c: Seg = { src: V4.client, dst: V4.vip, sport: 42000, dport: 80, flags: 'PA', seq: 5000, ack: 6000, payload: Buffer.from('x') };
  expectTc(t, dp, tcp(c), tcp(routed(c, 'backend', { dst: V4.eps[0], dport: 8080 })), 'picked up');
  const conns = dp.connections();
  t.deepEqual(conns.map((x) => `${x.direction}:${x.state}:${x.flags.join(',')}`).sort(), [
    'original:established:dnat,pickup',
    'reply:established:snat',
  ]);
});

test.serial('a config change invalidates cached flows: next packet slow, re-cached with the new next hop', (t) => {
  const c: Seg = { src: V4.client, dst: V4.vip, sport: 43000, dport: 80 };
  const s: Seg = { src: V4.eps[0], dst: V4.client, sport: 8080, dport: 43000 };
  dp.program('fp_tc_entry').testRun({ data: tcp({ ...c, flags: 'S', seq: 1 }) });
  dp.program('fp_tc_entry').testRun({ data: tcp({ ...s, flags: 'SA', seq: 9, ack: 2 }) });
  dp.program('fp_tc_entry').testRun({ data: tcp({ ...c, flags: 'A', seq: 2, ack: 10 }) });
  const data = { ...c, flags: 'PA', seq: 2, ack: 10, payload: Buffer.from('abc') };
  const fast = path(dp, 'tc_fast_hit');
  expectTc(t, dp, tcp(data), tcp(routed(data, 'backend', { dst: V4.eps[0], dport: 8080 })), 'cached');
  t.is(path(dp, 'tc_fast_hit'), fast + 1n);

  const NEW_MAC = '02:00:00:00:01:99';
  dp.apply({ nextHops: [{ id: 1, mac: NEW_MAC, srcMac: OUT_MAC, ifname: 'lo' }] });
  const stale = path(dp, 'fc_stale');
  const slow = path(dp, 'tc_slow');
  const want = tcp({ ...routed(data, 'backend', { dst: V4.eps[0], dport: 8080 }), macs: [NEW_MAC, OUT_MAC] });
  expectTc(t, dp, tcp(data), want, 'after the change: slow path, new MAC');
  t.is(path(dp, 'fc_stale'), stale + 1n, 'counted as an invalidation');
  t.is(path(dp, 'tc_slow'), slow + 1n);
  expectTc(t, dp, tcp(data), want, 're-cached: fast path, new MAC');
  t.is(path(dp, 'tc_fast_hit'), fast + 2n);
  dp.apply({ nextHops: [{ id: 1, mac: BACKEND_NH_MAC, srcMac: OUT_MAC, ifname: 'lo' }] });
});

test.serial("differential: the fast path (TC and XDP) gives exactly the slow path's bytes and verdict", (t) => {
  for (const family of [4, 6] as const) {
    const A = family === 4 ? V4 : V6;
    for (const [i, dir] of (['original', 'reply'] as const).entries()) {
      dp.flushConnections();
      const c: Seg = { family, src: A.client, dst: A.vip, sport: 44000 + i, dport: 80 };
      const s: Seg = { family, src: A.eps[0], dst: A.client, sport: 8080, dport: 44000 + i };
      dp.program('fp_tc_entry').testRun({ data: tcp({ ...c, flags: 'S', seq: 1 }) });
      dp.program('fp_tc_entry').testRun({ data: tcp({ ...s, flags: 'SA', seq: 9, ack: 2 }) });
      dp.program('fp_tc_entry').testRun({ data: tcp({ ...c, flags: 'A', seq: 2, ack: 10 }) });
      const seg =
        dir === 'original'
          ? { ...c, flags: 'PA', seq: 2, ack: 10, payload: Buffer.from('ping') }
          : { ...s, flags: 'PA', seq: 10, ack: 6, payload: Buffer.from('pong') };
      const slow = dp.program('fp_tc_entry').testRun({ data: tcp(seg) });
      const fastBefore = path(dp, 'tc_fast_hit');
      const fast = dp.program('fp_tc_entry').testRun({ data: tcp(seg) });
      t.is(path(dp, 'tc_fast_hit'), fastBefore + 1n, `IPv${family} ${dir}: second packet fast`);
      t.is(fast.retval, slow.retval);
      assertBytes(t, fast.data, slow.data!, `IPv${family} ${dir}: TC fast == slow`);
      const xdpBefore = path(dp, 'xdp_fast_hit');
      const x = dp.program('fp_xdp_entry').testRun({ data: tcp(seg) });
      t.is(x.retval, XDP_REDIRECT);
      t.is(path(dp, 'xdp_fast_hit'), xdpBefore + 1n);
      assertBytes(t, x.data, slow.data!, `IPv${family} ${dir}: XDP fast == TC slow`);
    }
  }
});

// An ICMP error quoting a packet of a tracked connection, as the datapath receives it
// and as the peer must get it: outer addresses and the quoted header translated, every
// checksum (outer IPv4, quoted IPv4 and TCP, ICMP / ICMPv6) rebuilt by the builder.
function icmpError(family: 4 | 6, outer: [string, string], inner: Seg, ttl: number, macs: [string, string]): Buffer {
  const quoted = buildPacket([
    family === 4
      ? { type: 'ipv4', src: inner.src, dst: inner.dst, ttl: 50, id: 9 }
      : { type: 'ipv6', src: inner.src, dst: inner.dst, hopLimit: 50 },
    { type: 'tcp', sport: inner.sport, dport: inner.dport, seq: 77, ack: 0, flags: { syn: true } },
  ] as LayerSpec[]);
  return buildPacket([
    { type: 'eth', dst: macs[0], src: macs[1] },
    family === 4
      ? { type: 'ipv4', src: outer[0], dst: outer[1], ttl, id: 5 }
      : { type: 'ipv6', src: outer[0], dst: outer[1], hopLimit: ttl },
    family === 4 ? { type: 'icmp', icmpType: 3, code: 1, rest: 0 } : { type: 'icmpv6', icmpType: 1, code: 3, rest: 0 },
    { type: 'payload', data: quoted },
  ] as LayerSpec[]);
}

for (const family of [4, 6] as const) {
  test.serial(`ICMP errors about a tracked connection are translated back with their quoted header (IPv${family})`, (t) => {
    const A = family === 4 ? V4 : V6;
    const router = family === 4 ? '10.1.0.254' : 'fd00:1::fe';
    const c: Seg = { family, src: A.client, dst: A.vip, sport: 45000, dport: 80 };
    dp.program('fp_tc_entry').testRun({ data: tcp({ ...c, flags: 'S', seq: 1 }) });
    const IN: [string, string] = ['02:00:00:00:00:01', '02:00:00:00:00:cc'];
    const before = path(dp, 'icmp_err_nat');
    // A router near the client cannot deliver a reply (VIP:80 -> client): to the backend,
    // quoting the reply as the backend sent it.
    expectTc(
      t,
      dp,
      icmpError(family, [router, A.vip], { family, src: A.vip, dst: A.client, sport: 80, dport: 45000 }, 64, IN),
      icmpError(family, [router, A.eps[0]], { family, src: A.eps[0], dst: A.client, sport: 8080, dport: 45000 }, 63, [
        BACKEND_NH_MAC,
        OUT_MAC,
      ]),
      'client-side error -> backend',
    );
    // The backend refuses the forwarded packet (client -> ep:8080): to the client, from
    // the VIP, quoting the packet as the client sent it.
    expectTc(
      t,
      dp,
      icmpError(family, [A.eps[0], A.client], { family, src: A.client, dst: A.eps[0], sport: 45000, dport: 8080 }, 64, IN),
      icmpError(family, [A.vip, A.client], { family, src: A.client, dst: A.vip, sport: 45000, dport: 80 }, 63, [CLIENT_NH_MAC, OUT_MAC]),
      'backend-side error -> client',
    );
    t.is(path(dp, 'icmp_err_nat'), before + 2n);
  });
}

test.serial('TCP close started by the server: FIN from the reply side first, entries gone after the last ACK', (t) => {
  const c: Seg = { src: V4.client, dst: V4.vip, sport: 47000, dport: 80 };
  const s: Seg = { src: V4.eps[0], dst: V4.client, sport: 8080, dport: 47000 };
  const run = (x: Seg): void => void dp.program('fp_tc_entry').testRun({ data: tcp(x) });
  run({ ...c, flags: 'S', seq: 10 });
  run({ ...s, flags: 'SA', seq: 70, ack: 11 });
  run({ ...c, flags: 'A', seq: 11, ack: 71 });
  run({ ...s, flags: 'FA', seq: 71, ack: 11 });
  t.deepEqual(states(), ['original:fin_wait', 'reply:fin_wait']);
  run({ ...c, flags: 'A', seq: 11, ack: 72 });
  t.deepEqual(states(), ['original:fin_wait', 'reply:fin_wait'], "half closed: the server's FIN acked");
  run({ ...c, flags: 'FA', seq: 11, ack: 72 });
  t.deepEqual(states(), ['original:closing', 'reply:closing']);
  run({ ...s, flags: 'A', seq: 72, ack: 12 });
  t.deepEqual(states(), []);
});

test.serial("DSR: the client's ACK establishes (replies bypass us), later packets take the fast path with MACs only", (t) => {
  dp.applyLb({ rules: [rule([V4.eps[1]], { port: 443, mode: 'dsr' })] });
  try {
    const c: Seg = { src: V4.client, dst: V4.vip, sport: 48000, dport: 443 };
    const out = (x: Seg): Buffer => tcp({ ...x, macs: [BACKEND_NH_MAC, OUT_MAC] });
    expectTc(t, dp, tcp({ ...c, flags: 'S', seq: 1 }), out({ ...c, flags: 'S', seq: 1 }), 'SYN: MACs only');
    expectTc(t, dp, tcp({ ...c, flags: 'A', seq: 2, ack: 900 }), out({ ...c, flags: 'A', seq: 2, ack: 900 }), 'ACK');
    t.deepEqual(
      dp.connections().map((x) => `${x.direction}:${x.state}:${x.flags.join(',')}`),
      ['original:established:dsr'],
    );
    const fast = path(dp, 'tc_fast_hit');
    const data = { ...c, flags: 'PA', seq: 2, ack: 900, payload: Buffer.from('dsr') };
    expectTc(t, dp, tcp(data), out(data), 'data, fast');
    t.is(path(dp, 'tc_fast_hit'), fast + 1n);
  } finally {
    dp.applyLb({ remove: [{ vip: V4.vip, port: 443, protocol: 'tcp' }] });
  }
});
