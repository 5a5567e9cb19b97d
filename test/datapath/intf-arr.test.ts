// intf_arr: the untagged entries of intf mirrored by ifindex (the datapath's hash-free
// port lookup) follow every add and removal; tagged ports stay in the hash only.
import test from 'ava';
import { TC_ACT_OK, TC_ACT_REDIRECT } from '../../native/constants.js';
import { codecs } from '../../src/datapath/index.js';
import { u32Codec } from '../../src/datapath/struct-codec.js';
import { buildPacket } from '../../src/packet/index.js';
import { CLIENT_MAC, ROUTER_MAC, loadDatapath } from './_setup.js';

test('intf_arr mirrors untagged interfaces on add and removal', (t) => {
  const dp = loadDatapath();
  try {
    dp.apply({
      interfaces: [
        { ifname: 'lo', port: 7, zone: 3 },
        { ifname: 'lo', vlan: 10, port: 8 },
      ],
      routerMacs: [{ mac: ROUTER_MAC }],
      nextHops: [{ id: 1, mac: '02:00:00:00:01:01', srcMac: '02:00:00:00:00:02', ifname: 'lo' }],
      routes: [{ prefix: '10.2.0.0/24', zone: 3, nextHops: [1] }],
    });
    const slot = (): codecs.IntfSlotRaw => codecs.intfSlotCodec.decode(dp.map('intf_arr').lookup(u32Codec.encode(1))!);
    t.is(slot().valid, 1);
    t.deepEqual(codecs.intfCodec.decode(slot().intf), { port: 7, zone: 3, bd: 0, policer: 0, mirror: 0, flags: codecs.INTF_F_L3 });
    const pkt = buildPacket([
      { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC },
      { type: 'ipv4', src: '10.1.0.1', dst: '10.2.0.9' },
      { type: 'udp', sport: 1, dport: 2 },
    ]);
    t.is(dp.program('fp_tc_entry').testRun({ data: pkt }).retval, TC_ACT_REDIRECT, 'zone 3 from the array entry');
    dp.apply({ remove: { interfaces: [{ ifname: 'lo' }] } });
    t.is(slot().valid, 0, 'cleared with the intf entry');
    const miss = dp.paths().stack_intf_miss.packets;
    t.is(dp.program('fp_tc_entry').testRun({ data: pkt }).retval, TC_ACT_OK);
    t.is(dp.paths().stack_intf_miss.packets, miss + 1n);
    const { values, count } = dp.map('intf_arr').batchLookup();
    const valid = Array.from({ length: count }, (_, i) => values.readUInt16LE(i * dp.map('intf_arr').info.valueStride + 12)).filter(
      (v) => v !== 0,
    );
    t.deepEqual(valid, [], 'the tagged port (still in intf) is not mirrored');
    t.is(dp.map('intf').keys().length, 1);
  } finally {
    dp.destroy();
  }
});
