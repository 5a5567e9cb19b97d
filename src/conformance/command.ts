// `fastpath conformance [paths|globs] [--filter RE] [--mode wire|packet|both] [--junit FILE]
// [--json FILE] [--bail] [--keep-on-failure]`: TAP on stdout, a progress line on a terminal.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ProgressBar } from '../bench/report/progress.js';
import { DEFAULT_FUZZ_COUNT, DEFAULT_FUZZ_SEED } from './fuzz/run.js';
import { renderJson, renderJunit, tapFooter, tapFuzz, tapHeader, tapResult } from './reporters.js';
import { type PlannedRun, ScenarioLoadError, runConformance } from './runner.js';
import type { Mode } from './types.js';
import { type WireCell, DEFAULT_MATRIX, MATRICES, cellName, parseCells } from './cells.js';

export const HELP = `usage: fastpath conformance [paths|globs...] [options]

Runs scenario files (default: every scenarios/*.yaml) against the datapath and prints TAP.
Every selected file is validated first; if one is invalid nothing runs.

options:
  --filter RE         only scenarios whose name matches RE
  --mode MODE         wire, packet or both (default both: every mode a scenario lists)
  --cells LIST        wire-mode cells, comma-separated HOOK/OFFLOADS[/no-gro] (HOOK tc,
                      xdp-native or xdp-generic; OFFLOADS on = the kernel's defaults, or
                      off), or a matrix: ${Object.keys(MATRICES).join(', ')} (default ${DEFAULT_MATRIX}:
                      ${MATRICES[DEFAULT_MATRIX].map(cellName).join('; ')})
  --junit FILE        also write JUnit XML to FILE
  --json FILE         also write the results as JSON to FILE
  --runs-dir DIR      where failure artefacts go (default results/runs)
  --object FILE       the datapath object to load (default build/bpf/fastpath.bpf.o)
  --fuzz              run the seeded fuzz pass (alone unless paths or --filter select
                      scenarios too): malformed and mutated packets through test runs
                      of fp_tc_entry and fp_xdp_entry, checked against invariants
  --seed N            fuzz seed (default ${DEFAULT_FUZZ_SEED}); the same seed sends the same packets
  --count N           fuzz cases (default ${DEFAULT_FUZZ_COUNT})
  --bail              stop at the first failed scenario: the rest are reported as skipped
                      and the fuzz pass does not run
  --keep-on-failure   leave a failed scenario's namespaces and pinned maps in place and
                      print how to inspect and tear them down
  --help              this text

Failure artefacts (pcap, layer diff, map dumps) go to <runs-dir>/<runId>/<scenario>/.
Exit status: 0 all passed, 1 a scenario failed, 2 bad arguments or invalid scenario files.`;

interface Args {
  paths: string[];
  filter?: RegExp;
  mode: Mode | 'both';
  cells?: WireCell[];
  junit?: string;
  json?: string;
  object?: string;
  runsDir?: string;
  keepOnFailure: boolean;
  bail: boolean;
  help: boolean;
  fuzz: boolean;
  seed?: number;
  count?: number;
}

function integer(option: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new Error(`${option}: expected an integer in ${min}..${max}, got '${text}'`);
  return n;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { paths: [], mode: 'both', keepOnFailure: false, bail: false, help: false, fuzz: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a}: needs a value`);
      return v;
    };
    switch (a) {
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--keep-on-failure':
        args.keepOnFailure = true;
        break;
      case '--bail':
        args.bail = true;
        break;
      case '--fuzz':
        args.fuzz = true;
        break;
      case '--seed':
        args.seed = integer(a, value(), 0, 0xffffffff);
        break;
      case '--count':
        args.count = integer(a, value(), 1, 1_000_000);
        break;
      case '--filter': {
        const re = value();
        try {
          args.filter = new RegExp(re);
        } catch (e) {
          throw new Error(`--filter: ${(e as Error).message}`, { cause: e });
        }
        break;
      }
      case '--mode': {
        const m = value();
        if (m !== 'wire' && m !== 'packet' && m !== 'both') throw new Error(`--mode: expected wire, packet or both, got '${m}'`);
        args.mode = m;
        break;
      }
      case '--cells':
        try {
          args.cells = parseCells(value());
        } catch (e) {
          throw new Error(`--cells: ${(e as Error).message}`, { cause: e });
        }
        break;
      case '--junit':
        args.junit = value();
        break;
      case '--json':
        args.json = value();
        break;
      case '--object':
        args.object = value();
        break;
      case '--runs-dir':
        args.runsDir = value();
        break;
      default:
        if (a.startsWith('-')) throw new Error(`unknown option '${a}' (see --help)`);
        args.paths.push(a);
    }
  }
  if (!args.fuzz && (args.seed !== undefined || args.count !== undefined)) throw new Error('--seed and --count need --fuzz');
  return args;
}

function plannedTitle(p: PlannedRun): string {
  return `${p.scenario.name} [${p.mode}${p.cell !== undefined ? `, ${cellName(p.cell)}` : ''}]`;
}

function writeReport(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`fastpath conformance: ${(e as Error).message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  let bar: ProgressBar | undefined;
  let planned: PlannedRun[] = [];
  try {
    const suite = await runConformance({
      paths: args.paths,
      ...(args.filter !== undefined ? { filter: args.filter } : {}),
      mode: args.mode,
      ...(args.cells !== undefined ? { cells: args.cells } : {}),
      keepOnFailure: args.keepOnFailure,
      bail: args.bail,
      ...(args.fuzz
        ? { fuzz: { ...(args.seed !== undefined ? { seed: args.seed } : {}), ...(args.count !== undefined ? { count: args.count } : {}) } }
        : {}),
      skipScenarios: args.fuzz && args.paths.length === 0 && args.filter === undefined,
      ...(args.object !== undefined ? { object: args.object } : {}),
      ...(args.runsDir !== undefined ? { runsDir: args.runsDir } : {}),
      onPlan: (runs) => {
        planned = runs;
        process.stdout.write(tapHeader(runs.length + (args.fuzz ? 1 : 0)));
        if (runs.length > 0) {
          bar = new ProgressBar(`conformance: ${plannedTitle(runs[0]!)}`, runs.length, { stream: process.stderr });
          bar.update(0);
        }
      },
      onResult: (r, i) => {
        bar?.finish();
        process.stdout.write(tapResult(r, i + 1));
        if (i + 1 < planned.length) {
          bar = new ProgressBar(`conformance: ${plannedTitle(planned[i + 1]!)}`, planned.length, { stream: process.stderr });
          bar.update(i + 1);
        }
      },
    });
    bar?.finish();
    if (suite.fuzz !== undefined) process.stdout.write(tapFuzz(suite.fuzz, suite.results.length + 1));
    process.stdout.write(tapFooter(suite));
    if (args.junit !== undefined) writeReport(args.junit, renderJunit(suite));
    if (args.json !== undefined) writeReport(args.json, renderJson(suite));
    return suite.failed > 0 || suite.fuzz?.ok === false ? 1 : 0;
  } catch (e) {
    bar?.finish();
    if (e instanceof ScenarioLoadError) {
      process.stdout.write(
        `TAP version 13\nBail out! ${e.errors.length} problem${e.errors.length === 1 ? '' : 's'} in the scenario files; nothing was run\n`,
      );
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    process.stderr.write(`fastpath conformance: ${(e as Error).message}\n`);
    return 2;
  }
}
