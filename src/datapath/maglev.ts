// Maglev consistent hashing (Eisenbud et al., NSDI 2016): each backend fills the table
// along its own permutation of the slots, in turns, so removing one of N backends only
// frees the slots it held (about 1/N of them).
import { createHash } from 'node:crypto';

export function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** The smallest prime >= 100 x backends (>= 101). */
export function maglevSize(backends: number): number {
  let m = Math.max(101, 100 * backends);
  while (!isPrime(m)) m++;
  return m;
}

function words(name: string): [number, number] {
  const d = createHash('sha256').update(name).digest();
  return [d.readUInt32LE(0), d.readUInt32LE(4)];
}

/**
 * The lookup table: slot -> backend index. backends: [index, stable name] of the active
 * backends (the name fixes the permutation, so it survives other backends leaving).
 */
export function maglevTable(backends: [number, string][], size: number): Uint8Array {
  const table = new Int16Array(size).fill(-1);
  const out = new Uint8Array(size);
  if (backends.length === 0) return out;
  const perm = backends.map(([, name]) => {
    const [a, b] = words(name);
    return { offset: a % size, skip: (b % (size - 1)) + 1, next: 0 };
  });
  let filled = 0;
  while (filled < size) {
    for (let i = 0; i < backends.length && filled < size; i++) {
      const p = perm[i]!;
      let slot = (p.offset + p.next * p.skip) % size;
      while (table[slot]! >= 0) {
        p.next++;
        slot = (p.offset + p.next * p.skip) % size;
      }
      table[slot] = backends[i]![0];
      p.next++;
      filled++;
    }
  }
  for (let i = 0; i < size; i++) out[i] = table[i]!;
  return out;
}

/** Smooth weighted round robin (as nginx): a sequence of sum(weights) endpoint indices. */
export function wrrSequence(weights: [number, number][]): number[] {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  const current = weights.map(() => 0);
  const seq: number[] = [];
  for (let n = 0; n < total; n++) {
    let best = -1;
    for (let i = 0; i < weights.length; i++) {
      current[i]! += weights[i]![1];
      if (best < 0 || current[i]! > current[best]!) best = i;
    }
    current[best]! -= total;
    seq.push(weights[best]![0]);
  }
  return seq;
}
