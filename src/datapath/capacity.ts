// How many connections a loaded datapath holds. CT and the flow cache keep one entry per
// direction, so a capacity of N connections sizes both maps at 2N entries before load
// (the addon's maxEntries); without it the object's own sizes apply (FP_MAX_CT, FP_MAX_FC).

/** The object's CT and flow-cache size (512 Ki entries each) in connections. */
export const DEFAULT_CONNECTIONS = 256 * 1024;
/** 16 Mi connections is ~13 GiB of preallocated map memory: a typo, not a plan. */
export const MAX_CONNECTIONS = 16 * 1024 * 1024;

/** The maps sized by connection capacity and their entries. */
export function connectionMapSizes(connections: number): Record<string, number> {
  if (!Number.isInteger(connections) || connections < 1 || connections > MAX_CONNECTIONS) {
    throw new Error(`connections: expected an integer in 1..${MAX_CONNECTIONS}, got ${connections}`);
  }
  return { ct: 2 * connections, fc: 2 * connections };
}
