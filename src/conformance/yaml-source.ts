// YAML parsed with source positions kept, so every later problem (schema, semantics) can
// name the line of the field it is about.
import { type Document, LineCounter, type Node, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';

export interface YamlSource {
  data: unknown;
  /** Syntax problems: line and message. */
  syntaxErrors: { line: number; message: string }[];
  /** The line of the value at path (or of its key when atKey); the nearest existing
   *  ancestor's line when the path does not exist (a missing field). */
  lineOf: (path: (string | number)[], atKey?: boolean) => number;
}

function lineOfNode(node: { range?: [number, number, number] | null } | null | undefined, lc: LineCounter): number | undefined {
  const start = node?.range?.[0];
  return start === undefined ? undefined : lc.linePos(start).line;
}

function keyName(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

export function parseYaml(text: string): YamlSource {
  const lc = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lc, prettyErrors: false, merge: true });
  const syntaxErrors = doc.errors.map((e) => ({ line: lc.linePos(e.pos[0]).line, message: e.message.split('\n')[0]! }));
  const data: unknown = syntaxErrors.length === 0 ? doc.toJS({ maxAliasCount: 1000 }) : undefined;

  function lineOf(path: (string | number)[], atKey = false): number {
    let node: unknown = doc.contents;
    let line = lineOfNode(node as Node | null, lc) ?? 1;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      let next: unknown;
      let keyLine: number | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyName(p.key) === String(seg));
        if (pair !== undefined) {
          keyLine = lineOfNode(pair.key as Node | null, lc);
          next = pair.value;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
      }
      if (next === undefined && keyLine === undefined) return line;
      const last = i === path.length - 1;
      if (last && atKey && keyLine !== undefined) return keyLine;
      line = lineOfNode(next as Node | null, lc) ?? keyLine ?? line;
      node = next;
    }
    return line;
  }

  return { data, syntaxErrors, lineOf };
}
