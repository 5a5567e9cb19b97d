// The report: scores leave stillborn and equivalent mutants out, the conformance score
// counts only packet, wire and fuzz kills, survivors carry their diff; a report that does
// not add up fails validation; the equivalents list names every bad entry.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEquivalents } from '../../src/mutate/equivalents.js';
import type { MutantResult } from '../../src/mutate/mutant-run.js';
import { buildReport, renderMarkdown, validateReport } from '../../src/mutate/report.js';

const diff = (n: number): string => `--- a/bpf/include/x.h\n+++ b/bpf/include/x.h\n@@ -${n} +${n} @@\n-\ta < b\n+\ta <= b`;
const r = (id: string, status: MutantResult['status'], extra: Partial<MutantResult> = {}): MutantResult => ({
  id: id.padEnd(12, '0'),
  file: 'bpf/include/x.h',
  line: 1,
  operator: 'relational',
  diff: diff(1),
  status,
  stages: [],
  seconds: 1,
  ...extra,
});

const results: MutantResult[] = [
  r('a1', 'killed', { killedBy: 'packet', stages: [{ stage: 'packet', status: 'fail', seconds: 50, failures: ['route-v4 [packet]'] }] }),
  r('a2', 'killed', {
    killedBy: 'wire',
    stages: [
      { stage: 'packet', status: 'pass', seconds: 60, failures: [] },
      { stage: 'wire', status: 'fail', seconds: 100, failures: ['ecmp [wire]'] },
    ],
  }),
  r('a3', 'killed', {
    killedBy: 'unit',
    stages: [
      { stage: 'packet', status: 'pass', seconds: 58, failures: [] },
      { stage: 'unit', status: 'timeout', seconds: 600, failures: [] },
    ],
  }),
  r('a4', 'survived', { stages: [{ stage: 'packet', status: 'pass', seconds: 62, failures: [] }] }),
  r('a5', 'stillborn', { stillbornBy: 'build', detail: 'error: ...' }),
  r('a6', 'equivalent', { detail: 'the value is never read' }),
];

function report(rs: MutantResult[] = results) {
  return buildReport({
    runDir: '/x',
    seed: 1,
    sample: 7,
    operators: ['relational'],
    stages: ['packet', 'wire', 'fuzz', 'unit'],
    sessions: [{ started: 'a', ended: 'b', seconds: 900, jobs: 2, ran: 6 }],
    planned: 7,
    results: rs,
    exercisedBy: new Map([[r('a4', 'survived').id, ['route-v4']]]),
  });
}

test('scores: killed / (done - stillborn - equivalent), the conformance one without unit kills', (t) => {
  const rep = report();
  t.deepEqual(rep.counts, {
    planned: 7,
    done: 6,
    pending: 1,
    killed: 3,
    survived: 1,
    stillborn: 1,
    equivalent: 1,
    codeIdentical: 0,
    retried: 0,
  });
  t.deepEqual(rep.score.all, { killed: 3, counted: 4, score: 0.75 });
  t.deepEqual(rep.score.conformance, { killed: 2, counted: 4, score: 0.5 });
  t.deepEqual(rep.killedBy, { packet: 1, wire: 1, unit: 1 });
  t.deepEqual(rep.stageCost.packet, { runs: 4, meanSeconds: 57.5, kills: 1 });
  t.is(rep.wallSeconds, 900);
  t.deepEqual(validateReport(JSON.parse(JSON.stringify(rep))), []);
});

test('markdown: the scores, every mutant, each survivor with its diff and the scenarios by tag', (t) => {
  const md = renderMarkdown(report());
  t.regex(md, /score, all stages \| 75\.0% \(3\/4\)/);
  t.regex(md, /score, conformance suite \(packet \+ wire \+ fuzz\) \| 50\.0% \(2\/4\)/);
  t.regex(md, /## Survivors \(1\)/);
  t.true(md.includes('```diff\n' + diff(1) + '\n```'));
  t.regex(md, /exercised by \(tag match\): route-v4/);
  t.regex(md, /\| a10000000000 \| bpf\/include\/x\.h:1 \| relational \| killed \| packet: route-v4 \[packet\] \|/);
});

test('validation catches a report that does not add up', (t) => {
  const rep = JSON.parse(JSON.stringify(report())) as ReturnType<typeof report>;
  rep.counts.killed = 9;
  rep.score.all.score = 0.9;
  rep.mutants[0]!.id = 'nothex';
  rep.mutants[4]!.stillbornBy = undefined;
  const problems = validateReport(rep);
  t.true(problems.some((p) => p.includes('killed + survived')));
  t.true(problems.some((p) => p.startsWith('score.all')));
  t.true(problems.some((p) => p.startsWith('mutants[0].id')));
  t.true(problems.some((p) => p.startsWith('mutants[4].stillbornBy')));
  t.deepEqual(validateReport(null), ['report: expected an object']);
});

test('equivalents list: entries by id with a reason; every bad entry named at once', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-mutate-eq-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.yaml');
  writeFileSync(good, 'equivalents:\n  - id: 0123456789ab\n    file: bpf/include/x.h\n    diff: "-a\\n+b"\n    reason: never read\n');
  t.is(loadEquivalents(good).get('0123456789ab')?.reason, 'never read');
  t.is(loadEquivalents(join(dir, 'none.yaml')).size, 0);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    'equivalents:\n  - id: 0123456789ab\n    file: x\n    diff: y\n  - id: 0123456789ab\n    file: x\n    diff: y\n    reason: z\n',
  );
  const err = t.throws(() => loadEquivalents(bad));
  t.regex(err.message, /bad\.yaml: equivalents\[0\]\.reason: expected a non-empty string/);
  t.regex(err.message, /bad\.yaml: equivalents\[1\]\.id: 0123456789ab is listed twice/);
});

test('the repository list of equivalent mutants loads', (t) => {
  const list = loadEquivalents(join(process.cwd(), 'results', 'mutation', 'equivalent-mutants.yaml'));
  for (const e of list.values()) t.regex(e.id, /^[0-9a-f]{12}$/);
  t.pass();
});

test("exercised by tag: the enclosing function's own words first, else the file's", async (t) => {
  const { enclosingFunction, exercisedBy } = await import('../../src/mutate/exercised-by.js');
  const scenarios = [
    { name: 'tcp-persist', tags: ['lb', 'persist'] },
    { name: 'tcp-rr', tags: ['lb', 'tcp'] },
    { name: 'route-v4', tags: ['route'] },
  ];
  t.deepEqual(exercisedBy('bpf/include/lb.h', 'fp_lb_persist', scenarios), ['tcp-persist']);
  t.deepEqual(exercisedBy('bpf/include/lb.h', 'fp_lb_select', scenarios), ['tcp-persist', 'tcp-rr']);
  t.deepEqual(exercisedBy('bpf/include/l3.h', undefined, scenarios), ['route-v4']);
  t.deepEqual(exercisedBy('dist/src/datapath/maglev.js', 'wrrSequence', scenarios), []);
  const c = 'static __always_inline int fp_a(int x)\n{\n\treturn x;\n}\n\nstatic __always_inline int fp_b(int y)\n{\n\treturn y < 2;\n}\n';
  t.is(enclosingFunction(c, 9), 'fp_b');
  t.is(enclosingFunction(c, 3), 'fp_a');
  t.is(enclosingFunction('export function applyLb(change, ctx) {\n    bumpGeneration(ctx.map);\n}\n', 2), 'applyLb');
});
