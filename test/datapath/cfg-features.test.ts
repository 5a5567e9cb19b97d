// cfg[0]'s feature summary that lets the entry programs skip the QoS and egress-mirror
// lookups with a branch: qos_ports bit p while port p has a QoS entry, FP_CFG_F_EGRESS_MIRR
// while some mirror copies egress; and the datapath behaviour that depends on them.
import test from 'ava';
import { type Datapath, codecs } from '../../src/datapath/index.js';
import { buildPacket } from '../../src/packet/index.js';
import { CLIENT_MAC, ROUTER_MAC, loadDatapath } from './_setup.js';

const SKB_PRIORITY = 32; // offsetof(struct __sk_buff, priority)
let dp: Datapath;

test.before(() => {
  dp = loadDatapath();
  dp.apply({
    interfaces: [{ ifname: 'lo', port: 1 }],
    routerMacs: [{ mac: ROUTER_MAC }],
    nextHops: [{ id: 1, mac: '02:00:00:00:01:01', srcMac: '02:00:00:00:00:02', ifname: 'lo' }],
    routes: [{ prefix: '10.2.0.0/24', nextHops: [1] }],
  });
});

test.after.always(() => dp?.destroy());

function cfg(): codecs.CfgRaw {
  return codecs.cfgCodec.decode(dp.map('cfg').lookup(Buffer.alloc(4))!);
}

function setBits(words: number[]): number[] {
  return words.flatMap((w, i) => [...Array(32).keys()].filter((b) => ((w >>> b) & 1) === 1).map((b) => i * 32 + b));
}

const packet = buildPacket([
  { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC },
  { type: 'ipv4', src: '10.1.0.5', dst: '10.2.0.9', dscp: 0 },
  { type: 'udp', sport: 4000, dport: 5000 },
  { type: 'payload', data: Buffer.from('cfg') },
]);

function priority(): number {
  return dp
    .program('fp_tc_entry')
    .testRun({ data: packet, ctx: Buffer.alloc(192) })
    .ctx!.readUInt32LE(SKB_PRIORITY);
}

test.serial('qos_ports has the bit of each port with a QoS entry, cleared with its last entry', (t) => {
  t.deepEqual(setBits(cfg().qos_ports), []);
  dp.apply({
    qos: [
      { port: 1, class: 0, priority: 7 },
      { port: 1, class: 5, priority: 6 },
      { port: 511, class: 2, priority: 1 },
    ],
  });
  t.deepEqual(setBits(cfg().qos_ports), [1, 511]);
  t.is(priority(), 7);
  dp.apply({ remove: { qos: [{ port: 1, class: 0 }] } });
  t.deepEqual(setBits(cfg().qos_ports), [1, 511], 'class 5 of port 1 remains');
  t.is(priority(), 0, 'class 0 no longer classified');
  dp.apply({
    remove: {
      qos: [
        { port: 1, class: 5 },
        { port: 511, class: 2 },
      ],
    },
  });
  t.deepEqual(setBits(cfg().qos_ports), []);
});

test.serial('FP_CFG_F_EGRESS_MIRR follows the egress mirrors; the other fields survive changes', (t) => {
  const before = cfg();
  dp.apply({ mirrors: [{ id: 4, ifname: 'lo', ingress: true, egress: false }] });
  t.is(cfg().flags & codecs.CFG_F_EGRESS_MIRR, 0, 'ingress-only mirror');
  dp.apply({ mirrors: [{ id: 5, ifname: 'lo', ingress: false, egress: true }] });
  t.is(cfg().flags & codecs.CFG_F_EGRESS_MIRR, codecs.CFG_F_EGRESS_MIRR);
  dp.apply({ remove: { mirrors: [5] } });
  t.is(cfg().flags & codecs.CFG_F_EGRESS_MIRR, 0);
  dp.apply({ remove: { mirrors: [4] }, eventIntervalMs: 250 });
  const after = cfg();
  t.is(after.event_interval_ns, 250_000_000n);
  t.true(after.generation > before.generation);
});

test.serial('FP_CFG_F_TUN_DST is set while a tunnel route exists; a routed packet then takes it', (t) => {
  t.is(cfg().flags & codecs.CFG_F_TUN_DST, 0);
  dp.apply({
    tunnels: [
      {
        id: 9,
        type: 'ipip',
        local: '10.0.0.1',
        remote: '10.0.0.4',
        srcMac: '02:00:00:00:0f:01',
        dstMac: '02:00:00:00:0f:02',
        ifname: 'lo',
      },
    ],
    tunnelRoutes: [{ addr: '10.2.0.9', tunnel: 9 }],
  });
  t.is(cfg().flags & codecs.CFG_F_TUN_DST, codecs.CFG_F_TUN_DST);
  const out = dp.program('fp_tc_entry').testRun({ data: packet }).data!;
  t.is(out.readUInt16BE(12), 0x0800);
  t.is(out[14 + 9], 4, 'outer IPv4 carries IPIP (protocol 4)');
  dp.apply({ remove: { tunnelRoutes: [{ addr: '10.2.0.9' }], tunnels: [9] } });
  t.is(cfg().flags & codecs.CFG_F_TUN_DST, 0);
  const plain = dp.program('fp_tc_entry').testRun({ data: packet }).data!;
  t.is(plain.length, packet.length, 'routed without encapsulation again');
});
