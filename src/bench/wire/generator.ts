// Our traffic generator: bpf/bench_gen.bpf.c run in XDP live-frames mode on a worker
// thread pinned to one CPU, back to back, until stopped. Frames leave through the
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
  if (!Number.isInteger(spec.size) || spec.size < 64 || spec.size > 1518) throw new Error(`size: expected 64..1518 bytes, got ${spec.size}`);
  const headers = 14 + 20 + 8;
  const frame = buildPacket([
    { type: 'eth', dst: spec.dstMac, src: spec.srcMac },
    { type: 'ipv4', src: spec.src, dst: spec.dst, ttl: 64 },
    { type: 'udp', sport: 1024, dport: BENCH_UDP_PORT, checksum: 0 },
    { type: 'payload', data: Buffer.alloc(spec.size - FCS_BYTES - headers, 0x5a) },
  ]);
  if (frame.length !== spec.size - FCS_BYTES) throw new Error(`internal: template is ${frame.length} bytes, expected ${spec.size - FCS_BYTES}`);
  return frame;
}

/** Ethernet + IPv4 + UDP: what gen_xdp rewrites in every frame. */
const GEN_HDR_LEN = 42;

export class LiveFramesGenerator {
  private readonly obj: BpfObject;
  private readonly cpu: number;
  private running: Promise<void> | null = null;
  private stopRequested = false;
  private failure: Error | null = null;
  /** Frames handed to the program so far (not all of them need have been delivered). */
  offered = 0;

  constructor(private readonly target: GeneratorTarget, cpu?: number) {
    this.obj = new BpfObject(GEN_OBJECT);
    this.cpu = cpu ?? possibleCpus() - 1;
  }

  /** Starts generating spec's frames; resolves once the first call returned. */
  async start(spec: FrameSpec): Promise<void> {
    if (this.running !== null) throw new Error('generator: already running');
    if (!Number.isInteger(spec.flows) || spec.flows < 1 || spec.flows > MAX_FLOWS) {
      throw new Error(`flows: expected 1..${MAX_FLOWS}, got ${spec.flows}`);
    }
    const frame = templateFrame(spec);
    const cfg = Buffer.alloc(this.obj.map('gen_cfg').info.valueSize); // 8 + 42, padded to 4
    cfg.writeUInt32LE(spec.flows, 0);
    cfg.writeUInt32LE(Number(spec.src.split('.')[3]), 4);
    frame.copy(cfg, 8, 0, GEN_HDR_LEN);
    this.obj.map('gen_cfg').update(Buffer.alloc(4), cfg);
    const ctx = Buffer.alloc(24); // struct xdp_md
    ctx.writeUInt32LE(frame.length, 4); // data_end
    ctx.writeUInt32LE(nativeIfindex(this.target), 12); // ingress_ifindex: the frames' way out
    const program = this.obj.program('gen_xdp');
    this.stopRequested = false;
    this.failure = null;
    let repeat = 20_000;
    const once = async (): Promise<void> => {
      const t0 = performance.now();
      await program.testRunAsync({
        data: frame, ctx, repeat, batchSize: 64, flags: BPF_F_TEST_XDP_LIVE_FRAMES,
        netns: this.target.netns, pinCpu: this.cpu,
      });
      // Live frames report no verdict per frame: gen_aborted counts the refused ones.
      const aborted = this.aborted();
      if (aborted > 0n) throw new Error(`generator: gen_xdp refused ${aborted} frames (XDP_ABORTED)`);
      this.offered += repeat;
      // About 50 ms per call: stop() answers quickly and the call overhead stays small.
      const ms = performance.now() - t0;
      repeat = Math.max(1000, Math.min(10_000_000, Math.round(repeat * (50 / Math.max(ms, 1)))));
    };
    await once();
    this.running = (async () => {
      try {
        while (!this.stopRequested) await once();
      } catch (e) {
        this.failure = e as Error;
      }
    })();
  }

  private aborted(): bigint {
    const perCpu = this.obj.map('gen_aborted').lookupPerCpu(Buffer.alloc(4)) ?? [];
    return perCpu.reduce((sum, v) => sum + v.readBigUInt64LE(0), 0n);
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
