// One wire point: the generator runs continuously while the sink's counter is read at
// the edges of `samples` back-to-back windows of `durationMs`; each window is a sample.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FrameSpec, LiveFramesGenerator } from './generator.js';
import type { Sink } from './sink.js';

export interface PointOptions {
  samples: number;
  durationMs: number;
  /** Generator running before the first window (queues fill, caches warm). */
  warmupMs: number;
  /** Throws to abandon the point (e.g. on Ctrl-C). */
  checkInterrupt?: () => void;
  /** Sends every flow's answer, half-way through the warm-up (see answer.ts). */
  answer?: () => void;
}

export interface PointSamples {
  /** Received packets per second, one per window. */
  pps: number[];
  /** Packets the sink counted over all windows. */
  received: bigint;
}

export async function measurePoint(gen: LiveFramesGenerator, sink: Sink, spec: FrameSpec, o: PointOptions): Promise<PointSamples> {
  const pps: number[] = [];
  let received = 0n;
  await gen.start(spec);
  try {
    // Long enough for every flow to pass a few times even at a slow-path rate.
    const warmupMs = Math.max(o.warmupMs, spec.flows / 100);
    await sleep(warmupMs / 2);
    o.answer?.();
    await sleep(warmupMs / 2);
    o.checkInterrupt?.();
    for (let i = 0; i < o.samples; i++) {
      const c0 = sink.read().packets;
      const t0 = process.hrtime.bigint();
      await sleep(o.durationMs);
      const c1 = sink.read().packets;
      const t1 = process.hrtime.bigint();
      gen.check();
      o.checkInterrupt?.();
      received += c1 - c0;
      pps.push(Number(c1 - c0) / (Number(t1 - t0) / 1e9));
    }
  } finally {
    await gen.stop();
  }
  return { pps, received };
}
