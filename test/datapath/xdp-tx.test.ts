// Which ports the XDP entry may redirect into: the control plane copies the kernel's
// ndo-xmit feature bit of each configured port into its intf flags, re-reads it on
// attach, apply and refreshXdpTx (bumping the generation when a bit changes, so cached
// entries are rebuilt), and says which ports XDP cannot send to. Real veths: a veth takes
// redirected XDP frames only while its peer has GRO on or an XDP program.
import test from 'ava';
import { type Topology, buildTopology } from '../../netns/index.js';
import { xdpFeatures } from '../../native/index.js';
import { Datapath, codecs } from '../../src/datapath/index.js';
import { u32Codec } from '../../src/datapath/struct-codec.js';
import { XDP_ACT_NDO_XMIT } from '../../src/datapath/xdp-tx.js';
import { OBJECT, pinRoot } from './_setup.js';

let topo: Topology;
let dp: Datapath | undefined;

test.before(async () => {
  topo = await buildTopology({
    name: 'xdp-tx',
    hosts: [{ name: 'dut' }, { name: 'peer' }],
    links: [
      { a: { host: 'dut', ifname: 'eth0', addresses: ['10.3.0.1/24'] }, b: { host: 'peer', ifname: 'eth0', addresses: ['10.3.0.2/24'] } },
      { a: { host: 'dut', ifname: 'eth1', addresses: ['10.4.0.1/24'] }, b: { host: 'peer', ifname: 'eth1', addresses: ['10.4.0.2/24'] } },
    ],
  });
});

test.after.always(async () => {
  try {
    dp?.destroy();
  } finally {
    await topo?.destroy();
  }
});

function flags(ifname: string): number {
  const key = codecs.intfKeyCodec.encode({ ifindex: dp!.ifindex(ifname), vlan: 0 });
  return codecs.intfCodec.decode(dp!.map('intf').lookup(key)!).flags;
}

const gro = (ifname: string, on: boolean): Promise<unknown> => topo.exec('peer', ['ethtool', '-K', ifname, 'gro', on ? 'on' : 'off']);

test.serial("the ndo-xmit bit follows the veth peer's GRO; intf flags, generation and warnings follow it", async (t) => {
  const ns = topo.ns('dut');
  await Promise.all([gro('eth0', false), gro('eth1', false)]);
  t.is(xdpFeatures({ ifname: 'eth1', netns: ns }) & XDP_ACT_NDO_XMIT, 0, 'peer GRO off: eth1 takes no XDP frames');
  dp = Datapath.load({ object: OBJECT, pinRoot: pinRoot(), netns: ns });
  dp.apply({
    interfaces: [
      { ifname: 'eth0', port: 1 },
      { ifname: 'eth1', port: 2 },
      { ifname: 'eth1', vlan: 7, port: 3 },
    ],
  });
  t.is(flags('eth0') & codecs.INTF_F_XDP_TX, 0);
  t.is(flags('eth1') & codecs.INTF_F_XDP_TX, 0);
  t.deepEqual(dp.xdpWarnings(), [], 'no XDP attached: nothing to say');

  dp.attach({ ifname: 'eth0', xdp: 'driver' });
  const warnings = dp.xdpWarnings();
  t.is(warnings.length, 2, warnings.join('\n'));
  t.regex(warnings.join('\n'), /flows out of eth1 are forwarded by TC, not XDP: eth1 takes no redirected XDP frames .*gro on/);

  await gro('eth1', true);
  t.not(xdpFeatures({ ifname: 'eth1', netns: ns }) & XDP_ACT_NDO_XMIT, 0, 'peer GRO on: eth1 takes XDP frames');
  const generation = dp.generation();
  const ports = dp.refreshXdpTx();
  t.deepEqual(
    ports
      .filter((p) => p.takesXdpFrames === true)
      .map((p) => p.vlan)
      .sort(),
    [0, 7],
    'both entries of eth1 (untagged and VLAN 7)',
  );
  t.is(flags('eth1') & codecs.INTF_F_XDP_TX, codecs.INTF_F_XDP_TX);
  t.is(flags('eth0') & codecs.INTF_F_XDP_TX, 0);
  t.is(dp.generation(), generation + 1n, 'a changed bit bumps the generation once');
  const slot = codecs.intfSlotCodec.decode(dp.map('intf_arr').lookup(u32Codec.encode(dp.ifindex('eth1')))!);
  t.is(codecs.intfCodec.decode(slot.intf).flags & codecs.INTF_F_XDP_TX, codecs.INTF_F_XDP_TX, 'the by-ifindex copy follows');
  t.regex(dp.xdpWarnings().join('\n'), /flows out of eth0 /);
  t.notRegex(dp.xdpWarnings().join('\n'), /flows out of eth1 /);

  dp.refreshXdpTx();
  t.is(dp.generation(), generation + 1n, 'nothing changed: no bump');

  // xdpTx 'on' forces the bit whatever the kernel says; 'auto' gives it back to the kernel.
  dp.apply({ interfaces: [{ ifname: 'eth0', port: 1, xdpTx: 'on' }] });
  t.is(flags('eth0') & codecs.INTF_F_XDP_TX, codecs.INTF_F_XDP_TX);
  t.deepEqual(dp.xdpWarnings(), []);
  dp.apply({ interfaces: [{ ifname: 'eth0', port: 1 }] });
  t.is(flags('eth0') & codecs.INTF_F_XDP_TX, 0);

  await gro('eth1', false);
  dp.refreshXdpTx();
  t.is(flags('eth1') & codecs.INTF_F_XDP_TX, 0, 'peer GRO off again: the bit is cleared');
  t.throws(() => dp!.apply({ interfaces: [{ ifname: 'eth0', port: 1, xdpTx: 'yes' as never }] }), {
    message: /interfaces\[0\]\.xdpTx: expected 'auto' or 'on', got "yes"/,
  });
});
