// Bulk TCP over real sockets: the client uploads N bytes on one connection and half-closes;
// the server counts what arrived and answers "<name> <bytes>" before closing. One
// connection, so any load-balancing algorithm sends all of it to one backend.
import { connect, type Socket } from 'node:net';
import type { BulkClientArgs, BulkReport } from './protocol.js';

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

export function answerBulkUpload(socket: Socket, name: string): void {
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  socket.on('end', () => socket.end(`${name} ${received}\n`));
  socket.on('error', () => socket.destroy());
}

export function bulkClient(args: BulkClientArgs): Promise<BulkReport> {
  if (typeof args.addr !== 'string' || args.addr === '') throw new Error('addr: expected an address');
  if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535)
    throw new Error(`port: ${JSON.stringify(args.port)} is not a port (1..65535)`);
  if (!Number.isSafeInteger(args.bytes) || args.bytes < 1)
    throw new Error(`bytes: ${JSON.stringify(args.bytes)} is not a positive integer`);
  const timeoutMs = args.timeoutMs ?? 30000;
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const report: BulkReport = { sent: 0, received: null, answeredBy: null, durationNs: 0, error: null };
    let answer = '';
    let settled = false;
    const socket = connect({ host: args.addr, port: args.port });
    const finish = (error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      report.durationNs = Number(process.hrtime.bigint() - started);
      report.error = error;
      socket.destroy();
      resolve(report);
    };
    const timer = setTimeout(() => finish(`not finished within ${timeoutMs} ms (${report.sent} bytes written)`), timeoutMs);
    const pump = (): void => {
      while (report.sent < args.bytes) {
        const n = Math.min(CHUNK.length, args.bytes - report.sent);
        report.sent += n;
        if (!socket.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    socket.on('connect', pump);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('end', () => {
      const m = /^(\S+) (\d+)\n$/.exec(answer);
      if (m === null) return finish(`unexpected answer ${JSON.stringify(answer)}`);
      report.answeredBy = m[1]!;
      report.received = Number(m[2]);
      finish(null);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
  });
}
