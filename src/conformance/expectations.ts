// Counter snapshots and the end-of-scenario expectations (counter deltas, answers).
import type { ClientReport } from '../../netns/index.js';
import type { Datapath } from '../datapath/index.js';
import type { EventCounts } from './event-counts.js';
import { chiSquareTest } from './chi-square.js';
import { readPolicers } from '../datapath/index.js';
import { floodChecks } from './flood-expect.js';
import type { FloodRecord } from './flood-types.js';
import type { Answers, Check, Count, Expectation, Mode } from './types.js';

export interface CounterSnapshot {
  paths: Record<string, bigint>;
  drops: Record<string, bigint>;
  nextHops: Record<string, bigint>;
  /** Packets received, per dut interface (its name in the scenario). */
  interfaces: Record<string, bigint>;
  /** Events raised so far, by type. */
  events: Record<string, bigint>;
  /** Tracked connections (original-direction entries) by state, and by flag. */
  connections: Record<string, number>;
  connectionFlags: Record<string, number>;
  /** Packets per '<policer id>.<colour>'. */
  policers: Record<string, bigint>;
}

/** Path counters a scenario may name besides the datapath's own: fast_hit is a flow-cache
 *  hit on either hook (tc_fast_hit + xdp_fast_hit), so one expectation holds in every
 *  wire cell, whichever hook carried the packet. */
export const DERIVED_PATHS = ['fast_hit'] as const;

function withDerivedPaths(paths: Record<string, bigint>): Record<string, bigint> {
  return { ...paths, fast_hit: (paths.tc_fast_hit ?? 0n) + (paths.xdp_fast_hit ?? 0n) };
}

/** interfaces: each dut interface's name in the scenario and the device that is it in this
 *  mode (packet mode stands in for them with veths of other names). */
export function snapshot(dp: Datapath, interfaces: ReadonlyMap<string, string>, events: EventCounts): CounterSnapshot {
  const packets = (r: Record<string, { packets: bigint }>): Record<string, bigint> =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.packets]));
  const nh: Record<string, bigint> = {};
  for (const [id, c] of dp.counters('stats_nh')) nh[String(id)] = c.packets;
  const perIfindex = dp.counters('stats_intf');
  const intf: Record<string, bigint> = {};
  for (const [name, device] of interfaces) intf[name] = perIfindex.get(dp.ifindex(device))?.packets ?? 0n;
  const connections: Record<string, number> = {};
  const connectionFlags: Record<string, number> = {};
  for (const c of dp.connections()) {
    if (c.direction !== 'original') continue;
    connections[c.state] = (connections[c.state] ?? 0) + 1;
    for (const f of c.flags) connectionFlags[f] = (connectionFlags[f] ?? 0) + 1;
  }
  const policers: Record<string, bigint> = {};
  for (const p of readPolicers(dp.map('pol'), dp.map('stats_pol'))) {
    for (const colour of ['green', 'yellow', 'red'] as const) policers[`${p.id}.${colour}`] = p.counters[colour].packets;
  }
  return {
    paths: withDerivedPaths(packets(dp.paths())),
    drops: packets(dp.drops()),
    nextHops: nh,
    interfaces: intf,
    events: events.read(),
    connections,
    connectionFlags,
    policers,
  };
}

export function describeCount(c: Count): string {
  if (typeof c === 'number') return String(c);
  if (c.min !== undefined && c.max !== undefined) return `${c.min}..${c.max}`;
  return c.min !== undefined ? `>= ${c.min}` : `<= ${c.max}`;
}

export function countMatches(c: Count, actual: number | bigint): boolean {
  const n = Number(actual);
  if (typeof c === 'number') return n === c;
  return (c.min === undefined || n >= c.min) && (c.max === undefined || n <= c.max);
}

function counterChecks(
  kind: string,
  want: Record<string, Count>,
  before: Record<string, bigint>,
  after: Record<string, bigint>,
  unit = 'packets',
): Check[] {
  return Object.entries(want).map(([name, count]) => {
    const delta = (after[name] ?? 0n) - (before[name] ?? 0n);
    const ok = countMatches(count, delta);
    return {
      name: `${kind}.${name} delta ${describeCount(count)}`,
      ok,
      ...(ok ? {} : { detail: `${kind}.${name}: expected a delta of ${describeCount(count)} ${unit}, got ${delta}` }),
    };
  });
}

function answerChecks(a: Answers, report: ClientReport | undefined): Check[] {
  const label = `answers of ${a.send}`;
  if (report === undefined) return [{ name: label, ok: false, detail: `send step '${a.send}' did not run` }];
  const checks: Check[] = [];
  const seq = report.results.map((r) => r.answeredBy ?? '(none)');
  const errorCount = a.errors ?? 0;
  const errs = report.results.filter((r) => r.answeredBy === null).length;
  const firstError = report.results.find((r) => r.error !== null || r.timedOut);
  checks.push({
    name: `${label}: errors ${describeCount(errorCount)}`,
    ok: countMatches(errorCount, errs),
    ...(countMatches(errorCount, errs)
      ? {}
      : { detail: `${errs} of ${seq.length} exchanges got no answer${firstError ? ` (first: ${firstError.error ?? 'timed out'})` : ''}` }),
  });
  if (a.sequence !== undefined) {
    const ok = JSON.stringify(seq) === JSON.stringify(a.sequence);
    checks.push({
      name: `${label}: sequence`,
      ok,
      ...(ok ? {} : { detail: `expected ${a.sequence.join(', ')}\nactual   ${seq.join(', ')}` }),
    });
  }
  for (const [server, count] of Object.entries(a.counts ?? {})) {
    const n = report.answers[server] ?? 0;
    const ok = countMatches(count, n);
    checks.push({
      name: `${label}: ${server} answered ${describeCount(count)}`,
      ok,
      ...(ok ? {} : { detail: `${server} answered ${n} (all answers: ${JSON.stringify(report.answers)})` }),
    });
  }
  if (a.distribution !== undefined) {
    const { weights, tolerance } = a.distribution;
    const total = Object.values(report.answers).reduce((x, y) => x + y, 0);
    const wsum = Object.values(weights).reduce((x, y) => x + y, 0);
    const names = new Set([...Object.keys(weights), ...Object.keys(report.answers)]);
    const bad: string[] = [];
    for (const name of names) {
      const share = total === 0 ? 0 : (report.answers[name] ?? 0) / total;
      const want = (weights[name] ?? 0) / wsum;
      if (Math.abs(share - want) > tolerance) bad.push(`${name}: share ${share.toFixed(3)}, expected ${want.toFixed(3)} ± ${tolerance}`);
    }
    checks.push({
      name: `${label}: distribution within ${tolerance}`,
      ok: bad.length === 0 && total > 0,
      ...(bad.length === 0 && total > 0 ? {} : { detail: total === 0 ? 'no answers' : bad.join('\n') }),
    });
  }
  if (a.chiSquare !== undefined) {
    const { weights, significance } = a.chiSquare;
    const names = [...new Set([...Object.keys(weights), ...Object.keys(report.answers)])];
    const r = chiSquareTest(
      names.map((n) => report.answers[n] ?? 0),
      names.map((n) => weights[n] ?? 0),
    );
    const ok = r.pValue >= significance;
    checks.push({
      name: `${label}: chi-square p >= ${significance}`,
      ok,
      ...(ok
        ? {}
        : {
            detail: `chi-square ${r.statistic.toFixed(3)} (df ${r.degreesOfFreedom}), p = ${r.pValue.toExponential(3)} < ${significance}; answers ${JSON.stringify(report.answers)}`,
          }),
    });
  }
  return checks;
}

function ctChecks(
  want: { count?: Count; states?: Record<string, Count>; flags?: Record<string, Count> },
  have: Record<string, number>,
  flags: Record<string, number>,
): Check[] {
  const all = JSON.stringify(have);
  const checks: Check[] = [];
  if (want.count !== undefined) {
    const n = Object.values(have).reduce((a, b) => a + b, 0);
    const ok = countMatches(want.count, n);
    checks.push({
      name: `ct connections ${describeCount(want.count)}`,
      ok,
      ...(ok ? {} : { detail: `${n} tracked connections (by state: ${all})` }),
    });
  }
  for (const [state, count] of Object.entries(want.states ?? {})) {
    const ok = countMatches(count, have[state] ?? 0);
    checks.push({
      name: `ct ${state} ${describeCount(count)}`,
      ok,
      ...(ok ? {} : { detail: `${have[state] ?? 0} connections in ${state} (by state: ${all})` }),
    });
  }
  for (const [flag, count] of Object.entries(want.flags ?? {})) {
    const ok = countMatches(count, flags[flag] ?? 0);
    checks.push({
      name: `ct flag ${flag} ${describeCount(count)}`,
      ok,
      ...(ok ? {} : { detail: `${flags[flag] ?? 0} connections flagged ${flag} (by flag: ${JSON.stringify(flags)})` }),
    });
  }
  return checks;
}

export function appliesTo(item: { modes?: Mode[] }, mode: Mode): boolean {
  return item.modes === undefined || item.modes.includes(mode);
}

export function evaluate(
  expectations: Expectation[],
  mode: Mode,
  before: CounterSnapshot,
  after: CounterSnapshot,
  sends: Map<string, ClientReport>,
  floods: Map<string, FloodRecord> = new Map(),
): Check[] {
  const checks: Check[] = [];
  for (const e of expectations) {
    if (!appliesTo(e, mode)) continue;
    const at = (c: Check): Check => ({ ...c, name: `expect[${e.index}] ${c.name}` });
    switch (e.kind) {
      case 'paths':
        checks.push(...counterChecks('paths', e.paths, before.paths, after.paths).map(at));
        break;
      case 'drops':
        checks.push(...counterChecks('drops', e.drops, before.drops, after.drops).map(at));
        break;
      case 'nextHops':
        checks.push(...counterChecks('nextHops', e.nextHops, before.nextHops, after.nextHops).map(at));
        break;
      case 'interfaces':
        checks.push(...counterChecks('interfaces', e.interfaces, before.interfaces, after.interfaces).map(at));
        break;
      case 'events':
        checks.push(...counterChecks('events', e.events, before.events, after.events, 'events').map(at));
        break;
      case 'answers':
        checks.push(...answerChecks(e.answers, sends.get(e.answers.send)).map(at));
        break;
      case 'policers': {
        const want: Record<string, Count> = {};
        for (const [id, colours] of Object.entries(e.policers)) {
          for (const [colour, count] of Object.entries(colours)) if (count !== undefined) want[`${id}.${colour}`] = count;
        }
        checks.push(...counterChecks('policers', want, before.policers, after.policers).map(at));
        break;
      }
      case 'ct':
        checks.push(...ctChecks(e.ct, after.connections, after.connectionFlags).map(at));
        break;
      case 'flood':
        checks.push(...floodChecks(e.flood, floods.get(e.flood.id)).map(at));
        break;
    }
  }
  return checks;
}
