// The environment a benchmark ran in, recorded beside its numbers: two result files are
// only comparable when their fingerprints say so. Every probe is best effort and yields
// null (never a guess) when the information is not readable here.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { repoRoot } from './paths.js';

export interface Fingerprint {
  hostname: string;
  /** uname -r */
  kernel: string | null;
  cpu: { model: string | null; count: number | null };
  /** First line of `clang-19 --version`. */
  clang: string | null;
  /** The addon's libbpf version, else the libbpf-dev package version. */
  libbpf: string | null;
  node: string;
  git: { commit: string | null; dirty: boolean | null };
  /** /proc/sys/net/core/bpf_jit_{enable,harden,kallsyms}. */
  jit: { enable: number | null; harden: number | null; kallsyms: number | null };
  /** cpufreq scaling governor of cpu0 (null on VMs without cpufreq). */
  governor: string | null;
}

export interface FingerprintOptions {
  /** libbpf version reported by the loaded addon (preferred over the package version). */
  libbpfVersion?: string;
  /** Repository whose commit is recorded (default: this checkout). */
  repoDir?: string;
}

function command(file: string, args: string[], cwd?: string): string | null {
  try {
    return execFileSync(file, args, { cwd, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function readTrimmed(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function readInteger(path: string): number | null {
  const text = readTrimmed(path);
  return text !== null && /^-?\d+$/.test(text) ? Number(text) : null;
}

export function parseCpuinfo(text: string): { model: string | null; count: number | null } {
  let model: string | null = null;
  let count = 0;
  for (const line of text.split('\n')) {
    const [key = '', ...rest] = line.split(':');
    const name = key.trim();
    if (name === 'processor') count++;
    if (model === null && (name === 'model name' || name === 'Model')) model = rest.join(':').trim();
  }
  return { model, count: count > 0 ? count : null };
}

async function addonLibbpfVersion(): Promise<string | null> {
  // A computed specifier: the addon may not be built, and the fingerprint must not need it.
  const specifier = new URL('../../native/index.js', import.meta.url).href;
  try {
    const addon = (await import(specifier)) as { libbpfVersion?: unknown };
    return typeof addon.libbpfVersion === 'string' ? addon.libbpfVersion : null;
  } catch {
    return null;
  }
}

export async function collectFingerprint(options: FingerprintOptions = {}): Promise<Fingerprint> {
  const repoDir = options.repoDir ?? repoRoot;
  const cpuinfo = readTrimmed('/proc/cpuinfo');
  const commit = command('git', ['rev-parse', 'HEAD'], repoDir);
  const status = commit === null ? null : command('git', ['status', '--porcelain', '--untracked-files=no'], repoDir);
  const clang = command('clang-19', ['--version']);
  const libbpf = options.libbpfVersion ?? (await addonLibbpfVersion()) ?? command('dpkg-query', ['-W', '-f=${Version}', 'libbpf-dev']);
  return {
    hostname: hostname(),
    kernel: command('uname', ['-r']),
    cpu: cpuinfo === null ? { model: null, count: null } : parseCpuinfo(cpuinfo),
    clang: clang === null ? null : clang.split('\n')[0]!,
    libbpf: libbpf === '' ? null : libbpf,
    node: process.version,
    git: { commit, dirty: status === null ? null : status !== '' },
    jit: {
      enable: readInteger('/proc/sys/net/core/bpf_jit_enable'),
      harden: readInteger('/proc/sys/net/core/bpf_jit_harden'),
      kallsyms: readInteger('/proc/sys/net/core/bpf_jit_kallsyms'),
    },
    governor: readTrimmed('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor'),
  };
}
