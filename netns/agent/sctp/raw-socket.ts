// Typed access to the raw-socket package (untyped CommonJS): only what we use.
import { createRequire } from 'node:module';

export interface RawSocket {
  on(event: 'message', listener: (buf: Buffer, source: string) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'close', listener: () => void): this;
  send(buf: Buffer, offset: number, length: number, address: string,
    after: (err: Error | null, bytes: number) => void): this;
  close(): this;
}

interface RawSocketModule {
  createSocket(options: { addressFamily: number; protocol: number; bufferSize?: number }): RawSocket;
  AddressFamily: { IPv4: number; IPv6: number };
}

const require = createRequire(import.meta.url);
let loaded: RawSocketModule | undefined;

function rawSocketModule(): RawSocketModule {
  loaded ??= require('raw-socket') as RawSocketModule;
  return loaded;
}

/**
 * A raw IP socket for one protocol. IPv4 sockets receive the IP header in front of the
 * payload; IPv6 sockets receive the payload only. Sends carry the payload only (the kernel
 * adds the IP header).
 */
export function openRawSocket(family: 4 | 6, protocol: number): RawSocket {
  const mod = rawSocketModule();
  return mod.createSocket({
    addressFamily: family === 4 ? mod.AddressFamily.IPv4 : mod.AddressFamily.IPv6,
    protocol,
    bufferSize: 65536,
  });
}

export function sendRaw(socket: RawSocket, buf: Buffer, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.send(buf, 0, buf.length, address, (err) => (err ? reject(err) : resolve()));
  });
}

interface Pooled {
  socket: RawSocket;
  leases: Set<RawLease>;
  inFlight: number;
}

/** One user's share of a process-wide raw socket (see acquireRawSocket). */
export interface RawLease {
  send(buf: Buffer, address: string, done?: (err: Error | null) => void): void;
  /** Gives the share back; the socket closes once nobody holds it and its sends are out. */
  release(): Promise<void>;
}

const pool = new Map<string, Pooled>();

/**
 * A raw socket shared by everyone in the process who wants this family and protocol. Each
 * raw socket sees every packet anyway, so sharing changes nothing for the receivers, and it
 * avoids closing and reopening sockets (raw-socket closes the fd before libuv has let go of
 * its poll handle) and closing one while its queued sends are not out yet.
 */
export function acquireRawSocket(
  family: 4 | 6, protocol: number,
  onMessage: (buf: Buffer, source: string) => void, onError: (err: Error) => void,
): RawLease {
  const key = `${family}/${protocol}`;
  let entry = pool.get(key);
  if (!entry) {
    const socket = openRawSocket(family, protocol);
    const created: Pooled = { socket, leases: new Set(), inFlight: 0 };
    socket.on('message', (buf, source) => { for (const l of created.leases) listeners.get(l)?.message(buf, source); });
    socket.on('error', (err) => { for (const l of created.leases) listeners.get(l)?.error(err); });
    pool.set(key, created);
    entry = created;
  }
  const pooled = entry;
  let released: Promise<void> | undefined;
  const lease: RawLease = {
    send(buf, address, done) {
      pooled.inFlight++;
      pooled.socket.send(buf, 0, buf.length, address, (err) => {
        pooled.inFlight--;
        done?.(err);
        closeIfIdle(key, pooled);
      });
    },
    release() {
      released ??= new Promise((resolve) => {
        pooled.leases.delete(lease);
        listeners.delete(lease);
        idleWaiters.set(lease, resolve);
        closeIfIdle(key, pooled);
      });
      return released;
    },
  };
  pooled.leases.add(lease);
  listeners.set(lease, { message: onMessage, error: onError });
  return lease;
}

const listeners = new Map<RawLease, { message: (buf: Buffer, source: string) => void; error: (err: Error) => void }>();
const idleWaiters = new Map<RawLease, () => void>();

function closeIfIdle(key: string, pooled: Pooled): void {
  if (pooled.inFlight > 0) return;
  for (const [lease, resolve] of idleWaiters) {
    if (!pooled.leases.has(lease)) { idleWaiters.delete(lease); resolve(); }
  }
  if (pooled.leases.size === 0 && pool.get(key) === pooled) {
    pool.delete(key);
    pooled.socket.close();
  }
}
