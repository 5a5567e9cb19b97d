// The mutants of a checkout: every edit of the operators over the datapath's C (bpf/) and
// over the compiled control-plane modules that compute what goes into the maps, each with
// a stable id (the same fault keeps its id when lines move), and a seeded sample.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32, randomIndex } from '../bench/prng.js';
import { codeMask, type Language } from './code-mask.js';
import { type Edit, type Operator, constantFamilies, findEdits } from './operators.js';

export interface Mutant {
  /** Stable: file, operator, the original line's text, the edit's place in that line. */
  id: string;
  /** Relative to the checkout root: bpf/... or dist/src/datapath/... */
  file: string;
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
export const CONTROL_PLANE_FILES = ['dist/src/datapath/maglev.js', 'dist/src/datapath/lb-plan.js', 'dist/src/datapath/lb.js', 'dist/src/datapath/ct.js'];

/** The datapath's C: the program and every header it includes (not the bench programs). */
export function datapathFiles(root: string): string[] {
  const headers = readdirSync(join(root, 'bpf', 'include')).filter((f) => f.endsWith('.h')).sort().map((f) => `bpf/include/${f}`);
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

function toMutant(file: string, text: string, e: Edit, seen: Map<string, number>): Mutant {
  const { line, column, lineStart } = lineAt(text, e.start);
  const lastEnd = text.indexOf('\n', e.end);
  const before = text.slice(lineStart, lastEnd < 0 ? text.length : lastEnd);
  const after = text.slice(lineStart, e.start) + e.replacement + text.slice(e.end, lastEnd < 0 ? text.length : lastEnd);
  const original = text.slice(e.start, e.end);
  const base = `${file}\n${e.operator}\n${before.trim()}\n${original}\n${e.replacement}`;
  const n = seen.get(base) ?? 0;
  seen.set(base, n + 1);
  const id = createHash('sha256').update(`${base}\n${n}`).digest('hex').slice(0, 12);
  return { id, file, operator: e.operator, line, column, original, replacement: e.replacement, start: e.start, end: e.end, before, after };
}

export interface MutantSource {
  file: string;
  language: Language;
}

/** Every mutant of the given files of the checkout at root. */
export function enumerateMutants(root: string, sources: readonly MutantSource[], operators: readonly Operator[]): Mutant[] {
  const cTexts = datapathFiles(root).map((f) => readFileSync(join(root, f), 'utf8'));
  const constants = constantFamilies(cTexts);
  const out: Mutant[] = [];
  for (const s of sources) {
    const text = readFileSync(join(root, s.file), 'utf8');
    const seen = new Map<string, number>();
    const view = { text, code: codeMask(text, s.language), language: s.language, constants: s.language === 'c' ? constants : new Map<string, string[]>() };
    for (const e of findEdits(view, operators)) out.push(toMutant(s.file, text, e, seen));
  }
  return out;
}

export function defaultSources(root: string): MutantSource[] {
  return [...datapathFiles(root).map((file) => ({ file, language: 'c' as const })), ...CONTROL_PLANE_FILES.map((file) => ({ file, language: 'js' as const }))];
}

function shuffle<T>(items: T[], next: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomIndex(next, i + 1);
    [a[i], a[j]] = [a[j], a[i]];
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
      out.push(ops[t % ops.length][1].shift()!);
      took = true;
    }
    if (!took) break;
  }
  return out;
}

/** The source text with the mutant's edit applied. */
export function applyMutant(text: string, m: Mutant): string {
  if (text.slice(m.start, m.end) !== m.original) throw new Error(`${m.file}:${m.line}: the source changed since the mutant was made (expected '${m.original}')`);
  return text.slice(0, m.start) + m.replacement + text.slice(m.end);
}

/** A unified diff of the one changed line. */
export function mutantDiff(m: Mutant): string {
  return [`--- a/${m.file}`, `+++ b/${m.file}`, `@@ -${m.line} +${m.line} @@`, `-${m.before}`, `+${m.after}`].join('\n');
}
