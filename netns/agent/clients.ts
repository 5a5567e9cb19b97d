// Clients that play the user of a load balancer: N TCP connections or N UDP datagrams,
// each reporting who answered, how long it took and what went wrong.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import type { ClientReport, ExchangeResult, TcpClientArgs, UdpClientArgs } from './protocol.js';

function positiveInt(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${field}: ${JSON.stringify(value)} must be a positive integer`);
  }
  return value;
}

function checkTarget(args: { addr?: unknown; port?: unknown }): void {
  if (typeof args.addr !== 'string' || args.addr === '') throw new Error(`addr: ${JSON.stringify(args.addr)} is not an address`);
  if (typeof args.port !== 'number' || !Number.isInteger(args.port) || args.port < 1 || args.port > 65535) {
    throw new Error(`port: ${JSON.stringify(args.port)} is not a port number (1..65535)`);
  }
}

/** Runs task(0..count-1) with at most `concurrency` in flight; results in index order. */
async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  });
  await Promise.all(workers);
  return results;
}

function summarize(results: ExchangeResult[]): ClientReport {
  const answers: Record<string, number> = {};
  for (const r of results) if (r.answeredBy !== null) answers[r.answeredBy] = (answers[r.answeredBy] ?? 0) + 1;
  return {
    results,
    answers,
    errors: results.filter((r) => r.error !== null && !r.timedOut).length,
    timeouts: results.filter((r) => r.timedOut).length,
  };
}

function tcpExchange(args: TcpClientArgs, index: number, timeoutMs: number): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const result: ExchangeResult = { index, answeredBy: null, latencyNs: null, localPort: null, error: null, timedOut: false };
    let received = '';
    const socket = connect({ host: args.addr, port: args.port, localAddress: args.localAddress });
    const finish = (error: string | null, timedOut = false): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      result.error = error;
      result.timedOut = timedOut;
      socket.destroy();
      resolve(result);
    };
    let finished = false;
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`, true), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      result.localPort = socket.localPort ?? null;
      socket.write(`${args.message ?? `hello ${index}`}\n`);
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
      const nl = received.indexOf('\n');
      if (nl < 0) return;
      result.answeredBy = received.slice(0, nl);
      result.latencyNs = Number(process.hrtime.bigint() - started);
      finish(null);
    });
    socket.on('end', () =>
      finish(received === '' ? 'connection closed without an answer' : `incomplete answer ${JSON.stringify(received)}`),
    );
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
  });
}

export async function tcpClient(args: TcpClientArgs): Promise<ClientReport> {
  checkTarget(args);
  const count = positiveInt(args.count, 'count', 1);
  const concurrency = positiveInt(args.concurrency, 'concurrency', 1);
  const timeoutMs = positiveInt(args.timeoutMs, 'timeoutMs', 3000);
  return summarize(await pool(count, concurrency, (i) => tcpExchange(args, i, timeoutMs)));
}

async function openUdp(addr: string, localAddress: string | undefined): Promise<UdpSocket> {
  const socket = createSocket(isIPv6(addr) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port: 0, address: localAddress }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

function udpExchange(socket: UdpSocket, args: UdpClientArgs, index: number, timeoutMs: number): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const result: ExchangeResult = {
      index,
      answeredBy: null,
      latencyNs: null,
      localPort: socket.address().port,
      error: null,
      timedOut: false,
    };
    const started = process.hrtime.bigint();
    const onMessage = (msg: Buffer): void => {
      result.answeredBy = msg.toString('utf8');
      result.latencyNs = Number(process.hrtime.bigint() - started);
      done();
    };
    const onError = (err: NodeJS.ErrnoException): void => {
      result.error = err.code ?? err.message;
      done();
    };
    const timer = setTimeout(() => {
      result.error = `no answer within ${timeoutMs} ms`;
      result.timedOut = true;
      done();
    }, timeoutMs);
    function done(): void {
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.off('error', onError);
      resolve(result);
    }
    socket.on('message', onMessage);
    socket.on('error', onError);
    socket.send(Buffer.from(args.message ?? `hello ${index}`), args.port, args.addr, (err) => {
      if (err) onError(err);
    });
  });
}

export async function udpClient(args: UdpClientArgs): Promise<ClientReport> {
  checkTarget(args);
  const count = positiveInt(args.count, 'count', 1);
  const timeoutMs = positiveInt(args.timeoutMs, 'timeoutMs', 3000);
  if (args.sameSocket === true) {
    // One flow: datagrams go one after another so each answer is matched to its request.
    const socket = await openUdp(args.addr, args.localAddress);
    try {
      const results: ExchangeResult[] = [];
      for (let i = 0; i < count; i++) results.push(await udpExchange(socket, args, i, timeoutMs));
      return summarize(results);
    } finally {
      socket.close();
    }
  }
  const concurrency = positiveInt(args.concurrency, 'concurrency', 1);
  return summarize(
    await pool(count, concurrency, async (i) => {
      const socket = await openUdp(args.addr, args.localAddress);
      try {
        return await udpExchange(socket, args, i, timeoutMs);
      } finally {
        socket.close();
      }
    }),
  );
}
