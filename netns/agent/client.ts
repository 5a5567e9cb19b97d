// The controller side of a host agent: starts it inside a namespace and offers one typed
// method per op.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { decodePacket, type DecodedPacket } from '../../src/packet/index.js';
import type { SctpClientReport, SctpPeerStatus } from './sctp-ops.js';
import type {
  AgentEvent,
  BulkClientArgs,
  BulkReport,
  CaptureStartArgs,
  CaptureStartResult,
  CaptureStopResult,
  ClientReport,
  Response,
  SctpClientArgs,
  SctpServerArgs,
  SendResult,
  ServerArgs,
  ServerResult,
  TcpClientArgs,
  UdpClientArgs,
} from './protocol.js';

export const AGENT_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

export interface AgentStartOptions {
  /** Namespace to run in. */
  netns: string;
  /** The name the agent answers with. */
  name: string;
  /** Directory for default capture files; default /tmp. */
  scratchDir?: string;
  /** How long to wait for the agent's ready line; default 10 s. */
  startTimeoutMs?: number;
}

export interface CaptureResult extends CaptureStopResult {
  /** Every frame decoded with src/packet decodePacket, in capture order. */
  packets: DecodedPacket[];
  raw: Buffer[];
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = [12, 101];

function decodeFrame(linkType: number, frame: Buffer): DecodedPacket {
  if (linkType === LINKTYPE_ETHERNET) return decodePacket(frame);
  if (LINKTYPE_RAW.includes(linkType)) return decodePacket(frame, { first: frame[0]! >> 4 === 6 ? 'ipv6' : 'ipv4' });
  return { layers: [], checksums: [], error: { layer: 'pcap', offset: 0, message: `link type ${linkType} is not decoded` } };
}

interface Pending {
  op: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class AgentClient extends EventEmitter {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stderr = '';
  private exitInfo: string | null = null;
  readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly netns: string,
    private readonly child: ChildProcess,
  ) {
    super();
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = signal !== null ? `killed by ${signal}` : `exited with status ${code}`;
        const why = new Error(`agent '${name}' in ${netns} ${this.exitInfo}${this.stderrTail()}`);
        for (const p of this.pending.values()) p.reject(why);
        this.pending.clear();
        resolve();
      });
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private stderrTail(): string {
    const tail = this.stderr.trim();
    return tail === '' ? '' : `; stderr: ${tail}`;
  }

  static async start(options: AgentStartOptions): Promise<AgentClient> {
    const extra = options.scratchDir !== undefined ? ['--scratch', options.scratchDir] : [];
    const child = spawn('ip', ['netns', 'exec', options.netns, process.execPath, AGENT_MAIN, '--name', options.name, ...extra], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const agent = new AgentClient(options.name, options.netns, child);
    const timeoutMs = options.startTimeoutMs ?? 10_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`agent '${options.name}' in ${options.netns} sent no ready line within ${timeoutMs} ms${agent.stderrTail()}`));
      }, timeoutMs);
      agent.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
      void agent.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`agent '${options.name}' in ${options.netns} ${agent.exitInfo} before it was ready${agent.stderrTail()}`));
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    return agent;
  }

  private onLine(line: string): void {
    let msg: Response | AgentEvent;
    try {
      msg = JSON.parse(line) as Response | AgentEvent;
    } catch {
      this.emit('garbage', line);
      return;
    }
    if ('event' in msg) {
      this.emit(msg.event, msg);
      this.emit('event', msg);
      return;
    }
    const pending = this.pending.get(msg.id);
    if (pending === undefined) return;
    this.pending.delete(msg.id);
    if (msg.ok) pending.resolve(msg.result);
    else pending.reject(new Error(`agent '${this.name}' ${pending.op}: ${msg.error}`));
  }

  /** Sends one request; resolves with its result or rejects with the agent's error. */
  request<T>(op: string, args: object = {}): Promise<T> {
    if (this.exitInfo !== null) return Promise.reject(new Error(`agent '${this.name}' ${this.exitInfo}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { op, resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin!.write(JSON.stringify({ ...args, id, op }) + '\n');
    });
  }

  tcpServer(args: ServerArgs): Promise<ServerResult> {
    return this.request('tcp-server', args);
  }

  udpServer(args: ServerArgs): Promise<ServerResult> {
    return this.request('udp-server', args);
  }

  /** HTTP: every request is answered with the agent's name as the body. */
  httpServer(args: ServerArgs): Promise<ServerResult> {
    return this.request('http-server', args);
  }

  /** Bulk uploads: answers "<name> <bytes received>" when the client half-closes. */
  bulkServer(args: ServerArgs): Promise<ServerResult> {
    return this.request('bulk-server', args);
  }

  /** Uploads args.bytes on one connection and reads the server's count back. */
  bulkClient(args: BulkClientArgs): Promise<BulkReport> {
    return this.request('bulk-client', args);
  }

  stopServer(serverId: string): Promise<{ stopped: string }> {
    return this.request('stop-server', { serverId });
  }

  tcpClient(args: TcpClientArgs): Promise<ClientReport> {
    return this.request('tcp-client', args);
  }

  udpClient(args: UdpClientArgs): Promise<ClientReport> {
    return this.request('udp-client', args);
  }

  rawSend(packets: Buffer[]): Promise<SendResult> {
    return this.request('raw-send', { packets: packets.map((p) => p.toString('hex')) });
  }

  l2Send(ifname: string, frames: Buffer[]): Promise<SendResult> {
    return this.request('l2-send', { ifname, frames: frames.map((f) => f.toString('hex')) });
  }

  captureStart(args: CaptureStartArgs): Promise<CaptureStartResult> {
    return this.request('capture-start', args);
  }

  async captureStop(captureId: string): Promise<CaptureResult> {
    const result = await this.request<CaptureStopResult>('capture-stop', { captureId });
    const raw = result.frames.map((f) => Buffer.from(f.data, 'hex'));
    return { ...result, raw, packets: raw.map((r) => decodeFrame(result.linkType, r)) };
  }

  sctpServer(args: SctpServerArgs): Promise<ServerResult> {
    return this.request('sctp-server', args);
  }

  /** Opens one association, exchanges `messages` DATA messages (each answered by the
   *  server's name), then shuts down, aborts or keeps it. */
  sctpClient(args: SctpClientArgs): Promise<SctpClientReport> {
    return this.request('sctp-client', args);
  }

  /** Every SCTP peer of the agent with its associations' state, tags and counters. */
  sctpStatus(): Promise<{ peers: SctpPeerStatus[] }> {
    return this.request('sctp-status');
  }

  /** Asks the agent to stop everything and exit; kills it if it does not within 2 s. */
  async close(): Promise<void> {
    if (this.exitInfo !== null) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    try {
      this.child.stdin!.end();
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.exitInfo === null) this.child.kill('SIGKILL');
  }
}
