// Typed access to the raw-socket package (untyped CommonJS): only what we use.
import { createRequire } from 'node:module';

export interface RawSocket {
  on(event: 'message', listener: (buf: Buffer, source: string) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'close', listener: () => void): this;
  send(buf: Buffer, offset: number, length: number, address: string, after: (err: Error | null, bytes: number) => void): this;
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

interface Handlers {
  message: (buf: Buffer, source: string) => void;
  error: (err: Error) => void;
}

interface Pooled {
  socket: RawSocket;
  users: Map<RawLease, Handlers>;
  inFlight: number;
  /** Released users waiting for the sends in flight to leave. */
  waiting: (() => void)[];
}

/** One user's share of a process-wide raw socket (see acquireRawSocket). */
export interface RawLease {
  send(buf: Buffer, address: string, done?: (err: Error | null) => void): void;
  /** Gives the share back once the sends in flight are out; the last one closes the socket. */
  release(): Promise<void>;
}

const pool = new Map<string, Pooled>();

/**
 * A raw socket shared by everyone in the process who wants this family and protocol. Every
 * raw socket sees every packet anyway, so sharing changes nothing for the receivers; it
 * avoids closing and reopening sockets (raw-socket closes the fd while libuv still holds
 * its poll handle) and closing a socket whose queued sends are not out yet.
 */
export function acquireRawSocket(family: 4 | 6, protocol: number, handlers: Handlers): RawLease {
  const key = `${family}/${protocol}`;
  let found = pool.get(key);
  if (!found) {
    const created: Pooled = { socket: openRawSocket(family, protocol), users: new Map(), inFlight: 0, waiting: [] };
    created.socket.on('message', (buf, source) => {
      for (const h of [...created.users.values()]) h.message(buf, source);
    });
    created.socket.on('error', (err) => {
      for (const h of [...created.users.values()]) h.error(err);
    });
    pool.set(key, created);
    found = created;
  }
  const pooled = found;
  let released: Promise<void> | undefined;
  const lease: RawLease = {
    send(buf, address, done) {
      pooled.inFlight++;
      pooled.socket.send(buf, 0, buf.length, address, (err) => {
        pooled.inFlight--;
        done?.(err);
        settle(key, pooled);
      });
    },
    release() {
      released ??= new Promise((resolve) => {
        pooled.users.delete(lease);
        pooled.waiting.push(resolve);
        settle(key, pooled);
      });
      return released;
    },
  };
  pooled.users.set(lease, handlers);
  return lease;
}

function settle(key: string, pooled: Pooled): void {
  if (pooled.inFlight > 0) return;
  for (const resolve of pooled.waiting.splice(0)) resolve();
  if (pooled.users.size === 0 && pool.get(key) === pooled) {
    pool.delete(key);
    pooled.socket.close();
  }
}
