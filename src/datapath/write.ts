// The output of planning: ordered map writes. Nothing in the planners writes a map.
import type { BpfMap } from '../../native/index.js';

/** One map write; value null = delete. */
export interface Write {
  map: string;
  key: Buffer;
  value: Buffer | null;
  /** What the write is for, for error messages. */
  what: string;
}

export interface PlanContext {
  map(name: string): BpfMap;
  /** ifindex of an interface in the datapath's namespace; throws naming `field`. */
  ifindex(ifname: string, field: string): number;
}
