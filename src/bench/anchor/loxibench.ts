// Runs loxilb's anchor (DIR/run.sh: loxibench on loxilb's real TC object, in a scratch
// namespace of its own, pinned to one CPU) and reads its FPSTYLE lines: the cases timed
// with exactly `bench micro`'s statistic. A run whose verification failed or whose timed
// calls returned an unexpected verdict is refused, as ours would be.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ANCHOR_FILES = ['run.sh', 'loxibench', 'llb_ebpf_main.o'] as const;

/** The loxibench cases compared, by the FPSTYLE label loxibench prints. */
export const LOXI_CASES = {
  tcpFast: 'TCP est. fast path 64B (real rule)',
  udpFast: 'UDP est. fast path 64B (real rule)',
  tcpSyn: 'TCP SYN same 5-tuple, CT deleted per call',
} as const;
export type LoxiCase = keyof typeof LOXI_CASES;

export interface LoxiFigure {
  rawMedian: number;
  emptyMedian: number;
  netMedian: number;
}

/** null when DIR holds the whole anchor, else why it cannot run. */
export function anchorMissing(dir: string): string | null {
  const absent = ANCHOR_FILES.filter((f) => !existsSync(join(dir, f)));
  return absent.length === 0 ? null : `${dir}: no ${absent.join(', ')}`;
}

const FPSTYLE =
  /^FPSTYLE \([a-z]\) (.+?)\s+n=(\d+) raw median\s+([\d.]+) mean\s+[\d.]+ \| empty median\s+([\d.]+) mean\s+[\d.]+ \| net median\s+(-?[\d.]+) net mean\s+-?[\d.]+ \| unexpected-verdicts=(\d+)$/;

/** Parses loxibench's output; throws naming the problem when it is not a clean run. */
export function parseLoxibench(output: string, samples: number): Record<LoxiCase, LoxiFigure> {
  if (!/^VERIFICATION: PASSED/m.test(output))
    throw new Error('loxibench: no "VERIFICATION: PASSED" line (its rewrite checks failed or did not run)');
  const byLabel = new Map<string, LoxiFigure>();
  for (const line of output.split('\n')) {
    const m = FPSTYLE.exec(line.trim());
    if (m === null) continue;
    const [, label, n, raw, empty, net, unexpected] = m;
    if (Number(unexpected) !== 0) throw new Error(`loxibench: ${label}: ${unexpected} timed calls returned an unexpected verdict`);
    if (Number(n) !== samples) throw new Error(`loxibench: ${label}: n=${n}, expected ${samples}`);
    byLabel.set(label!, { rawMedian: Number(raw), emptyMedian: Number(empty), netMedian: Number(net) });
  }
  const out = {} as Record<LoxiCase, LoxiFigure>;
  for (const [key, label] of Object.entries(LOXI_CASES) as [LoxiCase, string][]) {
    const f = byLabel.get(label);
    if (f === undefined) throw new Error(`loxibench: no FPSTYLE line for '${label}'`);
    out[key] = f;
  }
  return out;
}

/** One loxibench run on `cpu` with `samples` per side; its own figures cut short (one
 *  sample, repeat 1000: -n 1 -r 1000) since only the FPSTYLE lines are read. */
export function runLoxibench(dir: string, cpu: number, samples: number): Record<LoxiCase, LoxiFigure> {
  const output = execFileSync(join(dir, 'run.sh'), [String(cpu), '-n', '1', '-r', '1000', '-F', String(samples)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 << 20,
  });
  return parseLoxibench(output, samples);
}
