// The mutator on small C and JavaScript texts: which places each operator changes and
// what it writes there, what it leaves alone (comments, strings, preprocessor lines,
// pointer declarations, enumerator definitions), stable ids and a seeded, spread sample.
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeMask } from '../../src/mutate/code-mask.js';
import { type Mutant, applyMutant, enumerateMutants, mutantDiff, sampleMutants } from '../../src/mutate/mutants.js';
import { type Operator, OPERATORS, constantFamilies, findEdits } from '../../src/mutate/operators.js';

function edits(
  text: string,
  ops: readonly Operator[] = OPERATORS,
  language: 'c' | 'js' = 'c',
  constants = new Map<string, string[]>(),
): string[] {
  const view = { text, code: codeMask(text, language), language, constants };
  return findEdits(view, ops).map((e) => `${e.operator}: ${text.slice(0, e.start)}${e.replacement}${text.slice(e.end)}`.trim());
}

test('code mask blanks comments, strings and preprocessor lines, and keeps offsets', (t) => {
  const src = '#include <linux/bpf.h>\nint a = 1; /* x < y */ // a < b\nchar *s = "p < q";\n#define M(x) \\\n  ((x) < 2)\nint b = a < 3;\n';
  const code = codeMask(src, 'c');
  t.is(code.length, src.length);
  t.false(code.includes('include'));
  t.false(code.includes('x < y'));
  t.false(code.includes('a < b'));
  t.false(code.includes('p < q'));
  t.false(code.includes('((x) < 2)'));
  t.true(code.includes('int b = a < 3;'));
  t.is(code.split('\n').length, src.split('\n').length);
});

test('relational: boundary shift and negation of a comparison; not ->, <<, => or #include', (t) => {
  t.deepEqual(edits('if (a < b) x = 1;', ['relational']), ['relational: if (a <= b) x = 1;', 'relational: if (a >= b) x = 1;']);
  t.deepEqual(edits('if (a == b) return;', ['relational']), ['relational: if (a != b) return;']);
  t.deepEqual(edits('x = p->q << 2;\n#include <a.h>\n', ['relational']), []);
  t.deepEqual(edits('const f = (a) => a;', ['relational'], 'js'), []);
  t.deepEqual(edits('if (a !== b) f();', ['relational'], 'js'), ['relational: if (a === b) f();']);
});

test('arithmetic and bitwise: binary operators only, never a pointer declaration or a unary minus', (t) => {
  t.deepEqual(edits('x = a + 1;', ['arithmetic']), ['arithmetic: x = a - 1;']);
  t.deepEqual(edits('struct fp_pkt *p = q;', ['arithmetic']), []);
  t.deepEqual(edits('x = -1;', ['arithmetic']), []);
  t.deepEqual(edits('x = a * b;', ['arithmetic']), ['arithmetic: x = a / b;']);
  t.deepEqual(edits('x = &y;', ['bitwise']), []);
  t.deepEqual(edits('x = a & 3;', ['bitwise']), ['bitwise: x = a | 3;']);
  t.deepEqual(edits('h ^= h >> 16;', ['bitwise']), ['bitwise: h ^= h << 16;']);
  t.deepEqual(edits('c->bytes += n;', ['arithmetic']), ['arithmetic: c->bytes -= n;']);
});

test('logical: && and || swap, a negation goes', (t) => {
  t.deepEqual(edits('if (a && !b) f();', ['logical']), ['logical: if (a || !b) f();', 'logical: if (a && b) f();']);
});

test('off-by-one: the literal that bounds a comparison or a modulo', (t) => {
  t.deepEqual(edits('if (n > 64) return;', ['off-by-one']), ['off-by-one: if (n > 63) return;', 'off-by-one: if (n > 65) return;']);
  t.deepEqual(edits('i = h % 0x10;', ['off-by-one']), ['off-by-one: i = h % 0x11;', 'off-by-one: i = h % 0xf;']);
  t.deepEqual(edits('x = y + 4;', ['off-by-one']), []);
  t.deepEqual(edits('if (t <= 0) return;', ['off-by-one']), ['off-by-one: if (t <= 1) return;']);
});

test('delete-statement: a field store, a flag, an increment, a map update, a call; not a return or a declaration', (t) => {
  const src = [
    'static int f(struct v *v, struct k *k)',
    '{',
    '\tint n = 0;',
    '\tv->state = 2;',
    '\tflags |= 4;',
    '\tv->hits++;',
    '\tbpf_map_update_elem(&m, k,',
    '\t\t\t    v, BPF_ANY);',
    '\treturn n;',
    '}',
  ].join('\n');
  const out = edits(src, ['delete-statement']).map((s) => s.replace('delete-statement: ', ''));
  t.is(out.length, 4);
  t.false(out[0]!.includes('v->state = 2;'));
  t.false(out[1]!.includes('flags |= 4;'));
  t.false(out[2]!.includes('v->hits++;'));
  t.false(out[3]!.includes('bpf_map_update_elem'));
  for (const o of out) t.true(o.includes('return n;') && o.includes('int n = 0;'));
  t.deepEqual(edits('struct { __uint(type, BPF_MAP_TYPE_HASH); } m SEC(".maps");', ['delete-statement']), []);
});

test('swap-field and swap-constant: members of the same kind; an enumerator definition stays', (t) => {
  t.deepEqual(edits('a = k->saddr[0];', ['swap-field']), ['swap-field: a = k->daddr[0];']);
  t.deepEqual(edits('saddr = 1;', ['swap-field']), []);
  t.deepEqual(edits('bpf_map_update_elem(&m, k, v, BPF_NOEXIST);', ['swap-constant']), [
    'swap-constant: bpf_map_update_elem(&m, k, v, BPF_ANY);',
  ]);
  const fams = constantFamilies(['#define FP_CT_F_DNAT 1\n#define FP_CT_F_SNAT 2\nenum x {\n\tFP_RED = 0,\n\tFP_GREEN,\n};\n']);
  t.deepEqual(fams.get('FP_CT_F_DNAT'), ['FP_CT_F_SNAT']);
  t.deepEqual(fams.get('FP_GREEN'), ['FP_RED']);
  t.deepEqual(edits('enum y {\n\tFP_GREEN = 3,\n};\nf |= FP_CT_F_DNAT;', ['swap-constant'], 'c', fams), [
    'swap-constant: enum y {\n\tFP_GREEN = 3,\n};\nf |= FP_CT_F_SNAT;',
  ]);
});

function fixtureRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'fp-mutate-ops-'));
  mkdirSync(join(root, 'bpf', 'include'), { recursive: true });
  mkdirSync(join(root, 'dist', 'src', 'datapath'), { recursive: true });
  writeFileSync(join(root, 'bpf', 'fastpath.bpf.c'), 'int f(int a, int b)\n{\n\tif (a < b)\n\t\treturn a + b;\n\treturn a - b;\n}\n');
  writeFileSync(join(root, 'bpf', 'include', 'a.h'), 'static int g(int x)\n{\n\treturn x == 3 && x > 1;\n}\n');
  writeFileSync(join(root, 'bpf', 'include', 'b.h'), 'static void h(struct s *s)\n{\n\ts->n++;\n\ts->saddr[0] = 1;\n}\n');
  writeFileSync(join(root, 'dist', 'src', 'datapath', 'x.js'), 'export function w(a) {\n    return a.length > 2 ? a[0] * 3 : 0;\n}\n');
  return root;
}

test('mutants: stable ids, one-line diffs, applied edits; a seeded sample spread over every file and repeatable', (t) => {
  const root = fixtureRoot();
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const sources = [
    { file: 'bpf/fastpath.bpf.c', language: 'c' as const },
    { file: 'bpf/include/a.h', language: 'c' as const },
    { file: 'bpf/include/b.h', language: 'c' as const },
    { file: 'dist/src/datapath/x.js', language: 'js' as const },
  ];
  const all = enumerateMutants(root, sources, OPERATORS);
  t.is(new Set(all.map((m) => m.id)).size, all.length, 'ids are unique');
  t.deepEqual(
    enumerateMutants(root, sources, OPERATORS).map((m) => m.id),
    all.map((m) => m.id),
    'ids are stable',
  );
  const rel = all.find((m) => m.file === 'bpf/fastpath.bpf.c' && m.replacement === '<=')!;
  t.is(rel.line, 3);
  t.is(mutantDiff(rel), '--- a/bpf/fastpath.bpf.c\n+++ b/bpf/fastpath.bpf.c\n@@ -3 +3 @@\n-\tif (a < b)\n+\tif (a <= b)');
  t.is(applyMutant('int f(int a, int b)\n{\n\tif (a < b)\n\t\treturn a + b;\n\treturn a - b;\n}\n', rel).split('\n')[2], '\tif (a <= b)');
  t.throws(() => applyMutant('changed', rel), { message: /source changed/ });

  const s4 = sampleMutants(all, 4, 7);
  t.deepEqual(new Set(s4.map((m) => m.file)).size, 4, 'four draws: one from each file');
  t.deepEqual(
    sampleMutants(all, 4, 7).map((m) => m.id),
    s4.map((m) => m.id),
    'the same seed draws the same',
  );
  const s8 = sampleMutants(all, 8, 7);
  t.deepEqual(
    s8.slice(0, 4).map((m) => m.id),
    s4.map((m) => m.id),
    'a larger sample extends a smaller one',
  );
  t.is(sampleMutants(all, 10_000, 7).length, all.length);
  const ops = (ms: Mutant[]): Set<string> => new Set(ms.filter((m) => m.file === 'bpf/fastpath.bpf.c').map((m) => m.operator));
  t.is(ops(sampleMutants(all, 8, 7)).size, ops(all).size, 'within a file the operators take turns');
});
