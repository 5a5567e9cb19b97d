// Captures with tcpdump inside the agent's namespace. capture-start returns only once
// tcpdump says it is listening, so nothing sent afterwards is missed.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { readPcapRecords } from './pcap-records.js';
import type { CaptureStartArgs, CaptureStartResult, CaptureStopResult } from './protocol.js';

interface Running {
  child: ChildProcess;
  file: string;
  exited: Promise<number | null>;
}

export class Captures {
  private readonly running = new Map<string, Running>();
  private counter = 0;

  constructor(private readonly scratchDir: string) {}

  async start(args: CaptureStartArgs): Promise<CaptureStartResult> {
    if (typeof args.ifname !== 'string' || args.ifname === '')
      throw new Error(`ifname: ${JSON.stringify(args.ifname)} is not an interface name`);
    if (args.filter !== undefined && typeof args.filter !== 'string') throw new Error('filter: must be a string');
    const n = ++this.counter;
    const file = args.file ?? `${this.scratchDir}/capture-${process.pid}-${n}.pcap`;
    const snaplen = String(args.snaplen ?? 65535);
    const argv = ['-i', args.ifname, '-w', file, '-U', '--immediate-mode', '-n', '-Z', 'root', '-s', snaplen];
    if (args.filter !== undefined && args.filter !== '') argv.push(args.filter);
    const child = spawn('tcpdump', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('listening on')) resolve();
      });
      child.once('error', (err) => reject(new Error(`tcpdump could not start: ${err.message}`)));
      void exited.then((code) => reject(new Error(`tcpdump exited (${code}) before listening: ${stderr.trim()}`)));
    });
    const captureId = `capture-${n}`;
    this.running.set(captureId, { child, file, exited });
    return { captureId, file };
  }

  /** Waits until the pcap stops growing, so packets still in flight are written. */
  private async settle(file: string): Promise<void> {
    let last = -1;
    for (let i = 0; i < 20; i++) {
      const size = (await stat(file).catch(() => ({ size: -1 }))).size;
      if (size === last) return;
      last = size;
      await sleep(50);
    }
  }

  async stop(captureId: unknown): Promise<CaptureStopResult> {
    const running = typeof captureId === 'string' ? this.running.get(captureId) : undefined;
    if (running === undefined) throw new Error(`captureId: no running capture ${JSON.stringify(captureId)}`);
    this.running.delete(captureId as string);
    await this.settle(running.file);
    running.child.kill('SIGINT');
    await running.exited;
    const records = readPcapRecords(await readFile(running.file));
    return { file: running.file, linkType: records.linkType, frames: records.frames };
  }

  stopAll(): void {
    for (const r of this.running.values()) r.child.kill('SIGKILL');
    this.running.clear();
  }
}
