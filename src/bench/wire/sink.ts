// The receiving end of the wire benchmark: bpf/bench_sink.bpf.c counting (and dropping)
// the generator's frames, on XDP (preferred) or TC ingress.
import { BpfObject, destroyClsact, detachTc, detachXdp } from '../../../native/index.js';
import { SINK_OBJECT } from './constants.js';

export interface SinkPlace {
  ifname: string;
  netns?: string;
}

export interface SinkCount {
  packets: bigint;
  bytes: bigint;
}

type Attached = { kind: 'xdp'; place: SinkPlace } | { kind: 'tc'; place: SinkPlace; createdQdisc: boolean };

export class Sink {
  private readonly obj = new BpfObject(SINK_OBJECT);
  private readonly attached: Attached[] = [];

  /** XDP in driver mode; on a veth this also gives the interface the NAPI that XDP_TX /
   *  XDP_REDIRECT from its peer need. */
  attachXdp(place: SinkPlace): void {
    this.obj.program('sink_xdp').attachXdp({ ...place, mode: 'driver' });
    this.attached.push({ kind: 'xdp', place });
  }

  attachTc(place: SinkPlace): void {
    const a = this.obj.program('sink_tc').attachTc({ ...place, direction: 'ingress' });
    this.attached.push({ kind: 'tc', place, createdQdisc: a.createdQdisc });
  }

  detach(ifname: string): void {
    const i = this.attached.findIndex((a) => a.place.ifname === ifname);
    if (i < 0) throw new Error(`sink: nothing attached to ${ifname}`);
    const a = this.attached.splice(i, 1)[0]!;
    if (a.kind === 'xdp') detachXdp({ ...a.place, mode: 'driver' });
    else if (a.createdQdisc) destroyClsact(a.place);
    else detachTc({ ...a.place, direction: 'ingress' });
  }

  /** Sum over CPUs. */
  read(): SinkCount {
    const perCpu = this.obj.map('sink_stats').lookupPerCpu(Buffer.alloc(4)) ?? [];
    let packets = 0n;
    let bytes = 0n;
    for (const v of perCpu) {
      packets += v.readBigUInt64LE(0);
      bytes += v.readBigUInt64LE(8);
    }
    return { packets, bytes };
  }

  close(): void {
    const errors: string[] = [];
    for (const a of [...this.attached]) {
      try {
        this.detach(a.place.ifname);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    this.obj.close();
    if (errors.length > 0) throw new Error(`sink close: ${errors.join('; ')}`);
  }
}
