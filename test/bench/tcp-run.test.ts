// `fastpath bench tcp` end to end on a tiny setting (one round of 1 s transfers): every
// mode's transfer completes with the receiver's byte count matching the sender's (within
// what can still be queued), our modes' path counters moved on the hook they claim, the
// run directory validates, and nothing is left behind (namespaces, pins, iperf3
// processes, nftables tables). Never speeds.
import test from 'ava';
import { runBenchCaptured } from './_capture.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { readResult } from '../../src/bench/result.js';
import { iperf3Binary, liveIperfCount } from '../../src/bench/tcp/iperf.js';
import { runTcp } from '../../src/bench/tcp/run.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli.js');
const root = process.getuid?.() === 0;
const skip = !root ? 'needs root (namespaces, BPF)' : iperf3Binary() === null ? 'iperf3 is not installed (make setup installs it)' : null;
if (skip !== null) test('bench tcp runs are skipped', (t) => t.log(`skipped: ${skip}`));
const serial = skip === null ? test.serial : test.skip;

function leftovers(): string[] {
  const ns = existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(`fp-${process.pid}x`)) : [];
  const pins = readdirSync('/sys/fs/bpf').filter((n) => n.startsWith(`fastpath-${process.pid}-`));
  return [...ns, ...pins, ...(liveIperfCount() > 0 ? [`${liveIperfCount()} iperf3 processes`] : [])];
}

const quiet = runBenchCaptured;

serial('bench tcp: every mode moves real bytes, our modes on the hooks they claim, and the run directory validates', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'fp-bench-tcp-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const r = await quiet(['tcp', '--tcp-samples', '1', '--tcp-seconds', '1', '--out', out]);
  t.is(r.code, 0, r.err);
  const dir = /written to (\S+)/.exec(r.out)?.[1];
  t.truthy(dir, r.out);
  const result = readResult(join(dir!, 'result.json'));
  const modes = ['kernel', 'nft', 'ours-tc', 'ours-xdp-native', 'ours-xdp-generic'];
  t.deepEqual(
    result.metrics.map((m) => m.id),
    modes.map((m) => `tcp/${m}/gbps`),
  );
  for (const m of result.metrics) {
    t.is(m.samples.length, 1, m.id);
    t.true(m.samples[0]! > 0, m.id);
    t.true(Number(m.params.receivedBytes) > 0 && Number(m.params.receivedBytes) <= Number(m.params.sentBytes), m.id);
  }
  t.deepEqual(
    result.metrics.map((m) => m.params.target),
    ['10.4.1.2', '10.9.0.1', '10.9.0.1', '10.9.0.1', '10.9.0.1'],
  );
  const p = (mode: string, k: string): number => Number(result.metrics.find((m) => m.params.mode === mode)!.params[`paths.${k}`]);
  t.true(p('ours-tc', 'tc_fast_hit') > 0, 'ours-tc: TC fast path carried the connection');
  t.is(
    p('ours-tc', 'xdp_fast_hit') + p('ours-tc', 'xdp_pass_csum') + p('ours-tc', 'xdp_pass_mtu') + p('ours-tc', 'xdp_pass_egress'),
    0,
    'no XDP program in ours-tc',
  );
  for (const mode of ['ours-xdp-native', 'ours-xdp-generic']) {
    const xdpSaw = p(mode, 'xdp_fast_hit') + p(mode, 'xdp_pass_csum') + p(mode, 'xdp_pass_mtu') + p(mode, 'xdp_pass_egress');
    t.true(xdpSaw > 0, `${mode}: the XDP entry saw the packets`);
  }
  t.false('paths.tc_fast_hit' in result.metrics[0]!.params, 'kernel mode: no path counters');
  const summary = r.out;
  t.true(summary.includes('## Bulk TCP targets'), summary);
  t.true(summary.includes('## Bulk TCP: which hook carried our packets'), summary);
  t.true(summary.includes('XDP warnings of the datapath'), summary);
  t.regex(summary, /\| ours-tc \| default \| \d+\.\d\d \|/);
  t.deepEqual(leftovers(), []);
});

serial('offloads off: the links come up without offloads and the transfers still complete', async (t) => {
  const run = await runTcp({ modes: ['kernel', 'ours-tc', 'ours-xdp-native'], samples: 1, seconds: 1, streams: 2, offloads: 'off' });
  t.deepEqual(
    run.metrics.map((m) => m.id),
    ['tcp/kernel-offloads-off/gbps', 'tcp/ours-tc-offloads-off/gbps', 'tcp/ours-xdp-native-offloads-off/gbps'],
  );
  for (const mode of ['kernel', 'ours-tc', 'ours-xdp-native'] as const) {
    const r = run.report[mode]!;
    t.is(r.transfers.length, 1, mode);
    t.true(r.transfers[0]!.sentBytes > 0 && r.transfers[0]!.receivedBytes > 0, mode);
  }
  const xdp = run.report['ours-xdp-native']!.paths!;
  t.log(
    `ours-xdp-native, offloads off: xdp_fast_hit ${xdp.xdp_fast_hit}, xdp_pass_csum ${xdp.xdp_pass_csum}, xdp_pass_mtu ${xdp.xdp_pass_mtu}, tc_fast_hit ${xdp.tc_fast_hit}`,
  );
  t.true(xdp.xdp_fast_hit > xdp.xdp_pass_csum, 'with checksum offload off XDP forwards the bulk of the packets itself');
  t.deepEqual(leftovers(), []);
});

function iperfPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'iperf3';
      } catch {
        return false;
      }
    })
    .map(Number);
}

serial('Ctrl-C in the middle of a transfer leaves no namespace (nor the nftables table in it), pin or iperf3 process', async (t) => {
  const before = new Set(iperfPids());
  const child = spawn(
    process.execPath,
    [cli, 'bench', 'tcp', '--tcp-samples', '3', '--tcp-seconds', '2', '--tcp-modes', 'nft,ours-xdp-native', '--out', tmpdir()],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  // Wait until a client transfer runs (an iperf3 process beyond the server), then interrupt.
  const deadline = Date.now() + 20_000;
  while (iperfPids().filter((p) => !before.has(p)).length < 2 && Date.now() < deadline) await sleep(50);
  t.true(iperfPids().filter((p) => !before.has(p)).length >= 2, `no transfer started within 20 s: ${err}`);
  await sleep(300);
  child.kill('SIGINT');
  const end = await exited;
  t.true(end.signal === 'SIGINT' || end.code === 130, `exit ${end.code ?? end.signal}: ${err}`);
  const pid = child.pid!;
  for (let i = 0; i < 50 && iperfPids().some((p) => !before.has(p)); i++) await sleep(20);
  t.deepEqual(
    iperfPids().filter((p) => !before.has(p)),
    [],
    'iperf3 processes left',
  );
  t.deepEqual(existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(`fp-${pid}x`)) : [], [], 'namespaces left');
  t.deepEqual(
    readdirSync('/sys/fs/bpf').filter((n) => n.startsWith(`fastpath-${pid}-`)),
    [],
    'pins left',
  );
});

serial('a transfer iperf3 refuses fails the run naming mode and sample, and leaves nothing behind', async (t) => {
  // iperf3 takes at most 128 parallel streams: the client exits with an error.
  const e = await t.throwsAsync(runTcp({ modes: ['ours-tc'], samples: 1, seconds: 1, streams: 129, offloads: 'default' }), {
    message: /^tcp ours-tc, sample 1: iperf3 client -> 10\.9\.0\.1:5201 exited with 1: iperf3: parameter error - .*parallel streams/,
  });
  t.log(e?.message);
  t.deepEqual(leftovers(), []);
});
