// bench wire --dut ssh://…: a real sshd (Debian's openssh-server) started by this test in
// the namespace that plays the DUT host, with a host key and an authorized key made here;
// the real ssh client (BatchMode) run by the real CLI in the generator's namespace; real
// frames gen:eth-a -> dut (our datapath, brought up over SSH) -> gen:eth-b. Under
// `ip netns exec` the sshd sees a fresh sysfs without a bpffs on /sys/fs/bpf: the remote
// `fastpath dp up` mounts one there (src/deploy/bpffs.ts), in the sshd's mount namespace,
// which is also where this test looks for leftover pins.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { buildTopology, type Topology } from '../../netns/index.js';
import { readResult } from '../../src/bench/result.js';
import { stateDirOf } from '../../src/deploy/state-dir.js';
import { REPO } from '../deploy/_paths.js';
import { DUT_TOPOLOGY, NET, dutConfig } from './_routed-dut.js';

const CLI = join(REPO, 'dist', 'src', 'cli.js');
const SSHD = '/usr/sbin/sshd';
const PORT = 2222;
const TARGET = `ssh://root@${NET.dutMgmt}:${PORT}`;
const root = process.getuid?.() === 0;

let topo: Topology | undefined;
let sshd: ChildProcess | undefined;
let madeRunSshd = false;
const work = mkdtempSync(join(tmpdir(), 'fastpath-sshdut-'));
chmodSync(work, 0o700);
const files = {
  hostKey: join(work, 'host_key'),
  clientKey: join(work, 'id'),
  otherKey: join(work, 'other'),
  authorized: join(work, 'authorized_keys'),
  knownHosts: join(work, 'known_hosts'),
  sshdConfig: join(work, 'sshd_config'),
  wrapper: join(work, 'fastpath'),
  config: join(work, 'dut.yaml'),
  badConfig: join(work, 'bad.yaml'),
  runs: join(work, 'runs'),
};
const sshOptions = (key = files.clientKey): string[] =>
  [
    `IdentityFile=${key}`,
    'IdentitiesOnly=yes',
    `UserKnownHostsFile=${files.knownHosts}`,
    'GlobalKnownHostsFile=/dev/null',
    'StrictHostKeyChecking=yes',
  ].flatMap((o) => ['--ssh-option', o]);

function keygen(path: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'fastpath-test', '-f', path]);
  return readFileSync(`${path}.pub`, 'utf8').trim();
}

function inDut(argv: string[]): string {
  return execFileSync('ip', ['netns', 'exec', topo!.ns('dut'), ...argv], { encoding: 'utf8' });
}

/** The bench command as a user runs it, in the generator's namespace. */
function bench(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    'ip',
    [
      'netns',
      'exec',
      topo!.ns('gen'),
      process.execPath,
      CLI,
      'bench',
      'wire',
      '--iface',
      'eth-a',
      '--peer-iface',
      'eth-b',
      '--dst-mac',
      NET.dutIn,
      '--sizes',
      '64',
      '--flows',
      '1',
      '--samples',
      '2',
      '--duration-ms',
      '300',
      '--warmup-ms',
      '100',
      '--out',
      files.runs,
      ...args,
    ],
    { encoding: 'utf8', timeout: 300_000 },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What the DUT side still has: pins (seen from the sshd's mount namespace), dp up state,
 *  XDP or clsact on its interfaces, sshd sessions, copied configs. */
function leftovers(pinRoot: string): string[] {
  const out: string[] = [];
  const pins = execFileSync('nsenter', ['-t', String(sshd!.pid), '-m', 'sh', '-c', `ls -d ${pinRoot} 2>/dev/null || true`], {
    encoding: 'utf8',
  }).trim();
  if (pins !== '') out.push(`pins ${pins}`);
  if (existsSync(stateDirOf(pinRoot))) out.push(`state ${stateDirOf(pinRoot)}`);
  for (const ifname of ['eth-in', 'eth-out']) {
    if (inDut(['tc', 'qdisc', 'show', 'dev', ifname]).includes('clsact')) out.push(`clsact ${ifname}`);
    if (/\bxdp/.test(inDut(['ip', '-d', 'link', 'show', ifname]))) out.push(`xdp ${ifname}`);
  }
  // A session's sshd process may still be closing as the client exits: up to 3 s.
  let sessions = '';
  for (let i = 0; i < 30; i++) {
    sessions = spawnSync('pgrep', ['-P', String(sshd!.pid)], { encoding: 'utf8' }).stdout.trim();
    if (sessions === '') break;
    execFileSync('sleep', ['0.1']);
  }
  if (sessions !== '') out.push(`sshd sessions ${sessions.split('\n').join(',')}`);
  const copies = readdirSync('/tmp').filter((f) => f.startsWith('fastpath-dut-'));
  if (copies.length > 0) out.push(`copied configs ${copies.join(',')}`);
  return out;
}

async function sshdListening(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (inDut(['ss', '-ltnH', `sport = :${PORT}`]).trim() !== '') return;
    if (sshd!.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd is not listening on ${NET.dutMgmt}:${PORT} (exit ${sshd!.exitCode})`);
}

test.before(async () => {
  if (!root) return;
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: apt-get install openssh-server (make setup does)`);
  topo = await buildTopology(DUT_TOPOLOGY);
  const hostPub = keygen(files.hostKey);
  writeFileSync(files.authorized, `${keygen(files.clientKey)}\n`);
  keygen(files.otherKey);
  writeFileSync(files.knownHosts, `[${NET.dutMgmt}]:${PORT} ${hostPub.split(' ').slice(0, 2).join(' ')}\n`);
  writeFileSync(
    files.sshdConfig,
    [
      `ListenAddress ${NET.dutMgmt}:${PORT}`,
      `HostKey ${files.hostKey}`,
      `PidFile ${join(work, 'sshd.pid')}`,
      `AuthorizedKeysFile ${files.authorized}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PrintMotd no',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  writeFileSync(files.wrapper, `#!/bin/sh\nexec ${process.execPath} ${CLI} "$@"\n`, { mode: 0o755 });
  writeFileSync(files.config, dutConfig());
  writeFileSync(
    files.badConfig,
    dutConfig().replace('    - { ifname: eth-out, port: 2 }', '    - { ifname: eth-out, port: 2, speed: 10 }'),
  );
  // sshd's privilege separation directory (normally made by its service unit).
  if (!existsSync('/run/sshd')) {
    mkdirSync('/run/sshd', { mode: 0o755 });
    madeRunSshd = true;
  }
  sshd = spawn('ip', ['netns', 'exec', topo.ns('dut'), SSHD, '-D', '-e', '-f', files.sshdConfig], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await sshdListening();
});

test.after.always(async () => {
  if (sshd !== undefined && sshd.exitCode === null) {
    sshd.kill('SIGTERM');
    await new Promise((r) => sshd!.once('exit', r));
  }
  await topo?.destroy();
  if (madeRunSshd) rmSync('/run/sshd', { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

(root ? test.serial : test.skip)(
  'bench wire --dut ssh://… brings the datapath up on the DUT, measures through it, takes it down: one report, both fingerprints',
  (t) => {
    const r = bench(['--dut', TARGET, '--dut-config', files.config, '--dut-fastpath', files.wrapper, ...sshOptions()]);
    t.is(r.status, 0, r.stderr);
    t.regex(r.stderr, /dut: \S+ bpffs mounted a bpffs on \/sys\/fs\/bpf/);
    t.regex(r.stderr, /dut: \S+ up .*eth-in\(native\), eth-out\(none\)/);
    t.regex(r.stderr, /dut: ssh:\/\/root@10\.9\.9\.1:2222: fastpath dp down --pin-root \S+: done/);
    const dir = /written to (\S+)/.exec(r.stdout)?.[1];
    const result = readResult(join(dir!, 'result.json'));
    t.is(result.dut?.target, TARGET);
    t.is(result.dut?.config, files.config);
    t.regex(result.dut!.pinRoot, /^\/sys\/fs\/bpf\/fastpath-bench-[0-9a-f]{8}$/);
    for (const env of [result.environment, result.dut!.environment]) {
      t.truthy(env.kernel);
      t.is(env.node, process.version);
      t.truthy(env.git.commit);
    }
    const mpps = result.metrics.find((m) => m.id === 'wire/path/64B/1f/mpps')!;
    t.true(
      mpps.samples.every((s) => s > 0),
      `forwarding rates ${mpps.samples.join(', ')}`,
    );
    const md = readFileSync(join(dir!, 'summary.md'), 'utf8');
    t.regex(md, /## DUT: ssh:\/\/root@10\.9\.9\.1:2222/);
    t.is(md.match(/^- Kernel: /gm)?.length, 2);
    t.deepEqual(leftovers(result.dut!.pinRoot), []);
  },
);

(root ? test.serial : test.skip)(
  'unreachable host, refused key, missing fastpath, a config dp up rejects: clear errors, nothing left on either side',
  (t) => {
    const pinRoot = '/sys/fs/bpf/fastpath-sshdut-test';
    const cases: [string, string[], RegExp][] = [
      [
        'unreachable',
        ['--dut', `ssh://root@${NET.dutMgmt}:${PORT + 1}`, '--dut-config', files.config, ...sshOptions()],
        /^fastpath bench wire: --dut ssh:\/\/root@10\.9\.9\.1:2223: host unreachable: ssh: connect to host 10\.9\.9\.1 port 2223: Connection refused/m,
      ],
      [
        'refused key',
        ['--dut', TARGET, '--dut-config', files.config, ...sshOptions(files.otherKey)],
        /^fastpath bench wire: --dut ssh:\/\/root@10\.9\.9\.1:2222: authentication failed \(ssh runs with BatchMode=yes.*Permission denied \(publickey\)/m,
      ],
      [
        'no fastpath',
        ['--dut', TARGET, '--dut-config', files.config, '--dut-fastpath', '/nonexistent/fastpath', ...sshOptions()],
        /--dut ssh:\/\/root@10\.9\.9\.1:2222: '\/nonexistent\/fastpath bench fingerprint' failed \(exit 127\) \('\/nonexistent\/fastpath' is not on the DUT's PATH/,
      ],
      [
        'bad config',
        ['--dut', TARGET, '--dut-config', files.badConfig, '--dut-pin-root', pinRoot, '--dut-fastpath', files.wrapper, ...sshOptions()],
        new RegExp(
          `'fastpath dp up ${files.badConfig}' failed \\(exit 2\\):\\n${files.badConfig}:\\d+: datapath\\.interfaces\\[1\\]\\.speed: unknown field`,
        ),
      ],
    ];
    for (const [name, args, message] of cases) {
      const r = bench(args);
      t.is(r.status, 1, `${name}: ${r.stderr}`);
      t.regex(r.stderr, message, name);
      t.notRegex(r.stdout, /written to/, name);
      t.deepEqual(leftovers(pinRoot), [], name);
    }
    t.false(existsSync('/root/.ssh/known_hosts'), 'ssh wrote nothing of its own');
  },
);

(root ? test.serial : test.skip)('the harness SIGKILLed mid-run: the DUT stops its datapath when the SSH session ends', async (t) => {
  const pinRoot = '/sys/fs/bpf/fastpath-sshdut-kill';
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      topo!.ns('gen'),
      process.execPath,
      CLI,
      'bench',
      'wire',
      '--iface',
      'eth-a',
      '--peer-iface',
      'eth-b',
      '--dst-mac',
      NET.dutIn,
      '--sizes',
      '64',
      '--flows',
      '1',
      '--samples',
      '20',
      '--duration-ms',
      '1000',
      '--out',
      files.runs,
      '--dut',
      TARGET,
      '--dut-config',
      files.config,
      '--dut-pin-root',
      pinRoot,
      '--dut-fastpath',
      files.wrapper,
      ...sshOptions(),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/dut: \S+ up /.test(stderr)) resolve();
    });
    child.once('exit', () => reject(new Error(`the bench ended early:\n${stderr}`)));
  });
  t.true(existsSync(stateDirOf(pinRoot)), 'dp up runs on the DUT');
  child.kill('SIGKILL'); // ip netns exec became node: this is the bench itself
  await new Promise((r) => child.once('exit', r));
  // The sink's XDP program on the generator side outlives a SIGKILL (as for any --iface run).
  execFileSync('ip', ['netns', 'exec', topo!.ns('gen'), 'ip', 'link', 'set', 'eth-b', 'xdp', 'off']);
  let left = leftovers(pinRoot);
  for (let i = 0; i < 100 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
    left = leftovers(pinRoot);
  }
  t.deepEqual(left, []);
});

(root ? test.serial : test.skip)('afterwards no ssh client, no sshd session and no sshd of this test remain', async (t) => {
  sshd!.kill('SIGTERM');
  await new Promise((r) => (sshd!.exitCode !== null ? r(undefined) : sshd!.once('exit', r)));
  const ours = spawnSync('pgrep', ['-a', '-f', work], { encoding: 'utf8' }).stdout.trim();
  t.is(ours, '', 'processes whose command line names this test directory');
});
