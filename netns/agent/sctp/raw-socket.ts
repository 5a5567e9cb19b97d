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
