// How many connections a loaded datapath holds. CT and the flow cache keep one entry per
// direction, so a capacity of N connections sizes both maps at 2N entries before load
// (the addon's maxEntries), plus the LRU's per-CPU room; without it the object's own
// sizes apply (FP_MAX_CT, FP_MAX_FC: 512 Ki entries each).
import { possibleCpus } from '../../native/index.js';

/** An LRU hash keeps up to this many free entries in each CPU's local free list
 *  (kernel/bpf/bpf_lru.c LOCAL_FREE_TARGET) and starts evicting when the shared free list
 *  runs shorter: a map of exactly 2N entries holds 2N less up to this per CPU. */
export const LRU_LOCAL_FREE = 128;
/** 16 Mi connections is ~13 GiB of preallocated map memory: a typo, not a plan. */
export const MAX_CONNECTIONS = 16 * 1024 * 1024;

/** The maps sized by connection capacity and their entries: room for every connection's
 *  two entries however the LRU's free entries sit on the CPUs. The kernel rounds a hash's
 *  bucket array up to a power of two, so when 2N is one the room doubles the buckets
 *  (1 Mi connections: 912 bytes per connection instead of 848). */
export function connectionMapSizes(connections: number, cpus = possibleCpus()): Record<string, number> {
  if (!Number.isInteger(connections) || connections < 1 || connections > MAX_CONNECTIONS) {
    throw new Error(`connections: expected an integer in 1..${MAX_CONNECTIONS}, got ${connections}`);
  }
  const entries = 2 * connections + LRU_LOCAL_FREE * cpus;
  return { ct: entries, fc: entries };
}
