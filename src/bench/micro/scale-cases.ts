// Cost at scale: the established fast-path hit with many connections in CT and the flow
// cache, and CT past capacity. The cases run in a datapath sized for SCALE_CONNECTIONS
// (Datapath.load connections: CT and the flow cache at two entries per connection). Every
// case first sets up lb-bench's single connection (the one timed, checked byte for byte),
// then fills the maps with synthetic connections (both directions, values copied from the
// real connection's entries) by batch update, and records the entries the maps then hold.
//   ct-full: CT filled past capacity, so the timed connection's own CT entries are the
//   LRU's first victims; its flow-cache entry (refreshed by every hit) keeps it forwarded.
//   The new-flow case at capacity shows a new connection still gets in (LRU eviction).
import { execFileSync } from 'node:child_process';
import type { Datapath, PathCounter } from '../../datapath/index.js';
import { fastCase, newFlowCase } from '../lb-bench.js';
import type { MicroCase } from './cases.js';

/** The scale datapath's capacity: 1 Mi connections, 2 Mi entries in CT and in the flow cache. */
export const SCALE_CONNECTIONS = 1024 * 1024;
/** Connections beyond capacity in the ct-full cases. */
const PAST_CAPACITY = 65536;

const SYNTH_KEY_BASE = [10, 3];

/** The key of synthetic connection i (direction 0 = client to VIP, 1 = reply): addresses
 *  10.3.x.y / 10.4.x.y and 10.5.z.1 / 10.6.z.1 from i (unique below 2^24), IPv4 in a
 *  16-byte field, the template's ports, zone and protocol. */
function synthKey(template: Buffer, i: number, dir: 0 | 1): Buffer {
  const k = Buffer.from(template);
  const a = Buffer.from([SYNTH_KEY_BASE[0]!, SYNTH_KEY_BASE[1]! + dir, (i >> 8) & 0xff, i & 0xff]);
  const b = Buffer.from([10, 5 + dir, (i >> 16) & 0xff, 1]);
  a.copy(k, 0);
  b.copy(k, 16);
  return k;
}

/** Adds `count` synthetic connections (two entries each) to `map`, values copied from an
 *  entry the map holds; returns how many entries the kernel took. */
function fill(dp: Datapath, mapName: 'ct' | 'fc', count: number): number {
  const map = dp.map(mapName);
  const [template] = map.keys();
  if (template === undefined) throw new Error(`scale: ${mapName} holds no entry to copy`);
  const value = map.lookup(template)!;
  const chunk = 32768;
  let taken = 0;
  for (let start = 0; start < 2 * count; start += chunk) {
    const n = Math.min(chunk, 2 * count - start);
    const keys = Buffer.alloc(n * template.length);
    for (let j = 0; j < n; j++) {
      const e = start + j;
      synthKey(template, e >> 1, (e & 1) as 0 | 1).copy(keys, j * template.length);
    }
    taken += map.batchUpdate(keys, Buffer.concat(Array.from({ length: n }, () => value)));
  }
  return taken;
}

/** Entries a map holds now (a batch walk: an LRU map at capacity may have evicted some). */
function entries(dp: Datapath, mapName: 'ct' | 'fc'): number {
  return dp.map(mapName).batchLookup(65536).count;
}

function scaled(
  base: MicroCase,
  id: string,
  name: string,
  connections: number,
  fillFc: boolean,
  params: Record<string, string | number>,
): MicroCase {
  return {
    id,
    name,
    hook: base.hook,
    params: { ...base.params, connections, capacity: SCALE_CONNECTIONS, ...params },
    prepare: (env) => {
      const { dp } = env;
      if (dp.map('ct').info.maxEntries < 2 * SCALE_CONNECTIONS) {
        throw new Error(
          `${id}: CT has ${dp.map('ct').info.maxEntries} entries, the scale cases need room for ${SCALE_CONNECTIONS} connections (runMicro connections)`,
        );
      }
      // The previous case's connections go first: the base case's LB rule change walks CT.
      dp.flushConnections();
      const prepared = base.prepare(env);
      const others = connections - 1;
      // A new-flow case starts without the connection: make it once for the template.
      const template = dp.map('ct').keys().length === 0;
      if (template) prepared.program.testRun({ data: prepared.data });
      if (others > 0) {
        const ct = fill(dp, 'ct', others);
        if (ct !== 2 * others) throw new Error(`${id}: CT took ${ct} of ${2 * others} entries`);
        if (fillFc) {
          const fc = fill(dp, 'fc', others);
          if (fc !== 2 * others) throw new Error(`${id}: fc took ${fc} of ${2 * others} entries`);
        }
      }
      const held = { ctEntries: entries(dp, 'ct'), fcEntries: entries(dp, 'fc') };
      if (template) {
        prepared.reset?.();
      } else {
        // A hit the slow path served would give the same bytes: the path counter tells.
        const counter: PathCounter = `${base.hook}_fast_hit`;
        const before = dp.paths()[counter].packets;
        prepared.program.testRun({ data: prepared.data });
        if (dp.paths()[counter].packets !== before + 1n)
          throw new Error(`${id}: the timed packet missed the ${base.hook.toUpperCase()} fast path after the fill`);
      }
      if (connections <= SCALE_CONNECTIONS && held.ctEntries !== 2 * connections) {
        throw new Error(`${id}: CT holds ${held.ctEntries} entries, ${2 * connections} expected (the LRU evicted below capacity)`);
      }
      return { ...prepared, params: held };
    },
  };
}

const tcpTc = fastCase('tcp', 4, 'tc');
const tcpXdp = fastCase('tcp', 4, 'xdp');
const synTc = newFlowCase('tcp', 4);
const pastCapacity = SCALE_CONNECTIONS + PAST_CAPACITY;

export const SCALE_MICRO_CASES: MicroCase[] = [
  ...[1, 65536, SCALE_CONNECTIONS].flatMap((n) =>
    [tcpTc, tcpXdp].map((b) =>
      scaled(b, `${b.id}-conn${n}`, `${b.name}, ${n} connection${n === 1 ? '' : 's'} in CT and the flow cache`, n, true, {}),
    ),
  ),
  scaled(
    tcpTc,
    `${tcpTc.id}-ct-full`,
    `${tcpTc.name}, CT filled past capacity (${pastCapacity} connections): served by its cache entry`,
    pastCapacity,
    false,
    { ctFull: 1 },
  ),
  scaled(
    synTc,
    `${synTc.id}-ct-full`,
    `${synTc.name}, CT filled past capacity: the new connection evicts the least recently used`,
    pastCapacity,
    false,
    { ctFull: 1 },
  ),
];

export interface ConnectionMemory {
  ctEntries: number;
  ctMemlock: number;
  fcEntries: number;
  fcMemlock: number;
  /** Two CT entries and two flow-cache entries. */
  bytesPerConnection: number;
}

/** Memory per connection as the kernel charges it (bpftool's bytes_memlock of the
 *  preallocated ct and fc maps of a loaded datapath). */
export function connectionMemory(dp: Datapath): ConnectionMemory {
  const memlock = (name: string): { entries: number; bytes: number } => {
    const info = dp.map(name).info;
    const shown = JSON.parse(execFileSync('bpftool', ['-j', 'map', 'show', 'id', String(info.id)], { encoding: 'utf8' })) as {
      bytes_memlock: number;
    };
    return { entries: info.maxEntries, bytes: shown.bytes_memlock };
  };
  const ct = memlock('ct');
  const fc = memlock('fc');
  return {
    ctEntries: ct.entries,
    ctMemlock: ct.bytes,
    fcEntries: fc.entries,
    fcMemlock: fc.bytes,
    bytesPerConnection: 2 * (ct.bytes / ct.entries) + 2 * (fc.bytes / fc.entries),
  };
}
