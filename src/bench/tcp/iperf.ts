// iperf3 in a namespace: a server that stays up for the whole run and one client transfer
// per sample (JSON output). Every process is tracked from spawn to exit: killed on a
// timeout, on close, and (SIGKILL) when this process exits; the namespace teardown of the
// topology kills whatever a signal interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/iperf3', '/bin/iperf3', '/usr/local/bin/iperf3'];

/** The iperf3 binary, or null when it is not installed (make setup installs it). */
export function iperf3Binary(): string | null {
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

function requireIperf3(): string {
  const bin = iperf3Binary();
  if (bin === null) throw new Error(`iperf3: not installed (looked in ${CANDIDATES.join(', ')}; apt-get install iperf3, or make setup)`);
  return bin;
}

const live = new Set<ChildProcess>();
let exitHook = false;

function killLiveOnExit(): void {
  for (const child of live) child.kill('SIGKILL');
}

interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnInNetns(netns: string, args: string[]): Spawned {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', killLiveOnExit);
  }
  // `ip netns exec` execs iperf3 in place: the child's pid is iperf3's.
  const child = spawn('ip', ['netns', 'exec', netns, requireIperf3(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (e) => {
      err += e.message;
      live.delete(child);
      resolve({ code: null, signal: null });
    });
    child.on('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Kills (SIGKILL) and waits for the exit, so no zombie or stray process outlives a call. */
async function reap(p: Spawned): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await p.exited;
}

export class IperfServer {
  private constructor(
    private readonly p: Spawned,
    readonly where: string,
  ) {}

  /** Starts `iperf3 -s` bound to address:port in netns; resolves once it listens. */
  static async start(o: { netns: string; address: string; port: number; timeoutMs?: number }): Promise<IperfServer> {
    const p = spawnInNetns(o.netns, ['-s', '-B', o.address, '-p', String(o.port), '--forceflush']);
    const server = new IperfServer(p, `${o.address}:${o.port} in ${o.netns}`);
    try {
      await server.listening(1, o.timeoutMs ?? 5000);
    } catch (e) {
      await reap(p);
      throw e;
    }
    return server;
  }

  /** How many times the server has said it is listening (once at start, once after each test). */
  get listenCount(): number {
    return this.p.stdout().split('Server listening on').length - 1;
  }

  /** Waits until the server has announced `count` listens: the previous test is over on its side. */
  async listening(count: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.listenCount < count) {
      if (this.p.child.exitCode !== null || this.p.child.signalCode !== null) {
        throw new Error(
          `iperf3 server ${this.where} exited: ${this.p.stderr().trim() || this.p.stdout().trim() || `status ${this.p.child.exitCode ?? this.p.child.signalCode}`}`,
        );
      }
      if (Date.now() > deadline)
        throw new Error(`iperf3 server ${this.where}: not listening after ${timeoutMs} ms (output: ${this.p.stdout().trim() || 'none'})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): Promise<void> {
    return reap(this.p);
  }
}

export interface Transfer {
  /** Bytes the client wrote, bytes the server read (as the server reported them to the client). */
  sentBytes: number;
  receivedBytes: number;
  /** The receiver's rate and interval. */
  gbps: number;
  seconds: number;
  retransmits: number;
}

export interface ClientOptions {
  netns: string;
  server: string;
  port: number;
  /** The client's source address. */
  bind: string;
  /** Whole seconds: iperf3 reads -t as an integer (0 would mean forever). */
  seconds: number;
  streams: number;
  /** Kill the client when it has not finished this long after the transfer should have (default 10 s). */
  graceMs?: number;
}

interface IperfSum {
  bytes?: number;
  seconds?: number;
  bits_per_second?: number;
  retransmits?: number;
}

/** Reads the numbers a benchmark needs out of iperf3 -J output; throws naming what is missing. */
export function parseIperfJson(text: string): Transfer {
  let j: { error?: string; end?: { sum_sent?: IperfSum; sum_received?: IperfSum } };
  try {
    j = JSON.parse(text) as typeof j;
  } catch (e) {
    throw new Error(`iperf3 output is not JSON (${(e as Error).message}): ${text.slice(0, 200)}`, { cause: e });
  }
  if (typeof j.error === 'string') throw new Error(`iperf3: ${j.error}`);
  const sent = j.end?.sum_sent;
  const received = j.end?.sum_received;
  const num = (v: unknown, field: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new Error(`iperf3 output: ${field}: expected a number, got ${JSON.stringify(v)}`);
    return v;
  };
  return {
    sentBytes: num(sent?.bytes, 'end.sum_sent.bytes'),
    receivedBytes: num(received?.bytes, 'end.sum_received.bytes'),
    gbps: num(received?.bits_per_second, 'end.sum_received.bits_per_second') / 1e9,
    seconds: num(received?.seconds, 'end.sum_received.seconds'),
    retransmits: sent?.retransmits ?? 0,
  };
}

/** One timed transfer client -> server; rejects on an iperf3 error, a timeout or bad output. */
export async function iperfTransfer(o: ClientOptions): Promise<Transfer> {
  if (!Number.isInteger(o.seconds) || o.seconds < 1) throw new Error(`seconds: expected a whole number >= 1, got ${o.seconds}`);
  const p = spawnInNetns(o.netns, [
    '-c',
    o.server,
    '-p',
    String(o.port),
    '-B',
    o.bind,
    '-t',
    String(o.seconds),
    '-P',
    String(o.streams),
    '-J',
    '--connect-timeout',
    '3000',
  ]);
  const limitMs = o.seconds * 1000 + (o.graceMs ?? 10_000);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), limitMs);
  });
  try {
    const outcome = await Promise.race([p.exited, timedOut]);
    if (outcome === 'timeout') throw new Error(`iperf3 client -> ${o.server}:${o.port}: no result after ${limitMs} ms (killed)`);
    const out = p.stdout();
    if (!out.trimStart().startsWith('{')) {
      // Not a test result (e.g. a parameter error: the reason on stderr, the usage on stdout).
      const why = p.stderr().trim() || out.trim().split('\n')[0] || 'no output';
      throw new Error(`iperf3 client -> ${o.server}:${o.port} exited with ${outcome.code ?? outcome.signal}: ${why}`);
    }
    return parseIperfJson(out);
  } finally {
    clearTimeout(timer);
    await reap(p);
  }
}

/** iperf3 processes started here and not yet reaped (for tests: 0 after every run). */
export function liveIperfCount(): number {
  return live.size;
}
