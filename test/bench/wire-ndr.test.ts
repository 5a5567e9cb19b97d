// bench wire --ndr against a DUT with a planted rate limit: our datapath (fastpath dp up,
// real CLI) routes gen -> dut -> gen with an srTCM interface policer on its ingress, CIR =
// 30 kpps of 64-byte frames (46 bytes of IP total length each, what the policer counts),
// far below what the datapath forwards here (~0.5-1 Mpps on this VM's TC path). The NDR
// must land within 10% of the policer's rate.
//
// Margins: over a 1 s trial the bucket (cbs = 20 ms of CIR, refilled in the 100 ms pause
// before the window) lets at most 2% more through, so a rate 5% above CIR loses >= ~2.9%
// (far above the 0.1% tolerated) and fails; below CIR the policer drops nothing (after a
// stall the generator catches up with at most 256 frames back to back, 11.8 kB, less than
// the bucket, which refilled during the stall), so a rate 5% below passes unless
// something else loses frames. The expected NDR is CIR to CIR + 2%, searched to 1% of
// the upper bound (4 x CIR: 1.2 kpps, 4% of CIR); 10% leaves room for both. The first test searches from 4 x CIR so that trials above the limit are really
// made and must fail; the second runs the command as a user does (the search starts at
// the maximum forwarding rate measured unpaced, which the policer holds at its CIR or
// below, and goes up from there while trials pass).
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import test from 'ava';
import { buildTopology, type Topology } from '../../netns/index.js';
import { readResult } from '../../src/bench/result.js';
import { LiveFramesGenerator } from '../../src/bench/wire/generator.js';
import { searchNdr } from '../../src/bench/wire/ndr.js';
import { Sink } from '../../src/bench/wire/sink.js';
import { stateDirOf } from '../../src/deploy/state-dir.js';
import { REPO } from '../deploy/_paths.js';
import { DUT_TOPOLOGY, NET, dutConfig } from './_routed-dut.js';

const CLI = join(REPO, 'dist', 'src', 'cli.js');
const PIN_ROOT = `/sys/fs/bpf/fastpath-ndr-${process.pid}`;
const IP_BYTES = 64 - 4 - 14;
const CIR_PPS = 30_000;
const POLICER = { cir: CIR_PPS * IP_BYTES, cbs: Math.round(CIR_PPS * IP_BYTES * 0.02) };

const root = process.getuid?.() === 0;
let topo: Topology | undefined;
let dp: ChildProcess | undefined;
const work = mkdtempSync(join(tmpdir(), 'fastpath-ndr-'));

function waitForUp(child: ChildProcess): Promise<void> {
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const take = (l: string): void => {
      lines.push(l);
      if (/^\S+ up /.test(l)) resolve();
    };
    createInterface({ input: child.stdout! }).on('line', take);
    createInterface({ input: child.stderr! }).on('line', take);
    child.once('exit', (code) => reject(new Error(`dp up exited ${code}:\n${lines.join('\n')}`)));
  });
}

test.before(async () => {
  if (!root) return;
  topo = await buildTopology(DUT_TOPOLOGY);
  const config = join(work, 'policed.yaml');
  writeFileSync(config, dutConfig(POLICER));
  dp = spawn(process.execPath, [CLI, 'dp', 'up', config, '--netns', topo.ns('dut'), '--pin-root', PIN_ROOT], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForUp(dp);
});

test.after.always(async () => {
  if (dp !== undefined && dp.exitCode === null) {
    dp.kill('SIGTERM');
    await new Promise((r) => dp!.once('exit', r));
  }
  await topo?.destroy();
  spawnSync('rm', ['-rf', PIN_ROOT, stateDirOf(PIN_ROOT)]);
  rmSync(work, { recursive: true, force: true });
});

const within10 = (pps: number): boolean => Math.abs(pps - CIR_PPS) <= 0.1 * CIR_PPS;

(root ? test.serial : test.skip)('the search from 4 x CIR finds the policer: trials above it fail, below it pass', async (t) => {
  const gen = new LiveFramesGenerator({ ifname: 'eth-a', netns: topo!.ns('gen') });
  const sink = new Sink();
  try {
    sink.attachXdp({ ifname: 'eth-b', netns: topo!.ns('gen') });
    const spec = { size: 64, flows: 1, dstMac: NET.dutIn, srcMac: NET.genA, src: '10.1.0.2', dst: '10.2.0.2' };
    const search = await searchNdr(gen, sink, spec, 4 * CIR_PPS, { lossPct: 0.1, resolutionPct: 1, trialMs: 1000, warmupMs: 200 });
    const rows = search.steps.map(
      (s) =>
        `${(s.targetPps / 1e3).toFixed(1)} -> ${(s.offeredPps / 1e3).toFixed(1)} kpps, loss ${s.lossPct.toFixed(2)}%, ${s.pass ? 'pass' : 'fail'}, ${s.stalls} stalls`,
    );
    t.log(`NDR ${(search.ndrPps / 1e3).toFixed(2)} kpps (policer ${CIR_PPS / 1e3} kpps)\n${rows.join('\n')}`);
    t.true(within10(search.ndrPps), `NDR ${search.ndrPps} pps not within 10% of ${CIR_PPS}`);
    for (const s of search.steps) {
      if (s.offeredPps <= 0.95 * CIR_PPS) t.true(s.pass, `a trial at ${s.offeredPps} pps lost ${s.lossPct}%`);
      if (s.offeredPps >= 1.05 * CIR_PPS) {
        t.false(s.pass, `a trial at ${s.offeredPps} pps passed`);
        // What the policer lets through over the window, within 3 points, for a trial the
        // generator paced evenly (a stall sends the missed frames as a burst, which the
        // bucket cuts harder than the model).
        if (s.stalls === 0)
          t.true(Math.abs(s.lossPct - (1 - CIR_PPS / s.offeredPps) * 100) < 3, `loss ${s.lossPct}% at ${s.offeredPps} pps`);
      }
    }
    t.true(search.steps.some((s) => !s.pass) && search.steps.some((s) => s.pass));
  } finally {
    await gen.close();
    sink.close();
  }
});

(root ? test.serial : test.skip)(
  'bench wire --iface --ndr (the CLI in the generator namespace) reports the NDR beside the maximum, every trial in JSON and Markdown',
  (t) => {
    const out = join(work, 'runs');
    const r = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        topo!.ns('gen'),
        process.execPath,
        CLI,
        'bench',
        'wire',
        '--iface',
        'eth-a',
        '--peer-iface',
        'eth-b',
        '--dst-mac',
        NET.dutIn,
        '--sizes',
        '64',
        '--flows',
        '1',
        '--samples',
        '2',
        '--duration-ms',
        '1000',
        '--warmup-ms',
        '200',
        '--ndr',
        '--loss',
        '0.1',
        '--ndr-resolution',
        '1',
        '--out',
        out,
      ],
      { encoding: 'utf8' },
    );
    t.is(r.status, 0, r.stderr);
    const dir = /written to (\S+)/.exec(r.stdout)?.[1];
    const result = readResult(join(dir!, 'result.json'));
    t.deepEqual(
      result.metrics.map((m) => m.id),
      ['wire/path/64B/1f/mpps', 'wire/path/64B/1f/gbps', 'wire/path/64B/1f/ndr-mpps'],
    );
    const ndr = result.ndr?.[0];
    if (ndr === undefined) throw new Error('the result has no ndr section');
    t.is(ndr.metric, 'wire/path/64B/1f/ndr-mpps');
    t.is(ndr.lossPct, 0.1);
    // Unpaced, the policer holds the forwarding rate at its CIR or below (below when the
    // generator pauses between its calls: the bucket cannot bank more than cbs meanwhile).
    t.true(ndr.maxPps > 0 && ndr.maxPps <= 1.1 * CIR_PPS, `unpaced forwarding rate ${ndr.maxPps}`);
    t.true(within10(ndr.ndrPps), `NDR ${ndr.ndrPps}`);
    t.is(result.metrics[2]!.samples[0], ndr.ndrPps / 1e6);
    t.true(ndr.steps.length >= 1 && ndr.steps.every((s) => s.offered > 0 && s.received > 0));
    const md = readFileSync(join(dir!, 'summary.md'), 'utf8');
    t.regex(md, /## Throughput \(RFC 2544, no-drop rate\)/);
    t.regex(md, /\| trial \| target kpps \| offered kpps \|/);
    t.is(md.match(/^\| \d+ \| /gm)?.length, ndr.steps.length);
    t.false(existsSync(join(out, '.tmp')));
    // The sink's program is gone from eth-b again; the generator's namespace has no XDP left.
    t.notRegex(
      execFileSync('ip', ['netns', 'exec', topo!.ns('gen'), 'ip', '-d', 'link', 'show', 'eth-b'], { encoding: 'utf8' }),
      /\bxdp\b/,
    );
  },
);
