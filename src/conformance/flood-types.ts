// The wire flood: a crafted frame sent at a paced rate for a while (step), what it
// measured (record), and what its rates must be (expectation).
import type { LayerSpec } from '../packet/index.js';

/** One crafted frame sent from host:ifname at an offered rate for durationMs (wire mode). */
export interface FloodStep {
  id: string;
  /** host:ifname, linked to the dut. */
  from: string;
  packet: LayerSpec[];
  /** Offered rate in bytes of IP total length per second (what a policer charges)... */
  bytesPerSec?: number;
  /** ... or in packets per second (exactly one of the two). */
  packetsPerSec?: number;
  durationMs: number;
  /** host:ifname where forwarded frames arrive (captured during the flood). */
  out: string;
}

/** An amount that grows with the flood's elapsed time t: bytesPerSec·t + bytes. */
export interface RateAmount {
  bytesPerSec?: number;
  bytes?: number;
}

export type Colour = 'green' | 'yellow' | 'red';
export const COLOURS: readonly Colour[] = ['green', 'yellow', 'red'];

/** What a flood must have measured. Every approximate check is expected ± tolerance, both
 *  RateAmounts over the flood's elapsed time. */
export interface FloodExpectation {
  id: string;
  tolerance: RateAmount;
  /** Bytes (IP total length) that arrived at the flood's out. */
  received?: RateAmount;
  /** The policer whose colour counters (deltas over the flood) are checked; with it,
   *  green + yellow + red must equal what was offered, packets and bytes. */
  policer?: number;
  green?: RateAmount;
  yellow?: RateAmount;
  red?: RateAmount;
  greenYellow?: RateAmount;
  /** The colours that pass: what arrived at out equals their sum exactly (packets). */
  passes?: Colour[];
}

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
