// The NDR search's logic against a model DUT that forwards up to `cap` frames/s and a
// model generator that offers up to `genMax`: where it converges, when it goes above the
// unpaced maximum, when the generator is the limit, and when nothing passes.
import test from 'ava';
import type { LiveFramesGenerator } from '../../src/bench/wire/generator.js';
import { searchNdr } from '../../src/bench/wire/ndr.js';
import type { Sink } from '../../src/bench/wire/sink.js';

class ModelPath {
  private rate = 0;
  private since = 0;
  private sentDone = 0;
  private passedDone = 0;
  constructor(
    private readonly cap: number,
    private readonly genMax: number,
  ) {}
  private elapsed(): number {
    return this.rate === 0 ? 0 : (performance.now() - this.since) / 1000;
  }
  readonly gen = {
    start: (_spec: unknown, pps: number): Promise<void> => {
      this.rate = Math.min(pps, this.genMax);
      this.since = performance.now();
      return Promise.resolve();
    },
    stop: (): Promise<void> => {
      this.sentDone += this.rate * this.elapsed();
      this.passedDone += Math.min(this.rate, this.cap) * this.elapsed();
      this.rate = 0;
      return Promise.resolve();
    },
    sent: (): bigint => BigInt(Math.round(this.sentDone + this.rate * this.elapsed())),
    stalls: (): bigint => 0n,
  };
  readonly sink = { read: () => ({ packets: BigInt(Math.round(this.passedDone)), bytes: 0n }) };
}

const spec = { size: 64, flows: 1, dstMac: '02:00:00:00:00:01', srcMac: '02:00:00:00:00:02', src: '10.1.0.2', dst: '10.2.0.2' };
const options = { lossPct: 0.1, resolutionPct: 1, trialMs: 100, warmupMs: 0 };

function search(cap: number, genMax: number, maxPps: number): ReturnType<typeof searchNdr> {
  const m = new ModelPath(cap, genMax);
  return searchNdr(m.gen as unknown as LiveFramesGenerator, m.sink as unknown as Sink, spec, maxPps, options);
}

test('from above the limit it halves down to the resolution, every trial above the limit failing', async (t) => {
  const r = await search(30_000, 1e9, 120_000);
  t.true(r.ndrPps <= 30_000 * 1.01 && r.ndrPps >= 30_000 - 1_200 - 300, String(r.ndrPps));
  t.is(r.steps[0]!.targetPps, 120_000);
  for (const s of r.steps) t.is(s.pass, s.offeredPps <= 30_000 * 1.001, `${s.offeredPps}`);
  t.true(r.steps.length <= 9);
});

test('an unpaced maximum below what the DUT takes: the search goes up until a trial fails', async (t) => {
  const r = await search(30_000, 1e9, 20_000);
  t.deepEqual(
    r.steps.slice(0, 3).map((s) => [s.targetPps, s.pass]),
    [
      [20_000, true],
      [30_000, true],
      [45_000, false],
    ],
  );
  t.true(Math.abs(r.ndrPps - 30_000) <= 300, String(r.ndrPps));
});

test('a generator that cannot keep up ends the climb: the NDR is what it offered', async (t) => {
  const r = await search(100_000, 25_000, 20_000);
  t.is(r.steps.length, 2);
  t.true(Math.abs(r.ndrPps - 25_000) < 500, String(r.ndrPps));
});

test('nothing passes: NDR 0, the search still stops at the resolution', async (t) => {
  const r = await search(0, 1e9, 10_000);
  t.is(r.ndrPps, 0);
  t.true(r.steps.every((s) => !s.pass));
  t.true(r.steps.length <= 8);
});
