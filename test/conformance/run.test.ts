// Real runs through the CLI against the built datapath: the scenario library passes in
// both modes; a deliberately failing fixture exits non-zero and leaves its pcap, diff and
// map dumps; timeouts, Ctrl-C and --keep-on-failure leave the machine as they say.
import test from 'ava';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadScenarios, selectFiles, type SuiteResult } from '../../src/conformance/index.js';
import { DEFAULT_MATRIX, MATRICES } from '../../src/conformance/cells.js';
import { plan } from '../../src/conformance/runner.js';
import { buildPacket, readPcap } from '../../src/packet/index.js';
import { CLI, FIXTURES, namespacesOf, pinsOf, runStatesOf, standInLinksOf } from './_helpers.js';
import { removePins } from '../../src/datapath/index.js';
import { pinOwners } from '../../src/datapath/pin-owners.js';

const work = mkdtempSync(join(tmpdir(), 'fp-conformance-run-'));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  pid: number;
}

function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'conformance', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr, pid: child.pid! }));
  });
}

function assertNothingLeft(t: import('ava').ExecutionContext, pid: number): void {
  t.deepEqual(namespacesOf(pid), [], 'namespaces of the run');
  t.deepEqual(pinsOf(pid), [], 'pins of the run');
  t.deepEqual(standInLinksOf(pid), [], 'packet-mode stand-in veths');
  t.deepEqual(runStatesOf(pid), [], 'topology run-state files');
}

test.serial('the scenario library passes in both modes, wire mode in every cell of the default matrix, through the CLI', async (t) => {
  // Every scenario in packet mode and in the six wire cells (about ten minutes on 2
  // cores): past ava's 3 minute inactivity timeout.
  t.timeout(30 * 60_000, 'the whole scenario library');
  const { scenarios } = loadScenarios(selectFiles([]));
  const expected = plan(scenarios, 'both').length;
  const wireScenarios = scenarios.filter((s) => s.modes.includes('wire') && s.wire?.cells === undefined).length;
  t.true(expected >= wireScenarios * MATRICES[DEFAULT_MATRIX].length, 'every wire scenario runs in every cell of the default matrix');
  const json = join(work, 'library.json');
  const junit = join(work, 'library.xml');
  const r = await runCli(['--json', json, '--junit', junit, '--runs-dir', join(work, 'runs')]);
  t.log(r.stdout);
  if (r.stderr !== '') t.log(r.stderr);
  t.is(r.status, 0);
  const lines = r.stdout.split('\n');
  t.is(lines[0], 'TAP version 13');
  t.is(lines[1], `1..${expected}`);
  t.is(lines.filter((l) => /^ok \d+ - /.test(l)).length, expected);
  t.is(lines.filter((l) => l.startsWith('not ok')).length, 0);
  const suite = JSON.parse(readFileSync(json, 'utf8')) as SuiteResult;
  t.true(suite.differential!.checked > 0, 'fast-path injects were checked differentially');
  t.is(suite.differential!.mismatched, 0);
  t.true(
    r.stdout.includes(`# pass ${expected}\n# fail 0\n# skip 0\n# differential ${suite.differential!.checked} checked, 0 mismatched\n`),
  );
  t.is(suite.passed, expected);
  t.true(suite.results.every((x) => x.checks.length > 0 && x.checks.every((c) => c.ok)));
  t.true(readFileSync(junit, 'utf8').includes(`tests="${expected}" failures="0"`));
  assertNothingLeft(t, r.pid);
});

test.serial('a failing scenario exits 1 and writes the pcap, the layer diff and the map dumps', async (t) => {
  const json = join(work, 'failing.json');
  const r = await runCli([join(FIXTURES, 'failing-route.yaml'), '--cells', 'tc/off', '--json', json, '--runs-dir', join(work, 'runs')]);
  t.is(r.status, 1);
  t.regex(r.stdout, /^not ok 1 - failing-route \[packet\]$/m);
  t.regex(r.stdout, /^not ok 2 - failing-route \[wire, tc, offloads off\]$/m);
  t.true(r.stdout.endsWith('# pass 0\n# fail 2\n# skip 0\n# differential 0 checked, 0 mismatched\n'));
  const suite = JSON.parse(readFileSync(json, 'utf8')) as SuiteResult;
  const dir = suite.results[0]!.artifactsDir!;
  t.true(dir.startsWith(join(work, 'runs', suite.runId)));
  t.is(dir, join(work, 'runs', suite.runId, 'failing-route'));

  const input = buildPacket([
    { type: 'eth', dst: '02:f0:01:00:00:01', src: '02:f0:01:00:00:02' },
    { type: 'ipv4', src: '10.0.1.2', dst: '10.0.2.2', ttl: 64, id: 7 },
    { type: 'udp', sport: 40000, dport: 9 },
    { type: 'payload', data: Buffer.from('failing fixture') },
  ]);
  const routed = buildPacket([
    { type: 'eth', dst: '02:f0:02:00:00:02', src: '02:f0:02:00:00:01' },
    { type: 'ipv4', src: '10.0.1.2', dst: '10.0.2.2', ttl: 63, id: 7 },
    { type: 'udp', sport: 40000, dport: 9 },
    { type: 'payload', data: Buffer.from('failing fixture') },
  ]);
  // Packet mode: input, the datapath's output, then the (wrong) expectation.
  const frames = (await readPcap(join(dir, 'packet.pcap'))).map((p) => p.data.toString('hex'));
  t.is(frames.length, 3);
  t.is(frames[0], input.toString('hex'));
  t.is(frames[1], routed.toString('hex'));
  // Wire mode: the whole-run captures hold the frame as sent and as routed.
  const wire = (await readPcap(join(dir, 'wire-tc-off.pcap'))).map((p) => p.data.toString('hex'));
  t.true(wire.includes(input.toString('hex')));
  t.true(wire.includes(routed.toString('hex')));

  for (const mode of ['packet', 'wire-tc-off']) {
    const diff = readFileSync(join(dir, `${mode}.diff.txt`), 'utf8');
    t.true(diff.includes('ipv4.ttl: expected 64, actual 63\nipv4.checksum: expected 0x63b8, actual 0x64b8'), diff);
    t.true(diff.includes("not ok: steps[0] inject 'ttl expected unchanged': fields\n  ipv4.ttl: expected 64, actual 63\n"), diff);
    const maps = readFileSync(join(dir, `${mode}.maps.txt`), 'utf8');
    t.regex(maps, /^# rt_v4 \(1 entry: key => value, hex\)$/m);
    t.regex(maps, /^# nh \(1 entry/m);
    t.regex(maps, /^path\.l3_fwd [1-9]\d*\/\d+$/m);
  }
  assertNothingLeft(t, r.pid);
});

test.serial('a scenario past its time budget fails with a timeout and is torn down', async (t) => {
  const r = await runCli([join(FIXTURES, 'slow.yaml'), '--mode', 'wire', '--cells', 'tc/off', '--runs-dir', join(work, 'runs')]);
  t.is(r.status, 1);
  t.regex(r.stdout, /^ {2}error: "slow \(wire, tc, offloads off\): timed out after 4000 ms"$/m);
  assertNothingLeft(t, r.pid);
});

test.serial('Ctrl-C during a run tears everything down', async (t) => {
  const child = spawn(
    process.execPath,
    [CLI, 'conformance', join(FIXTURES, 'slow.yaml'), '--mode', 'wire', '--cells', 'tc/off', '--runs-dir', join(work, 'runs')],
    { stdio: 'ignore' },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid!;
  for (let i = 0; i < 100 && (namespacesOf(pid).length < 2 || pinsOf(pid).length === 0); i++) await sleep(50);
  t.is(namespacesOf(pid).length, 2, 'the topology was up');
  t.is(pinsOf(pid).length, 1, 'the maps were pinned');
  child.kill('SIGINT');
  const how = await exited;
  t.true(how.signal === 'SIGINT' || how.code === 130, JSON.stringify(how));
  assertNothingLeft(t, pid);
});

test.serial('--keep-on-failure leaves the run in place and says how to inspect and remove it', async (t) => {
  const r = await runCli([
    join(FIXTURES, 'failing-route.yaml'),
    '--cells',
    'tc/off',
    '--keep-on-failure',
    '--runs-dir',
    join(work, 'runs'),
  ]);
  t.is(r.status, 1);
  const pins = pinsOf(r.pid);
  const namespaces = namespacesOf(r.pid);
  const links = standInLinksOf(r.pid);
  try {
    t.is(pins.length, 2, 'packet and wire runs each keep their pins');
    t.is(namespaces.length, 3, 'the wire topology is kept');
    t.is(links.length, 4, 'the packet-mode stand-in veth pairs are kept (both ends)');
    t.true(existsSync(`/sys/fs/bpf/${pins[0]}/rt_v4`));
    t.regex(r.stderr, /kept for inspection: maps pinned under \/sys\/fs\/bpf\/fastpath-[0-9a-f]+\//);
    t.regex(r.stderr, /inspect: bpftool map dump pinned \/sys\/fs\/bpf\/fastpath-[0-9a-f]+\/<map>/);
    const teardown = r.stderr
      .split('\n')
      .filter((l) => /^ {2}(tear down|also): /.test(l))
      .map((l) => l.replace(/^ {2}(tear down|also): /, ''));
    t.is(teardown.length, 2);
    for (const command of teardown) {
      const cmd = command.replace(/^fastpath /, `${process.execPath} ${CLI} `);
      execFileSync('bash', ['-c', cmd], { stdio: 'pipe' });
    }
    assertNothingLeft(t, r.pid);
  } finally {
    // Whatever the assertions said, nothing of this test stays behind.
    for (const p of pinsOf(r.pid)) rmSync(`/sys/fs/bpf/${p}`, { recursive: true, force: true });
    for (const o of pinOwners().filter((x) => x.pid === r.pid)) removePins(o.root);
    for (const l of standInLinksOf(r.pid)) spawnSync('ip', ['link', 'del', l]);
    for (const runId of new Set(namespacesOf(r.pid).map((ns) => ns.split('-')[1]!))) {
      spawnSync(process.execPath, [CLI, 'topology', 'down', '--run-id', runId]);
    }
  }
});
