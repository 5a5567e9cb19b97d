// Mutant ids survive what a reorganisation of bpf/ does to the source: lines moving,
// reformatting, a statement wrapped, a C function moved to another header; a resumed run
// finds its mutants again in the changed source (plans keyed by line text too), drops
// those whose statement is gone and keeps the verdicts already given.
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/conformance/paths.js';
import { type Mutant, type MutantSource, defaultSources, enumerateMutants, lineKeyedIds } from '../../src/mutate/mutants.js';
import { codeMask } from '../../src/mutate/code-mask.js';
import { namedBlocks, scopeAt } from '../../src/mutate/mutant-key.js';
import { OPERATORS } from '../../src/mutate/operators.js';
import { type Plan, relocatePlan } from '../../src/mutate/plan.js';
import { CONTROL_PLANE_FILES } from '../../src/mutate/mutants.js';
import { snapshotSources } from '../../src/mutate/sandbox.js';

const LB = 'static __always_inline int fp_pick(__u32 n, __u32 hint)\n{\n\tif (hint < n)\n\t\treturn hint;\n\treturn 0;\n}\n';
const CT = 'static __always_inline int fp_ct_open(struct fp_ct *ct)\n{\n\tif (ct->state < 3)\n\t\treturn 1;\n\tct->n++;\n\treturn 0;\n}\n';
const JS =
  'export function w(a) {\n    return a.length > 2 ? a[0] * 3 : 0;\n}\nexport class S {\n    sweep(x) {\n        return x > 2;\n    }\n}\n';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'fp-mutate-key-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), text);
  }
  return root;
}

const SOURCES = (files: string[]): MutantSource[] =>
  files.map((file) => ({ file, language: file.endsWith('.js') ? ('js' as const) : ('c' as const) }));

function ids(files: Record<string, string>): Map<string, Mutant> {
  const root = tree({ 'bpf/fastpath.bpf.c': '', ...files });
  try {
    return new Map(enumerateMutants(root, SOURCES(Object.keys(files)), OPERATORS).map((m) => [m.id, m]));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('function scopes: C functions, JS functions and methods; not if/for/while blocks or structs', (t) => {
  const c = 'struct s {\n\tint a;\n};\nstatic int f(int a)\n{\n\tif (a) {\n\t\tfor (;;) {\n\t\t\ta++;\n\t\t}\n\t}\n\treturn a;\n}\n';
  const code = codeMask(c, 'c');
  t.is(scopeAt(namedBlocks(code), c.indexOf('a++')), 'f');
  t.is(scopeAt(namedBlocks(code), c.indexOf('int a;')), undefined);
  const js = codeMask(JS, 'js');
  t.is(scopeAt(namedBlocks(js), JS.indexOf('a.length')), 'w');
  t.is(scopeAt(namedBlocks(js), JS.indexOf('x > 2')), 'S.sweep');
});

test('ids: the same when lines move, blanks change, a statement is wrapped or a C function moves to another file', (t) => {
  const before = ids({ 'bpf/include/lb.h': LB + CT, 'dist/src/datapath/x.js': JS });
  t.true(before.size > 8);
  t.is(new Set([...before.values()].map((m) => m.function)).size, 4, 'fp_pick, fp_ct_open, w, S.sweep');
  const moved = ids({
    'bpf/include/conn/track.h': `/* moved here */\n\n${CT.replace('if (ct->state < 3)', 'if (ct->state<3)').replace('\tct->n++;', '\tct->n\n\t\t++;')}`,
    'bpf/include/lb.h': `\n\n${LB.replace('if (hint < n)', 'if (hint <\n\t    n)')}`,
    'dist/src/datapath/x.js': `// a comment\n${JS}`,
  });
  t.deepEqual([...moved.keys()].sort(), [...before.keys()].sort());
  const rel = [...before.values()].find((m) => m.function === 'fp_ct_open' && m.original === '<' && m.replacement === '<=')!;
  t.is(moved.get(rel.id)!.file, 'bpf/include/conn/track.h');
  t.is(moved.get(rel.id)!.line, 5);
  t.is(moved.get(rel.id)!.before, '\tif (ct->state<3)');
});

test('ids: a changed statement gives new ids; the same statement in two functions, two ids', (t) => {
  const a = ids({ 'bpf/include/lb.h': LB });
  const b = ids({ 'bpf/include/lb.h': LB.replace('hint < n', 'hint < n - 1') });
  const rel = (m: Map<string, Mutant>): string => [...m.values()].find((x) => x.original === '<' && x.replacement === '<=')!.id;
  t.not(rel(a), rel(b));
  const twice = ids({ 'bpf/include/lb.h': LB + LB.replace('fp_pick', 'fp_pick2') });
  const twins = [...twice.values()].filter((x) => x.original === '<' && x.replacement === '<=');
  t.deepEqual(
    twins.map((x) => x.function),
    ['fp_pick', 'fp_pick2'],
  );
  t.not(twins[0]!.id, twins[1]!.id);
  const swapped = ids({ 'bpf/include/lb.h': LB.replace('fp_pick', 'fp_pick2') + LB });
  t.deepEqual([...swapped.keys()].sort(), [...twice.keys()].sort(), 'reordering the functions keeps every id');
});

test('plans keyed by line text (version 1): the ids of the committed sample are found again', (t) => {
  const run = join(repoRoot, 'results', 'mutation', 'sample-100-seed-1');
  const plan = JSON.parse(readFileSync(join(run, 'plan.json'), 'utf8')) as Plan;
  t.is(plan.version, 1);
  // Its snapshot holds bpf/ only (dist/ is ignored by git), so the C mutants are checked.
  const source = join(run, 'source');
  const all = enumerateMutants(
    source,
    defaultSources(source).filter((s) => s.language === 'c'),
    plan.operators,
  );
  const old = new Set<string>();
  for (const file of new Set(all.map((m) => m.file))) for (const id of lineKeyedIds(all.filter((m) => m.file === file))) old.add(id);
  const c = plan.mutants.filter((m) => m.file.startsWith('bpf/'));
  t.true(c.length > 50);
  t.deepEqual(
    c.filter((m) => !old.has(m.id)).map((m) => m.id),
    [],
  );
});

test('resume after the source changed: mutants found at their new places, the gone one dropped, verdicts kept', (t) => {
  const root = tree({
    'bpf/fastpath.bpf.c': '#include "lb.h"\n',
    'bpf/include/lb.h': LB + CT,
    ...Object.fromEntries(CONTROL_PLANE_FILES.map((f) => [f, JS])),
  });
  const runDir = mkdtempSync(join(tmpdir(), 'fp-mutate-resume-'));
  t.teardown(() => [root, runDir].forEach((d) => rmSync(d, { recursive: true, force: true })));
  snapshotSources(root, join(runDir, 'source'), CONTROL_PLANE_FILES);
  const all = enumerateMutants(root, defaultSources(root), OPERATORS).filter((m) => m.file === 'bpf/include/lb.h');
  const pick = (fn: string, original: string, replacement: string): Mutant =>
    all.find((m) => m.function === fn && m.original === original && m.replacement === replacement)!;
  const kept = pick('fp_ct_open', '<', '<=');
  const gone = pick('fp_pick', '<', '<=');
  const judged = pick('fp_pick', '<', '>=');
  const plan: Plan = {
    version: 2,
    created: '',
    seed: 1,
    sample: 3,
    operators: [...OPERATORS],
    stages: ['packet'],
    mutants: [kept, gone, judged],
  };
  t.is(
    relocatePlan(root, runDir, plan, () => false),
    null,
    'unchanged source: nothing to do',
  );

  rmSync(join(root, 'bpf', 'include', 'lb.h'));
  writeFileSync(join(root, 'bpf', 'include', 'lb.h'), LB.replace('hint < n', 'hint + 1 < n'));
  mkdirSync(join(root, 'bpf', 'include', 'conn'));
  writeFileSync(join(root, 'bpf', 'include', 'conn', 'ct.h'), `\n${CT}`);
  const r = relocatePlan(root, runDir, plan, (id) => id === judged.id)!;
  t.is(r.moved, 1);
  t.deepEqual(
    r.dropped.map((d) => d.id),
    [gone.id],
  );
  t.deepEqual(
    plan.mutants.map((m) => m.id),
    [kept.id, judged.id],
  );
  t.is(plan.mutants[0]!.file, 'bpf/include/conn/ct.h');
  t.is(plan.mutants[0]!.line, 4);
  const saved = JSON.parse(readFileSync(join(runDir, 'plan.json'), 'utf8')) as Plan;
  t.deepEqual(saved.mutants, plan.mutants);
  t.is(saved.relocations?.length, 1);
  t.true(existsSync(join(runDir, 'source', 'bpf', 'include', 'conn', 'ct.h')), 'the snapshot is the new source');
  t.false(existsSync(join(runDir, 'source.next')));
});
