// Two network namespaces joined by one veth, made with plain `ip`, for tests that need the
// real kernel stack. Names follow the project convention (fp-<pid>-<hex>) and are removed on
// destroy() and, as a last resort, at process exit.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface NetnsPair {
  a: string;
  b: string;
  /** Interface name inside both namespaces. */
  dev: string;
  v4: { a: string; b: string };
  v6: { a: string; b: string };
  destroy(): void;
}

const live = new Set<string>();
function removeLive(): void {
  for (const ns of live) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
  live.clear();
}
process.on('exit', removeLive);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    removeLive();
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

const PAIR_NAME = /^fp-(\d+)-[0-9a-f]{6}-[ab]$/;

/** Pairs left by a test process that was killed outright (SIGKILL skips every handler). */
function sweepStalePairs(): void {
  const out = execFileSync('ip', ['-j', 'netns', 'list'], { encoding: 'utf8' }).trim();
  const names = out ? (JSON.parse(out) as { name: string }[]).map((n) => n.name) : [];
  for (const name of names) {
    const m = PAIR_NAME.exec(name);
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    try {
      ip('netns', 'del', name);
    } catch {
      /* raced with another sweeper */
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Why namespace tests cannot run here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'needs iproute2 and tcpdump';
  }
  return undefined;
}

function macOf(ns: string, dev: string): string {
  const out = execFileSync('ip', ['-n', ns, '-j', 'link', 'show', dev], { encoding: 'utf8' });
  return (JSON.parse(out) as { address: string }[])[0]!.address;
}

export function hasEthtool(): boolean {
  try {
    execFileSync('ethtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * staticNeighbours: permanent ARP/ND entries both ways, so no resolution traffic or delay.
 * txChecksumOffload false: `ethtool -K eth0 tx off` on both ends, so the stack finishes every
 * TCP/UDP checksum itself instead of leaving veth a partial one (needs ethtool).
 */
export function createPair(subnet: number, opts: { staticNeighbours?: boolean; txChecksumOffload?: boolean } = {}): NetnsPair {
  sweepStalePairs();
  const unique = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const a = `fp-${unique}-a`;
  const b = `fp-${unique}-b`;
  const dev = 'eth0';
  const v4 = { a: `10.${subnet}.0.1`, b: `10.${subnet}.0.2` };
  const v6 = { a: `fd00:${subnet}::1`, b: `fd00:${subnet}::2` };
  const destroy = (): void => {
    for (const ns of [a, b]) {
      if (!live.has(ns)) continue;
      try {
        ip('netns', 'del', ns);
      } catch {
        /* already gone */
      }
      live.delete(ns);
    }
  };
  try {
    for (const ns of [a, b]) {
      ip('netns', 'add', ns);
      live.add(ns);
    }
    const tmpA = `fp${randomBytes(4).toString('hex')}a`;
    const tmpB = `fp${randomBytes(4).toString('hex')}b`;
    ip('link', 'add', tmpA, 'netns', a, 'type', 'veth', 'peer', 'name', tmpB, 'netns', b);
    ip('-n', a, 'link', 'set', tmpA, 'name', dev);
    ip('-n', b, 'link', 'set', tmpB, 'name', dev);
    for (const [ns, addr4, addr6] of [
      [a, v4.a, v6.a],
      [b, v4.b, v6.b],
    ] as const) {
      ip('-n', ns, 'addr', 'add', `${addr4}/24`, 'dev', dev);
      ip('-n', ns, 'addr', 'add', `${addr6}/64`, 'dev', dev, 'nodad');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
    if (opts.txChecksumOffload === false) {
      for (const ns of [a, b])
        execFileSync('ip', ['netns', 'exec', ns, 'ethtool', '-K', dev, 'tx', 'off'], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    if (opts.staticNeighbours) {
      const macA = macOf(a, dev);
      const macB = macOf(b, dev);
      for (const [ns, peer4, peer6, mac] of [
        [a, v4.b, v6.b, macB],
        [b, v4.a, v6.a, macA],
      ] as const) {
        ip('-n', ns, 'neigh', 'replace', peer4, 'lladdr', mac, 'dev', dev, 'nud', 'permanent');
        ip('-n', ns, 'neigh', 'replace', peer6, 'lladdr', mac, 'dev', dev, 'nud', 'permanent');
      }
    }
  } catch (e) {
    destroy();
    throw e;
  }
  return { a, b, dev, v4, v6, destroy };
}

export interface Capture {
  stop(): Promise<void>;
}

/** tcpdump -w in a namespace; resolves once it is listening. */
export function startCapture(ns: string, dev: string, file: string, filter: string[] = []): Promise<Capture> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      'ip',
      ['netns', 'exec', ns, 'tcpdump', '-i', dev, '--immediate-mode', '-U', '-n', '-w', file, ...filter],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    const onExit = (code: number | null): void => reject(new Error(`tcpdump in ${ns} exited (${code}) before listening: ${err}`));
    child.once('exit', onExit);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) {
        child.off('exit', onExit);
        resolve({
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) {
                done();
                return;
              }
              child.once('exit', () => done());
              child.kill('SIGINT');
            }),
        });
      }
    });
    process.once('exit', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
  });
}

/** Run `node <script> args` inside a namespace; resolves with stdout, rejects on failure. */
export function runInNs(ns: string, script: string, args: string[], timeoutMs = 20000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${script} ${args.join(' ')} in ${ns} exited ${code}: ${err}`));
    });
  });
}

export interface Service {
  stop(): Promise<void>;
}

/** Start `node <script> args` in a namespace; resolves when it prints `ready`. stop() closes its stdin. */
export function startInNs(ns: string, script: string, args: string[]): Promise<Service> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const onExit = (code: number | null): void => reject(new Error(`${script} in ${ns} exited ${code} before ready: ${err}`));
    child.once('exit', onExit);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) {
        child.off('exit', onExit);
        resolve({
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) {
                done();
                return;
              }
              const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
              child.once('exit', () => {
                clearTimeout(timer);
                done();
              });
              child.stdin.end();
            }),
        });
      }
    });
    process.once('exit', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
  });
}
