// Wire mode's flood step: one crafted frame sent from a host agent at a paced rate for a
// while, captured where it leaves, with the policers' colour counters read around it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentClient } from '../../netns/index.js';
import { type Datapath, readPolicers } from '../datapath/index.js';
import { buildPacket, decodePacket } from '../packet/index.js';
import { COLOURS, type Colour, type ColourDelta, type FloodRecord, type FloodStep } from './flood-types.js';
import type { Check } from './types.js';
import { resembles } from './wire-match.js';
import { splitEndpoint } from './endpoint.js';

/** Each tick sends what the rate owes so far: timer lag delays frames but never drops them. */
const TICK_MS = 20;
/** After the last send, frames still in flight reach the capture. */
const SETTLE_MS = 300;
/** Below this share of the asked rate the offered load did not happen (machine too busy). */
const OFFERED_MIN_SHARE = 0.9;

/** The length of a frame's first IP packet (what a policer charges), or undefined when
 *  it carries no IP. */
export function ipLengthOf(frame: Buffer): number | undefined {
  const ip = decodePacket(frame).layers.find((l) => l.type === 'ipv4' || l.type === 'ipv6');
  if (ip === undefined) return undefined;
  // A decoded header always has both lengths; the spec types leave them optional.
  return ip.type === 'ipv4' ? ip.totalLength : 40 + (ip.payloadLength ?? 0);
}

type Counts = Map<number, Record<Colour, ColourDelta>>;

function policerCounts(dp: Datapath): Counts {
  const out: Counts = new Map();
  for (const p of readPolicers(dp.map('pol'), dp.map('stats_pol'))) {
    out.set(
      p.id,
      Object.fromEntries(COLOURS.map((c) => [c, { packets: Number(p.counters[c].packets), bytes: Number(p.counters[c].bytes) }])) as Record<
        Colour,
        ColourDelta
      >,
    );
  }
  return out;
}

function deltas(before: Counts, after: Counts): Counts {
  const out: Counts = new Map();
  for (const [id, now] of after) {
    const was = before.get(id);
    out.set(
      id,
      Object.fromEntries(
        COLOURS.map((c) => [
          c,
          {
            packets: now[c].packets - (was?.[c].packets ?? 0),
            bytes: now[c].bytes - (was?.[c].bytes ?? 0),
          },
        ]),
      ) as Record<Colour, ColourDelta>,
    );
  }
  return out;
}

export interface FloodContext {
  dp: Datapath;
  agentOf: (host: string) => Promise<AgentClient>;
  signal: AbortSignal;
}

/** Runs the flood; the record plus the step's own check (the offered rate was reached). */
export async function runFlood(
  ctx: FloodContext,
  step: FloodStep,
  index: number,
): Promise<{ record: FloodRecord; check: Check; note: string }> {
  const frame = buildPacket(step.packet);
  const ipLength = ipLengthOf(frame);
  if (ipLength === undefined) throw new Error(`steps[${index}] flood ${step.id}: the packet carries no IP header`);
  const perSec = step.packetsPerSec ?? step.bytesPerSec! / ipLength;
  const askedBytesPerSec = perSec * ipLength;
  const [fromHost, fromIf] = splitEndpoint(step.from);
  const [outHost, outIf] = splitEndpoint(step.out);
  const sender = await ctx.agentOf(fromHost);
  const receiver = await ctx.agentOf(outHost);
  const capture = (await receiver.captureStart({ ifname: outIf })).captureId;
  let captured: Buffer[];
  let offered = 0;
  let first = 0;
  let last = 0;
  const before = policerCounts(ctx.dp);
  try {
    const start = performance.now();
    while (performance.now() - start < step.durationMs && !ctx.signal.aborted) {
      const owed = Math.floor(((performance.now() - start) / 1000 + TICK_MS / 1000) * perSec) - offered;
      if (owed > 0) {
        await sender.l2Send(
          fromIf,
          Array.from({ length: owed }, () => frame),
        );
        // The frames leave just before the agent answers: answer to answer spans the
        // policer's window from the first frame to the last, the answer delay cancelling.
        last = performance.now();
        if (offered === 0) first = last;
        offered += owed;
      }
      await sleep(TICK_MS);
    }
    await sleep(SETTLE_MS, undefined, { signal: ctx.signal });
  } finally {
    captured = (await receiver.captureStop(capture)).raw;
  }
  const after = policerCounts(ctx.dp);
  const received = captured.filter((f) => resembles(f, frame)).length;
  const record: FloodRecord = {
    id: step.id,
    ipLength,
    askedBytesPerSec,
    offeredPackets: offered,
    offeredBytes: offered * ipLength,
    elapsedS: (last - first) / 1000,
    receivedPackets: received,
    receivedBytes: received * ipLength,
    policers: deltas(before, after),
  };
  const offeredRate = record.elapsedS > 0 ? record.offeredBytes / record.elapsedS : 0;
  const ok = offeredRate >= OFFERED_MIN_SHARE * askedBytesPerSec && offered > 1;
  const check: Check = {
    name: `steps[${index}] flood ${step.id}: offered rate >= ${OFFERED_MIN_SHARE * 100}% of ${Math.round(askedBytesPerSec)} B/s`,
    ok,
    ...(ok
      ? {}
      : {
          detail: `offered ${offered} packets (${record.offeredBytes} B) in ${record.elapsedS.toFixed(3)} s = ${offeredRate.toFixed(0)} B/s; the sender could not keep up, so the rates below measure nothing`,
        }),
  };
  return { record, check, note: describeRecord(record) };
}

/** One line: what was offered, how long, what arrived, and each policer's colours. */
export function describeRecord(r: FloodRecord): string {
  const colours = [...r.policers]
    .filter(([, c]) => COLOURS.some((k) => c[k].packets !== 0))
    .map(([id, c]) => `policer ${id} ${COLOURS.map((k) => `${k} ${c[k].packets}/${c[k].bytes} B`).join(', ')}`);
  return (
    `flood ${r.id}: offered ${r.offeredPackets} packets/${r.offeredBytes} B in ${r.elapsedS.toFixed(3)} s ` +
    `(${(r.offeredBytes / Math.max(r.elapsedS, 1e-9)).toFixed(0)} B/s); received ${r.receivedPackets} packets/${r.receivedBytes} B` +
    (colours.length > 0 ? `; ${colours.join('; ')}` : '')
  );
}
