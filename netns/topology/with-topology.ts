// Scoped use of a topology: built, handed to fn, and torn down whatever happens — also
// when fn outlives its time budget.
import { buildTopology, type BuildTopologyOptions } from './build.js';
import type { Topology } from './topology.js';

export interface WithTopologyOptions extends BuildTopologyOptions {
  /** Budget for fn; on expiry the topology is torn down and the call rejects. */
  timeoutMs?: number;
}

export async function withTopology<T>(desc: unknown, fn: (topo: Topology) => Promise<T>, options: WithTopologyOptions = {}): Promise<T> {
  const topo = await buildTopology(desc, options);
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = fn(topo);
    if (options.timeoutMs === undefined) return await work;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`topology ${topo.runId}: timed out after ${options.timeoutMs} ms; torn down`)),
        options.timeoutMs,
      );
    });
    // fn may still be running when the timeout wins; its later failures are of no interest.
    work.catch(() => undefined);
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    await topo.destroy();
  }
}
