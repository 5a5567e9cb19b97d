// Where the TC fast-path hit spends its time: the datapath built again with the timed
// packet (TCP IPv4, 64 B; the handshake packets are shorter and run the whole program)
// returning TC_ACT_OK at successive points of fp_tc_entry, each variant timed like `bench
// micro` (repeat=1 minus the empty program, interleaved), rounds alternating the variants.
// The cut variants return early, so their verdict and bytes are not those of a hit: these
// are study figures, not `bench micro` figures (the full variant is checked as usual).
//   node dist/src/bench/micro/stage-cost.js [--samples N] [--rounds N]
// writes results/stage-cost.{json,md}.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BpfObject } from '../../../native/index.js';
import { LB_MICRO_CASES } from '../lb-bench.js';
import { measureTestRun, testRunSampler } from '../micro-timer.js';
import { repoRoot } from '../paths.js';
import { median } from '../stats.js';
import { runIfMain, writeResultFiles } from '../standalone.js';
import { loadOrClean } from '../wire/datapath-load.js';
import { MICRO_BASE_CONFIG } from './cases.js';
import { runMicro } from './run.js';

const CUT = '\n\tif (skb->len == 64)\n\t\treturn TC_ACT_OK;\n';

interface Cut {
  name: string;
  after: string;
}

/** Cumulative cut points, in the order a hit runs them; `after` must occur once. */
const CUTS: Cut[] = [
  { name: 'scratch + intf counter', after: '\tfp_stats_intf(skb->ifindex, skb->len);\n' },
  { name: '+ pull, parse', after: '\t\treturn fp_tc_to_stack(p, p->reason);\n' },
  { name: '+ intf resolve', after: '\t\treturn fp_tc_to_stack(p, FP_PATH_STACK_INTF_MISS);\n' },
  { name: '+ cfg, mirror / policer / QoS branches', after: '\t\treturn fp_tc_drop(p, FP_DROP_REWRITE);\n\n\trc = fp_tc_fast' },
  { name: '+ flow-cache lookup and checks', after: '\tif (!v)\n\t\treturn -1;\n' },
  { name: '+ NAT and checksums', after: '\t\treturn fp_tc_drop(p, FP_DROP_REWRITE);\n\tif (fp_tc_rewrite' },
  { name: '+ TTL, MACs, VLAN', after: '\t\treturn fp_tc_drop(p, FP_DROP_REWRITE);\n\t/* Not atomic' },
];

function variantSource(source: string, cut: Cut): string {
  const at = source.indexOf(cut.after);
  if (at < 0 || source.indexOf(cut.after, at + 1) >= 0)
    throw new Error(`stage-cost: cut '${cut.name}': anchor text not found exactly once in fastpath.bpf.c`);
  // Anchors ending inside the next statement cut before that statement.
  const nl = cut.after.lastIndexOf('\n') + 1;
  return source.slice(0, at + nl) + CUT.slice(1) + source.slice(at + nl);
}

function build(dir: string, name: string, source: string): string {
  const src = join(dir, `${name}.c`);
  const obj = join(dir, `${name}.o`);
  writeFileSync(src, source);
  execFileSync(
    'clang-19',
    [
      '-target',
      'bpf',
      '-O2',
      '-g',
      '-Wall',
      '-Werror',
      '-I',
      join(repoRoot, 'bpf', 'include'),
      '-I',
      '/usr/include/x86_64-linux-gnu',
      '-c',
      src,
      '-o',
      obj,
    ],
    { stdio: 'inherit' },
  );
  return obj;
}

const EMPTY_OBJECT = join(repoRoot, 'build', 'test-bpf', 'bench.bpf.o');

function timeCut(object: string, samples: number): number {
  const base = LB_MICRO_CASES.find((c) => c.id === 'micro/tc/lb-tcp-v4-fast')!;
  const dp = loadOrClean({ object, pinRoot: `/sys/fs/bpf/fastpath-${process.pid}-stagecost` });
  const empty = new BpfObject(EMPTY_OBJECT);
  try {
    dp.apply(MICRO_BASE_CONFIG);
    const { program, data } = base.prepare({ dp });
    if (data.length !== 64) throw new Error(`stage-cost: the timed packet is ${data.length} B, the cuts expect 64`);
    const m = measureTestRun({
      run: testRunSampler(program, { data }),
      calibrate: testRunSampler(empty.program('empty_tc'), { data }),
      samples,
      warmup: 200,
    });
    return median(m.samples);
  } finally {
    empty.close();
    dp.destroy();
  }
}

function main(): void {
  const argv = process.argv.slice(2);
  const opt = (name: string, dflt: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
  const samples = opt('--samples', 2000);
  const rounds = opt('--rounds', 3);
  const dir = mkdtempSync(join(tmpdir(), 'fastpath-stage-cost-'));
  try {
    const source = readFileSync(join(repoRoot, 'bpf', 'fastpath.bpf.c'), 'utf8');
    const objects = CUTS.map((c, i) => build(dir, `cut${i}`, variantSource(source, c)));
    const full = LB_MICRO_CASES.find((c) => c.id === 'micro/tc/lb-tcp-v4-fast')!;
    const figures: number[][] = CUTS.map(() => []);
    const fullFigures: number[] = [];
    for (let r = 0; r < rounds; r++) {
      objects.forEach((o, i) => figures[i]!.push(timeCut(o, samples)));
      fullFigures.push(runMicro({ samples, warmup: 200, cases: [full] }).at(-1)!.summary.median);
    }
    const medians = [...figures.map((f) => median(f)), median(fullFigures)];
    const names = [...CUTS.map((c) => c.name), '+ counters (hit, route, next hop, path), redirect (the whole hit, checked)'];
    const rows = names.map(
      (n, i) => `| ${n} | ${medians[i]!.toFixed(0)} | ${(medians[i]! - (i === 0 ? 0 : medians[i - 1]!)).toFixed(0)} |`,
    );
    const md = [
      '# Stage cost of the TC fast-path hit (LB TCP IPv4, 64 B)',
      '',
      `Cumulative net ns (median of ${rounds} rounds of ${samples}-sample medians); the stage's own cost is the difference to the row above.`,
      '',
      '| up to and including | cumulative ns | stage ns |',
      '|---|---:|---:|',
      ...rows,
      '',
    ].join('\n');
    writeResultFiles(
      'stage-cost',
      {
        schema: 'fastpath-stage-cost/1',
        at: new Date().toISOString(),
        samples,
        rounds,
        stages: names.map((n, i) => ({ stage: n, rounds: i < CUTS.length ? figures[i] : fullFigures })),
      },
      md,
    );
    process.stdout.write(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'stage-cost', main);
