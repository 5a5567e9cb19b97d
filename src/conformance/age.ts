// The age step: one connection-ageing sweep as if time had passed, so inactivity
// timeouts are tested without waiting for them. One sweeper per run keeps the memory of
// flow-cache hit counts between sweeps (a cached connection is active at the sweep that
// first sees its hits move, idle from then on).
import { CtSweeper, type CtTimeouts, type Datapath, DEFAULT_CT_TIMEOUTS, monotonicNs } from '../datapath/index.js';
import { countMatches, describeCount } from './expectations.js';
import type { AgeStep, Check } from './types.js';

export class Ager {
  private sweeper: CtSweeper | undefined;
  private timeoutsKey = '';

  constructor(private readonly dp: Datapath) {}

  private sweeperFor(timeouts: CtTimeouts): CtSweeper {
    const key = JSON.stringify(timeouts);
    if (this.sweeper === undefined || key !== this.timeoutsKey) {
      this.sweeper?.stop();
      this.sweeper = new CtSweeper((name) => this.dp.map(name), timeouts, 3_600_000);
      this.sweeper.stop();
      this.timeoutsKey = key;
    }
    return this.sweeper;
  }

  run(age: AgeStep, index: number): Check[] {
    const r = this.sweeperFor({ ...DEFAULT_CT_TIMEOUTS, ...age.timeouts }).sweep(monotonicNs() + BigInt(age.afterMs) * 1_000_000n);
    const checks: Check[] = [];
    for (const [what, want, got] of [
      ['expired', age.expired, r.expired],
      ['remaining', age.remaining, r.remaining],
    ] as const) {
      if (want === undefined) continue;
      const ok = countMatches(want, got);
      checks.push({
        name: `steps[${index}] age ${age.afterMs} ms: ${what} ${describeCount(want)}`,
        ok,
        ...(ok ? {} : { detail: `${what}: expected ${describeCount(want)}, got ${got} (expired ${r.expired}, remaining ${r.remaining})` }),
      });
    }
    return checks;
  }

  stop(): void {
    this.sweeper?.stop();
  }
}
