// Removing a rule by the wrong port form names the installed rule: an exact-port rule
// asked for as a range gets the hint to drop portEnd (the range case is checked in
// lb-port-range.test.ts); nothing is changed.
import test from 'ava';
import type { Datapath } from '../../src/datapath/index.js';
import { V4, loadLbDatapath, rule } from './_lb.js';

let dp: Datapath;

test.before(() => {
  dp = loadLbDatapath();
});
test.after.always(() => dp?.destroy());

test('removing an exact-port rule as a range: the hint says it has no portEnd, nothing changed', (t) => {
  dp.applyLb({ rules: [rule([V4.eps[0]])] });
  const before = JSON.stringify(dp.lbRules());
  t.throws(() => dp.applyLb({ remove: [{ vip: V4.vip, port: 80, portEnd: 90, protocol: 'tcp' }] }), {
    message: 'remove[0]: no rule 10.0.0.100 tcp/80-90 zone 0 (the installed rule of port 80 is an exact-port rule: no portEnd)',
  });
  t.throws(() => dp.applyLb({ remove: [{ vip: V4.vip, port: 81, protocol: 'tcp' }] }), {
    message: 'remove[0]: no rule 10.0.0.100 tcp/81 zone 0',
  });
  t.is(JSON.stringify(dp.lbRules()), before);
});
