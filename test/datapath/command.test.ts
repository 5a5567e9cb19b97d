// `fastpath dp show ...` reads the pinned maps of a loaded datapath.
import test from 'ava';
import { main } from '../../src/datapath/command.js';
import { buildPacket } from '../../src/packet/index.js';
import { ROUTER_MAC, loadDatapath } from './_setup.js';

async function capture(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((s: string) => { out += s; return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => { err += s; return true; }) as typeof process.stderr.write;
  try {
    const status = await main(argv);
    return { status, out, err };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

test.serial('show routes, nh, intf, stats and drops for a loaded datapath', async (t) => {
  const dp = loadDatapath();
  try {
    dp.apply({
      interfaces: [{ ifname: 'lo', port: 1 }],
      routerMacs: [{ mac: ROUTER_MAC }],
      nextHops: [{ id: 1, mac: '02:00:00:00:01:01', srcMac: '02:00:00:00:00:02', ifname: 'lo' }],
      routes: [{ prefix: '10.2.0.0/24', nextHops: [1] }],
    });
    const p = buildPacket([{ type: 'eth', dst: ROUTER_MAC, src: '02:00:00:00:00:aa' },
      { type: 'ipv4', src: '10.1.0.1', dst: '10.2.0.9' }, { type: 'udp', sport: 1, dport: 2 }]);
    for (let i = 0; i < 3; i++) dp.program('fp_tc_entry').testRun({ data: p });
    const root = dp.pinRoot;
    const routes = await capture(['show', 'routes', '--pin-root', root]);
    t.is(routes.status, 0);
    t.is(routes.out, 'prefix       zone  id  next hops  packets  bytes\n10.2.0.0/24  0     0   1          3        126\n');
    const nh = await capture(['show', 'nh', '--pin-root', root]);
    t.is(nh.out.split('\n')[1], '1   02:00:00:00:01:01  02:00:00:00:00:02  1        0     yes       3        126');
    const intf = await capture(['show', 'intf', '--pin-root', root]);
    t.is(intf.out.split('\n')[1], '1        0     1     0     0   0        0       l3');
    const stats = await capture(['show', 'stats', '--pin-root', root]);
    t.regex(stats.out, /^generation 2\n/);
    t.regex(stats.out, /\nl3_fwd\s+3\s+126\n/);
    const drops = await capture(['show', 'drops', '--pin-root', root]);
    t.regex(drops.out, /\nudp_len\s+0\s+0\n/);
  } finally {
    dp.destroy();
  }
});

test.serial('bad arguments exit non-zero with a message', async (t) => {
  const unknown = await capture(['show', 'bogus', '--pin-root', '/sys/fs/bpf']);
  t.is(unknown.status, 2);
  t.regex(unknown.err, /expected 'show <intf\|routes\|nh\|macs\|stats\|drops\|pol\|mirr\|sess\|qos\|tun>', got 'show bogus'/);
  const noRoot = await capture(['show', 'routes']);
  t.is(noRoot.status, 2);
  t.regex(noRoot.err, /--pin-root DIR is required/);
  const missing = await capture(['show', 'nh', '--pin-root', '/sys/fs/bpf/fastpath-does-not-exist']);
  t.is(missing.status, 1);
  t.regex(missing.err, /\/sys\/fs\/bpf\/fastpath-does-not-exist\/nh does not exist/);
});
