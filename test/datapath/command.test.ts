// `fastpath dp show ...` reads the pinned maps of a loaded datapath.
import test from 'ava';
import { main } from '../../src/datapath/command.js';
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

test.serial('show routes, nh, intf, stats and drops for a loaded datapath', (t) => {
  const dp = loadDatapath();
  try {
    dp.apply({
      interfaces: [{ ifname: 'lo', port: 1 }],
      routerMacs: [{ mac: ROUTER_MAC }],
      nextHops: [{ id: 1, mac: '02:00:00:00:01:01', srcMac: '02:00:00:00:00:02', ifname: 'lo' }],
      routes: [{ prefix: '10.2.0.0/24', nextHops: [1] }],
    });
    const p = buildPacket([
      { type: 'eth', dst: ROUTER_MAC, src: '02:00:00:00:00:aa' },
      { type: 'ipv4', src: '10.1.0.1', dst: '10.2.0.9' },
      { type: 'udp', sport: 1, dport: 2 },
    ]);
    for (let i = 0; i < 3; i++) dp.program('fp_tc_entry').testRun({ data: p });
    const root = dp.pinRoot;
    const routes = capture(['show', 'routes', '--pin-root', root]);
    t.is(routes.status, 0);
    t.is(routes.out, 'prefix       zone  id  next hops  packets  bytes\n10.2.0.0/24  0     0   1          3        126\n');
    const nh = capture(['show', 'nh', '--pin-root', root]);
    t.is(nh.out.split('\n')[1], '1   02:00:00:00:01:01  02:00:00:00:00:02  1        0     yes       3        126');
    const intf = capture(['show', 'intf', '--pin-root', root]);
    t.is(intf.out.split('\n')[1], '1        0     1     0     0   0        0       l3');
    const stats = capture(['show', 'stats', '--pin-root', root]);
    t.regex(stats.out, /^generation 2\n/);
    t.regex(stats.out, /\nl3_fwd\s+3\s+126\n/);
    const drops = capture(['show', 'drops', '--pin-root', root]);
    t.regex(drops.out, /\nudp_len\s+0\s+0\n/);
  } finally {
    dp.destroy();
  }
});

test.serial('bad arguments exit non-zero with a message', (t) => {
  const unknown = capture(['show', 'bogus', '--pin-root', '/sys/fs/bpf']);
  t.is(unknown.status, 2);
  t.regex(unknown.err, /expected 'show <intf\|routes\|nh\|macs\|stats\|drops\|ct\|fc\|lb\|pol\|mirr\|sess\|qos\|tun>', got 'show bogus'/);
  const noRoot = capture(['show', 'routes']);
  t.is(noRoot.status, 2);
  t.regex(noRoot.err, /--pin-root DIR is required/);
  const missing = capture(['show', 'nh', '--pin-root', '/sys/fs/bpf/fastpath-does-not-exist']);
  t.is(missing.status, 1);
  t.regex(missing.err, /\/sys\/fs\/bpf\/fastpath-does-not-exist\/nh does not exist/);
});

test.serial('show lb, ct and fc: rules with session counts, decoded connection states, cached rewrites', (t) => {
  const dp = loadDatapath();
  try {
    dp.apply({
      interfaces: [{ ifname: 'lo', port: 1 }],
      routerMacs: [{ mac: ROUTER_MAC }],
      nextHops: [{ id: 1, mac: '02:00:00:00:01:01', srcMac: '02:00:00:00:00:02', ifname: 'lo' }],
      routes: [
        { prefix: '10.2.0.0/24', nextHops: [1] },
        { prefix: '10.1.0.0/24', nextHops: [1] },
      ],
    });
    dp.applyLb({
      rules: [
        {
          vip: '10.0.0.100',
          port: 80,
          protocol: 'tcp',
          endpoints: [
            { address: '10.2.0.1', port: 8080 },
            { address: '10.2.0.2', port: 8080, active: false },
          ],
        },
      ],
    });
    const seg = (
      src: string,
      dst: string,
      sport: number,
      dport: number,
      flags: Record<string, boolean>,
      seq: number,
      ack: number,
    ): Buffer =>
      buildPacket([
        { type: 'eth', dst: ROUTER_MAC, src: '02:00:00:00:00:aa' },
        { type: 'ipv4', src, dst },
        { type: 'tcp', sport, dport, seq, ack, flags },
      ]);
    dp.program('fp_tc_entry').testRun({ data: seg('10.1.0.5', '10.0.0.100', 4000, 80, { syn: true }, 1, 0) });
    dp.program('fp_tc_entry').testRun({ data: seg('10.2.0.1', '10.1.0.5', 8080, 4000, { syn: true, ack: true }, 50, 2) });
    dp.program('fp_tc_entry').testRun({ data: seg('10.1.0.5', '10.0.0.100', 4000, 80, { ack: true }, 2, 51) });
    const root = dp.pinRoot;
    const lb = capture(['show', 'lb', '--pin-root', root]);
    t.is(lb.status, 0);
    t.deepEqual(
      lb.out
        .split('\n')
        .slice(1, 3)
        .map((l) => l.split(/\s+/)),
      [
        ['1', 'tcp', '10.0.0.100:80', '0', 'dnat', 'rr', '-', '0', '10.2.0.1:8080', '1', 'yes', '1'],
        ['1', 'tcp', '10.0.0.100:80', '0', 'dnat', 'rr', '-', '1', '10.2.0.2:8080', '1', 'no', '0'],
      ],
    );
    const ct = capture(['show', 'ct', '--pin-root', root]);
    t.deepEqual(
      ct.out
        .split('\n')
        .slice(1, 3)
        .map((l) => l.split(/\s+/)),
      [
        ['tcp', '0', '10.1.0.5:4000', '10.0.0.100:80', 'original', 'established', '10.1.0.5:4000', '10.2.0.1:8080', 'dnat', '1', '0'],
        ['tcp', '0', '10.2.0.1:8080', '10.1.0.5:4000', 'reply', 'established', '10.0.0.100:80', '10.1.0.5:4000', 'snat', '1', '0'],
      ],
    );
    const fc = capture(['show', 'fc', '--pin-root', root]);
    t.regex(
      fc.out,
      /\ntcp\s+0\s+10\.1\.0\.5:4000\s+10\.0\.0\.100:80\s+10\.1\.0\.5:4000 -> 10\.2\.0\.1:8080\s+02:00:00:00:01:01\s+1\s+0\s+dec-ttl,dnat,ct\s+\d+\n/,
    );
  } finally {
    dp.destroy();
  }
});
