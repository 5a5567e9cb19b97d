// An SCTP endpoint over raw IP sockets (protocol 132, IPv4 and IPv6): binds the pure
// association state machines to the wire. Raw sockets see every SCTP packet of the
// namespace, so packets are matched to associations by address, ports and tag, and only
// packets for our own ports are ever answered.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { isIPv4, isIPv6 } from 'node:net';
import { buildPacket, decodePacket, type SctpSpec } from '../../../src/packet/index.js';
import {
  Association,
  DEFAULT_CONFIG,
  type AssocConfig,
  type AssocEvent,
  type AssocSnapshot,
  type CloseReason,
  type OutPacket,
} from './association.js';
import { acceptCookieEcho, answerInit, answerOutOfTheBlue, type InPacket, type ListenerContext } from './endpoint.js';
import { acquireRawSocket, type RawLease } from './raw-socket.js';

const SCTP_PROTOCOL = 132;

export interface SctpPeerOptions {
  /** What a server answers each DATA message with. */
  name: string;
  config?: Partial<AssocConfig>;
  cookieLifetimeMs?: number;
  /** Server behaviour for received DATA: reply with the name (default), echo it, or stay silent. */
  reply?: 'name' | 'echo' | 'none';
}

export interface AssociationInfo extends AssocSnapshot {
  id: number;
  family: 4 | 6;
  peerAddr: string;
  localAddr?: string;
}

export interface PeerCounters {
  packetsIn: number;
  packetsOut: number;
  droppedBadCrc: number;
  droppedMalformed: number;
  cookiesRejected: number;
  outOfTheBlue: number;
  notOurPort: number;
  sendErrors: number;
}

interface Entry {
  id: number;
  family: 4 | 6;
  peerAddr: string;
  localAddr?: string;
  assoc: Association;
  timer?: NodeJS.Timeout;
}

export interface SctpPeerEvents {
  established: [{ assocId: number }];
  data: [{ assocId: number; streamId: number; ppid: number; tsn: number; data: Buffer }];
  closed: [{ assocId: number; reason: CloseReason }];
  state: [{ assocId: number; from: string; to: string }];
  'heartbeat-ack': [{ assocId: number }];
  error: [Error];
}

export class SctpPeer extends EventEmitter<SctpPeerEvents> {
  readonly name: string;
  readonly counters: PeerCounters = {
    packetsIn: 0,
    packetsOut: 0,
    droppedBadCrc: 0,
    droppedMalformed: 0,
    cookiesRejected: 0,
    outOfTheBlue: 0,
    notOurPort: 0,
    sendErrors: 0,
  };
  private readonly config: AssocConfig;
  private readonly secret = randomBytes(32);
  private readonly cookieLifetimeMs: number;
  private readonly reply: 'name' | 'echo' | 'none';
  private readonly sockets = new Map<4 | 6, RawLease>();
  private readonly listenPorts = new Set<number>();
  private readonly live = new Map<string, Entry>();
  private readonly all: Entry[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: SctpPeerOptions) {
    super();
    this.name = opts.name;
    this.config = { ...DEFAULT_CONFIG, ...opts.config };
    this.cookieLifetimeMs = opts.cookieLifetimeMs ?? 60000;
    this.reply = opts.reply ?? 'name';
  }

  /** Answer INITs to `port` on IPv4 and IPv6. */
  listen(port: number): void {
    checkPort('listen: port', port);
    this.socket(4);
    this.socket(6);
    this.listenPorts.add(port);
  }

  /** Open an association; resolves with its id once ESTABLISHED, rejects if it closes first. */
  connect(addr: string, port: number, opts: { localPort?: number; timeoutMs?: number } = {}): Promise<number> {
    const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : undefined;
    if (!family) return Promise.reject(new Error(`connect: '${addr}' is not an IPv4 or IPv6 address`));
    checkPort('connect: port', port);
    const localPort = opts.localPort ?? 32768 + (randomBytes(2).readUInt16BE() % 28000);
    checkPort('connect: localPort', localPort);
    const key = keyOf(family, addr, port, localPort);
    if (this.live.has(key))
      return Promise.reject(new Error(`connect: an association ${addr}:${port} from local port ${localPort} already exists`));
    this.socket(family);
    const assoc = Association.connect(
      {
        localPort,
        peerPort: port,
        localTag: nonZero32(),
        localInitialTsn: randomBytes(4).readUInt32BE(),
        config: this.config,
      },
      Date.now(),
    );
    const entry: Entry = { id: this.nextId++, family, peerAddr: addr, assoc };
    this.live.set(key, entry);
    this.all.push(entry);
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer =
        opts.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              // Give up locally: the association goes CLOSED (with an ABORT if the peer knows it).
              timedOut = true;
              if (entry.assoc.state !== 'CLOSED') {
                entry.assoc.abort(Date.now(), 'connect timed out');
                this.flush(entry);
              }
            }, opts.timeoutMs);
      const onEstablished = (e: { assocId: number }): void => {
        if (e.assocId !== entry.id) return;
        cleanup();
        resolve(entry.id);
      };
      const onClosed = (e: { assocId: number; reason: CloseReason }): void => {
        if (e.assocId !== entry.id) return;
        cleanup();
        reject(
          new Error(
            timedOut
              ? `connect ${addr}:${port}: not established within ${opts.timeoutMs} ms`
              : `connect ${addr}:${port}: association closed (${e.reason})`,
          ),
        );
      };
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        this.off('established', onEstablished);
        this.off('closed', onClosed);
      };
      this.on('established', onEstablished);
      this.on('closed', onClosed);
      this.flush(entry);
    });
  }

  send(assocId: number, data: Buffer, opts: { streamId?: number; ppid?: number } = {}): void {
    const entry = this.entry(assocId);
    entry.assoc.send(data, Date.now(), opts);
    this.flush(entry);
  }

  heartbeat(assocId: number): void {
    const entry = this.entry(assocId);
    entry.assoc.heartbeat(Date.now());
    this.flush(entry);
  }

  /** Graceful SHUTDOWN; resolves when the association is CLOSED. */
  shutdown(assocId: number): Promise<CloseReason> {
    const entry = this.entry(assocId);
    const done = this.whenClosed(entry);
    entry.assoc.shutdown(Date.now());
    this.flush(entry);
    return done;
  }

  abort(assocId: number, reason?: string): void {
    const entry = this.entry(assocId);
    entry.assoc.abort(Date.now(), reason);
    this.flush(entry);
  }

  /** Send prepared SCTP bytes (common header first) as they are: for crafted and broken packets. */
  inject(addr: string, bytes: Buffer): Promise<void> {
    const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : undefined;
    if (!family) return Promise.reject(new Error(`inject: '${addr}' is not an IPv4 or IPv6 address`));
    if (bytes.length < 12) return Promise.reject(new Error(`inject: ${bytes.length} bytes is shorter than the SCTP common header`));
    const socket = this.socket(family);
    return new Promise((resolve, reject) => socket.send(bytes, addr, (err) => (err ? reject(err) : resolve())));
  }

  associations(): AssociationInfo[] {
    return this.all.map((e) => ({
      id: e.id,
      family: e.family,
      peerAddr: e.peerAddr,
      ...(e.localAddr ? { localAddr: e.localAddr } : {}),
      ...e.assoc.snapshot(),
    }));
  }

  whenClosed(entryOrId: Entry | number): Promise<CloseReason> {
    const entry = typeof entryOrId === 'number' ? this.entry(entryOrId, true) : entryOrId;
    if (entry.assoc.state === 'CLOSED') return Promise.resolve(entry.assoc.closeReason ?? 'shutdown');
    return new Promise((resolve) => {
      const onClosed = (e: { assocId: number; reason: CloseReason }): void => {
        if (e.assocId !== entry.id) return;
        this.off('closed', onClosed);
        resolve(e.reason);
      };
      this.on('closed', onClosed);
    });
  }

  /**
   * Stop timers and let go of the sockets once the packets already queued (a last
   * SHUTDOWN-COMPLETE or ABORT) are out; live associations are left without a word.
   */
  close(): Promise<void> {
    this.closed = true;
    for (const e of this.all) if (e.timer) clearTimeout(e.timer);
    const released = [...this.sockets.values()].map((s) => s.release());
    this.sockets.clear();
    return Promise.all(released).then(() => undefined);
  }

  // ---- internals ----

  private entry(assocId: number, includeClosed = false): Entry {
    const e = this.all.find((x) => x.id === assocId);
    if (!e) throw new Error(`assocId: no association ${assocId}`);
    if (!includeClosed && e.assoc.state === 'CLOSED') throw new Error(`assocId: association ${assocId} is CLOSED`);
    return e;
  }

  private socket(family: 4 | 6): RawLease {
    if (this.closed) throw new Error('the peer is closed');
    let s = this.sockets.get(family);
    if (!s) {
      s = acquireRawSocket(family, SCTP_PROTOCOL, {
        message: (buf, source) => this.onMessage(family, buf, source),
        error: (err) => this.emit('error', err),
      });
      this.sockets.set(family, s);
    }
    return s;
  }

  private listenerContext(port: number): ListenerContext {
    return {
      port,
      config: this.config,
      secret: this.secret,
      cookieLifetimeMs: this.cookieLifetimeMs,
      random32: () => randomBytes(4).readUInt32BE(),
    };
  }

  private onMessage(family: 4 | 6, buf: Buffer, source: string): void {
    if (this.closed) return;
    // IPv4 raw sockets deliver the IP header too; IPv6 ones only the SCTP packet.
    const d = decodePacket(buf, { first: family === 4 ? 'ipv4' : 'sctp' });
    const ip = d.layers.find((l) => l.type === 'ipv4');
    const sctp = d.layers.find((l): l is SctpSpec & { offset: number; length: number } => l.type === 'sctp');
    if (!sctp || d.error) {
      this.counters.droppedMalformed++;
      return;
    }
    const peerAddr = ip && ip.type === 'ipv4' ? ip.src : source;
    const localAddr = ip && ip.type === 'ipv4' ? ip.dst : undefined;
    const crcValid = d.checksums.find((c) => c.layer === 'sctp')?.valid ?? false;
    const packet: InPacket = { sport: sctp.sport, dport: sctp.dport, vtag: sctp.vtag ?? 0, chunks: sctp.chunks };
    const entry = this.live.get(keyOf(family, peerAddr, packet.sport, packet.dport));
    if (entry) {
      this.counters.packetsIn++;
      entry.localAddr ??= localAddr;
      entry.assoc.receive({ ...packet, crcValid }, Date.now());
      this.flush(entry);
      return;
    }
    if (!this.ownsPort(packet.dport)) {
      this.counters.notOurPort++;
      return;
    }
    this.counters.packetsIn++;
    if (!crcValid) {
      this.counters.droppedBadCrc++;
      return;
    }
    this.onUnmatched(family, peerAddr, localAddr, packet);
  }

  private ownsPort(port: number): boolean {
    return this.listenPorts.has(port) || [...this.live.values()].some((e) => e.assoc.localPort === port);
  }

  private onUnmatched(family: 4 | 6, peerAddr: string, localAddr: string | undefined, p: InPacket): void {
    const first = p.chunks[0];
    if (this.listenPorts.has(p.dport) && first?.type === 'init') {
      const answer = answerInit(p, this.listenerContext(p.dport), Date.now());
      if (answer) this.transmit(family, peerAddr, p.dport, p.sport, answer);
      return;
    }
    if (this.listenPorts.has(p.dport) && first?.type === 'cookie-echo') {
      const result = acceptCookieEcho(p, this.listenerContext(p.dport), Date.now());
      if (!result.ok) {
        this.counters.cookiesRejected++;
        return;
      }
      const entry: Entry = { id: this.nextId++, family, peerAddr, assoc: result.association, ...(localAddr ? { localAddr } : {}) };
      this.live.set(keyOf(family, peerAddr, p.sport, p.dport), entry);
      this.all.push(entry);
      if (p.chunks.length > 1) entry.assoc.acceptChunks(p.chunks.slice(1), Date.now());
      this.flush(entry);
      return;
    }
    this.counters.outOfTheBlue++;
    const answer = answerOutOfTheBlue(p);
    if (answer) this.transmit(family, peerAddr, p.dport, p.sport, answer);
  }

  /** Send what the association queued, deliver its events, re-arm its timer. */
  private flush(entry: Entry): void {
    // Events first: a server's reply DATA then leaves bundled with the SACK it follows.
    for (let round = 0; round < 8; round++) {
      const events = entry.assoc.takeEvents();
      if (!events.length) break;
      for (const ev of events) this.deliver(entry, ev);
    }
    for (const p of entry.assoc.takePackets()) this.transmit(entry.family, entry.peerAddr, entry.assoc.localPort, entry.assoc.peerPort, p);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    if (entry.assoc.state === 'CLOSED') {
      const key = keyOf(entry.family, entry.peerAddr, entry.assoc.peerPort, entry.assoc.localPort);
      if (this.live.get(key) === entry) this.live.delete(key);
      return;
    }
    const deadline = entry.assoc.nextDeadline();
    if (deadline !== undefined && !this.closed) {
      entry.timer = setTimeout(
        () => {
          entry.assoc.onTimeout(Date.now());
          this.flush(entry);
        },
        Math.max(0, deadline - Date.now()),
      );
    }
  }

  private deliver(entry: Entry, ev: AssocEvent): void {
    const assocId = entry.id;
    switch (ev.type) {
      case 'established':
        this.emit('established', { assocId });
        return;
      case 'closed':
        this.emit('closed', { assocId, reason: ev.reason });
        return;
      case 'state':
        this.emit('state', { assocId, from: ev.from, to: ev.to });
        return;
      case 'heartbeat-ack':
        this.emit('heartbeat-ack', { assocId });
        return;
      case 'error-chunk':
        return;
      case 'data':
        this.emit('data', { assocId, streamId: ev.streamId, ppid: ev.ppid, tsn: ev.tsn, data: ev.data });
        if (entry.assoc.role === 'server' && this.reply !== 'none' && entry.assoc.state === 'ESTABLISHED') {
          entry.assoc.send(this.reply === 'name' ? Buffer.from(this.name) : ev.data, Date.now(), { streamId: ev.streamId, ppid: ev.ppid });
        }
        return;
    }
  }

  private transmit(family: 4 | 6, addr: string, sport: number, dport: number, p: OutPacket): void {
    const socket = this.sockets.get(family);
    if (!socket) return;
    const bytes = buildPacket([{ type: 'sctp', sport, dport, vtag: p.vtag, chunks: p.chunks }]);
    this.counters.packetsOut++;
    socket.send(bytes, addr, (err) => {
      if (err) {
        this.counters.sendErrors++;
        this.emit('error', err);
      }
    });
  }
}

function keyOf(family: 4 | 6, peerAddr: string, peerPort: number, localPort: number): string {
  return `${family}|${peerAddr}|${peerPort}|${localPort}`;
}

function checkPort(field: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${field}: ${port} is not a port (1..65535)`);
}

function nonZero32(): number {
  for (;;) {
    const v = randomBytes(4).readUInt32BE();
    if (v !== 0) return v;
  }
}
