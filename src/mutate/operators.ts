// The mutation operators: each finds, in the code part of a source (code-mask.ts), the
// places it can change and what it would write there. A mutant is one such change.
import type { Language } from './code-mask.js';

export const OPERATORS = [
  'relational',
  'arithmetic',
  'bitwise',
  'logical',
  'off-by-one',
  'delete-statement',
  'swap-field',
  'swap-constant',
] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Edit {
  operator: Operator;
  start: number;
  end: number;
  replacement: string;
}

export interface SourceView {
  text: string;
  /** text with comments, literals and preprocessor lines blanked (same length). */
  code: string;
  language: Language;
  /** Constant families for swap-constant: name -> the other members of its family. */
  constants: ReadonlyMap<string, readonly string[]>;
}

const TOKEN = /===|!==|<<=|>>=|>>>|<<|>>|->|=>|<=|>=|==|!=|&&|\|\||\+\+|--|\+=|-=|\*=|\/=|&=|\|=|\^=|[<>+\-*/%&|^!=?:]/g;

/** Each comparison's boundary shift and its negation. */
const RELATIONAL: Record<string, string[]> = {
  '<': ['<=', '>='],
  '<=': ['<', '>'],
  '>': ['>=', '<='],
  '>=': ['>', '<'],
  '==': ['!='],
  '!=': ['=='],
  '===': ['!=='],
  '!==': ['==='],
};
const ARITHMETIC: Record<string, string> = { '+': '-', '-': '+', '*': '/', '/': '*', '%': '*', '+=': '-=', '-=': '+=' };
const BITWISE: Record<string, string> = { '&': '|', '|': '&', '^': '&', '<<': '>>', '>>': '<<', '&=': '|=', '|=': '&=' };
const LOGICAL: Record<string, string> = { '&&': '||', '||': '&&' };

/** Field names of the same type that a slip of the pen swaps. */
const FIELD_PAIRS: [string, string][] = [
  ['saddr', 'daddr'],
  ['sport_be', 'dport_be'],
  ['smac', 'dmac'],
  ['nat_saddr', 'nat_daddr'],
  ['nat_sport_be', 'nat_dport_be'],
  ['src', 'dst'],
  ['sport', 'dport'],
  ['cir', 'pir'],
  ['cbs', 'ebs'],
  ['c_tokens', 'e_tokens'],
  ['ifindex', 'tx_ifindex'],
  ['csum_addr', 'csum_port'],
];

/** Kernel and language constants of the same kind. */
const CONSTANT_PAIRS: [string, string][] = [
  ['BPF_ANY', 'BPF_NOEXIST'],
  ['XDP_PASS', 'XDP_DROP'],
  ['XDP_TX', 'XDP_REDIRECT'],
  ['TC_ACT_OK', 'TC_ACT_SHOT'],
  ['IPPROTO_TCP', 'IPPROTO_UDP'],
  ['IPPROTO_ICMP', 'IPPROTO_ICMPV6'],
  ['true', 'false'],
];

function pairMap(pairs: [string, string][]): Map<string, string> {
  const m = new Map<string, string>();
  for (const [a, b] of pairs) {
    m.set(a, b);
    m.set(b, a);
  }
  return m;
}
const FIELDS = pairMap(FIELD_PAIRS);
const FIXED_CONSTANTS = pairMap(CONSTANT_PAIRS);

const isIdent = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$]/.test(c);

function prevNonSpace(code: string, i: number): string | undefined {
  for (let j = i - 1; j >= 0; j--) if (!/\s/.test(code[j]!)) return code[j];
  return undefined;
}

function nextNonSpace(code: string, i: number): string | undefined {
  for (let j = i; j < code.length; j++) if (!/\s/.test(code[j]!)) return code[j];
  return undefined;
}

/** The operator stands between two operands (not unary, not a declaration's '*'). */
function isBinary(code: string, start: number, end: number): boolean {
  const before = prevNonSpace(code, start);
  const after = nextNonSpace(code, end);
  if (before === undefined || after === undefined) return false;
  if (!(isIdent(before) || before === ')' || before === ']')) return false;
  return isIdent(after) || after === '(' || after === '~' || after === '!' || after === '-';
}

function spacedBothSides(code: string, start: number, end: number): boolean {
  return /\s/.test(code[start - 1] ?? '') && /\s/.test(code[end] ?? '');
}

function operatorEdits(v: SourceView): Edit[] {
  const edits: Edit[] = [];
  const { code } = v;
  for (const m of code.matchAll(TOKEN)) {
    const tok = m[0];
    const start = m.index;
    const end = start + tok.length;
    if (RELATIONAL[tok] !== undefined && isBinary(code, start, end)) {
      for (const r of RELATIONAL[tok]) edits.push({ operator: 'relational', start, end, replacement: r });
    } else if (LOGICAL[tok] !== undefined) {
      edits.push({ operator: 'logical', start, end, replacement: LOGICAL[tok] });
    } else if (tok === '!' && code[end] !== '=' && !/\s/.test(code[end] ?? ' ')) {
      edits.push({ operator: 'logical', start, end, replacement: '' });
    } else if (ARITHMETIC[tok] !== undefined) {
      const compound = tok.endsWith('=');
      // '*' and '/' only spaced on both sides: kernel style for arithmetic, never for a
      // pointer declaration or dereference.
      const ok = compound
        ? true
        : tok === '*' || tok === '/' || tok === '%'
          ? spacedBothSides(code, start, end) && isBinary(code, start, end)
          : isBinary(code, start, end);
      if (ok) edits.push({ operator: 'arithmetic', start, end, replacement: ARITHMETIC[tok] });
    } else if (BITWISE[tok] !== undefined) {
      const compound = tok.endsWith('=');
      if (compound || isBinary(code, start, end)) edits.push({ operator: 'bitwise', start, end, replacement: BITWISE[tok] });
    }
  }
  return edits;
}

const LITERAL = /\b(0x[0-9a-fA-F]+|\d[\d_]*)([uUlLn]*)\b/g;

/** A literal that bounds a comparison, a modulo or a shift: n becomes n + 1 and n - 1. */
function offByOneEdits(v: SourceView): Edit[] {
  const edits: Edit[] = [];
  const { code } = v;
  for (const m of code.matchAll(LITERAL)) {
    const start = m.index;
    const end = start + m[0].length;
    if (isIdent(code[start - 1]) || code[start - 1] === '.' || code[end] === '.') continue;
    const before = code.slice(Math.max(0, start - 4), start).trimEnd();
    const after = code.slice(end, end + 4).trimStart();
    const bounds = /(<=?|>=?|[=!]==?|%)$/.test(before) || /^(<=?|>=?|[=!]==?)/.test(after);
    if (!bounds || /(<<|>>|=>|->)$/.test(before)) continue;
    const digits = m[1]!.replace(/_/g, '');
    const value = BigInt(digits);
    const hex = digits.startsWith('0x');
    const show = (n: bigint): string => (hex ? `0x${n.toString(16)}` : n.toString()) + m[2];
    edits.push({ operator: 'off-by-one', start, end, replacement: show(value + 1n) });
    if (value > 0n) edits.push({ operator: 'off-by-one', start, end, replacement: show(value - 1n) });
  }
  return edits;
}

/** The end (index after ';') of the expression statement starting at start, or -1. */
function statementEnd(code: string, start: number): number {
  let depth = 0;
  for (let i = start; i < code.length; i++) {
    const c = code[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return -1;
      depth--;
    } else if (c === ';' && depth === 0) return i + 1;
  }
  return -1;
}

const STATEMENT_START =
  /^[ \t]*(?!return\b|if\b|else\b|for\b|while\b|switch\b|case\b|break\b|continue\b|goto\b|do\b|const\b|let\b|var\b|struct\b|static\b|__u\d+\b|int\b|void\b|unsigned\b|export\b|function\b|import\b|throw\b|default\b)/gm;
const FIELD_STORE = /^[\w$]+(?:(?:->|\.)[\w$]+|\[[^\]\n]*\])*(?:->|\.)[\w$]+(?:\[[^\]\n]*\])?\s*(?:=(?!=)|\|=|&=|\+=|-=)/;
const COMPOUND_STORE = /^[\w$]+(?:(?:->|\.)[\w$]+|\[[^\]\n]*\])*\s*(?:\|=|&=|\+=|-=)/;
const INCREMENT = /^(?:[\w$]+(?:(?:->|\.)[\w$]+|\[[^\]\n]*\])*\s*(?:\+\+|--)|(?:\+\+|--)[\w$]+)\s*;/;
const CALL = /^[\w$]+(?:\.[\w$]+)*\s*\(/;

/** Whole statements a fault leaves out: a store to a field or flag, an increment, a call. */
function deleteEdits(v: SourceView): Edit[] {
  const edits: Edit[] = [];
  const { code } = v;
  for (const m of code.matchAll(STATEMENT_START)) {
    const start = m.index + m[0].length;
    const rest = code.slice(start, start + 200);
    if (!(FIELD_STORE.test(rest) || COMPOUND_STORE.test(rest) || INCREMENT.test(rest) || CALL.test(rest))) continue;
    // Map definitions (__uint/__type/__array) are declarations, not statements.
    if (/^__(uint|type|array)\s*\(/.test(rest)) continue;
    const prev = prevNonSpace(code, m.index);
    // Only where a statement may start (not a continuation of an expression).
    if (prev !== undefined && prev !== ';' && prev !== '{' && prev !== '}' && prev !== ')' && prev !== ':') continue;
    if (prev === ')' && v.language === 'js') continue;
    const end = statementEnd(code, start);
    if (end < 0 || code.slice(start, end).includes('{')) continue;
    edits.push({ operator: 'delete-statement', start, end, replacement: ';' });
  }
  return edits;
}

function swapEdits(v: SourceView): Edit[] {
  const edits: Edit[] = [];
  const { code } = v;
  for (const m of code.matchAll(/[A-Za-z_$][\w$]*/g)) {
    const name = m[0];
    const start = m.index;
    if (isIdent(code[start - 1])) continue;
    const member = code.slice(Math.max(0, start - 2), start) === '->' || code[start - 1] === '.';
    const field = FIELDS.get(name);
    if (member && field !== undefined) edits.push({ operator: 'swap-field', start, end: start + name.length, replacement: field });
    if (member) continue;
    const fixed = FIXED_CONSTANTS.get(name);
    if (fixed !== undefined) {
      edits.push({ operator: 'swap-constant', start, end: start + name.length, replacement: fixed });
      continue;
    }
    // An enumerator's own definition is not a use of it.
    if (
      /^\s*(=(?!=)|,|\n)/.test(code.slice(start + name.length, start + name.length + 8)) &&
      /^[ \t]*$/.test(code.slice(code.lastIndexOf('\n', start) + 1, start))
    )
      continue;
    const family = v.constants.get(name);
    if (family !== undefined && family.length > 0)
      edits.push({ operator: 'swap-constant', start, end: start + name.length, replacement: family[0]! });
  }
  return edits;
}

/** Every edit of the chosen operators, in source order. */
export function findEdits(v: SourceView, operators: readonly Operator[]): Edit[] {
  const all = [...operatorEdits(v), ...offByOneEdits(v), ...deleteEdits(v), ...swapEdits(v)];
  const chosen = new Set(operators);
  return all
    .filter((e) => chosen.has(e.operator))
    .sort((a, b) => a.start - b.start || a.end - b.end || a.replacement.localeCompare(b.replacement));
}

/**
 * Families of named constants (#define NAME value and enum members) of the bpf/ sources:
 * names that share everything up to their last '_' part, e.g. FP_CT_F_DNAT and
 * FP_CT_F_SNAT. Each name maps to the next member of its family (a cycle).
 */
export function constantFamilies(texts: readonly string[]): Map<string, string[]> {
  const names = new Set<string>();
  for (const t of texts) {
    for (const m of t.matchAll(/^[ \t]*#define[ \t]+(FP_[A-Z0-9_]+)[ \t]+\S/gm)) names.add(m[1]!);
    for (const m of t.matchAll(/^[ \t]+(FP_[A-Z0-9_]+)\s*(?:=[^,\n]*)?,/gm)) names.add(m[1]!);
  }
  const groups = new Map<string, string[]>();
  for (const n of [...names].sort()) {
    const prefix = n.slice(0, n.lastIndexOf('_'));
    const g = groups.get(prefix) ?? [];
    g.push(n);
    groups.set(prefix, g);
  }
  const out = new Map<string, string[]>();
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    g.forEach((n, i) => out.set(n, [g[(i + 1) % g.length]!]));
  }
  return out;
}
