// IP-level injection: whole IPv4/IPv6 packets (header included) through raw-socket. The
// kernel still routes them, so they leave by the namespace's routing table.
import { createRequire } from 'node:module';
import type { RawSendArgs, SendResult } from './protocol.js';

interface RawSocket {
  send(
    buf: Buffer,
    offset: number,
    length: number,
    address: string,
    before: (() => void) | null,
    after: (err: Error | null, bytes: number) => void,
  ): void;
  setOption(level: number, option: number, value: number): void;
  close(): void;
}

interface RawSocketModule {
  createSocket(options: { addressFamily: number; protocol: number }): RawSocket;
  AddressFamily: { IPv4: number; IPv6: number };
  SocketLevel: { IPPROTO_IP: number };
  SocketOption: { IP_HDRINCL: number };
}

const IPPROTO_RAW = 255;
const require = createRequire(import.meta.url);

function destination(packet: Buffer, index: number): { family: 4 | 6; address: string } {
  const version = packet.length > 0 ? packet[0]! >> 4 : 0;
  if (version === 4 && packet.length >= 20) {
    return { family: 4, address: [...packet.subarray(16, 20)].join('.') };
  }
  if (version === 6 && packet.length >= 40) {
    const groups: string[] = [];
    for (let i = 24; i < 40; i += 2) groups.push(packet.readUInt16BE(i).toString(16));
    return { family: 6, address: groups.join(':') };
  }
  throw new Error(`packets[${index}]: not an IPv4 (>= 20 bytes) or IPv6 (>= 40 bytes) packet`);
}

function sendOne(socket: RawSocket, packet: Buffer, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.send(packet, 0, packet.length, address, null, (err) => (err ? reject(err) : resolve()));
  });
}

export async function rawSend(args: RawSendArgs): Promise<SendResult> {
  if (!Array.isArray(args.packets)) throw new Error('packets: must be a list of hex strings');
  const packets = args.packets.map((hex, i) => {
    if (typeof hex !== 'string' || !/^([0-9a-f]{2})+$/i.test(hex)) throw new Error(`packets[${i}]: not a hex string`);
    return Buffer.from(hex, 'hex');
  });
  const targets = packets.map((p, i) => destination(p, i));
  const raw = require('raw-socket') as RawSocketModule;
  const sockets = new Map<4 | 6, RawSocket>();
  const socketFor = (family: 4 | 6): RawSocket => {
    let s = sockets.get(family);
    if (s === undefined) {
      s = raw.createSocket({ addressFamily: family === 4 ? raw.AddressFamily.IPv4 : raw.AddressFamily.IPv6, protocol: IPPROTO_RAW });
      if (family === 4) s.setOption(raw.SocketLevel.IPPROTO_IP, raw.SocketOption.IP_HDRINCL, 1);
      sockets.set(family, s);
    }
    return s;
  };
  try {
    let sent = 0;
    for (const [i, packet] of packets.entries()) {
      const { family, address } = targets[i]!;
      try {
        await sendOne(socketFor(family), packet, address);
      } catch (err) {
        throw new Error(`packets[${i}]: send to ${address} failed: ${(err as Error).message}`, { cause: err });
      }
      sent++;
    }
    return { sent };
  } finally {
    for (const s of sockets.values()) s.close();
  }
}
