// The mutate command's arguments: defaults, lists checked against the known operators and
// stages, every bad value named; --list prints a sample without running anything.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/conformance/paths.js';
import { parseArgs } from '../../src/mutate/command.js';
import { OPERATORS } from '../../src/mutate/operators.js';
import { STAGES } from '../../src/mutate/stage-run.js';

test('defaults: 20 mutants, seed 1, every operator and stage (cheapest first), one job', (t) => {
  const a = parseArgs([]);
  t.is(a.sample, 20);
  t.is(a.seed, 1);
  t.deepEqual(a.operators, [...OPERATORS]);
  t.deepEqual(a.stages, ['packet', 'fuzz', 'wire', 'unit']);
  t.deepEqual(a.stages, [...STAGES]);
  t.is(a.jobs, 1);
});

test('lists keep the canonical order; bad values are named', (t) => {
  t.deepEqual(parseArgs(['--stages', 'unit,packet']).stages, ['packet', 'unit']);
  t.deepEqual(parseArgs(['--operators', 'swap-field, relational']).operators, ['relational', 'swap-field']);
  t.throws(() => parseArgs(['--operators', 'relational,flip']), { message: /--operators: unknown 'flip'/ });
  t.throws(() => parseArgs(['--stages', 'wire,smoke']), { message: /--stages: unknown 'smoke'/ });
  t.throws(() => parseArgs(['--jobs', '0']), { message: /--jobs: expected an integer in 1\.\.64, got '0'/ });
  t.throws(() => parseArgs(['--sample']), { message: /--sample: needs a value/ });
  t.throws(() => parseArgs(['--resume', 'a', '--out', 'b']), { message: /--resume and --out/ });
  t.throws(() => parseArgs(['--ids', '12345']), { message: /--ids: expected mutant ids/ });
  t.throws(() => parseArgs(['--filter', '(']), { message: /--filter:/ });
  t.is(parseArgs(['--cells', 'xdp-native/off,tc/on']).cells, 'xdp-native/off,tc/on');
  t.throws(() => parseArgs(['--cells', 'xdp/on']), { message: /--cells: 'xdp\/on' is not a cell/ });
  t.throws(() => parseArgs(['--resume', 'a', '--cells', 'tc/on']), { message: /--resume and --cells/ });
  t.throws(() => parseArgs(['--frobnicate']), { message: /unknown option '--frobnicate'/ });
  t.throws(() => parseArgs(['--report']), { message: /--report needs --resume DIR/ });
  t.true(parseArgs(['--resume', 'a', '--retry-survivors']).retrySurvivors);
  t.throws(() => parseArgs(['--retry-survivors']), { message: /--retry-survivors needs --resume DIR/ });
  t.throws(() => parseArgs(['--resume', 'a', '--retry-survivors', '--report']), { message: /--retry-survivors and --report/ });
});

test('--list: the seeded sample with diffs, nothing run; exit 2 on a bad argument', (t) => {
  const cli = join(repoRoot, 'dist', 'src', 'cli.js');
  const r = spawnSync(process.execPath, [cli, 'mutate', '--list', '--sample', '5', '--seed', '3'], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /^\d+ mutants over \d+ files; sample of 5 \(seed 3\):/);
  t.is((r.stdout.match(/^[0-9a-f]{12} [a-z-]+( in [\w.$]+)?$/gm) ?? []).length, 5);
  t.is((r.stdout.match(/^--- a\//gm) ?? []).length, 5);
  const again = spawnSync(process.execPath, [cli, 'mutate', '--list', '--sample', '5', '--seed', '3'], { encoding: 'utf8' });
  t.is(again.stdout, r.stdout, 'the same seed lists the same mutants');
  const bad = spawnSync(process.execPath, [cli, 'mutate', '--jobs', 'x'], { encoding: 'utf8' });
  t.is(bad.status, 2);
  t.regex(bad.stderr, /fastpath mutate: --jobs: expected an integer/);
});

test('--resume DIR --report: the reports rewritten with the reviewed equivalent list, nothing run', (t) => {
  const cli = join(repoRoot, 'dist', 'src', 'cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'fp-mutate-report-'));
  try {
    // quick-20-seed-1 was reported before 1d7a574630d3 was reviewed as equivalent.
    cpSync(join(repoRoot, 'results', 'mutation', 'quick-20-seed-1'), dir, { recursive: true });
    const r = spawnSync(process.execPath, [cli, 'mutate', '--resume', dir, '--report'], { encoding: 'utf8' });
    t.is(r.status, 0, r.stderr);
    t.regex(r.stdout, /^mutants: 20\/20 done, 8 killed, 10 survived, 1 stillborn, 1 equivalent$/m);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { counts: { equivalent: number }; sessions: unknown[] };
    t.is(report.counts.equivalent, 1);
    t.deepEqual(report.sessions, [], 'no session was added: nothing ran');
    t.false(existsSync(join(dir, 'sessions.json')));
    t.false(existsSync(join(dir, 'source')), 'the plan was not relocated');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
