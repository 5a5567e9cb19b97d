// What the standalone per-feature benchmark scripts (routed-bench, qos-tunnel-bench, ...) share:
// recording their result as results/<name>.json + .md, and running only when invoked
// directly (they are also imported for their cases).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './paths.js';

/** Writes results/<name>.json and results/<name>.md; returns the two paths. */
export function writeResultFiles(name: string, json: unknown, markdown: string, indent = 2): { json: string; markdown: string } {
  const dir = join(repoRoot, 'results');
  mkdirSync(dir, { recursive: true });
  const paths = { json: join(dir, `${name}.json`), markdown: join(dir, `${name}.md`) };
  writeFileSync(paths.json, JSON.stringify(json, null, indent) + '\n');
  writeFileSync(paths.markdown, markdown);
  return paths;
}

/** The value of `--samples N` in argv, or the default. */
export function samplesArg(argv: string[], dflt: number): number {
  const i = argv.indexOf('--samples');
  return i >= 0 ? Number(argv[i + 1]) : dflt;
}

/** Runs main when the module at moduleUrl is the process's entry script. */
export function runIfMain(moduleUrl: string, name: string, main: () => void | Promise<void>): void {
  if (process.argv[1] === undefined || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  Promise.resolve()
    .then(() => main())
    .catch((e: unknown) => {
      process.stderr.write(`${name}: ${(e as Error).message}\n`);
      process.exit(1);
    });
}
