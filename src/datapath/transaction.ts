// Applies planned writes in order; if the kernel refuses one, restores every entry
// already written to its previous bytes (or absence), newest first.
import type { BpfMap } from '../../native/index.js';
import type { Write } from './plan.js';

interface Undo {
  map: BpfMap;
  key: Buffer;
  previous: Buffer | null;
}

function undoAll(journal: Undo[]): string[] {
  const failures: string[] = [];
  for (const u of journal.reverse()) {
    try {
      if (u.previous === null) u.map.delete(u.key);
      else u.map.update(u.key, u.previous);
    } catch (e) {
      failures.push(`${u.map.info.name} ${u.key.toString('hex')}: ${(e as Error).message}`);
    }
  }
  return failures;
}

// An LPM lookup returns the longest covering prefix, not the entry of this exact key:
// the journal must know whether the key itself existed, or a rollback would turn an
// added prefix into a copy of its covering one instead of deleting it.
function exactPrevious(name: string, m: BpfMap, key: Buffer, lpmKeys: Map<string, Set<string>>): Buffer | null {
  if (m.info.type !== 'lpm_trie') return m.lookup(key);
  let held = lpmKeys.get(name);
  if (held === undefined) {
    held = new Set(m.keys().map((k) => k.toString('hex')));
    lpmKeys.set(name, held);
  }
  return held.has(key.toString('hex')) ? m.lookup(key) : null;
}

export function applyWrites(writes: Write[], map: (name: string) => BpfMap): void {
  const journal: Undo[] = [];
  const lpmKeys = new Map<string, Set<string>>();
  for (const w of writes) {
    const m = map(w.map);
    const isArray = m.info.type === 'array';
    try {
      const previous = exactPrevious(w.map, m, w.key, lpmKeys);
      if (w.value === null) {
        if (previous !== null) m.delete(w.key);
      } else {
        m.update(w.key, w.value);
      }
      const held = lpmKeys.get(w.map);
      if (held !== undefined) {
        if (w.value === null) held.delete(w.key.toString('hex'));
        else held.add(w.key.toString('hex'));
      }
      journal.push({ map: m, key: w.key, previous: previous ?? (isArray ? Buffer.alloc(m.info.valueSize) : null) });
    } catch (e) {
      const failures = undoAll(journal);
      const tail = failures.length === 0 ? 'every earlier write was rolled back' : `rollback also failed for: ${failures.join('; ')}`;
      throw new Error(`writing ${w.what} to map ${w.map} failed: ${(e as Error).message}; ${tail}`, { cause: e });
    }
  }
}
