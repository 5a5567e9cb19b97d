#!/usr/bin/env node
// The `fastpath` command: a thin dispatcher. Each subcommand lives in its own module that
// exports main(argv) and returns the exit status; a module that is not built yet is
// reported as such, never faked.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Subcommand {
  name: string;
  summary: string;
  /** Module path relative to the compiled dist/ root. */
  module: string;
}

const SUBCOMMANDS: Subcommand[] = [
  { name: 'run', summary: 'the main job: conformance suite plus a quick benchmark, with a report', module: 'src/run.js' },
  { name: 'conformance', summary: 'run scenario files against the datapath (TAP, JUnit, JSON)', module: 'src/conformance/command.js' },
  { name: 'bench', summary: 'micro (test-run), wire (veth/NIC) and CPS benchmarks', module: 'src/bench/command.js' },
  { name: 'compare', summary: 'compare two benchmark result files; exit 1 on a regression', module: 'src/bench/compare-command.js' },
  { name: 'topology', summary: 'build, tear down and sweep network-namespace topologies', module: 'netns/command.js' },
  { name: 'dp', summary: 'run the datapath on interfaces (up, apply, down) and inspect it (show)', module: 'src/deploy/command.js' },
  { name: 'mutate', summary: 'mutation testing: seed faults into the datapath, score the suite', module: 'src/mutate/command.js' },
];

export function usage(): string {
  const width = Math.max(...SUBCOMMANDS.map((s) => s.name.length));
  const lines = SUBCOMMANDS.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`);
  return [
    'usage: fastpath <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    "Run 'fastpath <command> --help' for a command's options.",
  ].join('\n');
}

const distRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function dispatch(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const sub = SUBCOMMANDS.find((s) => s.name === name);
  if (sub === undefined) {
    process.stderr.write(`fastpath: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  const modulePath = join(distRoot, sub.module);
  if (!existsSync(modulePath)) {
    process.stderr.write(`fastpath: '${name}' is not built yet (no ${sub.module}); nothing was run\n`);
    return 3;
  }
  const mod = (await import(pathToFileURL(modulePath).href)) as { main?: (args: string[]) => number | Promise<number> };
  if (typeof mod.main !== 'function') {
    process.stderr.write(`fastpath: '${name}' is not built yet (${sub.module} has no main); nothing was run\n`);
    return 3;
  }
  return mod.main(rest);
}

function invokedAsMain(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (invokedAsMain()) {
  dispatch(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`fastpath: ${message}\n`);
      process.exitCode = 1;
    },
  );
}
