// SCTP ops of the agent, delegated to the raw-socket SCTP peer (./sctp/peer.ts): a server
// peer per listening port that answers each DATA message with the agent's name, and a
// client peer per sctp-client call that opens one association and exchanges messages.
import { SctpPeer, type AssociationInfo, type PeerCounters } from './sctp/peer.js';
import type { SctpClientArgs, SctpServerArgs, ServerResult } from './protocol.js';

type Emit = (event: string, fields: Record<string, unknown>) => void;

const CLOSE_DELAY_MS = 250;

export interface SctpExchange {
  index: number;
  answeredBy: string | null;
  latencyNs: number | null;
  error: string | null;
}

export interface SctpClientReport {
  assocId: number;
  localPort: number;
  results: SctpExchange[];
  /** answeredBy -> count. */
  answers: Record<string, number>;
  /** How the association ended ('kept' when finish was 'keep'). */
  closeReason: string;
  association: AssociationInfo;
}

export interface SctpPeerStatus {
  role: 'server' | 'client';
  /** Listening port (server) or the peer's port (client). */
  port: number;
  counters: PeerCounters;
  associations: AssociationInfo[];
}

interface PeerRecord {
  role: 'server' | 'client';
  port: number;
  peer: SctpPeer;
  open: boolean;
}

function checkPort(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${field}: ${JSON.stringify(value)} is not a port number (1..65535)`);
  }
  return value;
}

export class SctpOps {
  private readonly peers: PeerRecord[] = [];

  constructor(
    private readonly name: string,
    private readonly emit: Emit,
  ) {}

  private newPeer(role: 'server' | 'client', port: number): PeerRecord {
    const peer = new SctpPeer({ name: this.name, reply: role === 'server' ? 'name' : 'none' });
    peer.on('error', (err) => this.emit('sctp-error', { role, port, error: err.message }));
    peer.on('state', (e) => this.emit('sctp-state', { role, port, ...e }));
    const record: PeerRecord = { role, port, peer, open: true };
    this.peers.push(record);
    return record;
  }

  server(args: SctpServerArgs): ServerResult {
    const port = checkPort('port', args.port);
    if (args.address !== undefined) throw new Error('address: the SCTP server listens on every address of the namespace');
    if (this.peers.some((p) => p.role === 'server' && p.port === port && p.open))
      throw new Error(`port: an SCTP server already listens on ${port}`);
    this.newPeer('server', port).peer.listen(port);
    return { serverId: `sctp:[::]:${port}`, port, address: '::' };
  }

  stopServer(serverId: string): void {
    const port = Number(serverId.slice(serverId.lastIndexOf(':') + 1));
    for (const p of this.peers) {
      if (p.role === 'server' && p.port === port && p.open) {
        void p.peer.close();
        p.open = false;
      }
    }
  }

  private exchange(peer: SctpPeer, assocId: number, index: number, timeoutMs: number): Promise<SctpExchange> {
    return new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const onData = (e: { assocId: number; data: Buffer }): void => {
        if (e.assocId !== assocId) return;
        done({ index, answeredBy: e.data.toString('utf8'), latencyNs: Number(process.hrtime.bigint() - started), error: null });
      };
      const onClosed = (e: { assocId: number; reason: string }): void => {
        if (e.assocId === assocId) done({ index, answeredBy: null, latencyNs: null, error: `association closed (${e.reason})` });
      };
      const timer = setTimeout(
        () => done({ index, answeredBy: null, latencyNs: null, error: `no answer within ${timeoutMs} ms` }),
        timeoutMs,
      );
      function done(result: SctpExchange): void {
        clearTimeout(timer);
        peer.off('data', onData);
        peer.off('closed', onClosed);
        resolve(result);
      }
      peer.on('data', onData);
      peer.on('closed', onClosed);
      try {
        peer.send(assocId, Buffer.from(`hello ${index}`));
      } catch (err) {
        done({ index, answeredBy: null, latencyNs: null, error: (err as Error).message });
      }
    });
  }

  async client(args: SctpClientArgs): Promise<SctpClientReport> {
    if (typeof args.addr !== 'string' || args.addr === '') throw new Error(`addr: ${JSON.stringify(args.addr)} is not an address`);
    const port = checkPort('port', args.port);
    const messages = args.messages ?? 1;
    if (!Number.isInteger(messages) || messages < 0)
      throw new Error(`messages: ${JSON.stringify(args.messages)} must be a non-negative integer`);
    const finish = args.finish ?? 'shutdown';
    if (!['shutdown', 'abort', 'keep'].includes(finish))
      throw new Error(`finish: ${JSON.stringify(finish)} must be 'shutdown', 'abort' or 'keep'`);
    const timeoutMs = args.timeoutMs ?? 3000;
    const record = this.newPeer('client', port);
    const { peer } = record;
    try {
      const assocId = await withTimeout(
        peer.connect(args.addr, port, { localPort: args.localPort, timeoutMs }),
        timeoutMs,
        `connect to ${args.addr}:${port}`,
      );
      const results: SctpExchange[] = [];
      for (let i = 0; i < messages; i++) results.push(await this.exchange(peer, assocId, i, timeoutMs));
      let closeReason = 'kept';
      if (finish === 'shutdown') closeReason = await withTimeout(peer.shutdown(assocId), timeoutMs, 'shutdown');
      if (finish === 'abort') {
        peer.abort(assocId);
        closeReason = await peer.whenClosed(assocId);
      }
      const answers: Record<string, number> = {};
      for (const r of results) if (r.answeredBy !== null) answers[r.answeredBy] = (answers[r.answeredBy] ?? 0) + 1;
      const association = peer.associations().find((a) => a.id === assocId)!;
      return { assocId, localPort: association.localPort, results, answers, closeReason, association };
    } finally {
      if (finish !== 'keep') this.closeLater(record);
    }
  }

  /** SctpPeer.close() drops packets raw-socket has not sent yet (the last SHUTDOWN-COMPLETE
   *  or ABORT), so a finished client peer is closed a moment later. */
  private closeLater(record: PeerRecord): void {
    setTimeout(() => {
      if (record.open) void record.peer.close();
      record.open = false;
    }, CLOSE_DELAY_MS).unref();
  }

  status(): { peers: SctpPeerStatus[] } {
    return {
      peers: this.peers.map((p) => ({ role: p.role, port: p.port, counters: { ...p.peer.counters }, associations: p.peer.associations() })),
    };
  }

  closeAll(): void {
    for (const p of this.peers) {
      if (p.open) void p.peer.close();
      p.open = false;
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
