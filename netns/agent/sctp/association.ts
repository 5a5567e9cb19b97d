// One SCTP association as a pure state machine (RFC 9260 subset): no sockets, no clocks.
// Inputs are decoded packets, user calls and `now`; outputs are queued packets (vtag +
// chunks, ports added by the caller) and events, taken with drain().
import type { SctpChunk, SctpParam } from '../../../src/packet/index.js';

export type AssocState =
  | 'CLOSED'
  | 'COOKIE-WAIT'
  | 'COOKIE-ECHOED'
  | 'ESTABLISHED'
  | 'SHUTDOWN-PENDING'
  | 'SHUTDOWN-SENT'
  | 'SHUTDOWN-RECEIVED'
  | 'SHUTDOWN-ACK-SENT';

export type CloseReason = 'shutdown' | 'abort-received' | 'abort-sent' | 'retransmit-limit' | 'cookie-missing';

export interface OutPacket {
  vtag: number;
  chunks: SctpChunk[];
}

export type AssocEvent =
  | { type: 'state'; from: AssocState; to: AssocState }
  | { type: 'established' }
  | { type: 'data'; tsn: number; streamId: number; streamSeq: number; ppid: number; data: Buffer }
  | { type: 'heartbeat-ack'; info: Buffer }
  | { type: 'error-chunk'; causes: { code: number; data?: Buffer }[] }
  | { type: 'closed'; reason: CloseReason };

export interface AssocConfig {
  /** Retransmission timeout; doubles on each retry of the same thing. */
  rtoMs: number;
  rtoMaxMs: number;
  /** Retries of INIT, COOKIE-ECHO, DATA or SHUTDOWN before giving up. */
  maxRetransmits: number;
  arwnd: number;
  outStreams: number;
  inStreams: number;
}

export const DEFAULT_CONFIG: AssocConfig = {
  rtoMs: 1000,
  rtoMaxMs: 8000,
  maxRetransmits: 5,
  arwnd: 65536,
  outStreams: 10,
  inStreams: 10,
};

export interface AssocCounters {
  packetsIn: number;
  packetsOut: number;
  dataIn: number;
  dataOut: number;
  dupTsns: number;
  outOfOrderDropped: number;
  retransmits: number;
  heartbeatsIn: number;
  heartbeatAcksIn: number;
  droppedBadVtag: number;
  droppedBadCrc: number;
  ignoredChunks: number;
}

export interface AssocSnapshot {
  role: 'client' | 'server';
  state: AssocState;
  localPort: number;
  peerPort: number;
  /** The tag the peer must put on packets to us. */
  localTag: number;
  /** The tag we put on packets to the peer (0 until learnt). */
  peerTag: number;
  /** TSN our next DATA gets. */
  nextTsn: number;
  /** Highest TSN of ours the peer acknowledged (cumulative). */
  ackedTsn: number;
  /** Highest in-order TSN received from the peer. */
  peerCumTsn: number;
  outstanding: number;
  counters: AssocCounters;
  closeReason?: CloseReason;
}

interface Timer {
  deadline: number;
  retries: number;
  rto: number;
}

interface Outstanding {
  tsn: number;
  chunk: Extract<SctpChunk, { type: 'data' }>;
}

/** Serial-number comparison of 32-bit TSNs (RFC 1982): a < b. */
export function tsnLess(a: number, b: number): boolean {
  return a !== b && (b - a) >>> 0 < 0x80000000;
}

const u32 = (n: number): number => n >>> 0;

export interface AssocInit {
  role: 'client' | 'server';
  localPort: number;
  peerPort: number;
  localTag: number;
  localInitialTsn: number;
  config?: Partial<AssocConfig>;
}

export class Association {
  readonly role: 'client' | 'server';
  readonly localPort: number;
  readonly peerPort: number;
  readonly localTag: number;
  readonly config: AssocConfig;
  state: AssocState = 'CLOSED';
  peerTag = 0;
  nextTsn: number;
  ackedTsn: number;
  peerCumTsn = 0;
  closeReason?: CloseReason;
  readonly counters: AssocCounters = {
    packetsIn: 0,
    packetsOut: 0,
    dataIn: 0,
    dataOut: 0,
    dupTsns: 0,
    outOfOrderDropped: 0,
    retransmits: 0,
    heartbeatsIn: 0,
    heartbeatAcksIn: 0,
    droppedBadVtag: 0,
    droppedBadCrc: 0,
    ignoredChunks: 0,
  };

  private readonly out: OutPacket[] = [];
  private readonly events: AssocEvent[] = [];
  private readonly outstanding: Outstanding[] = [];
  /** DATA the user sent before the association was up. */
  private readonly queued: { data: Buffer; streamId: number; ppid: number }[] = [];
  private readonly streamSeq = new Map<number, number>();
  private initChunk?: SctpChunk;
  private cookie?: Buffer;
  private t1?: Timer;
  private t2?: Timer;
  private t3?: Timer;

  constructor(init: AssocInit) {
    this.role = init.role;
    this.localPort = init.localPort;
    this.peerPort = init.peerPort;
    this.localTag = u32(init.localTag);
    this.nextTsn = u32(init.localInitialTsn);
    this.ackedTsn = u32(init.localInitialTsn - 1);
    this.config = { ...DEFAULT_CONFIG, ...init.config };
  }

  /** Client side: send INIT and wait in COOKIE-WAIT. */
  static connect(init: Omit<AssocInit, 'role'>, now: number, params: SctpParam[] = []): Association {
    const a = new Association({ ...init, role: 'client' });
    a.initChunk = {
      type: 'init',
      initiateTag: a.localTag,
      arwnd: a.config.arwnd,
      outStreams: a.config.outStreams,
      inStreams: a.config.inStreams,
      initialTsn: a.nextTsn,
      params,
    };
    a.emit({ vtag: 0, chunks: [a.initChunk] });
    a.t1 = a.newTimer(now);
    a.setState('COOKIE-WAIT');
    return a;
  }

  /** Server side: the association a valid COOKIE-ECHO creates, already ESTABLISHED; answers COOKIE-ACK. */
  static fromCookie(init: Omit<AssocInit, 'role'> & { peerTag: number; peerInitialTsn: number }): Association {
    const a = new Association({ ...init, role: 'server' });
    a.peerTag = u32(init.peerTag);
    a.peerCumTsn = u32(init.peerInitialTsn - 1);
    a.counters.packetsIn++;
    a.emit({ vtag: a.peerTag, chunks: [{ type: 'cookie-ack' }] });
    a.setState('ESTABLISHED');
    a.events.push({ type: 'established' });
    return a;
  }

  snapshot(): AssocSnapshot {
    return {
      role: this.role,
      state: this.state,
      localPort: this.localPort,
      peerPort: this.peerPort,
      localTag: this.localTag,
      peerTag: this.peerTag,
      nextTsn: this.nextTsn,
      ackedTsn: this.ackedTsn,
      peerCumTsn: this.peerCumTsn,
      outstanding: this.outstanding.length,
      counters: { ...this.counters },
      ...(this.closeReason ? { closeReason: this.closeReason } : {}),
    };
  }

  /** Packets to send and events, in order; chunks for the same tag are bundled into one packet. */
  drain(): { packets: OutPacket[]; events: AssocEvent[] } {
    const packets = this.takePackets();
    return { packets, events: this.takeEvents() };
  }

  takeEvents(): AssocEvent[] {
    return this.events.splice(0);
  }

  takePackets(): OutPacket[] {
    const packets: OutPacket[] = [];
    for (const p of this.out.splice(0)) {
      const last = packets[packets.length - 1];
      const bundlable = last && last.vtag === p.vtag && !p.chunks.some(isLoneChunk) && !last.chunks.some(isLoneChunk);
      if (bundlable) last.chunks.push(...p.chunks);
      else packets.push({ vtag: p.vtag, chunks: [...p.chunks] });
    }
    this.counters.packetsOut += packets.length;
    return packets;
  }

  nextDeadline(): number | undefined {
    const d = [this.t1, this.t2, this.t3].filter((t): t is Timer => !!t).map((t) => t.deadline);
    return d.length ? Math.min(...d) : undefined;
  }

  // ---- user calls ----

  send(data: Buffer, now: number, opts: { streamId?: number; ppid?: number } = {}): void {
    const streamId = opts.streamId ?? 0;
    const ppid = opts.ppid ?? 0;
    if (this.state === 'COOKIE-WAIT' || this.state === 'COOKIE-ECHOED') {
      this.queued.push({ data, streamId, ppid });
      return;
    }
    if (this.state !== 'ESTABLISHED') throw new Error(`send: the association is ${this.state}, not ESTABLISHED`);
    if (streamId >= this.config.outStreams) throw new Error(`send: streamId ${streamId} is not below outStreams ${this.config.outStreams}`);
    const ssn = this.streamSeq.get(streamId) ?? 0;
    this.streamSeq.set(streamId, (ssn + 1) & 0xffff);
    const chunk: Extract<SctpChunk, { type: 'data' }> = { type: 'data', tsn: this.nextTsn, streamId, streamSeq: ssn, ppid, data };
    this.outstanding.push({ tsn: this.nextTsn, chunk });
    this.nextTsn = u32(this.nextTsn + 1);
    this.counters.dataOut++;
    this.emit({ vtag: this.peerTag, chunks: [chunk] });
    this.t3 ??= this.newTimer(now);
  }

  heartbeat(now: number): void {
    if (this.state !== 'ESTABLISHED') throw new Error(`heartbeat: the association is ${this.state}, not ESTABLISHED`);
    const info = Buffer.alloc(8);
    info.writeDoubleBE(now);
    this.emit({ vtag: this.peerTag, chunks: [{ type: 'heartbeat', params: [{ type: 'heartbeatInfo', data: info }] }] });
  }

  shutdown(now: number): void {
    switch (this.state) {
      case 'COOKIE-WAIT':
      case 'COOKIE-ECHOED':
        this.close('shutdown');
        return;
      case 'ESTABLISHED':
        this.setState('SHUTDOWN-PENDING');
        this.maybeFinishShutdown(now);
        return;
      default:
        throw new Error(`shutdown: the association is ${this.state}`);
    }
  }

  abort(now: number, reason = 'user abort'): void {
    void now;
    if (this.state === 'CLOSED') throw new Error('abort: the association is already CLOSED');
    // In COOKIE-WAIT there is no peer tag to put on an ABORT: just close.
    if (this.state !== 'COOKIE-WAIT') {
      this.emit({ vtag: this.peerTag, chunks: [{ type: 'abort', causes: [{ code: 12, data: Buffer.from(reason) }] }] });
    }
    this.close('abort-sent');
  }

  // ---- packets in ----

  /** One received packet for this association (already matched by ports and addresses). */
  receive(packet: { vtag: number; chunks: SctpChunk[]; crcValid: boolean }, now: number): void {
    if (!packet.crcValid) {
      this.counters.droppedBadCrc++;
      return;
    }
    if (!this.vtagAccepted(packet)) {
      this.counters.droppedBadVtag++;
      return;
    }
    this.counters.packetsIn++;
    this.acceptChunks(packet.chunks, now);
  }

  /** Chunks already vouched for: the rest of the packet whose COOKIE-ECHO created us. */
  acceptChunks(chunks: SctpChunk[], now: number): void {
    let sawData = false;
    const dups: number[] = [];
    for (const chunk of chunks) {
      if (this.state === 'CLOSED') break;
      if (chunk.type === 'data') {
        sawData = true;
        this.onData(chunk, dups);
      } else {
        this.onControl(chunk, now);
      }
    }
    if (sawData && this.state !== 'CLOSED') {
      this.emit({
        vtag: this.peerTag,
        chunks: [{ type: 'sack', cumTsnAck: this.peerCumTsn, arwnd: this.config.arwnd, gapBlocks: [], dupTsns: dups }],
      });
    }
  }

  /** RFC 9260 8.5: which tag a packet must carry, by its first chunk. */
  private vtagAccepted(packet: { vtag: number; chunks: SctpChunk[] }): boolean {
    const first = packet.chunks[0];
    if (!first) return false;
    if (first.type === 'init') return false;
    if (first.type === 'abort' || first.type === 'shutdown-complete') {
      const reflected = ((first.flags ?? 0) & 1) === 1 || first.tBit === true;
      return reflected ? packet.vtag === this.peerTag && this.peerTag !== 0 : packet.vtag === this.localTag;
    }
    return packet.vtag === this.localTag;
  }

  private onData(chunk: Extract<SctpChunk, { type: 'data' }>, dups: number[]): void {
    if (!['ESTABLISHED', 'SHUTDOWN-PENDING', 'SHUTDOWN-SENT'].includes(this.state)) {
      this.counters.ignoredChunks++;
      return;
    }
    const expected = u32(this.peerCumTsn + 1);
    if (chunk.tsn === expected) {
      this.peerCumTsn = expected;
      this.counters.dataIn++;
      this.events.push({
        type: 'data',
        tsn: chunk.tsn,
        streamId: chunk.streamId ?? 0,
        streamSeq: chunk.streamSeq ?? 0,
        ppid: chunk.ppid ?? 0,
        data: chunk.data,
      });
    } else if (tsnLess(chunk.tsn, expected)) {
      this.counters.dupTsns++;
      dups.push(chunk.tsn);
    } else {
      // No reassembly of gaps: the sender retransmits, we SACK what we have.
      this.counters.outOfOrderDropped++;
    }
  }

  private onControl(chunk: SctpChunk, now: number): void {
    switch (chunk.type) {
      case 'init-ack':
        return this.onInitAck(chunk, now);
      case 'cookie-ack':
        if (this.state !== 'COOKIE-ECHOED') {
          this.counters.ignoredChunks++;
          return;
        }
        this.t1 = undefined;
        this.setState('ESTABLISHED');
        this.events.push({ type: 'established' });
        for (const q of this.queued.splice(0)) this.send(q.data, now, q);
        return;
      case 'cookie-echo':
        // Our COOKIE-ACK was lost: the peer echoes again on the live association.
        if (this.role === 'server' && this.state === 'ESTABLISHED') this.emit({ vtag: this.peerTag, chunks: [{ type: 'cookie-ack' }] });
        else this.counters.ignoredChunks++;
        return;
      case 'sack':
        return this.onCumAck(chunk.cumTsnAck, now);
      case 'heartbeat':
        this.counters.heartbeatsIn++;
        this.emit({ vtag: this.peerTag, chunks: [{ type: 'heartbeat-ack', params: chunk.params ?? [] }] });
        return;
      case 'heartbeat-ack': {
        this.counters.heartbeatAcksIn++;
        const info = (chunk.params ?? []).find((p) => p.type === 'heartbeatInfo');
        this.events.push({ type: 'heartbeat-ack', info: info && 'data' in info ? info.data : Buffer.alloc(0) });
        return;
      }
      case 'shutdown':
        this.onCumAck(chunk.cumTsnAck, now);
        if (this.state === 'ESTABLISHED' || this.state === 'SHUTDOWN-PENDING') {
          this.setState('SHUTDOWN-RECEIVED');
          this.maybeFinishShutdown(now);
        } else if (this.state === 'SHUTDOWN-SENT') {
          // Both sides shut down at once: answer with SHUTDOWN-ACK.
          this.sendShutdownAck(now);
        } else if (this.state === 'SHUTDOWN-ACK-SENT') {
          this.emit({ vtag: this.peerTag, chunks: [{ type: 'shutdown-ack' }] });
        } else {
          this.counters.ignoredChunks++;
        }
        return;
      case 'shutdown-ack':
        if (this.state !== 'SHUTDOWN-SENT' && this.state !== 'SHUTDOWN-ACK-SENT') {
          this.counters.ignoredChunks++;
          return;
        }
        this.emit({ vtag: this.peerTag, chunks: [{ type: 'shutdown-complete' }] });
        this.close('shutdown');
        return;
      case 'shutdown-complete':
        if (this.state !== 'SHUTDOWN-ACK-SENT') {
          this.counters.ignoredChunks++;
          return;
        }
        this.close('shutdown');
        return;
      case 'abort':
        this.close('abort-received');
        return;
      case 'error':
        this.events.push({ type: 'error-chunk', causes: chunk.causes ?? [] });
        return;
      default:
        this.counters.ignoredChunks++;
    }
  }

  private onInitAck(chunk: Extract<SctpChunk, { type: 'init-ack' }>, now: number): void {
    if (this.state !== 'COOKIE-WAIT') {
      this.counters.ignoredChunks++;
      return;
    }
    const cookie = (chunk.params ?? []).find((p) => p.type === 'cookie');
    if (!cookie || !('data' in cookie)) {
      // RFC 9260 5.1: a missing mandatory parameter ends the attempt with an ABORT.
      this.peerTag = u32(chunk.initiateTag);
      this.emit({ vtag: this.peerTag, chunks: [{ type: 'abort', causes: [{ code: 2, data: Buffer.from([0, 1, 0, 7]) }] }] });
      this.close('cookie-missing');
      return;
    }
    this.peerTag = u32(chunk.initiateTag);
    this.peerCumTsn = u32(chunk.initialTsn - 1);
    this.cookie = cookie.data;
    this.emit({ vtag: this.peerTag, chunks: [{ type: 'cookie-echo', cookie: cookie.data }] });
    this.t1 = this.newTimer(now);
    this.setState('COOKIE-ECHOED');
  }

  private onCumAck(cum: number, now: number): void {
    if (tsnLess(this.ackedTsn, cum) && !tsnLess(u32(this.nextTsn - 1), cum)) {
      this.ackedTsn = u32(cum);
      while (this.outstanding.length && !tsnLess(cum, this.outstanding[0]!.tsn)) this.outstanding.shift();
      this.t3 = this.outstanding.length ? this.newTimer(now) : undefined;
    }
    this.maybeFinishShutdown(now);
  }

  private maybeFinishShutdown(now: number): void {
    if (this.outstanding.length) return;
    if (this.state === 'SHUTDOWN-PENDING') {
      this.emit({ vtag: this.peerTag, chunks: [{ type: 'shutdown', cumTsnAck: this.peerCumTsn }] });
      this.t2 = this.newTimer(now);
      this.setState('SHUTDOWN-SENT');
    } else if (this.state === 'SHUTDOWN-RECEIVED') {
      this.sendShutdownAck(now);
    }
  }

  private sendShutdownAck(now: number): void {
    this.emit({ vtag: this.peerTag, chunks: [{ type: 'shutdown-ack' }] });
    this.t2 = this.newTimer(now);
    this.setState('SHUTDOWN-ACK-SENT');
  }

  // ---- timers ----

  onTimeout(now: number): void {
    if (this.t1 && this.t1.deadline <= now) {
      if (!this.retry(this.t1, now)) return this.giveUp();
      if (this.state === 'COOKIE-WAIT' && this.initChunk) this.emit({ vtag: 0, chunks: [this.initChunk] });
      else if (this.state === 'COOKIE-ECHOED' && this.cookie)
        this.emit({ vtag: this.peerTag, chunks: [{ type: 'cookie-echo', cookie: this.cookie }] });
    }
    if (this.t3 && this.t3.deadline <= now) {
      if (!this.retry(this.t3, now)) return this.giveUp();
      this.counters.retransmits += this.outstanding.length - 1;
      this.emit({ vtag: this.peerTag, chunks: this.outstanding.map((o) => o.chunk) });
    }
    if (this.t2 && this.t2.deadline <= now) {
      if (!this.retry(this.t2, now)) return this.giveUp();
      this.emit({
        vtag: this.peerTag,
        chunks: [this.state === 'SHUTDOWN-SENT' ? { type: 'shutdown', cumTsnAck: this.peerCumTsn } : { type: 'shutdown-ack' }],
      });
    }
  }

  private retry(t: Timer, now: number): boolean {
    if (t.retries >= this.config.maxRetransmits) return false;
    t.retries++;
    t.rto = Math.min(t.rto * 2, this.config.rtoMaxMs);
    t.deadline = now + t.rto;
    this.counters.retransmits++;
    return true;
  }

  private giveUp(): void {
    if (this.state !== 'COOKIE-WAIT') {
      this.emit({ vtag: this.peerTag, chunks: [{ type: 'abort', causes: [] }] });
    }
    this.close('retransmit-limit');
  }

  private newTimer(now: number): Timer {
    return { deadline: now + this.config.rtoMs, retries: 0, rto: this.config.rtoMs };
  }

  private close(reason: CloseReason): void {
    this.t1 = this.t2 = this.t3 = undefined;
    this.outstanding.length = 0;
    this.closeReason = reason;
    this.setState('CLOSED');
    this.events.push({ type: 'closed', reason });
  }

  private setState(to: AssocState): void {
    if (to === this.state) return;
    this.events.push({ type: 'state', from: this.state, to });
    this.state = to;
  }

  private emit(p: OutPacket): void {
    this.out.push(p);
  }
}

/** INIT, INIT-ACK and SHUTDOWN-COMPLETE must travel alone (RFC 9260 6.10). */
function isLoneChunk(c: SctpChunk): boolean {
  return c.type === 'init' || c.type === 'init-ack' || c.type === 'shutdown-complete';
}
