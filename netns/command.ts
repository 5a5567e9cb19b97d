// `fastpath topology up|down|sweep`: build a topology by hand for debugging, tear it down,
// and remove what killed runs left.
import { resolve } from 'node:path';
import { buildTopology } from './topology/build.js';
import { loadTopologyFile } from './topology/load.js';
import { listStates, ownerAlive } from './topology/state.js';
import { removeRun, removeRunById, sweepStale } from './topology/sweep.js';
import { removePins } from '../src/datapath/datapath.js';
import { sweepPins } from '../src/datapath/pin-owners.js';
import { sweepDeadDaemons } from '../src/deploy/daemon.js';
import { sweepDeadStandIns } from '../src/conformance/stand-in-links.js';

const HELP = `usage: fastpath topology <command> [options]

commands:
  up FILE [--run-id ID]     build the topology in FILE (YAML or JSON) and leave it up;
                            prints the namespace names
  down FILE | --run-id ID   tear down a topology built by 'up' (all runs built from FILE,
                            or the run with that id)
  sweep [--all]             remove what killed runs left (owner process dead): namespaces,
                            agents, pinned maps, packet mode's root-namespace veths, and
                            what a killed 'fastpath dp up' attached;
                            --all also removes topologies left up by 'up' and state a
                            'dp up --keep-state' left

Namespaces are named fp-<runId>-<host>; run state lives in /run/fastpath/<runId>.json.
Example files: netns/topologies/*.yaml.
`;

class UsageError extends Error {}

function takeOption(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  args.splice(i, 2);
  return value;
}

function takeFlag(args: string[], name: string): boolean {
  const i = args.indexOf(name);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
}

function onlyPositional(args: string[], count: number, what: string): string[] {
  const unknown = args.filter((a) => a.startsWith('--'));
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown[0]}`);
  if (args.length !== count) throw new UsageError(`expected ${what}`);
  return args;
}

function onePositional(args: string[], what: string): string {
  return onlyPositional(args, 1, what)[0]!;
}

async function up(args: string[]): Promise<number> {
  const runId = takeOption(args, '--run-id');
  const file = onePositional(args, 'one topology FILE');
  const path = resolve(file);
  const desc = loadTopologyFile(path);
  const topo = await buildTopology(desc, { runId, source: path });
  topo.detach();
  const out = [`topology ${desc.name ?? file} is up (run ${topo.runId}):`];
  for (const [host, ns] of Object.entries(topo.namespaces())) {
    out.push(`  ${host.padEnd(12)} ${ns}   (ip netns exec ${ns} bash)`);
  }
  for (const w of topo.warnings) out.push(`warning: ${w}`);
  out.push(`tear down with: fastpath topology down ${file}   (or --run-id ${topo.runId})`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

async function down(args: string[]): Promise<number> {
  const runId = takeOption(args, '--run-id');
  if (runId !== undefined) {
    onlyPositional(args, 0, 'either FILE or --run-id ID, not both');
    const r = await removeRunById(runId);
    process.stdout.write(`removed run ${r.runId}: ${r.namespaces.join(' ') || '(no namespaces)'}\n`);
    return 0;
  }
  const file = onePositional(args, 'a topology FILE or --run-id ID');
  const path = resolve(file);
  const runs = listStates().filter((s) => s.source === path && (s.manual === true || !ownerAlive(s)));
  if (runs.length === 0) {
    process.stderr.write(`fastpath topology down: no topology built from ${file} is up\n`);
    return 1;
  }
  for (const state of runs) {
    const r = await removeRun(state);
    process.stdout.write(`removed run ${r.runId}: ${r.namespaces.join(' ') || '(no namespaces)'}\n`);
  }
  return 0;
}

async function sweep(args: string[]): Promise<number> {
  const all = takeFlag(args, '--all');
  onlyPositional(args, 0, 'no arguments besides --all');
  // Daemons first (they detach from interfaces that outlive them), then namespaces, then
  // the pins of every dead owner.
  const daemons = sweepDeadDaemons(all);
  for (const d of daemons) process.stdout.write(`removed ${d}\n`);
  const removed = await sweepStale({ includeManual: all });
  for (const r of removed) process.stdout.write(`removed run ${r.runId}: ${r.namespaces.join(' ') || '(no namespaces)'}\n`);
  const pins = sweepPins(removePins, all);
  for (const p of pins) process.stdout.write(`removed pins ${p}\n`);
  const links = sweepDeadStandIns();
  for (const l of links) process.stdout.write(`removed link ${l}\n`);
  process.stdout.write(
    `swept ${removed.length} stale run${removed.length === 1 ? '' : 's'}, ${pins.length} pin root${pins.length === 1 ? '' : 's'}, ${links.length} stand-in link${links.length === 1 ? '' : 's'}\n`,
  );
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  try {
    if (command === 'up') return await up(rest);
    if (command === 'down') return await down(rest);
    if (command === 'sweep') return await sweep(rest);
    throw new UsageError(`unknown command '${command}'`);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`fastpath topology: ${err.message}\n\n${HELP}`);
      return 2;
    }
    process.stderr.write(`fastpath topology ${command}: ${(err as Error).message}\n`);
    return 1;
  }
}
