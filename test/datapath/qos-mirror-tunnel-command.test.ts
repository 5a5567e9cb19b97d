// `fastpath dp show pol|mirr|sess|qos|tun` reads the pinned policer, mirror,
// QoS and tunnel maps of a loaded datapath.
import test from 'ava';
import { main } from '../../src/datapath/command.js';
import { setPolicerState } from '../../src/datapath/policer.js';
import { buildPacket } from '../../src/packet/index.js';
import { ROUTER_MAC, loadDatapath } from './_setup.js';

function capture(argv: string[]): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.stdout.write = (s: string) => {
    out += s;
    return true;
  };
  process.stderr.write = (s: string) => {
    err += s;
    return true;
  };
  try {
    const status = main(argv);
    return { status, out, err };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

const TUN = { local: '10.0.0.1', srcMac: '02:00:00:00:0d:02', dstMac: '02:00:00:00:0d:01', ifname: 'lo' };

test.serial('show pol, mirr, sess, qos and tun', (t) => {
  const dp = loadDatapath();
  try {
    dp.apply({
      policers: [
        { id: 3, mode: 'trtcm', cir: 1000, cbs: 1500, pir: 2000, pbs: 3000, remarkYellow: 10 },
        { id: 4, mode: 'srtcm', cir: 500, cbs: 600, ebs: 700, colourAware: true, yellowDscps: [1] },
      ],
      mirrors: [{ id: 2, ifname: 'lo', vlan: 99, egress: true }],
      interfaces: [{ ifname: 'lo', port: 1, policer: 3 }],
      routerMacs: [{ mac: ROUTER_MAC }],
      nextHops: [{ id: 1, mac: '02:00:00:00:01:01', srcMac: '02:00:00:00:00:02', ifname: 'lo' }],
      qos: [
        { port: 1, class: 5, priority: 6, dscp: 46 },
        { port: 2, class: 0, priority: 1 },
      ],
      tunnels: [
        { id: 1, type: 'gtpu', key: 0x1000, qfi: 9, remote: '10.0.0.3', ...TUN },
        { id: 2, type: 'vxlan', key: 77, remote: '10.0.0.2', ...TUN },
      ],
      tunnelTerms: [
        { type: 'gtpu', key: 0x2000, local: '10.0.0.1', nextHop: 1, qfi: 5 },
        { type: 'vxlan', key: 77, local: '10.0.0.1', bd: 4 },
      ],
      tunnelRoutes: [{ addr: '10.60.0.1', tunnel: 1 }],
      tunnelL2: [{ mac: '02:00:00:00:0e:01', tunnel: 2 }],
    });
    setPolicerState(dp.map('pol'), 3, { cTokens: 100n, eTokens: 3000n, lastNs: 2n ** 62n });
    const p = buildPacket([
      { type: 'eth', dst: ROUTER_MAC, src: '02:00:00:00:00:aa' },
      { type: 'ipv4', src: '10.1.0.1', dst: '10.9.0.9' },
      { type: 'udp', sport: 1, dport: 2 },
      { type: 'payload', data: Buffer.alloc(72) },
    ]);
    for (let i = 0; i < 2; i++) dp.program('fp_tc_entry').testRun({ data: p });
    const root = dp.pinRoot;

    const pol = capture(['show', 'pol', '--pin-root', root]);
    t.is(pol.status, 0, pol.err);
    t.deepEqual(
      pol.out.split('\n').map((l) => l.split(/\s{2,}/)),
      [
        [
          'id',
          'mode',
          'colour',
          'cir',
          'pir',
          'cbs',
          'ebs/pbs',
          'c tokens',
          'e tokens',
          'yellow dscp',
          'green pkts/bytes',
          'yellow pkts/bytes',
          'red pkts/bytes',
        ],
        ['3', 'trtcm', 'blind', '1000', '2000', '1500', '3000', '0', '2800', '10', '1/100', '1/100', '0/0'],
        ['4', 'srtcm', 'aware', '500', '-', '600', '700', '600', '700', '-', '0/0', '0/0', '0/0'],
        [''],
      ],
    );
    const mirr = capture(['show', 'mirr', '--pin-root', root]);
    t.is(mirr.out, 'id  ifindex  copy     directions      copies pkts/bytes\n2   1        vlan 99  ingress,egress  0/0\n');
    const sess = capture(['show', 'sess', '--pin-root', root]);
    t.is(
      sess.out,
      [
        'dir       teid    qfi  local     remote    forwarding',
        'uplink    0x2000  5    10.0.0.1  -         nh 1',
        'downlink  0x1000  9    10.0.0.1  10.0.0.3  tunnel 1: UE 10.60.0.1',
        '',
      ].join('\n'),
    );
    const qos = capture(['show', 'qos', '--pin-root', root]);
    t.is(qos.out, 'port  class  priority  dscp\n1     5      6         46\n2     0      1         keep\n');
    const tun = capture(['show', 'tun', '--pin-root', root]);
    t.is(tun.status, 0, tun.err);
    t.regex(tun.out, /^1 {3}gtpu {3}0x1000 {2}10\.0\.0\.1 {2}10\.0\.0\.3 {2}02:00:00:00:0d:02 > 02:00:00:00:0d:01 ifindex 1 {2}0\/0$/m);
    t.regex(tun.out, /^vxlan\s+0x4d\s+10\.0\.0\.1\s+bd 4$/m);
    t.regex(tun.out, /^l2\s+02:00:00:00:0e:01 bd 0\s+tunnel 2$/m);
    t.regex(tun.out, /^l3\s+10\.60\.0\.1 zone 0\s+tunnel 1$/m);
    t.regex(tun.out, /^gtpu\s+0x2000\s+10\.0\.0\.1\s+nh 1$/m);
    const usage = capture(['show', 'nope', '--pin-root', root]);
    t.is(usage.status, 2);
    t.regex(usage.err, /show <[^>]*\|pol\|mirr\|sess\|qos\|tun>/);
  } finally {
    dp.destroy();
  }
});
