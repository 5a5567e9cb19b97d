// Readers for counters, events and whole-map dumps.
import { type BpfMap, RingBuffer } from '../../native/index.js';
import { formatIpv4, formatIpv6, formatMac } from '../packet/index.js';
import { eventCodec } from './codecs.js';
import { EVENT_TYPES } from './names.js';

export interface Counter {
  packets: bigint;
  bytes: bigint;
}

/** Sums one per-CPU fp_counter value laid out `stride` bytes per CPU. */
function sumCounters(buf: Buffer, offset: number, cpus: number, stride: number): Counter {
  let packets = 0n;
  let bytes = 0n;
  for (let cpu = 0; cpu < cpus; cpu++) {
    packets += buf.readBigUInt64LE(offset + cpu * stride);
    bytes += buf.readBigUInt64LE(offset + cpu * stride + 8);
  }
  return { packets, bytes };
}

/** Every non-zero counter of a per-CPU stats map, summed over CPUs, by u32 key. */
export function readCounters(map: BpfMap): Map<number, Counter> {
  const out = new Map<number, Counter>();
  const { keySize, valueStride } = map.info;
  const perCpu = Math.ceil(map.info.valueSize / 8) * 8;
  const cpus = valueStride / perCpu;
  const { keys, values, count } = map.batchLookup();
  for (let i = 0; i < count; i++) {
    const c = sumCounters(values, i * valueStride, cpus, perCpu);
    if (c.packets !== 0n || c.bytes !== 0n) out.set(keys.readUInt32LE(i * keySize), c);
  }
  return out;
}

/** One counter, summed over CPUs (zero when absent). */
export function readCounter(map: BpfMap, key: number): Counter {
  const k = Buffer.alloc(4);
  k.writeUInt32LE(key);
  const per = map.lookupPerCpu(k);
  if (per === null) return { packets: 0n, bytes: 0n };
  return per.reduce<Counter>(
    (acc, b) => ({
      packets: acc.packets + b.readBigUInt64LE(0),
      bytes: acc.bytes + b.readBigUInt64LE(8),
    }),
    { packets: 0n, bytes: 0n },
  );
}

/** Named counters of an enum-indexed stats map (stats_drop, stats_path). */
export function readNamedCounters<Name extends string>(map: BpfMap, names: readonly Name[]): Record<Name, Counter> {
  const all = readCounters(map);
  const out: Partial<Record<Name, Counter>> = {};
  names.forEach((name, i) => {
    out[name] = all.get(i) ?? { packets: 0n, bytes: 0n };
  });
  return out as Record<Name, Counter>;
}

/** key hex -> value hex of every entry (for before/after comparisons). Array slots that
 *  are all zero are left out. */
export function dumpMap(map: BpfMap): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of map.keys()) {
    const v = map.lookup(key);
    if (v === null) continue;
    if (map.info.type === 'array' && v.every((b) => b === 0)) continue;
    out.set(key.toString('hex'), v.toString('hex'));
  }
  return out;
}

export interface DatapathEvent {
  type: string;
  family: number;
  ifindex: number;
  /** Port (mac-learn) or next-hop id (nh-miss). */
  id: number;
  zone: number;
  bd: number;
  vlan: number;
  mac: string;
  /** Destination address for route / next-hop misses, '' otherwise. */
  addr: string;
  tsNs: bigint;
}

export function decodeEvent(buf: Buffer): DatapathEvent {
  const e = eventCodec.decode(buf);
  const addr = e.family === 4 ? formatIpv4(e.addr) : e.family === 6 ? formatIpv6(e.addr) : '';
  return {
    type: EVENT_TYPES[e.type] ?? `unknown(${e.type})`,
    family: e.family,
    ifindex: e.ifindex,
    id: e.id,
    zone: e.zone,
    bd: e.bd,
    vlan: e.vlan,
    mac: e.type === 1 ? formatMac(e.mac) : '',
    addr,
    tsNs: e.ts_ns,
  };
}

export class EventReader {
  private readonly ring: RingBuffer;

  constructor(map: BpfMap) {
    this.ring = new RingBuffer(map);
  }

  /** Waits up to timeoutMs for events and returns those available. */
  poll(timeoutMs: number): DatapathEvent[] {
    return this.ring.poll(timeoutMs).map(decodeEvent);
  }

  close(): void {
    this.ring.close();
  }
}
