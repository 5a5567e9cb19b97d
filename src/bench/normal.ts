// The standard normal upper tail, accurate to about 1e-15 relative over the whole range,
// so that tiny p-values from large samples stay meaningful (the usual 7-digit erf
// approximations turn p < 1e-7 into noise).

const INV_SQRT_2PI = 0.3989422804014327;

function density(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** P(Z > z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z < 0) return 1 - normalUpperTail(-z);
  if (z < 3) {
    // Marsaglia's series: Phi(z) = 1/2 + phi(z) * (z + z^3/3 + z^5/(3*5) + ...).
    let term = z;
    let sum = z;
    const z2 = z * z;
    for (let k = 3; term > 1e-17 * sum; k += 2) {
      term *= z2 / k;
      sum += term;
    }
    return 0.5 - density(z) * sum;
  }
  // Continued fraction: Q(z) = phi(z) / (z + 1/(z + 2/(z + 3/(z + ...)))), by Lentz.
  const tiny = 1e-300;
  let f = z;
  let c = z;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    d = z + k * d;
    d = d === 0 ? tiny : d;
    c = z + k / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return density(z) / f;
}
