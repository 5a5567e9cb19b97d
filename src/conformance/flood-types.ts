// The wire flood: a crafted frame sent at a paced rate for a while (step), what it
// measured (record), and what its rates must be (expectation).
import { COLOURS, type FloodExpectation, type FloodStepEntry, type RateAmount } from '../config/scenario-model.js';
import type { LayerSpec } from '../packet/index.js';

/** One crafted frame sent from host:ifname at an offered rate for durationMs (wire mode):
 *  the file's flood step with its packet as layers. */
export type FloodStep = Omit<FloodStepEntry, 'packet'> & { packet: LayerSpec[] };

export type { FloodExpectation, RateAmount };

export type Colour = (typeof COLOURS)[number];
export { COLOURS };

export interface ColourDelta {
  packets: number;
  bytes: number;
}

/** What one flood measured. */
export interface FloodRecord {
  id: string;
  /** IP total length of the frame (every frame of a flood is the same). */
  ipLength: number;
  /** The offered rate asked for, bytes/s of IP length. */
  askedBytesPerSec: number;
  offeredPackets: number;
  offeredBytes: number;
  /** From the end of the first send to the end of the last, seconds. */
  elapsedS: number;
  receivedPackets: number;
  receivedBytes: number;
  /** Colour counter deltas over the flood, per policer id. */
  policers: Map<number, Record<Colour, ColourDelta>>;
}
