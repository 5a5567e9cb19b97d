// A cached connection's decision does not outlive a change of its LB rule: when the rule
// gains a policer, the connection follows it (the control plane rewrites its CT entry and
// bumps the generation), so the next packet is policed by the slow path instead of being
// forwarded by the flow-cache entry built without a policer. (The scenario schema has no
// lbRules[].policer yet, so this is checked here, in test-run mode with frozen buckets.)
import test from 'ava';
import { TC_ACT_SHOT } from '../../native/constants.js';
import type { Datapath } from '../../src/datapath/index.js';
import { setPolicerState } from '../../src/datapath/policer.js';
import { V4, expectTc, loadLbDatapath, path, routed, rule, udp } from './_lb.js';

const FROZEN = 2n ** 62n;
const EP = V4.eps[2];
const PAYLOAD = Buffer.alloc(100, 0x3c);

let dp: Datapath;

test.before(() => {
  dp = loadLbDatapath();
  dp.apply({ policers: [{ id: 1, mode: 'trtcm', cir: 1000, cbs: 1000, pir: 2000, pbs: 2000 }] });
});
test.after.always(() => dp?.destroy());

test.serial('a cached connection is policed as soon as its rule gains a policer: the stale cached decision is not used', (t) => {
  dp.flushConnections();
  dp.applyLb({ rules: [rule([EP], { protocol: 'udp' })] });
  const client = { src: V4.client, dst: V4.vip, sport: 41100, dport: 80, payload: PAYLOAD };
  const toEp = udp(routed(client, 'backend', { dst: EP, dport: 8080 }));
  expectTc(t, dp, udp(client), toEp, 'new flow (slow)');
  const reply = { src: EP, dst: V4.client, sport: 8080, dport: 41100, payload: PAYLOAD };
  expectTc(t, dp, udp(reply), udp(routed(reply, 'client', { src: V4.vip, sport: 80 })), 'reply (slow)');
  expectTc(t, dp, udp(client), toEp, 'established (slow; installs the flow cache)');
  const hits = path(dp, 'tc_fast_hit');
  expectTc(t, dp, udp(client), toEp, 'cached (fast)');
  t.is(path(dp, 'tc_fast_hit'), hits + 1n, 'served from the flow cache before the change');

  dp.applyLb({ rules: [rule([EP], { protocol: 'udp', policer: 1 })] });
  setPolicerState(dp.map('pol'), 1, { cTokens: 0n, eTokens: 0n, lastNs: FROZEN });
  const stale = path(dp, 'fc_stale');
  t.is(dp.program('fp_tc_entry').testRun({ data: udp(client) }).retval, TC_ACT_SHOT, "red: policed by the rule's new policer");
  t.is(path(dp, 'fc_stale'), stale + 1n, 'the cached entry was found stale');
  t.is(path(dp, 'tc_fast_hit'), hits + 1n, 'no fast-path hit after the change');
});
