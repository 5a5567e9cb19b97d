// RFC 2544 throughput (TRex's NDR): the highest offered rate whose loss stays within a
// tolerance, found by binary search from the maximum forwarding rate measured unpaced. Every trial: a paced warm-up, a pause for the frames in flight, the counted
// run, another pause; so the frames sent and the frames the sink counted are the same
// frames, with nothing in flight at either edge. The offered rate is the generator's
// own count over the window while it runs (its start and stop take a little longer).
import { setTimeout as sleep } from 'node:timers/promises';
import type { FrameSpec, LiveFramesGenerator } from './generator.js';
import type { NdrSearch, NdrStep } from './ndr-types.js';
import type { Sink } from './sink.js';

export type { NdrSearch, NdrStep } from './ndr-types.js';

export interface NdrOptions {
  /** Loss tolerated, % of the frames offered (0 = none). */
  lossPct: number;
  /** The search stops when its interval is this % of the maximum forwarding rate. */
  resolutionPct: number;
  /** Length of a trial's counted window. */
  trialMs: number;
  /** Paced warm-up before each window (queues, caches, connection state). */
  warmupMs: number;
  checkInterrupt?: () => void;
  /** Sends every flow's answer during a trial's warm-up (stateful DUT paths). */
  answer?: () => void;
  /** Called after every trial. */
  onStep?: (step: NdrStep) => void;
}

/** Time for frames still queued somewhere between generator and sink to arrive. */
const DRAIN_MS = 100;

async function trial(gen: LiveFramesGenerator, sink: Sink, spec: FrameSpec, pps: number, o: NdrOptions): Promise<NdrStep> {
  await gen.start(spec, pps);
  try {
    await sleep(o.warmupMs / 2);
    o.answer?.();
    await sleep(o.warmupMs / 2);
  } finally {
    await gen.stop();
  }
  o.checkInterrupt?.();
  await sleep(DRAIN_MS);
  const c0 = sink.read().packets;
  const g0 = gen.sent();
  const stalls0 = gen.stalls();
  await gen.start(spec, pps);
  // The rate is read off the running generator; the loss from the whole trial's frames.
  const t0 = process.hrtime.bigint();
  const s0 = gen.sent();
  let window: { seconds: number; sent: bigint };
  try {
    await sleep(o.trialMs);
    window = { seconds: Number(process.hrtime.bigint() - t0) / 1e9, sent: gen.sent() - s0 };
  } finally {
    await gen.stop();
  }
  await sleep(DRAIN_MS);
  o.checkInterrupt?.();
  const offered = Number(gen.sent() - g0);
  const received = Number(sink.read().packets - c0);
  const lossPct = offered === 0 ? 0 : ((offered - received) / offered) * 100;
  const offeredPps = Number(window.sent) / window.seconds;
  return {
    targetPps: pps,
    offeredPps,
    offered,
    received,
    receivedPps: offered === 0 ? 0 : (offeredPps * received) / offered,
    lossPct,
    pass: lossPct <= o.lossPct,
    stalls: Number(gen.stalls() - stalls0),
  };
}

/** Below this share of its target a trial's generator is the limit, not the DUT. */
export const KEPT_UP = 0.9;
/** Trials above the maximum forwarding rate at most (see searchNdr). */
const MAX_RAISES = 4;

/** A trial at maxPps first. Should it pass, the unpaced measurement undersold the DUT (a
 *  flat-out generator on a shared CPU, or one that pauses between its calls, can): the
 *  rate goes up by half while trials pass and the generator keeps up. Then halving
 *  [highest passing, lowest failing] until it is resolutionPct of maxPps wide. */
export async function searchNdr(gen: LiveFramesGenerator, sink: Sink, spec: FrameSpec, maxPps: number, o: NdrOptions): Promise<NdrSearch> {
  if (!(maxPps > 0)) throw new Error(`ndr: the maximum forwarding rate is ${maxPps} frames/s; nothing to search`);
  const steps: NdrStep[] = [];
  const run = async (pps: number): Promise<NdrStep> => {
    const step = await trial(gen, sink, spec, pps, o);
    steps.push(step);
    o.onStep?.(step);
    return step;
  };
  let best: NdrStep | undefined;
  let lo = 0;
  let hi = maxPps;
  let step = await run(hi);
  for (let raises = 0; step.pass; raises++) {
    best = step;
    lo = hi;
    if (raises === MAX_RAISES || step.offeredPps < KEPT_UP * step.targetPps) break;
    hi *= 1.5;
    step = await run(hi);
  }
  if (!step.pass) {
    const width = (o.resolutionPct / 100) * maxPps;
    while (hi - lo > width) {
      step = await run((lo + hi) / 2);
      if (step.pass) {
        lo = step.targetPps;
        best = step;
      } else {
        hi = step.targetPps;
      }
    }
  }
  const ndrPps = best === undefined ? 0 : Math.max(...steps.filter((t) => t.pass).map((t) => t.offeredPps));
  return { lossPct: o.lossPct, resolutionPct: o.resolutionPct, maxPps, ndrPps, steps };
}
