// The datapath's events (learning, route and next-hop misses) counted by type over a run,
// read from its ring buffer at the start and at the end (the datapath limits them to one
// per interval per MAC or destination; a full ring counts event_lost).
import type { Datapath, EventReader } from '../datapath/index.js';

export class EventCounts {
  private readonly reader: EventReader;
  private readonly totals: Record<string, bigint> = {};

  constructor(dp: Datapath) {
    this.reader = dp.events();
  }

  /** Every event raised since this reader opened, by type. */
  read(): Record<string, bigint> {
    for (let batch = this.reader.poll(0); batch.length > 0; batch = this.reader.poll(0)) {
      for (const e of batch) this.totals[e.type] = (this.totals[e.type] ?? 0n) + 1n;
    }
    return { ...this.totals };
  }

  close(): void {
    this.reader.close();
  }
}
