// Mirroring in test-run mode: XDP hands a flow-cache hit to TC when its out port is
// mirrored at egress (an XDP redirect would skip the TC egress hook); the mirr slot-0
// "any egress mirror" flag follows the configuration. Copies on the wire: qos-mirror-tunnel-wire.test.ts.
import test from 'ava';
import { XDP_PASS, XDP_REDIRECT } from '../../native/constants.js';
import { type Datapath, codecs } from '../../src/datapath/index.js';
import { buildPacket, parseIpv4, parseMac } from '../../src/packet/index.js';
import { CLIENT_MAC, ROUTER_MAC, loadDatapath } from './_setup.js';

const NH_MAC = '02:00:00:00:01:01';
const OUT_MAC = '02:00:00:00:00:02';

let dp: Datapath;

test.before(() => {
  dp = loadDatapath();
  dp.apply({
    // Packets arrive on (lo, VLAN 10) and leave by (lo, untagged): different ports.
    interfaces: [
      { ifname: 'lo', port: 1, xdpTx: 'on' },
      { ifname: 'lo', vlan: 10, port: 2, xdpTx: 'on' },
    ],
    routerMacs: [{ mac: ROUTER_MAC }],
    nextHops: [{ id: 1, mac: NH_MAC, srcMac: OUT_MAC, ifname: 'lo' }],
    routes: [{ prefix: '10.2.0.0/24', nextHops: [1] }],
  });
  dp.map('fc').update(
    codecs.flowKeyCodec.encode({
      saddr: Buffer.concat([parseIpv4('10.1.0.5'), Buffer.alloc(12)]),
      daddr: Buffer.concat([parseIpv4('10.2.0.7'), Buffer.alloc(12)]),
      sport_be: 4000,
      dport_be: 80,
      zone: 0,
      proto: 17,
      family: 4,
    }),
    codecs.fcCodec.encode({
      generation: dp.generation() + 1n,
      dmac: parseMac(NH_MAC),
      smac: parseMac(OUT_MAC),
      ifindex: 1,
      vlan: 0,
      flags: codecs.FC_F_DEC_TTL | codecs.FC_F_XDP_TX,
      mtu: 0xffff,
      route_id: 0,
      nh_id: 1,
      nat_saddr: Buffer.alloc(16),
      nat_daddr: Buffer.alloc(16),
      nat_sport_be: 0,
      nat_dport_be: 0,
    }),
  );
});

test.after.always(() => dp?.destroy());

const PKT = buildPacket([
  { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC },
  { type: 'vlan', vid: 10 },
  { type: 'ipv4', src: '10.1.0.5', dst: '10.2.0.7', ttl: 64 },
  { type: 'udp', sport: 4000, dport: 80 },
  { type: 'payload', data: Buffer.from('mirror me') },
]);

/** Re-stamps the flow-cache entry with the current generation (every apply bumps it). */
function refreshFc(): void {
  const fc = dp.map('fc');
  const key = fc.keys()[0]!;
  const v = codecs.fcCodec.decode(fc.lookup(key)!);
  fc.update(key, codecs.fcCodec.encode({ ...v, generation: dp.generation() }));
}

function slot0(): string {
  return dp.map('mirr').lookup(Buffer.alloc(4))!.toString('hex');
}

test.serial('without mirrors the XDP fast path forwards; the egress flag is clear', (t) => {
  refreshFc();
  t.is(dp.program('fp_xdp_entry').testRun({ data: PKT }).retval, XDP_REDIRECT);
  t.is(slot0(), '0000000000000000');
});

test.serial('an egress mirror on the out port sends the hit to TC; an ingress-only one does not', (t) => {
  dp.apply({
    mirrors: [{ id: 3, ifname: 'lo', ingress: false, egress: true }],
    interfaces: [{ ifname: 'lo', port: 1, mirror: 3, xdpTx: 'on' }],
  });
  refreshFc();
  t.is(slot0(), '0000000000000400', 'slot 0 flags = egress');
  t.is(dp.program('fp_xdp_entry').testRun({ data: PKT }).retval, XDP_PASS);

  dp.apply({ mirrors: [{ id: 3, ifname: 'lo' }] });
  refreshFc();
  t.is(slot0(), '0000000000000000', 'no egress mirror left');
  t.is(dp.program('fp_xdp_entry').testRun({ data: PKT }).retval, XDP_REDIRECT);
});

test.serial('an ingress mirror on the receiving port sends the hit to TC', (t) => {
  dp.apply({
    interfaces: [
      { ifname: 'lo', port: 1, xdpTx: 'on' },
      { ifname: 'lo', vlan: 10, port: 2, mirror: 3, xdpTx: 'on' },
    ],
  });
  refreshFc();
  t.is(dp.program('fp_xdp_entry').testRun({ data: PKT }).retval, XDP_PASS);
  dp.apply({ interfaces: [{ ifname: 'lo', vlan: 10, port: 2, xdpTx: 'on' }], remove: { mirrors: [3] } });
  refreshFc();
  t.is(dp.program('fp_xdp_entry').testRun({ data: PKT }).retval, XDP_REDIRECT);
  t.is(slot0(), '0000000000000000');
});
