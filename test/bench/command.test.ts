// `fastpath bench` argument handling (exit 2, the option named) and a real micro run
// through the command into a run directory whose result file validates.
import test from 'ava';
import { runBenchCaptured } from './_capture.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { possibleCpus } from '../../native/index.js';
import { parseBenchArgs, UsageError } from '../../src/bench/command.js';
import { LB_MICRO_CASES } from '../../src/bench/lb-bench.js';
import { LB_ALGORITHM_MICRO_CASES } from '../../src/bench/micro/lb-algorithm-cases.js';
import { readResult } from '../../src/bench/result.js';

const run = runBenchCaptured;

const GEN_CPU = possibleCpus() - 1;

const usageErrors: [string[], string][] = [
  [[], 'command: expected one of micro, wire, cps, tcp, quick, all before the options'],
  [['--sizes', '64'], 'command: expected one of micro, wire, cps, tcp, quick, all before the options'],
  [['fast'], "command: unknown 'fast' (expected one of micro, wire, cps, tcp, quick, all)"],
  [['wire', '--sizes', '12'], "--sizes: expected an integer in 64..1518, got '12'"],
  [['wire', '--sizes', '64,x'], "--sizes: expected an integer in 64..1518, got 'x'"],
  [['wire', '--flows', '70000'], "--flows: expected an integer in 1..65536, got '70000'"],
  [['wire', '--flows', '0'], "--flows: expected an integer in 1..65536, got '0'"],
  [['wire', '--modes', 'ceiling,warp'], "--modes: unknown value 'warp' (known: ceiling, kernel, nft, ours-tc, ours-xdp, xdp-fwd, tc-fwd)"],
  [['cps', '--cps-modes', 'ours-xdp'], "--cps-modes: unknown value 'ours-xdp' (known: kernel, nft, ours-tc)"],
  [['wire', '--samples'], '--samples: missing value'],
  [['wire', '--samples', '--out', 'x'], '--samples: missing value'],
  [['wire', '--duration-ms', '1.5'], "--duration-ms: expected an integer in 10..600000, got '1.5'"],
  [['wire', '--iface', 'fpa'], '--peer-iface: required with --iface'],
  [['wire', '--peer-iface', 'fpb'], '--iface: required with --peer-iface'],
  [['wire', '--iface', 'fpa', '--peer-iface', 'fpa'], '--peer-iface: must differ from --iface'],
  [['wire', '--iface', 'a/b', '--peer-iface', 'c'], "--iface: 'a/b' is not an interface name"],
  [['cps', '--iface', 'fpa', '--peer-iface', 'fpb'], '--iface: only the wire benchmark sends on named interfaces, not cps'],
  [['wire', '--datapath', 'lb-maglev'], "--datapath: unknown configuration 'lb-maglev' (known: routed, lb)"],
  [['wire', '--dut-cpu', String(GEN_CPU)], `--dut-cpu: CPU ${GEN_CPU} is the generator's; give another (0..${GEN_CPU - 1})`],
  [['wire', '--dut-cpu', '-1'], `--dut-cpu: expected an integer in 0..${GEN_CPU}, got '-1'`],
  [['wire', '--dut-cpu', '0', '--iface', 'fpa', '--peer-iface', 'fpb'], '--dut-cpu: applies to the veth topology, not to --iface'],
  [['wire', '--loss', '0.1'], '--loss: applies to --ndr'],
  [['wire', '--ndr', '--loss', '101'], "--loss: expected a number in 0..100, got '101'"],
  [['wire', '--ndr', '--ndr-resolution', '0'], "--ndr-resolution: expected a number in 0.01..50, got '0'"],
  [['cps', '--ndr'], '--ndr: applies to the wire benchmark, not cps'],
  [['wire', '--dst-mac', '02:00:00:00:00:01'], '--dst-mac: applies to --iface'],
  [
    ['wire', '--iface', 'fpa', '--peer-iface', 'fpb', '--dst-mac', '02:00:00:00:01'],
    "--dst-mac: '02:00:00:00:01' is not a MAC address (aa:bb:cc:dd:ee:ff)",
  ],
  [['wire', '--iface', 'fpa', '--peer-iface', 'fpb', '--dst-ip', '10.0.0.256'], "--dst-ip: '10.0.0.256' is not an IPv4 address"],
  [['wire', '--dut', 'ssh://root@dut', '--dut-config', 'x.yaml'], '--dut: needs --iface and --peer-iface (the links to the DUT)'],
  [['wire', '--iface', 'fpa', '--peer-iface', 'fpb', '--dut', 'ssh://root@dut'], '--dut-config: required with --dut'],
  [['wire', '--iface', 'fpa', '--peer-iface', 'fpb', '--dut', 'root@dut'], "--dut: expected ssh://user@host[:port], got 'root@dut'"],
  [['wire', '--iface', 'fpa', '--peer-iface', 'fpb', '--dut', 'ssh://dut:70000'], '--dut: port 70000 is out of range 1..65535'],
  [['wire', '--dut-config', 'x.yaml'], '--dut: required with --dut-config, --dut-pin-root, --dut-fastpath and --ssh-option'],
  [['wire', '--dut', 'ssh://dut', '--ssh-option', 'Port'], "--ssh-option: expected KEY=VALUE (an ssh -o option), got 'Port'"],
  [
    ['wire', '--dut', 'ssh://dut', '--dut-pin-root', 'fp'],
    "--dut-pin-root: expected an absolute path (letters, digits, _ . / -), got 'fp'",
  ],
  [['micro', '--frobnicate'], '--frobnicate: unknown option'],
  [['micro', 'extra'], 'extra: unexpected argument (options start with --)'],
  [['wire', '--scale'], '--scale: applies to micro and all, not wire'],
  [['wire', '--anchor-loxilb', '/nowhere'], '--anchor-loxilb: applies to micro and all, not wire'],
  [['micro', '--anchor-rounds', '2'], '--anchor-rounds: only with --anchor-loxilb DIR'],
  [['micro', '--anchor-loxilb', '/x', '--anchor-record', 'a/b'], "--anchor-record: 'a/b' is not a file name (letters, digits, _ . -)"],
];

test('--scale and the anchor options parse for micro', (t) => {
  const a = parseBenchArgs([
    'micro',
    '--scale',
    '--anchor-loxilb',
    '/a',
    '--anchor-rounds',
    '2',
    '--anchor-cpu',
    '0',
    '--anchor-record',
    'side',
  ]);
  if (a === 'help') return t.fail();
  t.true(a.scale);
  t.deepEqual(a.anchor, { dir: '/a', rounds: 2, cpu: 0, record: 'side' });
});

for (const [argv, message] of usageErrors) {
  test(`bench ${argv.join(' ') || '(nothing)'}: exit 2, ${message.split(':')[0]} named`, async (t) => {
    t.throws(() => parseBenchArgs(argv), { instanceOf: UsageError, message });
    const r = await run(argv);
    t.is(r.code, 2);
    t.true(r.err.startsWith(`fastpath bench: ${message}\n`), r.err);
    t.is(r.out, '');
  });
}

test('--help prints the usage and exits 0', async (t) => {
  const r = await run(['wire', '--help']);
  t.is(r.code, 0);
  t.true(r.out.startsWith('usage: fastpath bench <micro|wire|cps|tcp|quick|all> [options]'));
  t.true(r.out.includes('--peer-iface NAME'));
});

test('--ndr and --dut: defaults and values', (t) => {
  const a = parseBenchArgs([
    'wire',
    '--ndr',
    '--iface',
    'fpa',
    '--peer-iface',
    'fpb',
    '--dst-mac',
    '02:AA:00:00:00:01',
    '--dut',
    'ssh://bench@[fd00::1]:2200',
    '--dut-config',
    'dut.yaml',
    '--ssh-option',
    'IdentityFile=/k',
    '--ssh-option=Port=1',
  ]);
  if (a === 'help') return t.fail();
  t.deepEqual(a.ndr, { lossPct: 0, resolutionPct: 1 });
  t.is(a.dstMac, '02:aa:00:00:00:01');
  t.deepEqual(a.dut, {
    target: { user: 'bench', host: 'fd00::1', port: 2200 },
    config: 'dut.yaml',
    sshOptions: ['IdentityFile=/k', 'Port=1'],
    fastpath: 'fastpath',
  });
  const b = parseBenchArgs(['wire', '--ndr', '--loss', '0.1', '--ndr-resolution', '0.5']);
  if (b === 'help') return t.fail();
  t.deepEqual(b.ndr, { lossPct: 0.1, resolutionPct: 0.5 });
});

test('defaults: full lengths for wire, short ones for quick; --opt=value works', (t) => {
  const wire = parseBenchArgs(['wire']);
  const quick = parseBenchArgs(['quick', '--flows=1,1,16']);
  if (wire === 'help' || quick === 'help') return t.fail();
  t.deepEqual([wire.sizes, wire.flows, wire.samples, wire.durationMs], [[64, 512, 1500], [1, 1024, 65536], 5, 1000]);
  t.deepEqual(wire.modes, ['ceiling', 'kernel', 'nft', 'ours-tc', 'ours-xdp', 'xdp-fwd', 'tc-fwd']);
  t.deepEqual([quick.sizes, quick.flows, quick.samples, quick.durationMs], [[64], [1, 16], 5, 200]);
  t.is(wire.datapath, 'lb');
});

const root = process.getuid?.() === 0;
(root ? test.serial : test.skip)('bench micro writes a valid run directory with every micro case, net of calibration', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'fp-bench-cmd-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const r = await run(['micro', '--micro-samples', '40', '--out', out]);
  t.is(r.code, 0, r.err);
  const dir = /written to (\S+)/.exec(r.out)?.[1];
  t.truthy(dir, r.out);
  const result = readResult(join(dir!, 'result.json'));
  t.deepEqual(
    result.metrics.map((m) => m.id),
    [
      'micro/calibration/tc-empty',
      'micro/calibration/xdp-empty',
      'micro/tc/routed-v4-slow',
      'micro/tc/routed-v6-slow',
      'micro/tc/routed-v4-fc-hit',
      'micro/xdp/routed-v4-fc-hit',
      ...LB_MICRO_CASES.map((c) => c.id),
      ...LB_ALGORITHM_MICRO_CASES.map((c) => c.id),
      'cp/lb-rule-install',
      'cp/endpoint-toggle',
      'cp/ct-dump-1m',
    ],
  );
  t.true(LB_MICRO_CASES.length > 0);
  for (const m of result.metrics.filter((x) => x.group === 'micro')) {
    t.is(m.samples.length, 40, m.id);
    t.is(m.unit, 'ns/pkt');
  }
  const tcEmpty = result.metrics[0]!.summary.median;
  for (const m of result.metrics.slice(2).filter((x) => x.group === 'micro')) {
    t.is(m.calibration?.name, `micro/calibration/${m.params.hook}-empty`, m.id);
  }
  t.true(tcEmpty > 0);
  t.true(r.out.includes('| micro | IPv4 TCP routed, TC slow path (entry + tail call + L3) |'));
});
if (!root) test('micro run through the command is skipped', (t) => t.log('skipped: BPF needs root'));
