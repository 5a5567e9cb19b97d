// A short real wire run: every mode on the veth topology, a few hundred ms per point.
// Checks the result file (validated), the metric ids, the sample counts, that traffic
// really arrived in every mode, and the ratios to the ceiling of the same run. Never
// speeds.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTopology } from '../../netns/index.js';
import { possibleCpus } from '../../native/index.js';
import { recordRun } from '../../src/bench/record-run.js';
import { readResult } from '../../src/bench/result.js';
import { pinReceive } from '../../src/bench/wire/napi.js';
import { WIRE_NET, wireTopology } from '../../src/bench/wire/net.js';
import { runWire } from '../../src/bench/wire/run.js';

const root = process.getuid?.() === 0;
if (!root) test('wire run is skipped', (t) => t.log('skipped: needs root (namespaces, XDP)'));

const MODES = ['kernel', 'nft', 'tc-fwd', 'ours-tc', 'ours-xdp', 'xdp-fwd', 'ceiling'] as const;
const POINTS = ['64B/1f', '64B/16f', '512B/1f', '512B/16f'];

(root ? test.serial : test.skip)('a short wire run records every mode, point and ratio', async (t) => {
  const run = await runWire({
    sizes: [64, 512],
    flows: [1, 16],
    modes: ['ceiling', 'kernel', 'nft', 'tc-fwd', 'ours-tc', 'ours-xdp', 'xdp-fwd'],
    samples: 3,
    durationMs: 150,
    warmupMs: 50,
    datapath: 'routed',
    log: (l) => t.log(l),
  });
  for (const mode of MODES) t.true(run.received[mode]! > 0n, `${mode}: the sink counted ${run.received[mode]} frames`);

  const out = mkdtempSync(join(tmpdir(), 'fp-bench-wire-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const recorded = await recordRun(run.metrics, { runsDir: out });
  const result = readResult(join(recorded.dir, 'result.json'));

  const expected = MODES.flatMap((mode) => POINTS.flatMap((p) => [`wire/${mode}/${p}/mpps`, `wire/${mode}/${p}/gbps`]));
  t.deepEqual(
    result.metrics.map((m) => m.id),
    expected,
  );
  const byId = new Map(result.metrics.map((m) => [m.id, m]));
  for (const m of result.metrics) {
    t.is(m.samples.length, 3, m.id);
    t.true(
      m.samples.every((s) => s > 0),
      `${m.id}: ${m.samples.join(' ')}`,
    );
    t.is(m.unit, m.id.endsWith('/mpps') ? 'Mpps' : 'Gbps');
    const size = Number(m.params.size);
    if (m.id.endsWith('/gbps')) {
      const mpps = byId.get(m.id.replace(/gbps$/, 'mpps'))!;
      t.deepEqual(
        m.samples,
        mpps.samples.map((s) => (s * size * 8) / 1000),
        `${m.id} = Mpps x ${size} B x 8 / 1000`,
      );
    }
    if (m.params.mode === 'ceiling') {
      t.is(m.ratio, undefined);
    } else {
      const ceilingId = m.id.replace(/^wire\/[^/]+\//, 'wire/ceiling/');
      t.is(m.ratio?.to, ceilingId);
      t.is(m.ratio?.value, m.summary.median / byId.get(ceilingId)!.summary.median);
    }
  }
  t.deepEqual(byId.get('wire/ours-xdp/64B/16f/mpps')!.params, {
    mode: 'ours-xdp',
    path: 'xdp',
    size: 64,
    flows: 16,
    durationMs: 150,
    datapath: 'routed',
  });
});

(root ? test.serial : test.skip)('with the LB configuration our figures get their own ids and the XDP path really hits', async (t) => {
  // runWire fails the run when ours-xdp saw no XDP fast-path hit: the answers sent during
  // the warm-up established the connections and the slow path cached them.
  const run = await runWire({
    sizes: [64],
    flows: [16],
    modes: ['ours-tc', 'ours-xdp', 'ceiling'],
    samples: 2,
    durationMs: 150,
    warmupMs: 100,
    datapath: 'lb',
    log: (l) => t.log(l),
  });
  t.deepEqual(
    run.metrics.map((m) => m.id),
    [
      'wire/ours-tc-lb/64B/16f/mpps',
      'wire/ours-tc-lb/64B/16f/gbps',
      'wire/ours-xdp-lb/64B/16f/mpps',
      'wire/ours-xdp-lb/64B/16f/gbps',
      'wire/ceiling/64B/16f/mpps',
      'wire/ceiling/64B/16f/gbps',
    ],
  );
  for (const m of run.metrics.slice(0, 4)) {
    t.is(m.params.datapath, 'lb');
    t.is(m.ratio?.to, m.id.replace(/^wire\/[^/]+\//, 'wire/ceiling/'));
  }
  t.true(run.received['ours-xdp']! > 0n);
});

const twoCpus = possibleCpus() >= 2;
if (root && !twoCpus) test('--dut-cpu run is skipped', (t) => t.log('skipped: needs two CPUs (the generator keeps the last one)'));

(root && twoCpus ? test.serial : test.skip)(
  'with dutCpu the DUT receives on a pinned real-time thread and its figures get ids of their own',
  async (t) => {
    const run = await runWire({
      sizes: [64],
      flows: [1],
      modes: ['ours-xdp', 'ceiling'],
      samples: 2,
      durationMs: 150,
      warmupMs: 100,
      datapath: 'lb',
      dutCpu: 0,
      log: (l) => t.log(l),
    });
    t.deepEqual(
      run.metrics.map((m) => m.id),
      [
        'wire/ours-xdp-lb@cpu0/64B/1f/mpps',
        'wire/ours-xdp-lb@cpu0/64B/1f/gbps',
        'wire/ceiling@cpu0/64B/1f/mpps',
        'wire/ceiling@cpu0/64B/1f/gbps',
      ],
    );
    t.is(run.metrics[0]!.ratio?.to, 'wire/ceiling@cpu0/64B/1f/mpps');
    t.is(run.metrics[0]!.params.dutCpu, 0);
    t.true(run.received['ours-xdp']! > 0n && run.received.ceiling! > 0n);
  },
);

(root && twoCpus ? test.serial : test.skip)(
  'pinReceive: the DUT ingress gets its own NAPI thread on the CPU asked, SCHED_FIFO, gone with the topology',
  async (t) => {
    const topo = await buildTopology(wireTopology());
    let pids: number[];
    try {
      await topo.exec('dut', ['ethtool', '-K', WIRE_NET.dutIn, 'gro', 'on']);
      const pinned = await pinReceive(topo, 'dut', WIRE_NET.dutIn, 0);
      pids = pinned.pids;
      t.is(pids.length, 1);
      const status = readFileSync(`/proc/${pids[0]}/status`, 'utf8');
      t.regex(status, /^Cpus_allowed_list:\s+0$/m);
      t.regex(execFileSync('chrt', ['-p', String(pids[0])], { encoding: 'utf8' }), /SCHED_FIFO[\s\S]*priority: 50/);
      t.notThrows(() => pinned.check());
    } finally {
      await topo.destroy();
    }
    await new Promise((r) => setTimeout(r, 200));
    t.false(existsSync(`/proc/${pids[0]}`), 'the thread went with the namespace');
  },
);
