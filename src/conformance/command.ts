// `fastpath conformance [paths|globs] [--filter RE] [--mode wire|packet|both] [--junit FILE]
// [--json FILE] [--keep-on-failure]`: TAP on stdout, a progress line on a terminal.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ProgressBar } from '../bench/report/progress.js';
import { renderJson, renderJunit, tapFooter, tapHeader, tapResult } from './reporters.js';
import { type PlannedRun, ScenarioLoadError, runConformance } from './runner.js';
import type { Mode } from './types.js';

export const HELP = `usage: fastpath conformance [paths|globs...] [options]

Runs scenario files (default: every scenarios/*.yaml) against the datapath and prints TAP.
Every selected file is validated first; if one is invalid nothing runs.

options:
  --filter RE         only scenarios whose name matches RE
  --mode MODE         wire, packet or both (default both: every mode a scenario lists)
  --junit FILE        also write JUnit XML to FILE
  --json FILE         also write the results as JSON to FILE
  --runs-dir DIR      where failure artefacts go (default results/runs)
  --object FILE       the datapath object to load (default build/bpf/fastpath.bpf.o)
  --keep-on-failure   leave a failed scenario's namespaces and pinned maps in place and
                      print how to inspect and tear them down
  --help              this text

Failure artefacts (pcap, layer diff, map dumps) go to <runs-dir>/<runId>/<scenario>/.
Exit status: 0 all passed, 1 a scenario failed, 2 bad arguments or invalid scenario files.`;

interface Args {
  paths: string[];
  filter?: RegExp;
  mode: Mode | 'both';
  junit?: string;
  json?: string;
  object?: string;
  runsDir?: string;
  keepOnFailure: boolean;
  help: boolean;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { paths: [], mode: 'both', keepOnFailure: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a}: needs a value`);
      return v;
    };
    switch (a) {
      case '--help': case '-h': args.help = true; break;
      case '--keep-on-failure': args.keepOnFailure = true; break;
      case '--filter': {
        const re = value();
        try {
          args.filter = new RegExp(re);
        } catch (e) {
          throw new Error(`--filter: ${(e as Error).message}`);
        }
        break;
      }
      case '--mode': {
        const m = value();
        if (m !== 'wire' && m !== 'packet' && m !== 'both') throw new Error(`--mode: expected wire, packet or both, got '${m}'`);
        args.mode = m;
        break;
      }
      case '--junit': args.junit = value(); break;
      case '--json': args.json = value(); break;
      case '--object': args.object = value(); break;
      case '--runs-dir': args.runsDir = value(); break;
      default:
        if (a.startsWith('-')) throw new Error(`unknown option '${a}' (see --help)`);
        args.paths.push(a);
    }
  }
  return args;
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
      keepOnFailure: args.keepOnFailure,
      ...(args.object !== undefined ? { object: args.object } : {}),
      ...(args.runsDir !== undefined ? { runsDir: args.runsDir } : {}),
      onPlan: (runs) => {
        planned = runs;
        process.stdout.write(tapHeader(runs.length));
        if (runs.length > 0) {
          bar = new ProgressBar(`conformance: ${runs[0].scenario.name} [${runs[0].mode}]`, runs.length, { stream: process.stderr });
          bar.update(0);
        }
      },
      onResult: (r, i) => {
        bar?.finish();
        process.stdout.write(tapResult(r, i + 1));
        if (i + 1 < planned.length) {
          bar = new ProgressBar(`conformance: ${planned[i + 1].scenario.name} [${planned[i + 1].mode}]`, planned.length, { stream: process.stderr });
          bar.update(i + 1);
        }
      },
    });
    bar?.finish();
    process.stdout.write(tapFooter(suite));
    if (args.junit !== undefined) writeReport(args.junit, renderJunit(suite));
    if (args.json !== undefined) writeReport(args.json, renderJson(suite));
    return suite.failed > 0 ? 1 : 0;
  } catch (e) {
    bar?.finish();
    if (e instanceof ScenarioLoadError) {
      process.stdout.write(`TAP version 13\nBail out! ${e.errors.length} problem${e.errors.length === 1 ? '' : 's'} in the scenario files; nothing was run\n`);
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    process.stderr.write(`fastpath conformance: ${(e as Error).message}\n`);
    return 2;
  }
}
