// Every long-running command, SIGKILLed mid-run, leaves nothing after `fastpath topology
// sweep`: the namespaces and agents its run state names, the pin roots it owned, and what
// a killed `dp up` attached to interfaces. Checked per command against what the killed
// process itself had recorded (other runs on the machine are left alone by the sweep).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { STATE_DIR } from '../../netns/index.js';
import { pinOwners } from '../../src/datapath/pin-owners.js';
import { REPO } from './_paths.js';

const CLI = join(REPO, 'dist', 'src', 'cli.js');

interface Owned {
  namespaces: string[];
  agentPids: number[];
  pinRoots: string[];
}

/** What the process pid recorded as its own: run states and pin owners. */
function ownedBy(pid: number): Owned {
  const out: Owned = {
    namespaces: [],
    agentPids: [],
    pinRoots: pinOwners()
      .filter((o) => o.pid === pid)
      .map((o) => o.root),
  };
  for (const name of readdirSync(STATE_DIR).filter((n) => n.endsWith('.json'))) {
    try {
      const s = JSON.parse(readFileSync(join(STATE_DIR, name), 'utf8')) as { pid: number; namespaces: string[]; agentPids: number[] };
      if (s.pid !== pid) continue;
      out.namespaces.push(...s.namespaces);
      out.agentPids.push(...s.agentPids);
    } catch {
      // a state file being written
    }
  }
  return out;
}

const namespaces = (): Set<string> =>
  new Set(
    spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .stdout.split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter(Boolean),
  );
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

async function killMidRun(args: string[], ready: (o: Owned) => boolean, timeoutMs = 120_000): Promise<Owned> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  const deadline = Date.now() + timeoutMs;
  let owned = ownedBy(child.pid!);
  while (!ready(owned)) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited (${child.exitCode}) before it was ready to be killed`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')}: not ready within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
    owned = ownedBy(child.pid!);
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return ownedBy(child.pid!);
}

function sweepThenLeftovers(owned: Owned): string[] {
  const r = spawnSync(process.execPath, [CLI, 'topology', 'sweep'], { encoding: 'utf8' });
  if (r.status !== 0) return [`sweep failed: ${r.stderr}`];
  const ns = namespaces();
  return [
    ...owned.namespaces.filter((n) => ns.has(n)).map((n) => `namespace ${n}`),
    ...owned.agentPids.filter(alive).map((p) => `agent ${p}`),
    ...owned.pinRoots.filter((p) => existsSync(p)).map((p) => `pins ${p}`),
  ];
}

test.serial('conformance --mode wire, killed mid-scenario: the sweep removes its namespaces, agents and pins', async (t) => {
  const owned = await killMidRun(
    ['conformance', '--mode', 'wire', '--cells', 'tc/on', '--filter', '^tcp-rr$'],
    (o) => o.namespaces.length > 0 && o.pinRoots.length > 0,
  );
  t.true(owned.pinRoots.length > 0 && owned.namespaces.length > 0, JSON.stringify(owned));
  t.deepEqual(sweepThenLeftovers(owned), []);
});

test.serial('bench wire, killed mid-measurement: the sweep removes its namespaces, agents and pins', async (t) => {
  const owned = await killMidRun(
    [
      'bench',
      'wire',
      '--modes',
      'ours-tc',
      '--sizes',
      '64',
      '--flows',
      '1',
      '--samples',
      '50',
      '--out',
      mkdtempSync(join(tmpdir(), 'fp-kill-')),
    ],
    (o) => o.namespaces.length > 0 && o.pinRoots.length > 0,
  );
  t.true(owned.pinRoots.length > 0, JSON.stringify(owned));
  t.deepEqual(sweepThenLeftovers(owned), []);
});

test.serial('dp up, killed: the sweep detaches it and removes its pins and state', async (t) => {
  // A veth in a namespace of our own plays the host's NIC (no dummy devices in every kernel).
  const ns = `fp-killdp-${process.pid}`;
  spawnSync('ip', ['netns', 'add', ns]);
  t.teardown(() => {
    spawnSync('ip', ['netns', 'del', ns]);
  });
  spawnSync('ip', ['-n', ns, 'link', 'add', 'nic0', 'type', 'veth', 'peer', 'name', 'nic0-peer']);
  for (const dev of ['nic0', 'nic0-peer']) spawnSync('ip', ['-n', ns, 'link', 'set', dev, 'up']);
  const dir = mkdtempSync(join(tmpdir(), 'fp-killdp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'dp.yaml');
  writeFileSync(config, 'attach: [{ ifname: nic0, xdp: generic }]\ndatapath:\n  interfaces: [{ ifname: nic0, port: 1 }]\n');
  const pinRoot = `/sys/fs/bpf/fastpath-killdp-${process.pid}`;
  const owned = await killMidRun(
    ['dp', 'up', config, '--netns', ns, '--pin-root', pinRoot],
    (o) =>
      o.pinRoots.includes(pinRoot) &&
      spawnSync('ip', ['-n', ns, 'link', 'show', 'nic0'], { encoding: 'utf8' }).stdout.includes('xdpgeneric'),
  );
  t.deepEqual(sweepThenLeftovers(owned), []);
  t.notRegex(spawnSync('ip', ['-n', ns, 'link', 'show', 'nic0'], { encoding: 'utf8' }).stdout, /xdp/);
  t.notRegex(spawnSync('tc', ['-n', ns, 'qdisc', 'show', 'dev', 'nic0'], { encoding: 'utf8' }).stdout, /clsact/);
});
