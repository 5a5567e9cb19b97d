// Field paths of a configuration file as segments (['routes', 0, 'prefix']) and as text
// ('routes[0].prefix'): what every problem report names.
import type { FieldPath } from './schema-errors.js';

/** ['hosts', 1, 'name'] -> 'hosts[1].name'. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** 'hosts[1].name' -> ['hosts', 1, 'name']. */
export function parsePath(text: string): FieldPath {
  const out: FieldPath = [];
  for (const m of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** One path is the other or lies under it. */
export function pathsOverlap(a: FieldPath, b: FieldPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
}
