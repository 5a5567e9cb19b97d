// Which characters of a C or JavaScript source are code: comments, string and character
// literals and (for C) preprocessor lines are blanked out, so the mutation operators
// never rewrite text the compiler does not see as an expression.

export type Language = 'c' | 'js';

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

/** The source with every non-code character replaced by a space (newlines kept). */
export function codeMask(text: string, language: Language): string {
  const out = text.split('');
  const blank = (from: number, to: number): void => {
    for (let i = from; i < to && i < out.length; i++) if (out[i] !== '\n') out[i] = ' ';
  };
  let i = 0;
  let lineStart = true;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (language === 'c' && lineStart && /^[ \t]*#/.test(text.slice(i, lineEnd(text, i)))) {
      // A preprocessor directive runs to the end of the line, continued by a backslash.
      let end = i;
      for (;;) {
        const nl = text.indexOf('\n', end);
        if (nl < 0) {
          end = text.length;
          break;
        }
        if (text[nl - 1] === '\\') {
          end = nl + 1;
          continue;
        }
        end = nl;
        break;
      }
      blank(i, end);
      i = end;
      continue;
    }
    lineStart = false;
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (c === '/' && next === '/') {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? text.length : nl;
      blank(i, end);
      i = end;
      continue;
    }
    if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? text.length : close + 2;
      blank(i, end);
      i = end;
      continue;
    }
    if (c === '"' || c === "'" || (language === 'js' && c === '`')) {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      blank(i, j + 1);
      i = j + 1;
      continue;
    }
    i++;
  }
  return out.join('');
}
