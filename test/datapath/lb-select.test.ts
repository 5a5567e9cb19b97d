// Endpoint selection over N new flows in test-run mode: RR strict order with inactive
// endpoints skipped, WRR's exact sequence, least connection (minimum, counts fall back on
// close), hash and Maglev stick per flow, Maglev's disruption bound, persistence per
// client, N3 by GTP-U TEID; live endpoint changes.
import test from 'ava';
import { TC_ACT_REDIRECT } from '../../native/constants.js';
import type { Datapath } from '../../src/datapath/index.js';
import { buildPacket } from '../../src/packet/index.js';
import { ROUTER_MAC, CLIENT_MAC } from './_setup.js';
import { V4, dst4, loadLbDatapath, rule, synSequence, tc, tcp } from './_lb.js';

let dp: Datapath;
const [E0, E1, E2, E3] = V4.eps;

test.before(() => {
  dp = loadLbDatapath();
});
test.after.always(() => dp?.destroy());
test.beforeEach(() => {
  dp.flushConnections();
  for (const r of dp.lbRules()) dp.applyLb({ remove: [{ vip: r.vip, port: r.port, protocol: r.protocol, zone: r.zone }] });
});

function sessions(): number[] {
  return dp.lbRules()[0]!.endpoints.map((e) => e.sessions);
}

test.serial('round robin: strict order; an inactive endpoint is skipped; reactivated it returns', (t) => {
  dp.applyLb({ rules: [rule([E0, E1, E2])] });
  t.deepEqual(synSequence(dp, 7, 1000), [E0, E1, E2, E0, E1, E2, E0]);
  dp.applyLb({ rules: [rule([E0, { address: E1, port: 8080, active: false }, E2])] });
  t.deepEqual(synSequence(dp, 4, 2000), [E2, E0, E2, E0]);
  dp.applyLb({ rules: [rule([E0, E1, E2])] });
  t.deepEqual(synSequence(dp, 3, 3000), [E1, E2, E0]);
});

test.serial('weighted round robin: the smooth WRR sequence of weights 3, 1, 2', (t) => {
  dp.applyLb({
    rules: [
      rule(
        [
          { address: E0, port: 8080, weight: 3 },
          { address: E1, port: 8080, weight: 1 },
          { address: E2, port: 8080, weight: 2 },
        ],
        { algorithm: 'wrr' },
      ),
    ],
  });
  t.deepEqual(synSequence(dp, 12, 1000), [E0, E2, E0, E1, E2, E0, E0, E2, E0, E1, E2, E0]);
});

test.serial('least connection: the minimum, ties to the lowest index; counts fall back on close', (t) => {
  dp.applyLb({ rules: [rule([E0, E1, E2], { algorithm: 'lc' })] });
  t.deepEqual(synSequence(dp, 4, 1000), [E0, E1, E2, E0]);
  t.deepEqual(sessions(), [2, 1, 1]);
  // Close the flow on E1 (sport 1001) with a RST from the client.
  tc(dp, tcp({ src: V4.client, dst: V4.vip, sport: 1001, dport: 80, flags: 'R', seq: 1001 }));
  t.deepEqual(sessions(), [2, 0, 1]);
  t.deepEqual(synSequence(dp, 1, 2000), [E1], 'the emptied endpoint is the minimum again');
  // Ageing also gives the count back: everything idle beyond a 0 ms handshake timeout.
  const r = dp.ageConnections(
    {
      tcpHandshakeMs: 0,
      tcpEstablishedMs: 0,
      tcpClosingMs: 0,
      udpMs: 0,
      udpEstablishedMs: 0,
      icmpMs: 0,
      sctpHandshakeMs: 0,
      sctpEstablishedMs: 0,
    },
    process.hrtime.bigint() + 1_000_000n,
  );
  t.is(r.expired, 4);
  t.deepEqual(sessions(), [0, 0, 0]);
  t.deepEqual(dp.connections(), []);
});

test.serial('hash and Maglev stick per flow', (t) => {
  for (const algorithm of ['hash', 'maglev'] as const) {
    dp.flushConnections();
    dp.applyLb({ rules: [rule([E0, E1, E2, E3], { algorithm })] });
    const first = synSequence(dp, 40, 5000);
    t.true(new Set(first).size > 1, `${algorithm}: flows spread`);
    dp.flushConnections();
    t.deepEqual(synSequence(dp, 40, 5000), first, `${algorithm}: the same flows choose the same endpoints`);
  }
});

test.serial('Maglev: removing one of 4 endpoints moves about 1/4 of the flows', (t) => {
  const eps = [E0, E1, E2, E3];
  dp.applyLb({ rules: [rule(eps, { algorithm: 'maglev' })] });
  const n = 400;
  const before = synSequence(dp, n, 10000);
  dp.flushConnections();
  dp.applyLb({ rules: [rule([E0, E1, E3], { algorithm: 'maglev' })] });
  const after = synSequence(dp, n, 10000);
  const onRemoved = before.filter((e) => e === E2).length;
  const moved = before.filter((e, i) => e !== after[i]).length;
  const movedOthers = before.filter((e, i) => e !== E2 && e !== after[i]).length;
  t.log(`flows on the removed endpoint ${onRemoved}/${n}; moved ${moved}; moved from surviving endpoints ${movedOthers}`);
  t.true(after.every((e) => e !== E2));
  t.true(movedOthers <= n * 0.05, 'flows of surviving endpoints mostly stay (Maglev minimal disruption)');
  t.true(moved <= n * (1 / 4 + 0.1), 'about 1/N moved in total');
});

test.serial('persistence: one client keeps its endpoint over new flows; another client gets the next', (t) => {
  dp.applyLb({ rules: [rule([E0, E1, E2], { algorithm: 'persist', persistMs: 60_000 })] });
  t.deepEqual(synSequence(dp, 3, 1000, '10.1.0.5'), [E0, E0, E0]);
  t.deepEqual(synSequence(dp, 2, 1000, '10.1.0.6'), [E1, E1]);
  t.deepEqual(synSequence(dp, 1, 2000, '10.1.0.5'), [E0]);
});

test.serial('persistence expires after its timeout: the client gets the next RR endpoint', async (t) => {
  dp.applyLb({ rules: [rule([E0, E1, E2], { algorithm: 'persist', persistMs: 20 })] });
  t.deepEqual(synSequence(dp, 2, 1000, '10.1.0.5'), [E0, E0]);
  await new Promise((r) => setTimeout(r, 60));
  t.deepEqual(synSequence(dp, 2, 2000, '10.1.0.5'), [E1, E1], 'expired: chosen anew, then kept');
});

test.serial('N3: the endpoint is the GTP-U TEID mod n', (t) => {
  dp.applyLb({ rules: [rule([E0, E1, E2], { algorithm: 'n3', protocol: 'udp', port: 2152 })] });
  const gtp = (teid: number, sport: number): Buffer =>
    buildPacket([
      { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC },
      { type: 'ipv4', src: V4.client, dst: V4.vip, ttl: 64 },
      { type: 'udp', sport, dport: 2152 },
      { type: 'gtpu', teid },
      { type: 'ipv4', src: '192.168.0.1', dst: '192.168.0.2' },
      { type: 'udp', sport: 1, dport: 2 },
    ]);
  const got = [7, 8, 9, 10, 3].map((teid, i) => {
    const r = dp.program('fp_tc_entry').testRun({ data: gtp(teid, 3000 + i) });
    t.is(r.retval, TC_ACT_REDIRECT);
    return dst4(r.data!);
  });
  t.deepEqual(got, [E1, E2, E0, E1, E0]);
});

test.serial('endpoints change live: add, deactivate with flush, remove; each change bumps the generation', (t) => {
  dp.applyLb({ rules: [rule([E0, E1])] });
  t.deepEqual(synSequence(dp, 2, 1000), [E0, E1]);
  let g = dp.generation();
  dp.applyLb({ rules: [rule([E0, E1, E2])] });
  t.true(dp.generation() > g, 'add bumps the generation');
  t.deepEqual(synSequence(dp, 3, 2000), [E2, E0, E1]);
  t.deepEqual(sessions(), [2, 2, 1]);
  g = dp.generation();
  dp.applyLb({ rules: [rule([E0, { address: E1, port: 8080, active: false }, E2])], flushInactive: true });
  t.true(dp.generation() > g, 'deactivate bumps the generation');
  t.deepEqual(sessions(), [2, 0, 1], 'flushed flows of the inactive endpoint');
  t.false(dp.connections().some((c) => c.endpoint === 1));
  // Remove E0: its connections go, E2 moves from index 2 to 1 with its connection.
  dp.applyLb({ rules: [rule([{ address: E1, port: 8080, active: false }, E2])] });
  t.deepEqual(sessions(), [0, 1]);
  const left = dp.connections().filter((c) => c.direction === 'original');
  t.deepEqual(
    left.map((c) => [c.translated.dst, c.endpoint]),
    [[E2, 1]],
  );
  // Deleting the rule cleans its connections and cache entries.
  dp.applyLb({ remove: [{ vip: V4.vip, port: 80, protocol: 'tcp' }] });
  t.deepEqual(dp.connections(), []);
  t.deepEqual(dp.flowCache(), []);
});
