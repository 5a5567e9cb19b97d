// A host agent: runs inside one network namespace (`ip netns exec NS node main.js --name
// NAME`) and does what its controller asks over stdin/stdout JSON lines. It exits when
// stdin closes, so a controller that dies never leaves it running.
import { createInterface } from 'node:readline';
import { Captures } from './capture.js';
import { bulkClient } from './bulk.js';
import { tcpClient, udpClient } from './clients.js';
import { l2Send } from './l2-send.js';
import type { AgentEvent, Request, Response } from './protocol.js';
import { rawSend } from './raw-send.js';
import { SctpOps } from './sctp-ops.js';
import { Servers } from './servers.js';

function option(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

function parseName(argv: string[]): string {
  const name = option(argv, '--name');
  if (name === undefined || name === '') {
    process.stderr.write('usage: main.js --name NAME [--scratch DIR]\n');
    process.exit(2);
  }
  return name;
}

function write(message: Response | AgentEvent): void {
  process.stdout.write(JSON.stringify(message) + '\n');
}

function emit(event: string, fields: Record<string, unknown>): void {
  write({ event, ...fields });
}

const name = parseName(process.argv.slice(2));
const servers = new Servers(name, emit);
const captures = new Captures(option(process.argv.slice(2), '--scratch') ?? '/tmp');
const sctp = new SctpOps(name, emit);

/** handle() awaits what a handler returns, so a handler may answer at once or later. */
type Handler = (req: Request) => unknown;

let shuttingDown = false;

async function cleanup(): Promise<void> {
  captures.stopAll();
  sctp.closeAll();
  await servers.stopAll();
}

const handlers: Record<string, Handler> = {
  ping: () => ({ name, pid: process.pid }),
  'tcp-server': (r) => servers.tcp(r as never),
  'udp-server': (r) => servers.udp(r as never),
  'http-server': (r) => servers.http(r as never),
  'bulk-server': (r) => servers.bulk(r as never),
  'bulk-client': (r) => bulkClient(r as never),
  'tcp-client': (r) => tcpClient(r as never),
  'udp-client': (r) => udpClient(r as never),
  'raw-send': (r) => rawSend(r as never),
  'l2-send': (r) => l2Send(r as never),
  'capture-start': (r) => captures.start(r as never),
  'capture-stop': (r) => captures.stop(r.captureId),
  'sctp-server': (r) => {
    const result = sctp.server(r as never);
    servers.add(result.serverId, {
      close: () => {
        sctp.stopServer(result.serverId);
        return Promise.resolve();
      },
    });
    return result;
  },
  'sctp-client': (r) => sctp.client(r as never),
  'sctp-status': () => sctp.status(),
  'stop-server': (r) => servers.stop(r.serverId),
  shutdown: async () => {
    shuttingDown = true;
    await cleanup();
    return { bye: name };
  },
};

async function handle(line: string): Promise<void> {
  let req: Request;
  try {
    req = JSON.parse(line) as Request;
    if (typeof req !== 'object' || req === null || typeof req.id !== 'number' || typeof req.op !== 'string') {
      throw new Error('a request needs a numeric id and a string op');
    }
  } catch (err) {
    emit('bad-request', { line, error: (err as Error).message });
    return;
  }
  const handler = handlers[req.op];
  if (handler === undefined) {
    write({ id: req.id, ok: false, error: `op: unknown operation '${req.op}' (known: ${Object.keys(handlers).join(', ')})` });
    return;
  }
  try {
    write({ id: req.id, ok: true, result: await handler(req) });
  } catch (err) {
    write({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
  if (shuttingDown) process.exit(0);
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== '') void handle(line);
});
lines.on('close', () => {
  void cleanup().finally(() => process.exit(0));
});
process.on('SIGTERM', () => {
  captures.stopAll();
  process.exit(0);
});
emit('ready', { name, pid: process.pid });
