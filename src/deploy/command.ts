// `fastpath dp up|apply|down|status`: run the datapath on interfaces from a config file and
// change it while it runs; `fastpath dp show ...` (src/datapath/command.ts) inspects it.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { datapathObject } from '../conformance/paths.js';
import { loadConfigFile, formatProblem } from './config-file.js';
import { askDaemon } from './control.js';
import { ConfigRejected, DEFAULT_PIN_ROOT, Daemon } from './daemon.js';
import { desiredState } from './desired-state.js';
import { StateDir } from './state-dir.js';
import { LB_USAGE, parseLbEdit } from './lb-command.js';

const USAGE = `usage: fastpath dp <up|apply|down|status|lb|show> ...

  up CONFIG [--netns NS] [--pin-root DIR] [--keep-state] [--log-format text|json]
            [--metrics HOST:PORT] [--object FILE]
      validate CONFIG (every problem at once; nothing is loaded on error), load, pin,
      apply, attach, then stay in the foreground: age connections, log datapath events,
      reload CONFIG on SIGHUP (a bad file changes nothing), serve Prometheus metrics.
      SIGTERM / SIGINT / dp down: detach and remove the pins; with --keep-state the
      datapath stays attached and pinned, and the next dp up on the pin root takes it
      over with its connections.
  apply CONFIG [--pin-root DIR]
      move the running datapath to CONFIG in one transaction; prints what changed
  down [--pin-root DIR] [--keep-state | --clean]
      stop the dp up running on the pin root: as it was started (with or without
      --keep-state), or leaving the datapath running and pinned for the next dp up
      (--keep-state), or detached and unpinned (--clean)
  status [--pin-root DIR]   what runs there
${LB_USAGE}
  show ...                  inspect the maps (fastpath dp show --help)

The pin root defaults to the config's pinRoot, else ${DEFAULT_PIN_ROOT}.`;

async function up(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      netns: { type: 'string' },
      'pin-root': { type: 'string' },
      'keep-state': { type: 'boolean', default: false },
      'log-format': { type: 'string', default: 'text' },
      metrics: { type: 'string' },
      object: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new Error('dp up: expected one CONFIG file');
  const format = values['log-format'];
  if (format !== 'text' && format !== 'json') throw new Error(`--log-format: expected text or json, got '${format}'`);
  // Handlers first: a signal during start-up (before them, its default action) would end
  // the process with the datapath half attached and pinned. Asked to stop while starting,
  // it stops as soon as it is up.
  let daemon: Daemon | undefined;
  let stopAsked = false;
  const onStop = (): void => {
    stopAsked = true;
    if (daemon !== undefined) void daemon.stop();
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', () => daemon?.reload());
  try {
    daemon = await Daemon.up({
      configFile: resolve(positionals[0]!),
      object: values.object ?? datapathObject,
      keepState: values['keep-state'],
      logFormat: format,
      ...(values.netns !== undefined ? { netns: values.netns } : {}),
      ...(values['pin-root'] !== undefined ? { pinRoot: values['pin-root'] } : {}),
      ...(values.metrics !== undefined ? { metrics: values.metrics } : {}),
    });
  } catch (e) {
    if (e instanceof ConfigRejected) {
      process.stderr.write(`${e.message}\n${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}; nothing was loaded\n`);
      return 2;
    }
    throw e;
  }
  if (stopAsked) void daemon.stop();
  await daemon.done;
  return 0;
}

function pinRootOf(value: string | undefined): string {
  return value ?? DEFAULT_PIN_ROOT;
}

function runningOn(pinRoot: string): StateDir {
  const state = new StateDir(pinRoot);
  if (state.liveDaemon() === undefined)
    throw new Error(`nothing runs on pin root ${pinRoot} (no live fastpath dp up; start one with fastpath dp up CONFIG)`);
  return state;
}

async function apply(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'pin-root': { type: 'string' } } });
  if (positionals.length !== 1) throw new Error('dp apply: expected one CONFIG file');
  const file = resolve(positionals[0]!);
  const loaded = loadConfigFile(file);
  if (loaded.config === undefined) {
    process.stderr.write(`${loaded.problems.map(formatProblem).join('\n')}\nnothing was changed\n`);
    return 2;
  }
  const state = runningOn(pinRootOf(values['pin-root'] ?? loaded.config.pinRoot));
  const answer = await askDaemon(state.socket, { op: 'apply', state: desiredState(loaded.config), source: file });
  if (!answer.ok) {
    process.stderr.write(`${file}: ${answer.error}\nnothing was changed\n`);
    return 1;
  }
  const summary = answer.summary ?? [];
  process.stdout.write(summary.length === 0 ? 'no changes\n' : `${summary.join('\n')}\n${summary.length} changes applied\n`);
  return 0;
}

async function down(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'pin-root': { type: 'string' }, 'keep-state': { type: 'boolean' }, clean: { type: 'boolean' } },
  });
  if (values['keep-state'] === true && values.clean === true) throw new Error('--keep-state and --clean: choose one');
  const state = runningOn(pinRootOf(values['pin-root']));
  const pid = state.liveDaemon()!;
  const keepState = values['keep-state'] === true ? true : values.clean === true ? false : undefined;
  const answer = await askDaemon(state.socket, { op: 'down', ...(keepState !== undefined ? { keepState } : {}) });
  if (!answer.ok) throw new Error(answer.error);
  for (let i = 0; i < 100 && state.liveDaemon() === pid; i++) await new Promise((r) => setTimeout(r, 100));
  process.stdout.write(`stopped pid ${pid} on ${state.pinRoot}\n`);
  return 0;
}

async function status(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'pin-root': { type: 'string' } } });
  const state = runningOn(pinRootOf(values['pin-root']));
  const answer = await askDaemon(state.socket, { op: 'status' });
  if (!answer.ok) throw new Error(answer.error);
  process.stdout.write(`${JSON.stringify(answer.status, null, 2)}\n`);
  return 0;
}

async function lb(args: string[]): Promise<number> {
  const { edit, pinRoot } = parseLbEdit(args);
  const state = runningOn(pinRootOf(pinRoot));
  const answer = await askDaemon(state.socket, { op: 'lb', edit });
  if (!answer.ok) {
    process.stderr.write(`fastpath dp lb: ${answer.error}\nnothing was changed\n`);
    return 1;
  }
  process.stdout.write(`${(answer.summary ?? []).join('\n')}\n`);
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = { up, apply, down, status, lb };

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return sub === undefined ? 2 : 0;
  }
  const run = COMMANDS[sub];
  if (run === undefined) {
    const inspect = await import('../datapath/command.js');
    return inspect.main(argv);
  }
  try {
    return await run(rest);
  } catch (e) {
    process.stderr.write(`fastpath dp ${sub}: ${(e as Error).message}\n`);
    return 2;
  }
}
