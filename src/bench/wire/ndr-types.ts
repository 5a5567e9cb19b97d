// What an NDR search records (ndr.ts searches, the result file keeps, ndr-report.ts shows).

export interface NdrStep {
  /** Rate asked of the generator, frames/s. */
  targetPps: number;
  /** Rate it offered over the window: frames handed to the generator program / time. */
  offeredPps: number;
  offered: number;
  received: number;
  receivedPps: number;
  /** (offered - received) / offered, %. */
  lossPct: number;
  pass: boolean;
  /** Times the generator's schedule fell behind (its CPU taken away) and went on from
   *  the present instead of catching up. */
  stalls: number;
}

export interface NdrSearch {
  /** Loss tolerated, %. */
  lossPct: number;
  /** The search stopped when its interval was this % of maxPps wide. */
  resolutionPct: number;
  /** The maximum forwarding rate (unpaced) the search started from, frames/s. */
  maxPps: number;
  /** Offered rate of the fastest passing trial; 0 when none passed. */
  ndrPps: number;
  steps: NdrStep[];
}

/** One search in a result file, beside the metric that carries its NDR. */
export interface NdrRecord extends NdrSearch {
  /** Id of the NDR metric (…/ndr-mpps). */
  metric: string;
  /** What was measured, e.g. "fastpath, XDP path (routed), 64 B, 1 flow". */
  label: string;
}
