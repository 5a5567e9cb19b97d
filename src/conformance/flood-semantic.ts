// Semantic checks of flood steps and flood expectations (input is schema-valid data):
// wire mode only, endpoints linked to the dut, an IP packet at a rate an agent can pace
// within the scenario's time budget, and references to known floods and policers.
import { buildPacket } from '../packet/index.js';
import { ipLengthOf } from './flood.js';
import { toLayerSpecs } from './layers.js';
import type { Mode } from './types.js';

type Obj = Record<string, unknown>;
type Path = (string | number)[];

/** Above this an agent's paced l2-send (one JSON request per 20 ms tick) falls behind. */
export const MAX_FLOOD_PPS = 20_000;
/** Time a flood needs besides its duration (agents, captures, settling), within timeoutMs. */
const FLOOD_OVERHEAD_MS = 5_000;

export interface FloodCheckHost {
  issues: readonly unknown[];
  add(path: Path, message: string): void;
  checkDutPeer(value: unknown, path: Path): void;
  checkPacket(layers: unknown[], path: Path): void;
  hasPolicer(id: number): boolean;
  timeoutMs: () => number;
}

export class FloodSemantics {
  private readonly ids = new Set<string>();
  private totalMs = 0;

  constructor(private readonly host: FloodCheckHost) {}

  step(flood: Obj, path: Path, modes: Mode[]): void {
    const h = this.host;
    if (modes.includes('packet'))
      h.add(path, 'a flood step sends real frames at a real rate and needs wire mode; give the step modes: [wire]');
    const id = flood.id as string;
    if (this.ids.has(id)) h.add([...path, 'id'], `duplicate flood id '${id}'`);
    this.ids.add(id);
    h.checkDutPeer(flood.from, [...path, 'from']);
    h.checkDutPeer(flood.out, [...path, 'out']);
    const duration = flood.durationMs as number;
    this.totalMs += duration;
    if (this.totalMs + FLOOD_OVERHEAD_MS > h.timeoutMs()) {
      h.add(
        [...path, 'durationMs'],
        `${this.totalMs} ms of flood so far (plus ${FLOOD_OVERHEAD_MS} ms to set up and settle) does not fit in the scenario's timeoutMs ${h.timeoutMs()}`,
      );
    }
    const problems = h.issues.length;
    h.checkPacket(flood.packet as unknown[], [...path, 'packet']);
    if (h.issues.length !== problems) return;
    const ipLength = ipLengthOf(buildPacket(toLayerSpecs(flood.packet as unknown[], 'packet')));
    if (ipLength === undefined) {
      h.add([...path, 'packet'], 'a flood packet must carry IPv4 or IPv6 (its rate is counted in IP total length, as a policer charges)');
      return;
    }
    const key = flood.packetsPerSec !== undefined ? 'packetsPerSec' : 'bytesPerSec';
    const pps = flood.packetsPerSec !== undefined ? (flood.packetsPerSec as number) : (flood.bytesPerSec as number) / ipLength;
    const what =
      key === 'bytesPerSec'
        ? `${String(flood.bytesPerSec)} B/s of ${ipLength}-byte packets is ${pps.toFixed(1)} packets/s`
        : `${pps} packets/s`;
    if (pps > MAX_FLOOD_PPS) h.add([...path, key], `${what}, above the ${MAX_FLOOD_PPS} packets/s an agent paces`);
    else if ((pps * duration) / 1000 < 2) h.add([...path, key], `${what}: fewer than 2 packets in ${duration} ms`);
  }

  expectation(e: Obj, path: Path, modes: Mode[]): void {
    const h = this.host;
    if (modes.includes('packet'))
      h.add(path, 'a flood expectation measures a wire flood and needs wire mode; give the expectation modes: [wire]');
    if (!this.ids.has(e.id as string))
      h.add([...path, 'id'], `no flood step has id '${String(e.id)}'${this.ids.size > 0 ? ` (floods: ${[...this.ids].join(', ')})` : ''}`);
    const policer = e.policer as number | undefined;
    if (policer !== undefined && !h.hasPolicer(policer))
      h.add([...path, 'policer'], `policer ${policer} is not defined in datapath.policers`);
    const colours = ['green', 'yellow', 'red', 'greenYellow', 'passes'].filter((k) => e[k] !== undefined);
    if (policer === undefined) for (const k of colours) h.add([...path, k], 'colours are counted by a policer: give policer: <id>');
    if (e.received === undefined && policer === undefined && colours.length === 0)
      h.add(path, 'nothing to check: give received and/or policer');
  }
}
