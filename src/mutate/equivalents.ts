// The reviewed list of equivalent mutants (results/mutation/equivalent-mutants.yaml): a
// change that cannot alter behaviour, each with the reason a reviewer accepted. They are
// reported but left out of the score.
import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

export interface Equivalent {
  id: string;
  file: string;
  diff: string;
  reason: string;
}

/** The list at file (empty when there is none); every bad entry named at once. */
export function loadEquivalents(file: string): Map<string, Equivalent> {
  const out = new Map<string, Equivalent>();
  if (!existsSync(file)) return out;
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => `${file}: ${e.message}`).join('\n'));
  const data = doc.toJS() as { equivalents?: unknown } | null;
  const list = data?.equivalents ?? [];
  if (!Array.isArray(list)) throw new Error(`${file}: equivalents: expected a list`);
  const problems: string[] = [];
  list.forEach((e: Record<string, unknown>, i) => {
    for (const field of ['id', 'file', 'diff', 'reason'] as const) {
      if (typeof e?.[field] !== 'string' || e[field].trim() === '')
        problems.push(`${file}: equivalents[${i}].${field}: expected a non-empty string`);
    }
    if (typeof e?.id === 'string') {
      if (out.has(e.id)) problems.push(`${file}: equivalents[${i}].id: ${e.id} is listed twice`);
      out.set(e.id, e as unknown as Equivalent);
    }
  });
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return out;
}
