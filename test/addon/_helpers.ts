// Shared scaffolding for the addon tests: unique names, namespace pairs joined by a veth,
// bpffs pin roots, Ethernet frames, and the paths of the compiled fixtures.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import type { NativeError } from '../../native/index.js';

/** Repository root (this file runs as dist/test/addon/_helpers.js). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Path of a compiled fixture, e.g. fixture('counter') -> build/test-bpf/counter.bpf.o. */
export function fixture(name: string): string {
  return join(repoRoot, 'build', 'test-bpf', `${name}.bpf.o`);
}

/** pid + random hex: unique across concurrent runs, short enough for interface names. */
export function uniqueTag(): string {
  return `${process.pid.toString(16)}${randomBytes(2).toString('hex')}`;
}

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// Cleanups still owed. t.teardown runs them on success and failure; this registry also runs
// them when the worker is killed (Ctrl-C, ava's timeout) or exits before teardown.
const owedCleanups = new Set<() => void>();
let exitHooksInstalled = false;

function runOwedCleanups(): void {
  for (const cleanup of [...owedCleanups]) {
    owedCleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // keep going: the remaining cleanups matter more than this error
    }
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', runOwedCleanups);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      runOwedCleanups();
      process.kill(process.pid, signal);
    });
  }
}

/** Runs cleanup in t.teardown, or at process exit / on a fatal signal if that comes first. */
export function cleanupLater(t: ExecutionContext, cleanup: () => void): void {
  installExitHooks();
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    owedCleanups.delete(once);
    cleanup();
  };
  owedCleanups.add(once);
  t.teardown(once);
}

export interface VethPair {
  /** Namespace holding `a` (where programs are attached). */
  nsA: string;
  /** Namespace holding `b` (the traffic source). */
  nsB: string;
  a: string;
  b: string;
}

/** Two fresh namespaces fp-<tag>-a / fp-<tag>-b joined by veth a <-> b, both up, IPv6 off
 *  (so the kernel sends nothing of its own on the link). Removed in t.teardown. */
export function makeVethPair(t: ExecutionContext): VethPair {
  const tag = uniqueTag();
  const pair: VethPair = { nsA: `fp-${tag}-a`, nsB: `fp-${tag}-b`, a: `fpa${tag}`, b: `fpb${tag}` };
  cleanupLater(t, () => removeNamespaces(pair));
  try {
    for (const ns of [pair.nsA, pair.nsB]) {
      run('ip', ['netns', 'add', ns]);
      run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    }
    run('ip', ['-n', pair.nsA, 'link', 'add', pair.a, 'type', 'veth', 'peer', 'name', pair.b, 'netns', pair.nsB]);
    run('ip', ['-n', pair.nsA, 'link', 'set', pair.a, 'up']);
    run('ip', ['-n', pair.nsB, 'link', 'set', pair.b, 'up']);
  } catch (err) {
    removeNamespaces(pair);
    throw err;
  }
  return pair;
}

function removeNamespaces(pair: VethPair): void {
  for (const ns of [pair.nsA, pair.nsB]) {
    if (existsSync(`/run/netns/${ns}`)) run('ip', ['netns', 'del', ns]);
  }
}

/** A bpffs pin root /sys/fs/bpf/fastpath-<tag>, removed in t.teardown. */
export function makePinRoot(t: ExecutionContext): string {
  const dir = `/sys/fs/bpf/fastpath-${uniqueTag()}`;
  cleanupLater(t, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A locally administered EtherType for test frames, so nothing else is counted with it. */
export const TEST_ETHERTYPE = 0x88b5;

/** A 60-byte broadcast frame with EtherType `etherType` and a payload marked with `seq`. */
export function testFrame(seq: number, etherType = TEST_ETHERTYPE): Buffer {
  const frame = Buffer.alloc(60);
  frame.fill(0xff, 0, 6);
  Buffer.from([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]).copy(frame, 6);
  frame.writeUInt16BE(etherType, 12);
  frame.writeUInt32BE(seq, 14);
  return frame;
}

/** u32 little-endian key. */
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

export function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
}

/** Sum of a per-CPU u64 counter (null -> 0). */
export function sumPerCpu(values: Buffer[] | null): bigint {
  return (values ?? []).reduce((acc, v) => acc + v.readBigUInt64LE(0), 0n);
}

/** Asserts fn throws a NativeError with the given code whose message contains `text`. */
export function throwsNative(t: ExecutionContext, fn: () => unknown, code: string, text: string | RegExp): NativeError {
  const err = t.throws(fn) as NativeError | undefined;
  if (err === undefined) throw new Error('expected an exception');
  t.is(err.name, 'NativeError');
  t.is(err.code, code, err.message);
  if (typeof text === 'string') t.true(err.message.includes(text), `message was: ${err.message}`);
  else t.regex(err.message, text);
  return err;
}
