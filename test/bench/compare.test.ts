import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareResults, verdictOf } from '../../src/bench/compare.js';
import { parseThreshold } from '../../src/bench/compare-command.js';
import { serializeResult, type BenchResult } from '../../src/bench/result.js';
import { brokenCopy, fingerprint, metric, result, spread } from './fixtures.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Writes the results to a temporary directory and runs the real `fastpath compare`. */
function compareCli(
  t: { teardown(fn: () => void): void },
  base: BenchResult | string,
  current: BenchResult | string,
  extra: string[] = [],
): Run & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fp-compare-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, r: BenchResult | string): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof r === 'string' ? r : serializeResult(r));
    return path;
  };
  const a = write('A.json', base);
  const b = write('B.json', current);
  const run = spawnSync(process.execPath, [cli, 'compare', a, b, ...extra], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, dir };
}

// p-values in the rows agree with scipy.stats.mannwhitneyu(..., method='asymptotic',
// use_continuity=True): 2.37932307483784e-96 for a shift of 20 on these samples.
const baseSamples = spread(300, 100); // median 111
const base = result('base-run', [
  metric('micro/tcp-hit', baseSamples),
  metric('wire/xdp-64', spread(300, 1000), { unit: 'Mpps', better: 'higher' }),
]);

function rowOf(markdown: string, id: string): string {
  const row = markdown.split('\n').find((line) => line.startsWith(`| \`${id}\``));
  if (row === undefined) throw new Error(`no row for ${id} in:\n${markdown}`);
  return row;
}

test('a clear regression exits 1 and its row says so', (t) => {
  const current = result('current-run', [
    metric(
      'micro/tcp-hit',
      baseSamples.map((v) => v + 20),
    ), // 111 -> 131 ns: +18%
    metric('wire/xdp-64', spread(300, 1000), { unit: 'Mpps', better: 'higher' }),
  ]);
  const run = compareCli(t, base, current);
  t.is(run.status, 1, run.stderr);
  t.is(rowOf(run.stdout, 'micro/tcp-hit'), '| `micro/tcp-hit` | ns/pkt | lower | 111 | 131 | +18.0% | +20 | 2.4e-96 | **REGRESSION** |');
  t.is(rowOf(run.stdout, 'wire/xdp-64'), '| `wire/xdp-64` | Mpps | higher | 1011 | 1011 | 0.0% | 0 | 1 | no significant change |');
  t.true(run.stdout.includes('1 regression, 0 improvements, 1 without significant change, 0 missing.'));
});

test('a higher-is-better metric that drops is a regression', (t) => {
  const current = result('current-run', [
    metric('micro/tcp-hit', baseSamples),
    metric('wire/xdp-64', spread(300, 900), { unit: 'Mpps', better: 'higher' }), // -9.9%
  ]);
  const run = compareCli(t, base, current);
  t.is(run.status, 1);
  t.regex(rowOf(run.stdout, 'wire/xdp-64'), /\| -9\.9% \| -100 \| .* \| \*\*REGRESSION\*\* \|$/);
});

test('noise within the threshold exits 0, even when it is statistically significant', (t) => {
  const current = result('current-run', [
    metric(
      'micro/tcp-hit',
      baseSamples.map((v) => v + 2),
    ),
    base.metrics[1]!,
  ]); // +1.8%
  const run = compareCli(t, base, current);
  t.is(run.status, 0, run.stderr);
  const row = rowOf(run.stdout, 'micro/tcp-hit');
  t.regex(row, /\| 111 \| 113 \| \+1\.8% \| \+2 \| /);
  t.true(row.endsWith('| no significant change |'));
  // Significant at alpha (the samples really moved) but inside 5%: not a regression.
  const comparison = compareResults(base, current);
  t.true(comparison.rows[0]!.p < 0.01);
  // The same shift with a 1% threshold is one.
  t.is(compareCli(t, base, current, ['--threshold', '1%']).status, 1);
});

test('an improvement exits 0 and is labelled', (t) => {
  const current = result('current-run', [
    metric(
      'micro/tcp-hit',
      baseSamples.map((v) => v - 20),
    ),
    base.metrics[1]!,
  ]);
  const run = compareCli(t, base, current, ['--alpha=0.001']);
  t.is(run.status, 0);
  t.true(rowOf(run.stdout, 'micro/tcp-hit').endsWith('| -18.0% | -20 | 2.4e-96 | improvement |'));
});

test('metrics in one file only are listed as missing; environment changes are noted', (t) => {
  const current = result('current-run', [base.metrics[0]!, metric('micro/new-one', [1, 2, 3])], { ...fingerprint, kernel: '6.19.0' });
  const run = compareCli(t, base, current);
  t.is(run.status, 0);
  t.true(run.stdout.includes('- `wire/xdp-64`: missing in current (only in base)'));
  t.true(run.stdout.includes('- `micro/new-one`: missing in base (only in current)'));
  t.true(run.stdout.includes('- kernel: 6.18.0 -> 6.19.0'));
  t.true(run.stdout.includes('0 regressions, 0 improvements, 1 without significant change, 2 missing.'));
});

test('--markdown writes the same table to a file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-compare-md-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'comment.md');
  const run = compareCli(t, base, base, ['--markdown', out]);
  t.is(run.status, 0);
  t.is(readFileSync(out, 'utf8'), run.stdout);
  t.true(run.stdout.startsWith('## Benchmark comparison\n'));
});

test('a malformed result file exits 2 naming the file and the field', (t) => {
  const run = compareCli(t, base, JSON.stringify(brokenCopy(base, 'metrics.1.samples.5', 'slow')));
  t.is(run.status, 2);
  t.is(run.stdout, '');
  t.is(run.stderr, `fastpath compare: ${join(run.dir, 'B.json')}: metrics[1].samples[5]: expected a finite number, got "slow"\n`);
});

test('mismatched units for one metric id exit 2', (t) => {
  const current = result('current-run', [metric('micro/tcp-hit', baseSamples, { unit: 'ns' })]);
  const run = compareCli(t, base, current);
  t.is(run.status, 2);
  t.is(
    run.stderr,
    `fastpath compare: ${join(run.dir, 'B.json')}: metrics[0].unit: 'ns' differs from ${join(run.dir, 'A.json')}'s 'ns/pkt' for metric 'micro/tcp-hit'\n`,
  );
});

test('usage errors exit 2', (t) => {
  const run = compareCli(t, base, base, ['--threshold', 'lots']);
  t.is(run.status, 2);
  t.true(run.stderr.startsWith("fastpath compare: --threshold: expected a percentage like 5% or 2.5, got 'lots'\n"));
  t.is(compareCli(t, base, base, ['--alpha', '2']).status, 2);
  t.is(compareCli(t, base, base, ['--bogus']).status, 2);
  const help = spawnSync(process.execPath, [cli, 'compare', '--help'], { encoding: 'utf8' });
  t.is(help.status, 0);
  t.true(help.stdout.startsWith('usage: fastpath compare'));
});

test('threshold parsing and the verdict rule', (t) => {
  t.is(parseThreshold('5%'), 0.05);
  t.is(parseThreshold('2.5'), 0.025);
  t.is(verdictOf('lower', 0.06, 0.001, 0.05, 0.01), 'regression');
  t.is(verdictOf('lower', 0.06, 0.02, 0.05, 0.01), 'no significant change');
  t.is(verdictOf('lower', 0.04, 0.001, 0.05, 0.01), 'no significant change');
  t.is(verdictOf('lower', -0.06, 0.001, 0.05, 0.01), 'improvement');
  t.is(verdictOf('higher', -0.06, 0.001, 0.05, 0.01), 'regression');
  t.is(verdictOf('higher', 0.06, 0.001, 0.05, 0.01), 'improvement');
});

test('--confirm counts a regression only when the second run shows it too', (t) => {
  const slower = result('slower-run', [
    metric(
      'micro/tcp-hit',
      baseSamples.map((v) => v + 20),
    ),
    metric('wire/xdp-64', spread(300, 1000), { unit: 'Mpps', better: 'higher' }),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'fp-compare-confirm-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, r: BenchResult): string => {
    writeFileSync(join(dir, name), serializeResult(r));
    return join(dir, name);
  };
  const [a, b, same, slow2] = [write('A.json', base), write('B.json', slower), write('C.json', base), write('D.json', slower)];
  const run = (confirm: string): Run => {
    const r = spawnSync(process.execPath, [cli, 'compare', a, b, '--confirm', confirm], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const unconfirmed = run(same);
  t.is(unconfirmed.status, 0, unconfirmed.stderr);
  t.true(
    unconfirmed.stdout.includes(
      `Confirmation run \`${same}\`: 0 of 1 regression confirmed; not confirmed, so not counted: \`micro/tcp-hit\` (0.0% there, no significant change).`,
    ),
    unconfirmed.stdout,
  );
  const confirmed = run(slow2);
  t.is(confirmed.status, 1);
  t.true(confirmed.stdout.includes(`Confirmation run \`${slow2}\`: 1 of 1 regression confirmed (\`micro/tcp-hit\`).`), confirmed.stdout);
  const missing = spawnSync(process.execPath, [cli, 'compare', a, b, '--confirm', join(dir, 'nope.json')], { encoding: 'utf8' });
  t.is(missing.status, 2);
  t.regex(missing.stderr, /nope\.json/);
});
