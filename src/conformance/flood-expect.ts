// The flood expectation: rates measured by a wire flood against amounts that grow with its
// elapsed time (bytesPerSec·t + bytes), each within a tolerance of the same form, and the
// exact accounting (every offered packet coloured; what arrived = the passing colours).
import { COLOURS, type Colour, type ColourDelta, type FloodExpectation, type FloodRecord, type RateAmount } from './flood-types.js';
import type { Check } from './types.js';

export function amountAt(a: RateAmount, t: number): number {
  return (a.bytesPerSec ?? 0) * t + (a.bytes ?? 0);
}

export function describeAmount(a: RateAmount, t?: number): string {
  const parts: string[] = [];
  if (a.bytesPerSec !== undefined) parts.push(t === undefined ? `${a.bytesPerSec} B/s·t` : `${a.bytesPerSec} B/s × ${t.toFixed(3)} s`);
  if (a.bytes !== undefined || parts.length === 0) parts.push(`${a.bytes ?? 0} B`);
  return parts.join(' + ');
}

function measured(r: FloodRecord): string {
  return (
    `offered ${r.offeredPackets} packets/${r.offeredBytes} B of ${r.ipLength} B in ${r.elapsedS.toFixed(3)} s ` +
    `(${(r.offeredBytes / Math.max(r.elapsedS, 1e-9)).toFixed(0)} B/s), received ${r.receivedPackets} packets/${r.receivedBytes} B`
  );
}

function approx(what: string, got: number, want: RateAmount, tol: RateAmount, r: FloodRecord): Check {
  const t = r.elapsedS;
  const expected = amountAt(want, t);
  const bound = amountAt(tol, t);
  const ok = Math.abs(got - expected) <= bound;
  return {
    name: `${what} bytes ${describeAmount(want)} ± ${describeAmount(tol)}`,
    ok,
    ...(ok
      ? {}
      : {
          detail: `${measured(r)}\n${what}: ${got} B, expected ${expected.toFixed(0)} B (${describeAmount(want, t)}) ± ${bound.toFixed(0)} B (${describeAmount(tol, t)}), off by ${(got - expected).toFixed(0)} B`,
        }),
  };
}

function exact(what: string, got: number, want: number, r: FloodRecord, extra: string): Check {
  const ok = got === want;
  return { name: what, ok, ...(ok ? {} : { detail: `${measured(r)}\n${what}: ${got} vs ${want}${extra}` }) };
}

function sum(c: Record<Colour, ColourDelta>, colours: readonly Colour[], k: keyof ColourDelta): number {
  return colours.reduce((n, colour) => n + c[colour][k], 0);
}

export function floodChecks(e: FloodExpectation, r: FloodRecord | undefined): Check[] {
  const label = `flood ${e.id}`;
  if (r === undefined) return [{ name: label, ok: false, detail: `flood step '${e.id}' did not run` }];
  const checks: Check[] = [];
  if (e.received !== undefined) checks.push(approx(`${label}: received`, r.receivedBytes, e.received, e.tolerance, r));
  if (e.policer === undefined) return checks;
  const p = `${label}: policer ${e.policer}`;
  const c = r.policers.get(e.policer);
  if (c === undefined) return [...checks, { name: p, ok: false, detail: `policer ${e.policer} is not configured at the end of the flood` }];
  const colours = ` (${COLOURS.map((k) => `${k} ${c[k].packets}/${c[k].bytes} B`).join(', ')})`;
  checks.push(exact(`${p}: green + yellow + red packets = offered`, sum(c, COLOURS, 'packets'), r.offeredPackets, r, colours));
  checks.push(exact(`${p}: green + yellow + red bytes = offered`, sum(c, COLOURS, 'bytes'), r.offeredBytes, r, colours));
  for (const colour of COLOURS) {
    const want = e[colour];
    if (want !== undefined) checks.push(approx(`${p}: ${colour}`, c[colour].bytes, want, e.tolerance, r));
  }
  if (e.greenYellow !== undefined)
    checks.push(approx(`${p}: green + yellow`, sum(c, ['green', 'yellow'], 'bytes'), e.greenYellow, e.tolerance, r));
  if (e.passes !== undefined) {
    checks.push(exact(`${p}: received packets = ${e.passes.join(' + ')}`, r.receivedPackets, sum(c, e.passes, 'packets'), r, colours));
  }
  return checks;
}
