// The main job (`make run`): smoke-check the datapath on real packets, run the whole
// conformance library in both modes plus the seeded fuzz pass, then a quick benchmark.
// Everything lands in results/runs/<runId>/ with a report.md a person can open.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { main as bench } from './bench/command.js';
import { ProgressBar } from './bench/report/progress.js';
import {
  DEFAULT_FUZZ_COUNT,
  DEFAULT_FUZZ_SEED,
  newConformanceRunId,
  renderJson,
  renderJunit,
  renderSummaryTable,
  runConformance,
  type SuiteResult,
} from './conformance/index.js';
import { defaultRunsDir } from './conformance/paths.js';
import { renderSmoke, runSmoke, type SmokeReport } from './smoke.js';

const USAGE = `usage: fastpath run [--skip-bench] [--runs-dir DIR]

The main job: a datapath smoke check on real packets, the conformance suite (every
scenario in every mode it lists, plus the seeded fuzz pass) and a quick benchmark.
Writes results/runs/<run id>/report.md, conformance JUnit/JSON and the benchmark's
result files. Exit status 0 when everything passed, 1 otherwise.`;

function smokePassed(r: SmokeReport): boolean {
  const counted = Object.values(r.interfaces).reduce((n, c) => n + c.packets, 0n);
  return r.pings.received === r.pings.sent && counted >= BigInt(r.pings.sent);
}

async function conformance(runsDir: string, runId: string): Promise<SuiteResult> {
  let bar: ProgressBar | undefined;
  let total = 0;
  const suite = await runConformance({
    runsDir,
    runId,
    fuzz: { seed: DEFAULT_FUZZ_SEED, count: DEFAULT_FUZZ_COUNT },
    onPlan: (runs) => {
      total = runs.length;
      if (total > 0) bar = new ProgressBar('conformance', total, { stream: process.stderr });
      bar?.update(0);
    },
    onResult: (_r, i) => bar?.update(Math.min(i + 1, total)),
  });
  bar?.finish();
  return suite;
}

function newestDir(parent: string): string | undefined {
  try {
    return readdirSync(parent, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
      .at(-1);
  } catch {
    return undefined;
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const runsDirAt = argv.indexOf('--runs-dir');
  const runsDir = runsDirAt >= 0 ? argv[runsDirAt + 1] : defaultRunsDir;
  if (runsDir === undefined) {
    process.stderr.write('fastpath run: --runs-dir needs a directory\n');
    return 2;
  }
  const runId = newConformanceRunId();
  const dir = join(runsDir, runId);
  mkdirSync(dir, { recursive: true });
  const report: string[] = [`# fastpath run ${runId}`, ''];

  process.stdout.write('== 1/3 datapath smoke\n');
  const smoke = await runSmoke();
  const smokeOk = smokePassed(smoke);
  process.stdout.write(`${renderSmoke(smoke)}\n${smokeOk ? 'smoke: PASS' : 'smoke: FAIL (pings lost or not counted)'}\n\n`);
  report.push('## Datapath smoke', '', '```', renderSmoke(smoke), '```', '');

  process.stdout.write('== 2/3 conformance suite (packet and wire modes, fuzz pass)\n');
  const suite = await conformance(runsDir, runId);
  const table = renderSummaryTable(suite);
  process.stdout.write(`${table}\n\n`);
  writeFileSync(join(dir, 'conformance.junit.xml'), renderJunit(suite));
  writeFileSync(join(dir, 'conformance.json'), renderJson(suite));
  report.push('## Conformance', '', '```', table, '```', '', 'JUnit: `conformance.junit.xml`, JSON: `conformance.json`.', '');

  let benchStatus = 0;
  if (!argv.includes('--skip-bench')) {
    process.stdout.write('== 3/3 quick benchmark\n');
    const benchParent = join(dir, 'bench');
    benchStatus = await bench(['quick', '--out', benchParent]);
    const benchRun = newestDir(benchParent);
    report.push(
      '## Quick benchmark',
      '',
      benchRun === undefined
        ? 'The benchmark wrote no result.'
        : `See \`${relative(dir, join(benchParent, benchRun))}/summary.md\` (result.json, metrics.csv, samples.csv, charts).`,
      '',
    );
  }

  const ok = smokeOk && suite.failed === 0 && (suite.fuzz?.ok ?? true) && benchStatus === 0;
  report.push(`Result: ${ok ? 'PASS' : 'FAIL'}`, '');
  writeFileSync(join(dir, 'report.md'), report.join('\n'));
  process.stdout.write(`\nfastpath run: ${ok ? 'PASS' : 'FAIL'}; report in ${join(dir, 'report.md')}\n`);
  return ok ? 0 : 1;
}
