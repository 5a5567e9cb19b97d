// `fastpath compare A.json B.json [--threshold 5%] [--alpha 0.01] [--confirm C.json] [--markdown FILE]`
// Exit status: 0 no regression, 1 at least one regression, 2 bad input or usage.
import { writeFileSync } from 'node:fs';
import { compareResults, regressions } from './compare.js';
import { comparisonMarkdown } from './report/compare-markdown.js';
import { readResult } from './result.js';

export const USAGE = `usage: fastpath compare BASE.json CURRENT.json [--threshold 5%] [--alpha 0.01]
                       [--confirm AGAIN.json] [--markdown FILE]

Compares every metric present in both result files: medians, relative delta,
Hodges-Lehmann shift and a two-sided Mann-Whitney U test on the raw samples.
A regression is significant at --alpha AND worse than --threshold (percent of the
base median, in the metric's 'better' direction). Prints a Markdown table fit for a
pull-request comment (also written to FILE with --markdown).

--confirm AGAIN.json: a second, independent run of the same build. A regression counts
only when the metric regresses against BASE in that run too; one that does not is
listed as not confirmed (a machine whose speed moves between runs flags a different
metric each time, a real regression shows in both).

exit status: 0 no regression, 1 regression, 2 bad input`;

interface CompareArgs {
  base: string;
  current: string;
  threshold: number;
  alpha: number;
  markdown?: string;
  confirm?: string;
}

class UsageError extends Error {}

export function parseThreshold(text: string): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)%?$/.exec(text.trim());
  if (match === null) throw new UsageError(`--threshold: expected a percentage like 5% or 2.5, got '${text}'`);
  return Number(match[1]) / 100;
}

function parseAlpha(text: string): number {
  const alpha = Number(text);
  if (text.trim() === '' || !(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha: expected a number in (0, 1), got '${text}'`);
  return alpha;
}

export function parseCompareArgs(argv: string[]): CompareArgs | 'help' {
  const positional: string[] = [];
  let threshold = 0.05;
  let alpha = 0.01;
  let markdown: string | undefined;
  let confirm: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const value = (): string => {
      if (eq !== -1) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${name}: missing value`);
      return next;
    };
    if (name === '--threshold') threshold = parseThreshold(value());
    else if (name === '--alpha') alpha = parseAlpha(value());
    else if (name === '--markdown') markdown = value();
    else if (name === '--confirm') confirm = value();
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`${name}: unknown option`);
    else positional.push(arg);
  }
  if (positional.length !== 2) throw new UsageError(`expected two result files (BASE.json CURRENT.json), got ${positional.length}`);
  const args: CompareArgs = { base: positional[0]!, current: positional[1]!, threshold, alpha };
  if (markdown !== undefined) args.markdown = markdown;
  if (confirm !== undefined) args.confirm = confirm;
  return args;
}

function formatDelta(c: ReturnType<typeof compareResults>, id: string): string {
  const row = c.rows.find((r) => r.id === id);
  return row === undefined
    ? 'missing in the confirmation run'
    : `${row.delta > 0 ? '+' : ''}${(row.delta * 100).toFixed(1)}% there, ${row.verdict}`;
}

export function main(argv: string[]): number {
  let args: CompareArgs | 'help';
  try {
    args = parseCompareArgs(argv);
  } catch (err) {
    process.stderr.write(`fastpath compare: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let text: string;
  let regressed: number;
  try {
    const base = readResult(args.base);
    const current = readResult(args.current);
    const comparison = compareResults(
      base,
      current,
      { threshold: args.threshold, alpha: args.alpha },
      { base: args.base, current: args.current },
    );
    text = comparisonMarkdown(comparison);
    const found = regressions(comparison);
    regressed = found.length;
    if (args.confirm !== undefined) {
      const again = compareResults(
        base,
        readResult(args.confirm),
        { threshold: args.threshold, alpha: args.alpha },
        { base: args.base, current: args.confirm },
      );
      const repeated = new Set(regressions(again).map((r) => r.id));
      const confirmed = found.filter((r) => repeated.has(r.id));
      const notConfirmed = found.filter((r) => !repeated.has(r.id));
      regressed = confirmed.length;
      text +=
        `\nConfirmation run \`${args.confirm}\`: ${confirmed.length} of ${found.length} regression${found.length === 1 ? '' : 's'} confirmed` +
        `${confirmed.length > 0 ? ` (${confirmed.map((r) => `\`${r.id}\``).join(', ')})` : ''}` +
        `${notConfirmed.length > 0 ? `; not confirmed, so not counted: ${notConfirmed.map((r) => `\`${r.id}\` (${formatDelta(again, r.id)})`).join(', ')}` : ''}.\n`;
    }
  } catch (err) {
    process.stderr.write(`fastpath compare: ${(err as Error).message}\n`);
    return 2;
  }
  process.stdout.write(text);
  if (args.markdown !== undefined) {
    try {
      writeFileSync(args.markdown, text);
    } catch (err) {
      process.stderr.write(`fastpath compare: --markdown: cannot write ${args.markdown}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  return regressed > 0 ? 1 : 0;
}
