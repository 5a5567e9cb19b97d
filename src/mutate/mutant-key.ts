// Where a mutant is, in words that survive the source being reformatted or moved: the
// function around it and the statement it changes with every blank removed, never a line
// number. The datapath is one translation unit (fastpath.bpf.c includes every header), so
// a C function's name is unique and says enough: a function moved to another header keeps
// its mutants. Control-plane functions are named with their module.

/** A named brace block: a function (C or JS) or a JS method, with its body's span. */
interface Block {
  name: string;
  start: number;
  end: number;
}

const NOT_NAMES = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'sizeof', 'typeof', 'with', '__attribute__', 'SEC']);

function prevNonSpace(code: string, i: number): number {
  let j = i - 1;
  while (j >= 0 && /\s/.test(code[j]!)) j--;
  return j;
}

/** `name(...) {` (a function or method) or `class Name ... {` before the brace at i: the
 *  name, or undefined for any other block. */
function nameBefore(code: string, brace: number): string | undefined {
  let j = prevNonSpace(code, brace);
  const cls = /\bclass\s+([A-Za-z_$][\w$]*)(?:\s+extends\s+[\w$.]+)?\s*$/.exec(code.slice(Math.max(0, j - 200), j + 1));
  if (cls !== null) return cls[1];
  if (code[j] !== ')') return undefined;
  for (let depth = 0; j >= 0; j--) {
    if (code[j] === ')') depth++;
    else if (code[j] === '(' && --depth === 0) break;
  }
  const end = prevNonSpace(code, j) + 1;
  const m = /[A-Za-z_$][\w$]*$/.exec(code.slice(Math.max(0, end - 100), end));
  return m === null || NOT_NAMES.has(m[0]) ? undefined : m[0];
}

/** Every named block of a masked source (comments and literals blanked). */
export function namedBlocks(code: string): Block[] {
  const out: Block[] = [];
  const open: (Block | undefined)[] = [];
  for (let i = 0; i < code.length; i++) {
    if (code[i] === '{') {
      const name = nameBefore(code, i);
      open.push(name === undefined ? undefined : { name, start: i, end: -1 });
    } else if (code[i] === '}') {
      const b = open.pop();
      if (b !== undefined) {
        b.end = i + 1;
        out.push(b);
      }
    }
  }
  return out;
}

/** The names of the blocks around offset, outermost first (e.g. CtSweeper.sweep). */
export function scopeAt(blocks: readonly Block[], offset: number): string | undefined {
  const around = blocks.filter((b) => b.start < offset && offset < b.end).sort((a, b) => a.start - b.start);
  return around.length === 0 ? undefined : around.map((b) => b.name).join('.');
}

/** The statement (or condition) around [start, end) with every blank removed, and the
 *  edit's offset in that text. Statements end at ';', '{' or '}'. */
export function statementAround(code: string, start: number, end: number): { text: string; at: number } {
  let from = start;
  while (from > 0 && !';{}'.includes(code[from - 1]!)) from--;
  let to = end;
  if (code[to - 1] !== ';') {
    while (to < code.length && !';{}'.includes(code[to]!)) to++;
    if (code[to] === ';') to++;
  }
  const squeeze = (s: string): string => s.replace(/\s+/g, '');
  return { text: squeeze(code.slice(from, to)), at: squeeze(code.slice(from, start)).length };
}

/** The C functions defined in more than one of the given masked sources (then a mutant's
 *  key names its file too). */
export function sharedFunctionNames(codes: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const code of codes) {
    for (const name of new Set(namedBlocks(code).map((b) => b.name))) {
      if (seen.has(name)) shared.add(name);
      seen.add(name);
    }
  }
  return shared;
}
