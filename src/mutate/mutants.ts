// The mutants of a checkout: every edit of the operators over the datapath's C (bpf/) and
// over the compiled control-plane modules that compute what goes into the maps, each with
// a stable id (the same fault keeps its id when lines move, the code is reformatted or a
// C function moves to another file: mutant-key.ts), and a seeded sample.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { mulberry32, randomIndex } from '../bench/prng.js';
import { codeMask, type Language } from './code-mask.js';
import { namedBlocks, scopeAt, sharedFunctionNames, statementAround } from './mutant-key.js';
import { type Edit, type Operator, constantFamilies, findEdits } from './operators.js';

export interface Mutant {
  /** Stable: the enclosing function (C: its name alone, unique in the translation unit;
   *  JS: module and function; outside any function: the file), the statement with its
   *  blanks removed, the edit's place in it, operator and replacement. No line number. */
  id: string;
  /** Relative to the checkout root: bpf/... or dist/src/datapath/... */
  file: string;
  /** The enclosing function (JS methods as Class.method), if any. */
  function?: string;
  operator: Operator;
  line: number;
  column: number;
  original: string;
  replacement: string;
  start: number;
  end: number;
  /** The line before and after the edit. */
  before: string;
  after: string;
}

/** Control-plane modules (compiled) that compute map contents: Maglev and WRR tables,
 * persistence timeouts and rule values, generation bumps, connection ageing. */
export const CONTROL_PLANE_FILES = [
  'dist/src/datapath/maglev.js',
  'dist/src/datapath/lb-plan.js',
  'dist/src/datapath/lb.js',
  'dist/src/datapath/ct.js',
];

/** The datapath's C: the program and every header under bpf/include, subdirectories
 *  included (not the bench programs). */
export function datapathFiles(root: string): string[] {
  const headers = (readdirSync(join(root, 'bpf', 'include'), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.h'))
    .map((f) => `bpf/include/${f.split(sep).join('/')}`)
    .sort();
  return ['bpf/fastpath.bpf.c', ...headers];
}

function lineAt(text: string, offset: number): { line: number; column: number; lineStart: number; lineEnd: number } {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (text.charCodeAt(i) === 10) line++;
  return { line, column: offset - lineStart + 1, lineStart, lineEnd };
}

/** What a file's mutants are keyed by. */
interface KeyContext {
  file: string;
  language: Language;
  code: string;
  blocks: ReturnType<typeof namedBlocks>;
  /** C functions defined in more than one file: their key names the file too. */
  shared: ReadonlySet<string>;
}

function idOf(key: string, seen: Map<string, number>): string {
  const n = seen.get(key) ?? 0;
  seen.set(key, n + 1);
  return createHash('sha256').update(`${key}\n${n}`).digest('hex').slice(0, 12);
}

function toMutant(k: KeyContext, text: string, e: Edit, seen: Map<string, number>): Mutant {
  const { line, column, lineStart } = lineAt(text, e.start);
  const lastEnd = text.indexOf('\n', e.end);
  const before = text.slice(lineStart, lastEnd < 0 ? text.length : lastEnd);
  const after = text.slice(lineStart, e.start) + e.replacement + text.slice(e.end, lastEnd < 0 ? text.length : lastEnd);
  const original = text.slice(e.start, e.end);
  const fn = scopeAt(k.blocks, e.start);
  const scope = fn === undefined ? k.file : k.language === 'c' && !k.shared.has(fn.split('.')[0]!) ? `c:${fn}` : `${k.file}:${fn}`;
  const stmt = statementAround(k.code, e.start, e.end);
  const squeeze = (s: string): string => s.replace(/\s+/g, '');
  const id = idOf([scope, e.operator, stmt.text, stmt.at, squeeze(original), squeeze(e.replacement)].join('\n'), seen);
  return {
    id,
    file: k.file,
    ...(fn !== undefined ? { function: fn } : {}),
    operator: e.operator,
    line,
    column,
    original,
    replacement: e.replacement,
    start: e.start,
    end: e.end,
    before,
    after,
  };
}

/**
 * The ids of version 1 plans (file, operator, the trimmed line, the edit; then the count
 * of equal ones before it in the file), for resuming a run planned before ids were keyed
 * by function and statement. mutants: one file's, in source order.
 */
export function lineKeyedIds(mutants: readonly Mutant[]): string[] {
  const seen = new Map<string, number>();
  return mutants.map((m) => idOf(`${m.file}\n${m.operator}\n${m.before.trim()}\n${m.original}\n${m.replacement}`, seen));
}

export interface MutantSource {
  file: string;
  language: Language;
}

/** Every mutant of the given files of the checkout at root, each file's in source order. */
export function enumerateMutants(root: string, sources: readonly MutantSource[], operators: readonly Operator[]): Mutant[] {
  const cTexts = datapathFiles(root).map((f) => readFileSync(join(root, f), 'utf8'));
  const constants = constantFamilies(cTexts);
  const shared = sharedFunctionNames(cTexts.map((t) => codeMask(t, 'c')));
  const out: Mutant[] = [];
  for (const s of sources) {
    const text = readFileSync(join(root, s.file), 'utf8');
    const seen = new Map<string, number>();
    const code = codeMask(text, s.language);
    const view = { text, code, language: s.language, constants: s.language === 'c' ? constants : new Map<string, string[]>() };
    const key: KeyContext = { file: s.file, language: s.language, code, blocks: namedBlocks(code), shared };
    for (const e of findEdits(view, operators)) out.push(toMutant(key, text, e, seen));
  }
  return out;
}

export function defaultSources(root: string): MutantSource[] {
  return [
    ...datapathFiles(root).map((file) => ({ file, language: 'c' as const })),
    ...CONTROL_PLANE_FILES.map((file) => ({ file, language: 'js' as const })),
  ];
}

function shuffle<T>(items: T[], next: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomIndex(next, i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * A seeded sample of n spread over files and operators: the files take turns, and within
 * a file the operators take turns, each drawing from its own shuffled list. The same
 * seed and mutant set give the same sample; a larger n extends a smaller one.
 */
export function sampleMutants(all: readonly Mutant[], n: number, seed: number): Mutant[] {
  const next = mulberry32(seed);
  const byFile = new Map<string, Map<Operator, Mutant[]>>();
  for (const m of shuffle([...all], next)) {
    const ops = byFile.get(m.file) ?? new Map<Operator, Mutant[]>();
    const list = ops.get(m.operator) ?? [];
    list.push(m);
    ops.set(m.operator, list);
    byFile.set(m.file, ops);
  }
  const files = shuffle([...byFile.keys()].sort(), next);
  const turn = new Map<string, number>();
  const out: Mutant[] = [];
  while (out.length < n) {
    let took = false;
    for (const f of files) {
      if (out.length >= n) break;
      const ops = [...byFile.get(f)!.entries()].filter(([, l]) => l.length > 0);
      if (ops.length === 0) continue;
      const t = turn.get(f) ?? 0;
      turn.set(f, t + 1);
      out.push(ops[t % ops.length]![1].shift()!);
      took = true;
    }
    if (!took) break;
  }
  return out;
}

/** The source text with the mutant's edit applied. */
export function applyMutant(text: string, m: Mutant): string {
  if (text.slice(m.start, m.end) !== m.original)
    throw new Error(`${m.file}:${m.line}: the source changed since the mutant was made (expected '${m.original}')`);
  return text.slice(0, m.start) + m.replacement + text.slice(m.end);
}

/** A unified diff of the one changed line. */
export function mutantDiff(m: Mutant): string {
  return [`--- a/${m.file}`, `+++ b/${m.file}`, `@@ -${m.line} +${m.line} @@`, `-${m.before}`, `+${m.after}`].join('\n');
}
