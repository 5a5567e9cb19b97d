// Our traffic generator: bpf/bench_gen.bpf.c run in XDP live-frames mode on a worker
// thread pinned to one CPU, back to back or paced (the program itself sends one frame per
// interval and drops the iterations in between), until stopped. Frames leave through the
// interface given as ctx ingress_ifindex (XDP_TX) inside the generator's namespace.
import { BpfObject, ifindex as nativeIfindex, possibleCpus } from '../../../native/index.js';
import { BPF_F_TEST_XDP_LIVE_FRAMES } from '../../../native/constants.js';
import { buildPacket } from '../../packet/index.js';
import { BENCH_UDP_PORT, FCS_BYTES, GEN_OBJECT, MAX_FLOWS } from './constants.js';

export interface GeneratorTarget {
  /** Interface the frames leave by. */
  ifname: string;
  netns?: string;
}

export interface FrameSpec {
  /** Frame size with FCS: 64..1518. */
  size: number;
  /** 1..65536 distinct flows (source port / address), round robin per CPU. */
  flows: number;
  dstMac: string;
  srcMac: string;
  /** Source address of flow 0; flows >= 16384 move its last byte up by flow >> 14. */
  src: string;
  dst: string;
}

/** The template the generator starts from (flow 0). */
export function templateFrame(spec: FrameSpec): Buffer {
  if (!Number.isInteger(spec.size) || spec.size < 64 || spec.size > 1518)
    throw new Error(`size: expected 64..1518 bytes, got ${spec.size}`);
  const headers = 14 + 20 + 8;
  const frame = buildPacket([
    { type: 'eth', dst: spec.dstMac, src: spec.srcMac },
    { type: 'ipv4', src: spec.src, dst: spec.dst, ttl: 64 },
    { type: 'udp', sport: 1024, dport: BENCH_UDP_PORT, checksum: 0 },
    { type: 'payload', data: Buffer.alloc(spec.size - FCS_BYTES - headers, 0x5a) },
  ]);
  if (frame.length !== spec.size - FCS_BYTES)
    throw new Error(`internal: template is ${frame.length} bytes, expected ${spec.size - FCS_BYTES}`);
  return frame;
}

/** Ethernet + IPv4 + UDP: what gen_xdp rewrites in every frame. */
const GEN_HDR_LEN = 42;
/** struct gen_cfg's interval_ps: after the header and 6 bytes of padding. */
const GEN_INTERVAL_OFFSET = 56;

export class LiveFramesGenerator {
  private readonly obj: BpfObject;
  private readonly cpu: number;
  private running: Promise<void> | null = null;
  private stopRequested = false;
  private failure: Error | null = null;

  constructor(
    private readonly target: GeneratorTarget,
    cpu?: number,
  ) {
    this.obj = new BpfObject(GEN_OBJECT);
    this.cpu = cpu ?? possibleCpus() - 1;
  }

  /** Starts generating spec's frames, flat out or at `pps` frames per second; resolves
   *  once the first call returned. */
  async start(spec: FrameSpec, pps?: number): Promise<void> {
    if (pps !== undefined && !(pps > 0 && pps <= 1e9)) throw new Error(`generator: expected a rate in (0, 1e9] frames/s, got ${pps}`);
    if (this.running !== null) throw new Error('generator: already running');
    if (!Number.isInteger(spec.flows) || spec.flows < 1 || spec.flows > MAX_FLOWS) {
      throw new Error(`flows: expected 1..${MAX_FLOWS}, got ${spec.flows}`);
    }
    const frame = templateFrame(spec);
    const cfg = Buffer.alloc(this.obj.map('gen_cfg').info.valueSize); // 8 + 42 + 6 + 8
    if (cfg.length < GEN_INTERVAL_OFFSET + 8)
      throw new Error(`internal: gen_cfg is ${cfg.length} bytes; ${GEN_OBJECT} predates pacing (make build)`);
    cfg.writeUInt32LE(spec.flows, 0);
    cfg.writeUInt32LE(Number(spec.src.split('.')[3]), 4);
    frame.copy(cfg, 8, 0, GEN_HDR_LEN);
    cfg.writeBigUInt64LE(pps === undefined ? 0n : BigInt(Math.round(1e12 / pps)), GEN_INTERVAL_OFFSET);
    this.obj.map('gen_cfg').update(Buffer.alloc(4), cfg);
    // A new schedule: the first frame leaves at once.
    this.obj.map('gen_next').updatePerCpu(
      Buffer.alloc(4),
      Array.from({ length: possibleCpus() }, () => Buffer.alloc(8)),
    );
    const ctx = Buffer.alloc(24); // struct xdp_md
    ctx.writeUInt32LE(frame.length, 4); // data_end
    ctx.writeUInt32LE(nativeIfindex(this.target), 12); // ingress_ifindex: the frames' way out
    const program = this.obj.program('gen_xdp');
    this.stopRequested = false;
    this.failure = null;
    let repeat = 20_000;
    const once = async (): Promise<void> => {
      const t0 = performance.now();
      const r = await program.testRunAsync({
        data: frame,
        ctx,
        repeat,
        batchSize: 64,
        flags: BPF_F_TEST_XDP_LIVE_FRAMES,
        netns: this.target.netns,
        pinCpu: this.cpu,
      });
      // Live frames report no verdict per frame: gen_aborted counts the refused ones.
      const aborted = this.aborted();
      if (aborted > 0n) throw new Error(`generator: gen_xdp refused ${aborted} frames (XDP_ABORTED)`);
      if (pps !== undefined) {
        // Paced: ~200 ms of iterations per call (the kernel's own time for them, without
        // the call's set-up and teardown), so the overhead is covered by the other call.
        const runMs = (r.duration * repeat) / 1e6;
        repeat = Math.max(1000, Math.min(100_000_000, Math.round(repeat * (200 / Math.max(runMs, 1)))));
        return;
      }
      // About 50 ms per call: stop() answers quickly and the call overhead stays small.
      const ms = performance.now() - t0;
      repeat = Math.max(1000, Math.min(10_000_000, Math.round(repeat * (50 / Math.max(ms, 1)))));
    };
    // Every call ends with a page-pool teardown that waits for an RCU grace period (tens
    // of ms on a busy machine) without sending. Paced, a second call in flight on the same
    // CPU sends meanwhile and the shared schedule (gen_next) runs on without a gap.
    const loop = async (): Promise<void> => {
      try {
        while (!this.stopRequested) await once();
      } catch (e) {
        this.failure = e as Error;
      }
    };
    const second = pps === undefined ? [] : [loop()];
    try {
      await once();
    } catch (e) {
      this.stopRequested = true;
      await Promise.all(second);
      throw e;
    }
    this.running = Promise.all([loop(), ...second]).then(() => undefined);
  }

  private sum(map: string): bigint {
    const perCpu = this.obj.map(map).lookupPerCpu(Buffer.alloc(4)) ?? [];
    return perCpu.reduce((sum, v) => sum + v.readBigUInt64LE(0), 0n);
  }

  private aborted(): bigint {
    return this.sum('gen_aborted');
  }

  /** Frames sent so far (XDP_TX; not all of them need have been delivered). Readable
   *  while the generator runs. */
  sent(): bigint {
    return this.sum('gen_sent');
  }

  /** Paced runs: times the schedule fell behind by more than a short burst (the CPU was
   *  taken away) and went on from the present instead of catching up. */
  stalls(): bigint {
    return this.sum('gen_late');
  }

  /** Throws the error that stopped the generator, if one did. */
  check(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** Lets the call in progress finish and starts no other (safe from a signal handler). */
  requestStop(): void {
    this.stopRequested = true;
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    const running = this.running;
    this.running = null;
    if (running !== null) await running;
    this.check();
  }

  async close(): Promise<void> {
    try {
      await this.stop();
    } finally {
      this.obj.close();
    }
  }
}
