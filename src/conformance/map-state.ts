// Raw snapshots of datapath maps, restorable byte for byte: the differential replay and the
// fuzz pass use them to run a packet without leaving any trace in state or counters.
import type { BpfMap } from '../../native/index.js';
import type { Datapath } from '../datapath/index.js';

/** Every map the datapath writes while handling a packet (state, caches, counters). */
export const PACKET_STATE_MAPS = [
  'fc',
  'ct',
  'ct_frag',
  'lb_sess',
  'lb_persist',
  'smac',
  'ev_limit',
  'stats_intf',
  'stats_route',
  'stats_nh',
  'stats_drop',
  'stats_path',
] as const;

interface MapContents {
  map: BpfMap;
  keys: Buffer;
  values: Buffer;
  count: number;
}

export interface MapState {
  maps: MapContents[];
}

export function captureMaps(dp: Datapath, names: readonly string[]): MapState {
  return {
    maps: names.map((name) => {
      const map = dp.map(name);
      const r = map.batchLookup();
      return { map, keys: r.keys, values: r.values, count: r.count };
    }),
  };
}

function isArray(map: BpfMap): boolean {
  return map.info.type.includes('array');
}

/** Puts every map back as it was: keys added since are deleted, every value rewritten. */
export function restoreMaps(state: MapState): void {
  for (const m of state.maps) {
    if (!isArray(m.map)) {
      const kept = new Set<string>();
      for (let i = 0; i < m.count; i++) kept.add(m.keys.subarray(i * m.map.info.keySize, (i + 1) * m.map.info.keySize).toString('hex'));
      for (const k of m.map.keys()) if (!kept.has(k.toString('hex'))) m.map.delete(k);
    }
    if (m.count > 0) m.map.batchUpdate(m.keys, m.values);
  }
}

/** Hex key => hex value of every entry, for before/after comparisons. */
export function mapEntries(state: MapState, index: number): Map<string, string> {
  const m = state.maps[index];
  if (m === undefined) throw new Error(`mapEntries: the state holds ${state.maps.length} maps, not ${index + 1}`);
  const ks = m.map.info.keySize;
  const vs = m.map.info.valueStride;
  const out = new Map<string, string>();
  for (let i = 0; i < m.count; i++)
    out.set(m.keys.subarray(i * ks, (i + 1) * ks).toString('hex'), m.values.subarray(i * vs, (i + 1) * vs).toString('hex'));
  return out;
}
