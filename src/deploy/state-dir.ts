// Where a running `dp up` keeps what other commands need to find it: one directory under
// /run/fastpath per pin root, holding its lock (the pid), what it brought up, the
// configuration it applied and its control socket. One daemon per pin root; a lock whose
// process is gone is stale and is taken over after cleaning up.
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatapathState } from '../config/datapath-model.js';

export const STATE_BASE = process.env.FASTPATH_STATE_DIR ?? '/run/fastpath/dp';

/** What a daemon brought up: enough for another process to clean up after it. */
export interface DaemonRecord {
  pid: number;
  pinRoot: string;
  netns?: string;
  configFile: string;
  keepState: boolean;
  /** Interfaces attached, with the XDP mode and whether a fastpath daemon created the
   *  clsact qdisc there (so the last one down removes it). */
  attached: { ifname: string; xdp?: 'driver' | 'generic'; egress: boolean; createdQdisc: boolean }[];
  startedAt: string;
}

export function stateDirOf(pinRoot: string): string {
  return join(STATE_BASE, pinRoot.replace(/^\/+/, '').replace(/\//g, '-'));
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class StateDir {
  readonly dir: string;

  constructor(readonly pinRoot: string) {
    this.dir = stateDirOf(pinRoot);
  }

  get lockFile(): string {
    return join(this.dir, 'lock');
  }
  get recordFile(): string {
    return join(this.dir, 'daemon.json');
  }
  get appliedFile(): string {
    return join(this.dir, 'applied.json');
  }
  get socket(): string {
    return join(this.dir, 'control.sock');
  }

  /** The pid in the lock file, if any. */
  lockHolder(): number | undefined {
    try {
      const pid = Number(readFileSync(this.lockFile, 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** The live daemon on this pin root, or undefined. */
  liveDaemon(): number | undefined {
    const pid = this.lockHolder();
    return pid !== undefined && processAlive(pid) ? pid : undefined;
  }

  /** Takes the lock for this process; throws when a live daemon holds it. Returns the
   *  record of a dead holder (stale lock) for the caller to clean up after. */
  acquire(): DaemonRecord | undefined {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (let attempt = 0; attempt < 2; attempt++) {
      if (this.tryLock()) return undefined;
      const holder = this.lockHolder();
      if (holder !== undefined && processAlive(holder) && holder !== process.pid) {
        throw new Error(
          `pin root ${this.pinRoot}: fastpath dp up is already running (pid ${holder}); stop it with fastpath dp down --pin-root ${this.pinRoot}`,
        );
      }
      const stale = this.record();
      rmSync(this.lockFile, { force: true });
      rmSync(this.socket, { force: true });
      if (attempt === 0 && stale !== undefined) {
        this.takeLock();
        return stale;
      }
    }
    this.takeLock();
    return undefined;
  }

  /** The lock file appears whole, with our pid, or not at all (a sweep reading it never
   *  sees it empty): written aside, then linked into place, which fails if one exists. */
  private tryLock(): boolean {
    const aside = `${this.lockFile}.${process.pid}`;
    writeFileSync(aside, `${process.pid}\n`, { mode: 0o600 });
    try {
      linkSync(aside, this.lockFile);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      return false;
    } finally {
      rmSync(aside, { force: true });
    }
  }

  private takeLock(): void {
    if (!this.tryLock()) throw new Error(`pin root ${this.pinRoot}: another fastpath dp up took the lock at the same time`);
  }

  record(): DaemonRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.recordFile, 'utf8')) as DaemonRecord;
    } catch {
      return undefined;
    }
  }

  writeRecord(r: DaemonRecord): void {
    writeFileSync(this.recordFile, `${JSON.stringify(r, null, 2)}\n`);
  }

  applied(): DatapathState | undefined {
    if (!existsSync(this.appliedFile)) return undefined;
    return JSON.parse(readFileSync(this.appliedFile, 'utf8')) as DatapathState;
  }

  writeApplied(state: DatapathState): void {
    // Written whole or not at all: a crash mid-write leaves the previous file.
    writeFileSync(`${this.appliedFile}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(`${this.appliedFile}.tmp`, this.appliedFile);
  }

  /** Everything but what a kept state needs (the applied configuration and the record). */
  release(keepState: boolean): void {
    rmSync(this.socket, { force: true });
    if (!keepState) rmSync(this.dir, { recursive: true, force: true });
    else rmSync(this.lockFile, { force: true });
  }
}

/** The state directories of daemons whose lock holder is gone. A directory without a
 *  record belongs to a daemon that died before writing it (nothing attached yet): it is
 *  removed here. A live daemon's directory is never touched, however far it has come. */
export function deadStateDirs(): StateDir[] {
  let names: string[];
  try {
    names = readdirSync(STATE_BASE);
  } catch {
    return [];
  }
  const out: StateDir[] = [];
  for (const name of names) {
    const dir = join(STATE_BASE, name);
    let holder: number | undefined;
    try {
      holder = Number(readFileSync(join(dir, 'lock'), 'utf8').trim());
    } catch {
      holder = undefined;
    }
    if (holder !== undefined && Number.isInteger(holder) && holder > 0 && processAlive(holder)) continue;
    // No lock yet: a daemon between creating the directory and taking the lock.
    if (holder === undefined && Date.now() - statSync(dir).mtimeMs < 60_000) continue;
    try {
      const r = JSON.parse(readFileSync(join(dir, 'daemon.json'), 'utf8')) as DaemonRecord;
      out.push(new StateDir(r.pinRoot));
    } catch {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}
