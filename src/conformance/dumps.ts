// A text dump of the datapath state that matters when a scenario fails: every config map,
// the flow cache, and every non-zero counter.
import { type Datapath, dumpMap } from '../datapath/index.js';

function mapLines(name: string, entries: Map<string, string>): string[] {
  const out = [`# ${name} (${entries.size} entr${entries.size === 1 ? 'y' : 'ies'}: key => value, hex)`];
  for (const [k, v] of entries) out.push(`${k} => ${v}`);
  return out;
}

export function dumpDatapath(dp: Datapath): string {
  const lines: string[] = [`generation ${dp.generation()}`];
  for (const [name, entries] of Object.entries(dp.dumpConfig())) lines.push(...mapLines(name, entries));
  try {
    lines.push(...mapLines('fc', dumpMap(dp.map('fc'))));
  } catch (e) {
    lines.push(`# fc: ${(e as Error).message}`);
  }
  const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  for (const [name, read] of [
    ['lb rules', () => dp.lbRules()],
    ['connections', () => dp.connections().map(({ raw: _r, ...c }) => c)],
    ['flow cache', () => dp.flowCache()],
  ] as const) {
    try {
      const entries: unknown[] = read();
      lines.push(`# ${name} (${entries.length})`, ...entries.map(json));
    } catch (e) {
      lines.push(`# ${name}: ${(e as Error).message}`);
    }
  }
  lines.push('# counters (non-zero; packets/bytes)');
  for (const [kind, counters] of [
    ['path', dp.paths()],
    ['drop', dp.drops()],
  ] as const) {
    for (const [name, c] of Object.entries(counters)) if (c.packets !== 0n) lines.push(`${kind}.${name} ${c.packets}/${c.bytes}`);
  }
  for (const map of ['stats_intf', 'stats_route', 'stats_nh'] as const) {
    for (const [id, c] of dp.counters(map)) lines.push(`${map}[${id}] ${c.packets}/${c.bytes}`);
  }
  return lines.join('\n') + '\n';
}
