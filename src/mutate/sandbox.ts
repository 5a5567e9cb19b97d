// A mutant's own checkout: a copy of dist/ (the control-plane mutants edit it), a copy of
// bpf/ built into its own build/bpf/fastpath.bpf.o with the Makefile's flags, and links to
// what no mutant changes (node_modules, the addon, scenarios, topologies, test fixtures).
// Code run from it resolves everything relative to it, so mutants run side by side.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Mutant, applyMutant } from './mutants.js';

export const CLANG = process.env.CLANG ?? 'clang-19';

const run = promisify(execFile);
const BIG = { encoding: 'utf8' as const, maxBuffer: 256 * 1024 * 1024 };

/** The Makefile's BPF_CFLAGS with the include directory of the given tree. */
export function bpfFlags(bpfDir: string): string[] {
  const arch = (() => {
    try {
      return execFileSync('gcc', ['-dumpmachine'], { encoding: 'utf8' }).trim();
    } catch {
      return 'x86_64-linux-gnu';
    }
  })();
  return ['-target', 'bpf', '-O2', '-g', '-Wall', '-Werror', '-I', join(bpfDir, 'include'), '-I', `/usr/include/${arch}`];
}

export interface Sandbox {
  dir: string;
  object: string;
}

/** What every mutant of a run starts from: dist/, bpf/ and build/bpf/ (its
 * fastpath.bpf.o built from this bpf/), fixed for the run whatever happens to the checkout. */
export interface Base {
  dir: string;
  /** codeDigest of the unmutated object. */
  digest: string;
}

/** Files no mutant changes: linked from the checkout. */
const LINKED = ['node_modules', 'native', 'netns', 'test', 'package.json'];

/**
 * Lays out the run's base in dir: the checkout's dist/ and build/bpf/, the run's source
 * snapshot (bpf/ and the control-plane modules) over them, the object rebuilt from it.
 */
export async function makeBase(root: string, snapshot: string, dir: string): Promise<Base> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'build'), { recursive: true });
  cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(root, 'scenarios'), join(dir, 'scenarios'), { recursive: true });
  cpSync(join(root, 'build', 'bpf'), join(dir, 'build', 'bpf'), { recursive: true });
  cpSync(snapshot, dir, { recursive: true });
  const sb = { dir, object: join(dir, 'build', 'bpf', 'fastpath.bpf.o') };
  const err = await buildObject(sb);
  if (err !== null) throw new Error(`the unmutated datapath does not build:\n${err}`);
  return { dir, digest: await codeDigest(sb.object) };
}

/** Lays out the sandbox for m (the edit applied) from the base. */
export function makeSandbox(root: string, base: Base, dir: string, m: Mutant): Sandbox {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'build'), { recursive: true });
  for (const name of LINKED) symlinkSync(join(root, name), join(dir, name));
  symlinkSync(join(root, 'build', 'test-bpf'), join(dir, 'build', 'test-bpf'));
  symlinkSync(join(base.dir, 'scenarios'), join(dir, 'scenarios'));
  for (const d of ['dist', 'bpf', join('build', 'bpf')]) cpSync(join(base.dir, d), join(dir, d), { recursive: true });
  const target = join(dir, m.file);
  writeFileSync(target, applyMutant(readFileSync(target, 'utf8'), m));
  return { dir, object: join(dir, 'build', 'bpf', 'fastpath.bpf.o') };
}

/** Copies what mutants are made from (bpf/ and the control-plane modules) to dir. */
export function snapshotSources(root: string, dir: string, files: readonly string[]): void {
  cpSync(join(root, 'bpf'), join(dir, 'bpf'), { recursive: true });
  for (const f of files) cpSync(join(root, f), join(dir, f));
}

/** Builds the sandbox's object from its bpf/ copy: null, or the compiler's complaint. */
export async function buildObject(sb: Sandbox): Promise<string | null> {
  const bpfDir = join(sb.dir, 'bpf');
  try {
    await run(CLANG, [...bpfFlags(bpfDir), '-c', join(bpfDir, 'fastpath.bpf.c'), '-o', sb.object], BIG);
    return null;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return (err.stderr ?? err.message).trim().split('\n').slice(0, 12).join('\n');
  }
}

/**
 * A digest of what the kernel gets from the object: every section but the debug info and
 * the BTF (whose strings hold the source lines, changed by any edit), plus the BTF types
 * (map definitions: type, key, value, max_entries). Equal digests: the same programs,
 * data and maps.
 */
export async function codeDigest(object: string): Promise<string> {
  const stripped = join(tmpdir(), `fastpath-mutate-digest-${process.pid}-${randomBytes(4).toString('hex')}.o`);
  try {
    const drop = ['.BTF', '.BTF.ext', '.rel.BTF', '.rel.BTF.ext'].flatMap((s) => ['--remove-section', s]);
    await run('llvm-objcopy', ['--strip-debug', ...drop, object, stripped], BIG);
    const { stdout: types } = await run('bpftool', ['btf', 'dump', 'file', object, 'format', 'raw'], BIG);
    return createHash('sha256').update(readFileSync(stripped)).update('\0').update(types).digest('hex');
  } finally {
    rmSync(stripped, { force: true });
  }
}
