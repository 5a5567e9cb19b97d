// Each DUT mode tears down what it put up: the nftables table, the datapath's clsact
// qdiscs and XDP program, its bpffs pins, the forwarding sysctl.
import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { buildTopology, type Topology } from '../../netns/index.js';
import { xdpQuery } from '../../native/index.js';
import { DATAPATH_SCENARIOS } from '../../src/bench/wire/dut-datapath.js';
import { activateMode } from '../../src/bench/wire/modes.js';
import { WIRE_NET, wireTopology } from '../../src/bench/wire/net.js';
import { nftDnatRuleset, nftTables } from '../../src/bench/wire/nft.js';
import { Sink } from '../../src/bench/wire/sink.js';

const root = process.getuid?.() === 0;
if (!root) test('wire mode teardown checks are skipped', (t) => t.log('skipped: needs root'));

test('the nftables ruleset: numgen over every backend, or the one backend; bad input names the field', (t) => {
  t.is(
    nftDnatRuleset({ table: 'fpbench', vip: '10.9.0.1', proto: 'udp', port: 5001, backends: ['10.2.0.2', '10.2.0.3'] }),
    [
      'table ip fpbench {',
      '  chain prerouting {',
      '    type nat hook prerouting priority dstnat; policy accept;',
      '    ip daddr 10.9.0.1 udp dport 5001 dnat to numgen inc mod 2 map { 0 : 10.2.0.2, 1 : 10.2.0.3 }',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const base = { table: 't', vip: '10.9.0.1', proto: 'tcp' as const, port: 80, backends: ['10.0.0.1', '10.0.0.2'] };
  t.regex(
    nftDnatRuleset({ ...base, backends: ['10.0.0.1'] }),
    /^ {4}ip daddr 10\.9\.0\.1 tcp dport 80 dnat to 10\.0\.0\.1$/m,
    'one backend: every flow to it',
  );
  t.throws(() => nftDnatRuleset({ ...base, backends: [] }), { message: 'backends: expected at least 1, got 0' });
  t.throws(() => nftDnatRuleset({ ...base, backends: ['10.0.0.1', 'x'] }), { message: "backends[1]: 'x' is not an IPv4 address" });
  t.throws(() => nftDnatRuleset({ ...base, table: 'a;b' }), { message: "table: 'a;b' is not a plain nftables name" });
  t.throws(() => nftDnatRuleset({ ...base, port: 0 }), { message: 'port: expected 1..65535, got 0' });
});

let topo: Topology | undefined;
test.after.always(async () => {
  await topo?.destroy();
});

function ourPins(): string[] {
  return existsSync('/sys/fs/bpf') ? readdirSync('/sys/fs/bpf').filter((n) => n.startsWith(`fastpath-${process.pid}-`)) : [];
}

(root ? test.serial : test.skip)('every mode leaves the DUT as it found it', async (t) => {
  topo = await buildTopology(wireTopology());
  const sink = new Sink();
  t.teardown(() => sink.close());
  const ctx = { topo, sink, scenario: DATAPATH_SCENARIOS.routed, maxFlows: 64 };
  const dut = (argv: string[]): Promise<{ stdout: string }> => topo!.exec('dut', argv);
  const state = async (): Promise<string[]> => [
    (await dut(['sysctl', '-n', 'net.ipv4.ip_forward'])).stdout.trim(),
    (await dut(['tc', 'qdisc', 'show', 'dev', WIRE_NET.dutIn])).stdout.includes('clsact') ? 'clsact' : 'no clsact',
    String(xdpQuery({ ifname: WIRE_NET.dutIn, netns: topo!.ns('dut'), mode: 'driver' })),
    ...(await nftTables(dut)),
  ];
  const clean = await state();
  t.deepEqual(clean, ['0', 'no clsact', '0']);

  const nft = await activateMode('nft', ctx);
  t.deepEqual(await state(), ['1', 'no clsact', '0', 'ip fpbench']);
  t.is(nft.destination, WIRE_NET.vip);
  await nft.teardown();
  t.deepEqual(await state(), clean);

  const xdp = await activateMode('ours-xdp', ctx);
  const during = await state();
  t.deepEqual(during.slice(0, 2), ['0', 'clsact']);
  t.not(during[2], '0', 'fp_xdp_entry attached');
  t.is(ourPins().length, 1);
  await xdp.teardown();
  t.deepEqual(await state(), clean);
  t.deepEqual(ourPins(), []);

  const fwd = await activateMode('xdp-fwd', ctx);
  t.deepEqual((await state()).slice(0, 2), ['0', 'no clsact']);
  t.not((await state())[2], '0', 'fwd_xdp attached');
  await fwd.teardown();
  t.deepEqual(await state(), clean);

  const tcFwd = await activateMode('tc-fwd', ctx);
  t.deepEqual(await state(), ['0', 'clsact', '0'], 'fwd_tc on TC ingress, no XDP');
  await tcFwd.teardown();
  t.deepEqual(await state(), clean);

  const ceiling = await activateMode('ceiling', ctx);
  t.not((await state())[2], '0', 'the drop sink is on the DUT ingress');
  await ceiling.teardown();
  t.deepEqual(await state(), clean);
});
