// Which scenarios exercise a mutated line, by tag: the words of the file's name and of
// the enclosing C function (fp_lb_persist -> lb, persist) against each scenario's tags
// and name. A coarse stand-in for a coverage trace, which BPF programs do not give.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ALIASES: Record<string, string[]> = {
  fc: ['flow-cache', 'fastpath'],
  ct: ['ct', 'tcp', 'udp', 'sctp'],
  l3: ['route', 'ecmp'],
  l2: ['vlan', 'l2'],
  nat: ['nat', 'fullnat', 'dsr'],
  tunnel: ['vxlan', 'gtp', 'tunnel'],
  icmp: ['icmp'],
  parse: ['malformed', 'fragments'],
  maglev: ['maglev'],
  sctp: ['sctp'],
  policer: ['policer'],
  mirror: ['mirror'],
  persist: ['persist'],
  wrr: ['wrr'],
  lb: ['lb'],
  csum: ['nat'],
  generation: ['coherence', 'flow-cache'],
  timeout: ['timeout'],
  ageing: ['timeout'],
};

export interface ScenarioTags {
  name: string;
  tags: string[];
}

export function readScenarioTags(dir: string): ScenarioTags[] {
  const out: ScenarioTags[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.yaml'))
    .sort()) {
    try {
      const doc = parse(readFileSync(join(dir, f), 'utf8')) as { name?: string; tags?: string[] };
      if (typeof doc?.name === 'string') out.push({ name: doc.name, tags: Array.isArray(doc.tags) ? doc.tags.map(String) : [] });
    } catch {
      /* an invalid file is the loader's to report */
    }
  }
  return out;
}

/** The C function (or JS function) around offset in text, if any. */
export function enclosingFunction(text: string, line: number): string | undefined {
  const lines = text.split('\n').slice(0, line);
  for (let i = lines.length - 1; i >= 0; i--) {
    const m =
      /^(?:static\b.*?|export function |function |int |SEC\(.*\)\s*int )\s*\**([A-Za-z_]\w*)\s*\(/.exec(lines[i]!) ??
      /^([A-Za-z_]\w*)\s*\(/.exec(lines[i]!);
    if (m) return m[1];
  }
  return undefined;
}

function wordsOf(name: string): Set<string> {
  return new Set(
    name
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toLowerCase()
      .split(/[_-]/)
      .filter((w) => w.length > 1 && w !== 'fp'),
  );
}

function matching(words: Set<string>, scenarios: readonly ScenarioTags[]): string[] {
  const wanted = new Set<string>();
  for (const w of words) {
    wanted.add(w);
    for (const a of ALIASES[w] ?? []) wanted.add(a);
  }
  return scenarios.filter((s) => s.tags.some((t) => wanted.has(t)) || s.name.split('-').some((p) => wanted.has(p))).map((s) => s.name);
}

/** The most specific match: the enclosing function's own words (those not in the file's
 * name) when some scenario has them, else the file's words. */
export function exercisedBy(file: string, fn: string | undefined, scenarios: readonly ScenarioTags[]): string[] {
  const fileWords = wordsOf(
    file
      .split('/')
      .pop()!
      .replace(/\.(bpf\.c|h|js)$/, ''),
  );
  const fnWords = new Set([...wordsOf(fn ?? '')].filter((w) => !fileWords.has(w)));
  const specific = matching(fnWords, scenarios);
  return specific.length > 0 ? specific : matching(fileWords, scenarios);
}
