// `bench wire --dut ssh://…`: the DUT's datapath runs on another host for the length of a
// run. Over SSH: the config file is copied there (through ssh's stdin), the DUT's
// fingerprint collected (`fastpath bench fingerprint`), `fastpath dp up` started and
// awaited until it says it is up; afterwards `fastpath dp down` over a second session,
// then the first session is awaited. The remote shell also stops dp up when the first
// session's stdin closes, so a harness that dies (or loses the link) leaves nothing
// running on the DUT either.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import type { Fingerprint } from './fingerprint.js';
import type { DutRecord } from './result-types.js';
import { parseSshUrl, runSsh, shellQuote, spawnSsh, sshFailure, sshUrl, type SshSession, type SshTarget } from './ssh.js';

export interface DutArgs {
  target: SshTarget;
  /** The dp up config file, here. */
  config: string;
  pinRoot?: string;
  /** The fastpath command on the DUT. */
  fastpath: string;
  sshOptions: string[];
}

export function parseDutTarget(text: string): SshTarget {
  return parseSshUrl(text);
}

const READY = /^\S+ up /;
const READY_TIMEOUT_MS = 120_000;
const EXIT_TIMEOUT_MS = 30_000;

// $0 fastpath, $1 config, $2 pin root. dp up runs in the background with the session's
// stdin kept on fd 3 for the watcher, which stops it when that stdin ends; the shell
// waits for dp up, removes the copied config and exits with dp up's status.
const UP_SCRIPT = [
  'exec 3<&0',
  '"$0" dp up "$1" --pin-root "$2" </dev/null 3<&- & p=$!',
  '{ cat <&3 >/dev/null 2>&1; kill -TERM $p 2>/dev/null; } & w=$!',
  'exec 3<&-',
  'wait $p; s=$?',
  'kill $w 2>/dev/null',
  'rm -f "$1"',
  'exit $s',
].join('\n');

function remote(words: string[]): string {
  return words.map(shellQuote).join(' ');
}

class DutError extends Error {}

function explain(
  session: SshSession,
  r: { status: number | null; stdout: string; stderr: string },
  what: string,
  fastpath: string,
): DutError {
  const failure = sshFailure(r, session);
  if (failure !== undefined) return new DutError(`--dut ${failure}`);
  const said = r.stderr.trim() || r.stdout.trim();
  const hint = r.status === 127 ? ` ('${fastpath}' is not on the DUT's PATH: install fastpath there or give --dut-fastpath PATH)` : '';
  return new DutError(
    `--dut ${sshUrl(session.target)}: ${what} failed (exit ${r.status ?? 'by a signal'})${hint}${said !== '' ? `:\n${said}` : ''}`,
  );
}

async function copyConfig(session: SshSession, local: string, fastpath: string): Promise<string> {
  let text: string;
  try {
    text = readFileSync(local, 'utf8');
  } catch (e) {
    throw new DutError(`--dut-config: cannot read ${local}: ${(e as Error).message}`);
  }
  const path = `/tmp/fastpath-dut-${randomBytes(6).toString('hex')}${extname(local) || '.yaml'}`;
  const r = await runSsh(session, `umask 077 && set -C && cat > ${path}`, text);
  if (r.status !== 0) throw explain(session, r, `copying ${local} to ${path}`, fastpath);
  return path;
}

async function dutFingerprint(session: SshSession, fastpath: string): Promise<Fingerprint> {
  const r = await runSsh(session, remote([fastpath, 'bench', 'fingerprint']));
  if (r.status !== 0) throw explain(session, r, `'${fastpath} bench fingerprint'`, fastpath);
  try {
    return JSON.parse(r.stdout) as Fingerprint;
  } catch {
    throw new DutError(`--dut ${sshUrl(session.target)}: '${fastpath} bench fingerprint' printed no JSON: ${r.stdout.slice(0, 200)}`);
  }
}

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** The session's output (dp up's log), newest last. */
  lines: string[];
}

function startUp(
  session: SshSession,
  fastpath: string,
  config: string,
  pinRoot: string,
  localConfig: string,
  log: (l: string) => void,
): { running: Running; ready: Promise<void> } {
  const child = spawnSsh(session, `sh -c ${shellQuote(UP_SCRIPT)} ${remote([fastpath, config, pinRoot])}`);
  child.stdin!.on('error', () => {
    /* the session ended; its exit status tells */
  });
  const lines: string[] = [];
  let up = false;
  let onReady: () => void = () => {};
  const take = (line: string): void => {
    // Problems name the copied file; the user knows it by its own name.
    const shown = line.split(config).join(localConfig);
    lines.push(shown);
    if (lines.length > 200) lines.shift();
    if (!up) log(`dut: ${shown}`);
    if (!up && READY.test(line)) {
      up = true;
      onReady();
    }
  };
  createInterface({ input: child.stdout! }).on('line', take);
  createInterface({ input: child.stderr! }).on('line', take);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new DutError(
            `--dut ${sshUrl(session.target)}: fastpath dp up did not say it was up within ${READY_TIMEOUT_MS / 1000} s:\n${lines.join('\n')}`,
          ),
        ),
      READY_TIMEOUT_MS,
    );
    onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    void exited.then((status) => {
      clearTimeout(timer);
      if (up) return;
      const r = { status, stdout: '', stderr: lines.join('\n') };
      reject(explain(session, r, `'fastpath dp up ${localConfig}'`, fastpath));
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new DutError(`cannot run ssh: ${e.message}`));
    });
  });
  return { running: { child, exited, lines }, ready };
}

function timeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Stops the remote dp up: dp down over a second session, then the first session's stdin
 *  closed (its watcher's signal, should dp down not have reached it) and its end awaited. */
async function stopUp(session: SshSession, fastpath: string, pinRoot: string, running: Running): Promise<string[]> {
  const problems: string[] = [];
  if (running.child.exitCode === null) {
    const down = await runSsh(session, remote([fastpath, 'dp', 'down', '--pin-root', pinRoot]), '', EXIT_TIMEOUT_MS);
    if (down.status !== 0 && running.child.exitCode === null)
      problems.push(explain(session, down, `'fastpath dp down --pin-root ${pinRoot}'`, fastpath).message);
  }
  running.child.stdin!.end();
  let status = await timeout(running.exited, EXIT_TIMEOUT_MS);
  if (status === 'timeout') {
    running.child.kill('SIGTERM');
    status = await timeout(running.exited, 5_000);
    problems.push(
      `--dut ${sshUrl(session.target)}: the dp up session did not end within ${EXIT_TIMEOUT_MS / 1000} s of dp down; ssh was stopped`,
    );
  }
  if (status !== 0 && status !== 'timeout')
    problems.push(
      `--dut ${sshUrl(session.target)}: fastpath dp up exited with ${status ?? 'a signal'}:\n${running.lines.slice(-10).join('\n')}`,
    );
  return problems;
}

/** Runs body while the DUT's datapath is up; the datapath is stopped whatever happens. */
export async function withRemoteDut<T>(a: DutArgs, log: (line: string) => void, body: (dut: DutRecord) => Promise<T>): Promise<T> {
  const session: SshSession = { target: a.target, options: a.sshOptions };
  const pinRoot = a.pinRoot ?? `/sys/fs/bpf/fastpath-bench-${randomBytes(4).toString('hex')}`;
  const environment = await dutFingerprint(session, a.fastpath);
  const config = await copyConfig(session, a.config, a.fastpath);
  log(`dut: ${sshUrl(a.target)}: fastpath dp up ${a.config} --pin-root ${pinRoot}`);
  const { running, ready } = startUp(session, a.fastpath, config, pinRoot, a.config, log);
  let result: T | undefined;
  let failure: Error | undefined;
  let upFailed = false;
  try {
    await ready.catch((e: unknown) => {
      upFailed = true;
      throw e;
    });
    result = await body({ target: sshUrl(a.target), config: a.config, pinRoot, environment });
  } catch (e) {
    failure = e instanceof Error ? e : new Error(String(e));
  }
  const problems = await stopUp(session, a.fastpath, pinRoot, running);
  // The session's shell removes it; not when ssh itself was cut short.
  await runSsh(session, `rm -f ${config}`, '', 15_000).catch(() => undefined);
  if (failure !== undefined) {
    if (problems.length > 0 && !upFailed) log(problems.join('\n'));
    throw failure;
  }
  if (problems.length > 0) throw new DutError(problems.join('\n'));
  log(`dut: ${sshUrl(a.target)}: fastpath dp down --pin-root ${pinRoot}: done`);
  return result as T;
}
