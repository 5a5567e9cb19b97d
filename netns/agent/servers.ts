// Backends that answer with the agent's name: TCP reads one request line and replies with
// the name, UDP replies to every datagram with the name, HTTP answers every request with
// the name as its body, bulk reads a whole upload and answers "<name> <bytes received>".
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { answerBulkUpload } from './bulk.js';
import type { ServerArgs, ServerResult } from './protocol.js';

type Emit = (event: string, fields: Record<string, unknown>) => void;

interface Running {
  close(): Promise<void>;
}

export class Servers {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly name: string,
    private readonly emit: Emit,
  ) {}

  private bindAddress(args: ServerArgs): string {
    if (args.address !== undefined) return args.address;
    return args.family === 4 ? '0.0.0.0' : '::';
  }

  private checkPort(port: unknown): number {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error(`port: ${JSON.stringify(port)} is not a port number (0..65535)`);
    }
    return port;
  }

  tcp(args: ServerArgs): Promise<ServerResult> {
    return this.listen(
      'tcp',
      args,
      createServer((socket) => {
        let buffered = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          buffered += chunk;
          if (!buffered.includes('\n')) return;
          socket.end(`${this.name}\n`);
        });
        socket.on('error', () => socket.destroy());
      }),
    );
  }

  http(args: ServerArgs): Promise<ServerResult> {
    const body = `${this.name}\n`;
    return this.listen(
      'http',
      args,
      // Answers once the whole request body is in, like a server that handles uploads:
      // answering early lets a client stop sending, and an upload that never arrived
      // would look answered. The body's size comes back in a header.
      createHttpServer((req, res) => {
        let received = 0;
        req.on('data', (chunk: Buffer) => (received += chunk.length));
        req.on('end', () => {
          res.writeHead(200, {
            'content-type': 'text/plain',
            'content-length': Buffer.byteLength(body),
            'x-request-body-bytes': String(received),
          });
          res.end(body);
        });
      }),
    );
  }

  bulk(args: ServerArgs): Promise<ServerResult> {
    return this.listen(
      'bulk',
      args,
      createServer((socket: Socket) => answerBulkUpload(socket, this.name)),
    );
  }

  private async listen(proto: string, args: ServerArgs, server: Server): Promise<ServerResult> {
    const address = this.bindAddress(args);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.checkPort(args.port), host: address, ipv6Only: false }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.emit('server-error', { proto, error: err.message }));
    const port = (server.address() as { port: number }).port;
    const serverId = `${proto}:[${address}]:${port}`;
    this.running.set(serverId, {
      close: () =>
        new Promise((resolve) => {
          server.close(() => resolve());
          // Open connections would keep close() waiting.
          (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
    });
    return { serverId, port, address };
  }

  async udp(args: ServerArgs): Promise<ServerResult> {
    const address = this.bindAddress(args);
    const type = address.includes(':') ? 'udp6' : 'udp4';
    const socket: UdpSocket = createSocket({ type, ipv6Only: false });
    const reply = Buffer.from(this.name);
    socket.on('message', (_msg, rinfo) => {
      socket.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: this.checkPort(args.port), address }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (err) => this.emit('server-error', { proto: 'udp', error: err.message }));
    const port = socket.address().port;
    const serverId = `udp:[${address}]:${port}`;
    this.running.set(serverId, { close: () => new Promise((resolve) => socket.close(() => resolve())) });
    return { serverId, port, address };
  }

  add(serverId: string, running: Running): void {
    this.running.set(serverId, running);
  }

  async stop(serverId: unknown): Promise<{ stopped: string }> {
    const running = typeof serverId === 'string' ? this.running.get(serverId) : undefined;
    if (running === undefined) {
      throw new Error(
        `serverId: no running server ${JSON.stringify(serverId)} (running: ${[...this.running.keys()].join(', ') || 'none'})`,
      );
    }
    this.running.delete(serverId as string);
    await running.close();
    return { stopped: serverId as string };
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.running.keys()].map((id) => this.stop(id)));
  }
}
