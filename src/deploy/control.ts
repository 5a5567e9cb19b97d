// The running daemon's control socket: one JSON request per connection, one JSON answer.
// Every change goes through the daemon, so two writers never interleave.
import { createConnection, createServer, type Server } from 'node:net';
import { rmSync } from 'node:fs';
import type { DatapathState } from '../config/datapath-model.js';
import type { LbEdit } from './lb-edit.js';

export type ControlRequest =
  | { op: 'status' }
  | { op: 'apply'; state: DatapathState; source: string }
  | { op: 'lb'; edit: LbEdit }
  | { op: 'down'; keepState?: boolean };

export type ControlAnswer = { ok: true; summary?: string[]; status?: Record<string, unknown> } | { ok: false; error: string };

export function serveControl(socket: string, handle: (req: ControlRequest) => ControlAnswer): Server {
  rmSync(socket, { force: true });
  const server = createServer((conn) => {
    let buf = '';
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      let answer: ControlAnswer;
      try {
        answer = handle(JSON.parse(buf.slice(0, nl)) as ControlRequest);
      } catch (e) {
        answer = { ok: false, error: (e as Error).message };
      }
      conn.end(`${JSON.stringify(answer)}\n`);
    });
    conn.on('error', () => conn.destroy());
  });
  server.listen(socket);
  return server;
}

export async function askDaemon(socket: string, req: ControlRequest, timeoutMs = 30_000): Promise<ControlAnswer> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let buf = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`no answer from ${socket} within ${timeoutMs} ms`));
    }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(`${JSON.stringify(req)}\n`));
    conn.on('data', (chunk: string) => {
      buf += chunk;
    });
    conn.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buf) as ControlAnswer);
      } catch {
        reject(new Error(`a malformed answer from ${socket}: ${buf.slice(0, 200)}`));
      }
    });
    conn.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
