// Drives netns/agent/sctp/run-peer.js inside a namespace over its JSON-lines stdio.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../netns/agent/sctp/run-peer.js', import.meta.url));

export type PeerMessage = Record<string, unknown> & { event?: string; id?: number; ok?: boolean; error?: string; result?: unknown };

export class PeerProcess {
  readonly events: PeerMessage[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, (m: PeerMessage) => void>();
  private readonly waiters: { match: (m: PeerMessage) => boolean; resolve: (m: PeerMessage) => void }[] = [];
  private nextId = 1;
  private stderr = '';

  private constructor(ns: string, name: string) {
    this.child = spawn('ip', ['netns', 'exec', ns, process.execPath, script, '--name', name, '--rto-ms', '300'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const m = JSON.parse(line) as PeerMessage;
      if (m.id !== undefined && this.pending.has(m.id)) {
        this.pending.get(m.id)?.(m);
        this.pending.delete(m.id);
        return;
      }
      this.events.push(m);
      for (const w of [...this.waiters]) {
        if (w.match(m)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    process.once('exit', () => {
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    });
  }

  static async start(ns: string, name: string): Promise<PeerProcess> {
    const p = new PeerProcess(ns, name);
    await p.waitFor((m) => m.event === 'ready', 10000);
    return p;
  }

  async call(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 10000): Promise<PeerMessage> {
    const id = this.nextId++;
    const reply = new Promise<PeerMessage>((resolve) => this.pending.set(id, resolve));
    this.child.stdin.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    const m = await withTimeout(reply, timeoutMs, () => `${cmd}: no answer (stderr: ${this.stderr})`);
    if (!m.ok) throw new Error(`${cmd}: ${m.error}`);
    return m;
  }

  waitFor(match: (m: PeerMessage) => boolean, timeoutMs = 10000): Promise<PeerMessage> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    const p = new Promise<PeerMessage>((resolve) => this.waiters.push({ match, resolve }));
    return withTimeout(p, timeoutMs, () => `event not seen; events so far: ${JSON.stringify(this.events)} stderr: ${this.stderr}`);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) {
        resolve();
        return;
      }
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.stdin.end();
    });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message())), ms);
    }),
  ]);
}
