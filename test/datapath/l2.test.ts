// L2: bridging by the dmac map (redirect, VLAN push / pop / keep), unknown and group
// destinations to the stack, source-MAC learning events rate-limited per MAC.
import test from 'ava';
import { TC_ACT_OK, TC_ACT_REDIRECT } from '../../native/constants.js';
import type { Datapath } from '../../src/datapath/index.js';
import { type LayerSpec, buildPacket } from '../../src/packet/index.js';
import { assertBytes, loadDatapath } from './_setup.js';

const HOST_A = '02:00:00:00:0a:0a';
const HOST_B = '02:00:00:00:0b:0b';
const HOST_C = '02:00:00:00:0c:0c';

let dp: Datapath;

test.before(() => {
  dp = loadDatapath();
  dp.apply({
    interfaces: [
      { ifname: 'lo', port: 1, learn: true },
      { ifname: 'lo', vlan: 10, port: 2, learn: true },
    ],
    l2: [
      { mac: HOST_B, ifname: 'lo' },
      { mac: HOST_C, ifname: 'lo', vlan: 30 },
    ],
    knownMacs: [{ mac: HOST_A, port: 1 }],
    eventIntervalMs: 60_000,
  });
});

test.after.always(() => dp?.destroy());

function frame(dst: string, src: string, vlan?: number): Buffer {
  const layers: LayerSpec[] = [{ type: 'eth', dst, src }];
  if (vlan !== undefined) layers.push({ type: 'vlan', vid: vlan });
  layers.push(
    { type: 'ipv4', src: '10.1.0.1', dst: '10.1.0.2' },
    { type: 'udp', sport: 7, dport: 7 },
    { type: 'payload', data: Buffer.from('bridged') },
  );
  return buildPacket(layers);
}

test.serial('known dmac: redirected unchanged (untagged -> untagged)', (t) => {
  const before = dp.paths().l2_fwd.packets;
  const input = frame(HOST_B, HOST_A);
  const r = dp.program('fp_tc_entry').testRun({ data: input });
  t.is(r.retval, TC_ACT_REDIRECT);
  assertBytes(t, r.data, input, 'bridged');
  t.is(dp.paths().l2_fwd.packets, before + 1n);
});

test.serial('dmac on VLAN 30: tag pushed; tagged 10 in: retagged 30; tagged in to an untagged port: popped', (t) => {
  const push = dp.program('fp_tc_entry').testRun({ data: frame(HOST_C, HOST_A) });
  t.is(push.retval, TC_ACT_REDIRECT);
  assertBytes(t, push.data, frame(HOST_C, HOST_A, 30), 'push');
  const swap = dp.program('fp_tc_entry').testRun({ data: frame(HOST_C, HOST_A, 10) });
  t.is(swap.retval, TC_ACT_REDIRECT);
  assertBytes(t, swap.data, frame(HOST_C, HOST_A, 30), 'retag');
  const pop = dp.program('fp_tc_entry').testRun({ data: frame(HOST_B, HOST_A, 10) });
  t.is(pop.retval, TC_ACT_REDIRECT);
  assertBytes(t, pop.data, frame(HOST_B, HOST_A), 'pop');
});

test.serial('unknown dmac and group dmac go to the stack', (t) => {
  const p = dp.paths();
  t.is(dp.program('fp_tc_entry').testRun({ data: frame('02:00:00:00:0d:0d', HOST_A) }).retval, TC_ACT_OK);
  t.is(dp.program('fp_tc_entry').testRun({ data: frame('ff:ff:ff:ff:ff:ff', HOST_A) }).retval, TC_ACT_OK);
  t.is(dp.program('fp_tc_entry').testRun({ data: frame('01:00:5e:00:00:01', HOST_A) }).retval, TC_ACT_OK);
  const q = dp.paths();
  t.is(q.stack_dmac_miss.packets, p.stack_dmac_miss.packets + 1n);
  t.is(q.stack_l2_mcast.packets, p.stack_l2_mcast.packets + 2n);
});

test.serial('an unknown source MAC raises one learning event per interval; known MACs none', (t) => {
  const events = dp.events();
  try {
    events.poll(0);
    const stranger = '02:00:00:00:0e:0e';
    for (let i = 0; i < 5; i++) dp.program('fp_tc_entry').testRun({ data: frame(HOST_B, stranger, 10) });
    for (let i = 0; i < 5; i++) dp.program('fp_tc_entry').testRun({ data: frame(HOST_B, HOST_A) });
    const got = events.poll(100).map((e) => ({ type: e.type, mac: e.mac, port: e.id, vlan: e.vlan, ifindex: e.ifindex }));
    t.deepEqual(got, [{ type: 'mac-learn', mac: stranger, port: 2, vlan: 10, ifindex: 1 }]);
  } finally {
    events.close();
  }
});

test.serial('an unconfigured (interface, VLAN) and a router MAC on a port without routing go to the stack', (t) => {
  dp.apply({ interfaces: [{ ifname: 'lo', vlan: 20, port: 5, routing: false }], routerMacs: [{ mac: '02:00:00:00:00:01' }] });
  const p = dp.paths();
  const unknownVlan = frame(HOST_B, HOST_A, 99);
  const r = dp.program('fp_tc_entry').testRun({ data: unknownVlan });
  t.is(r.retval, TC_ACT_OK);
  assertBytes(t, r.data, unknownVlan, 'unchanged');
  t.is(dp.program('fp_tc_entry').testRun({ data: frame('02:00:00:00:00:01', HOST_A, 20) }).retval, TC_ACT_OK);
  const q = dp.paths();
  t.is(q.stack_intf_miss.packets, p.stack_intf_miss.packets + 1n);
  t.is(q.stack_not_l3.packets, p.stack_not_l3.packets + 1n);
});
