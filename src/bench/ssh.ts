// The OpenSSH client as the harness uses it to drive a remote DUT: never a prompt
// (BatchMode), the user's -o options, remote commands quoted for the remote shell, and
// failures of ssh itself (exit 255: unreachable host, refused key) told apart from the
// remote command's own.
import { spawn, type ChildProcess } from 'node:child_process';

export interface SshTarget {
  user?: string;
  host: string;
  port?: number;
}

export interface SshSession {
  target: SshTarget;
  /** ssh -o KEY=VALUE options, in order; BatchMode=yes always comes first. */
  options: string[];
}

/** ssh://[user@]host[:port], host a name, an IPv4 address or [an IPv6 address]. */
export function parseSshUrl(text: string): SshTarget {
  const m = /^ssh:\/\/(?:([A-Za-z0-9._][A-Za-z0-9._-]*)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?\/?$/.exec(text);
  if (m === null) throw new Error(`expected ssh://user@host[:port], got '${text}'`);
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`port ${port} is out of range 1..65535`);
  return { ...(m[1] !== undefined ? { user: m[1] } : {}), host: m[2]!.replace(/^\[|\]$/g, ''), ...(port !== undefined ? { port } : {}) };
}

export function sshUrl(t: SshTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `ssh://${t.user !== undefined ? `${t.user}@` : ''}${host}${t.port !== undefined ? `:${t.port}` : ''}`;
}

/** One word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function sshArgv(s: SshSession, command: string): string[] {
  // For each option ssh keeps the first value it is given: BatchMode is not negotiable,
  // the user's options come before our defaults so they can override them.
  const options = ['BatchMode=yes', ...s.options, 'ConnectTimeout=10', 'ServerAliveInterval=5', 'ServerAliveCountMax=3'];
  return [
    ...options.flatMap((o) => ['-o', o]),
    ...(s.target.port !== undefined ? ['-p', String(s.target.port)] : []),
    '--',
    `${s.target.user !== undefined ? `${s.target.user}@` : ''}${s.target.host}`,
    command,
  ];
}

export function spawnSsh(s: SshSession, command: string): ChildProcess {
  return spawn('ssh', sshArgv(s, command), { stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface SshResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs command on the target with `input` on its stdin; resolves when ssh exits. */
export function runSsh(s: SshSession, command: string, input = '', timeoutMs = 60_000): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const child = spawnSsh(s, command);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ssh: ${e.message}`));
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin!.on('error', () => {
      /* the remote side closed early; its exit says why */
    });
    child.stdin!.end(input);
  });
}

/** Why ssh itself failed (exit 255), in words, or undefined when it did not. */
export function sshFailure(r: SshResult, s: SshSession): string | undefined {
  if (r.status !== 255) return undefined;
  const said = r.stderr
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .slice(-3)
    .join('; ');
  const where = sshUrl(s.target);
  if (/Permission denied|Too many authentication failures|no matching host key|Host key verification failed/i.test(r.stderr)) {
    return `${where}: authentication failed (ssh runs with BatchMode=yes: a key the DUT accepts, and its host key known; --ssh-option passes ssh -o options): ${said}`;
  }
  if (
    /Connection refused|timed out|No route to host|Could not resolve|Network is unreachable|Connection closed|Connection reset/i.test(
      r.stderr,
    )
  ) {
    return `${where}: host unreachable: ${said}`;
  }
  return `${where}: ssh failed: ${said || 'exit 255'}`;
}
