// A small seeded pseudo-random generator so that every resampling in a report can be
// reproduced bit for bit from its seed (Math.random cannot be seeded).

/** mulberry32: 32-bit state, period 2^32, good enough for bootstrap resampling. */
export function mulberry32(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new Error(`seed: expected an integer, got ${seed}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n) from a generator of uniforms in [0, 1). */
export function randomIndex(next: () => number, n: number): number {
  return Math.floor(next() * n);
}
