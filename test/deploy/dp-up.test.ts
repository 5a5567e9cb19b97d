// `fastpath dp up` as a user runs it: the real CLI in a child process with
// examples/dnat-lb.yaml on a veth topology built to match it; curl through the VIP,
// the metrics scraped over HTTP, SIGHUP with a bad and a good file, dp apply while it
// runs, a restart with --keep-state that keeps a TCP connection, SIGKILL then cleanup.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import test, { type ExecutionContext } from 'ava';
import { type AgentClient, type Topology, buildTopology, loadTopologyFile } from '../../netns/index.js';
import { stateDirOf } from '../../src/deploy/state-dir.js';
import { REPO } from './_paths.js';

const CLI = join(REPO, 'dist', 'src', 'cli.js');
const EXAMPLE = join(REPO, 'examples', 'dnat-lb.yaml');
const PIN_ROOT = `/sys/fs/bpf/fastpath-dpup-${process.pid}`;
const METRICS = `127.0.0.1:${19000 + (process.pid % 1000)}`;

// The lab the examples are written for, as a user builds it (examples/lab-topology.yaml).
const TOPOLOGY = loadTopologyFile(join(REPO, 'examples', 'lab-topology.yaml'));

let topo: Topology;
let servers: AgentClient[] = [];
const work = mkdtempSync(join(tmpdir(), 'fastpath-dpup-'));
const BULK_FILE = join(work, 'bulk.bin');
const BULK_MIB = 16;
const BULK_BYTES = BULK_MIB * 1024 * 1024;
const children: ChildProcess[] = [];

interface Up {
  child: ChildProcess;
  lines: string[];
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
}

function dpUp(config: string, extra: string[] = []): Up {
  const child = spawn(process.execPath, [CLI, 'dp', 'up', config, '--netns', topo.ns('dut'), '--pin-root', PIN_ROOT, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const take = (line: string): void => {
    lines.push(line);
    for (const w of [...waiters])
      if (w.re.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
  };
  createInterface({ input: child.stdout }).on('line', take);
  createInterface({ input: child.stderr }).on('line', take);
  return {
    child,
    lines,
    waitFor: (re, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((l) => re.test(l));
        if (seen !== undefined) {
          resolve(seen);
          return;
        }
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; got:\n${lines.join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      }),
  };
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

function cli(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function curl(url: string): Promise<string> {
  const r = await topo.exec('client', ['curl', '-gsS', '--max-time', '3', url]);
  return r.stdout.trim();
}

/** Uploads the bulk file with curl through `url`; the server's answer, the body size it
 *  says it read, and the bytes the flow-cache fast path (TC or XDP) carried meanwhile. */
async function bulkUpload(url: string): Promise<{ answer: string; received: number; carried: number }> {
  const before = await fastPathBytes();
  const r = await topo.exec('client', [
    'curl',
    '-gsS',
    '--max-time',
    '30',
    '--data-binary',
    `@${BULK_FILE}`,
    '-w',
    '%header{x-request-body-bytes}\n',
    url,
  ]);
  const [answer = '', received = ''] = r.stdout.trim().split('\n');
  return { answer, received: Number(received), carried: (await fastPathBytes()) - before };
}

/** What this test leaves in the kernel for the datapath: pins, XDP, clsact qdiscs. */
async function leftovers(): Promise<string[]> {
  const out: string[] = [];
  if (existsSync(PIN_ROOT)) out.push(`pins ${PIN_ROOT}`);
  for (const ifname of ['eth-client', 'eth-s1', 'eth-s2']) {
    const q = await topo.exec('dut', ['tc', 'qdisc', 'show', 'dev', ifname]);
    if (q.stdout.includes('clsact')) out.push(`clsact ${ifname}`);
    const l = await topo.exec('dut', ['ip', 'link', 'show', ifname]);
    if (/xdp/.test(l.stdout)) out.push(`xdp ${ifname}`);
  }
  return out;
}

test.before(async () => {
  topo = await buildTopology(TOPOLOGY);
  servers = await Promise.all([topo.startAgent('s1', { name: 'server-1' }), topo.startAgent('s2', { name: 'server-2' })]);
  for (const s of servers) await s.httpServer({ port: 80 });
  writeFileSync(BULK_FILE, randomBytes(BULK_BYTES));
});

test.after.always(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of servers) await s.close().catch(() => undefined);
  await topo?.destroy();
  spawnSync('rm', ['-rf', PIN_ROOT, stateDirOf(PIN_ROOT)]);
  rmSync(work, { recursive: true, force: true });
});

test.serial(
  'dp up runs the example: curl through the VIP in round-robin turn, metrics, SIGHUP, dp apply, dp down leaves nothing',
  async (t) => {
    const config = join(work, 'lb.yaml');
    copyFileSync(EXAMPLE, config);
    const up = dpUp(config, ['--metrics', METRICS]);
    // A failed assertion must not leave the daemon holding the pin root for the next tests.
    t.teardown(async () => {
      if (up.child.exitCode === null) up.child.kill('SIGTERM');
      await exited(up.child);
    });
    await up.waitFor(/ up /);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await curl('http://10.0.9.100/'));
    t.deepEqual(answers, ['server-1', 'server-2', 'server-1', 'server-2']);
    const upload = await bulkUpload('http://10.0.9.100/');
    t.is(upload.answer, 'server-1', `a ${BULK_MIB} MiB upload is answered in turn`);
    t.is(upload.received, BULK_BYTES, 'the server read the whole upload');
    // Every data segment is a fast hit (the slow path sees the handshake and the close).
    t.true(upload.carried >= BULK_BYTES, `the fast path carried ${upload.carried} bytes of a ${BULK_BYTES}-byte upload`);

    const metrics = await (await fetch(`http://${METRICS}/metrics`)).text();
    t.regex(metrics, /^fastpath_path_packets_total\{path="l3_fwd"\} [1-9]/m);
    t.regex(metrics, /^fastpath_map_entries\{map="ct"\} \d+/m);
    t.regex(metrics, /^fastpath_interface_rx_packets_total\{interface="eth-client"\} [1-9]/m);
    t.regex(metrics, /^fastpath_lb_endpoint_sessions\{vip="10.0.9.100",port="80",protocol="tcp",endpoint="10.0.2.2:80"\} \d+/m);

    // A bad file on SIGHUP changes nothing; a good one takes server-2 out.
    const good = readFileSync(EXAMPLE, 'utf8');
    writeFileSync(config, good.replace('algorithm: rr', 'algorithm: rr\n      bogus: 1'));
    up.child.kill('SIGHUP');
    await up.waitFor(/reload-rejected/);
    t.regex(up.lines.join('\n'), /lb\.yaml:\d+: datapath\.lbRules\[0\]\.bogus: unknown field/);
    t.deepEqual([await curl('http://10.0.9.100/'), await curl('http://10.0.9.100/')].sort(), ['server-1', 'server-2']);
    writeFileSync(config, good.replace('        - { address: 10.0.3.2, port: 80 }\n', ''));
    up.child.kill('SIGHUP');
    await up.waitFor(/ reload .*1 changes/);
    t.deepEqual(
      [await curl('http://10.0.9.100/'), await curl('http://10.0.9.100/'), await curl('http://10.0.9.100/')],
      ['server-1', 'server-1', 'server-1'],
    );

    // dp apply: a second VIP port to server-2 only, then without it.
    const more = join(work, 'more.yaml');
    writeFileSync(
      more,
      `${good}    - vip: 10.0.9.100\n      port: 8080\n      protocol: tcp\n      endpoints: [{ address: 10.0.3.2, port: 80 }]\n`,
    );
    const applied = cli(['dp', 'apply', more, '--pin-root', PIN_ROOT]);
    t.is(applied.status, 0, applied.out);
    t.regex(applied.out, /\+ lbRules tcp\|0\|10\.0\.9\.100\|8080\|8080/);
    t.regex(applied.out, /~ lbRules tcp\|0\|10\.0\.9\.100\|80\|80/);
    t.is(await curl('http://10.0.9.100:8080/'), 'server-2');
    const back = cli(['dp', 'apply', config, '--pin-root', PIN_ROOT]);
    t.is(back.status, 0, back.out);
    t.regex(back.out, /- lbRules tcp\|0\|10\.0\.9\.100\|8080\|8080/);
    await t.throwsAsync(curl('http://10.0.9.100:8080/'));
    // Quick edits: the rule on port 80 has server-1 only now.
    const lb = (...args: string[]): { status: number | null; out: string } => cli(['dp', 'lb', ...args, '--pin-root', PIN_ROOT]);
    const rule = ['--vip', '10.0.9.100', '--port', '80', '--proto', 'tcp'];
    t.is(lb('endpoint', 'add', ...rule, '--endpoint', '10.0.3.2:80').status, 0);
    t.deepEqual([await curl('http://10.0.9.100/'), await curl('http://10.0.9.100/')].sort(), ['server-1', 'server-2']);
    t.is(lb('endpoint', 'deactivate', ...rule, '--endpoint', '10.0.2.2:80').status, 0);
    t.deepEqual(
      [await curl('http://10.0.9.100/'), await curl('http://10.0.9.100/'), await curl('http://10.0.9.100/')],
      ['server-2', 'server-2', 'server-2'],
    );
    t.is(lb('endpoint', 'activate', ...rule, '--endpoint', '10.0.2.2:80').status, 0);
    const added = lb('add', '--vip', '10.0.9.100', '--port', '8081', '--proto', 'tcp', '--algo', 'hash', '--endpoint', '10.0.2.2:80');
    t.is(added.status, 0, added.out);
    t.is(await curl('http://10.0.9.100:8081/'), 'server-1');
    t.is(lb('del', '--vip', '10.0.9.100', '--port', '8081', '--proto', 'tcp').status, 0);
    await t.throwsAsync(curl('http://10.0.9.100:8081/'));
    const missing = lb('del', '--vip', '10.0.9.100', '--port', '8081', '--proto', 'tcp');
    t.is(missing.status, 1);
    t.regex(missing.out, /no rule tcp 10\.0\.9\.100:8081\nnothing was changed/);
    const wrong = lb('endpoint', 'add', ...rule, '--endpoint', 'not-an-address:80');
    t.is(wrong.status, 1);
    t.regex(wrong.out, /lbRules\[0\]\.endpoints\[2\]\.address/);

    const bad = cli(['dp', 'apply', join(work, 'missing.yaml'), '--pin-root', PIN_ROOT]);
    t.is(bad.status, 2);
    t.regex(bad.out, /missing\.yaml:1: \(file\): cannot read/);

    const down = cli(['dp', 'down', '--pin-root', PIN_ROOT]);
    t.is(down.status, 0, down.out);
    t.is(await exited(up.child), 0);
    t.deepEqual(await leftovers(), []);
    const none = cli(['dp', 'apply', config, '--pin-root', PIN_ROOT]);
    t.is(none.status, 2);
    t.regex(none.out, /nothing runs on pin root/);
  },
);

test.serial('--keep-state: a TCP connection survives dp apply and a restart; SIGKILL is cleaned up by the next dp up', async (t) => {
  const config = join(work, 'keep.yaml');
  copyFileSync(EXAMPLE, config);
  const first = dpUp(config, ['--keep-state']);
  await first.waitFor(/ up /);
  // One connection held open throughout: a request per line on its stdin.
  const holder = spawn(
    'ip',
    [
      'netns',
      'exec',
      topo.ns('client'),
      'python3',
      '-u',
      '-c',
      [
        'import socket,sys',
        's=socket.create_connection(("10.0.9.100",80),timeout=10)',
        'def ask():',
        '    s.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"); print(s.recv(4096).split(b"\\r\\n\\r\\n")[-1].decode().strip(), flush=True)',
        'ask()',
        'for line in sys.stdin: ask()',
      ].join('\n'),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  children.push(holder);
  const said: string[] = [];
  createInterface({ input: holder.stdout }).on('line', (l) => said.push(l));
  const ask = (n: number): Promise<void> => {
    if (n > 1) holder.stdin.write('\n');
    return new Promise((resolve, reject) => {
      const timer = setInterval(() => {
        if (said.length >= n) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
      setTimeout(() => {
        clearInterval(timer);
        reject(new Error(`connection said ${JSON.stringify(said)}`));
      }, 15_000);
    });
  };
  await ask(1);
  // A rule added and removed while the connection runs leaves it alone.
  const more = join(work, 'keep-more.yaml');
  writeFileSync(
    more,
    `${readFileSync(EXAMPLE, 'utf8')}    - vip: 10.0.9.100\n      port: 8080\n      protocol: tcp\n      endpoints: [{ address: 10.0.3.2, port: 80 }]\n`,
  );
  t.is(cli(['dp', 'apply', more, '--pin-root', PIN_ROOT]).status, 0);
  await ask(2);
  t.is(cli(['dp', 'apply', config, '--pin-root', PIN_ROOT]).status, 0);
  await ask(3);
  first.child.kill('SIGTERM');
  t.is(await exited(first.child), 0);
  t.true(existsSync(PIN_ROOT), 'pins kept');
  const second = dpUp(config);
  await second.waitFor(/ up .*state kept from before: 0 changes/);
  await ask(4);
  t.deepEqual(said, [said[0], said[0], said[0], said[0]], 'every request on the connection reaches the same server');

  second.child.kill('SIGKILL');
  await exited(second.child);
  t.true(existsSync(PIN_ROOT));
  const third = dpUp(config);
  await third.waitFor(/cleanup .*stopped without cleaning up: removed/);
  await third.waitFor(/ up /);
  third.child.kill('SIGINT');
  t.is(await exited(third.child), 0);
  t.deepEqual(await leftovers(), []);
});

/** Bytes the flow-cache fast path (TC or XDP) carried, from the metrics endpoint. */
async function fastPathBytes(): Promise<number> {
  const text = await (await fetch(`http://${METRICS}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(/^fastpath_path_bytes_total\{path="(?:tc|xdp)_fast_hit"\} (\d+)/gm)) sum += Number(m[1]);
  return sum;
}

/** Brings an example up (with metrics), runs `check` against it, then a bulk upload with
 *  curl through the VIP at `url` (answered by a server, carried by the fast path), brings
 *  it down and returns what is left. */
async function withExample(t: ExecutionContext, name: string, url: string, check: () => Promise<void>): Promise<string[]> {
  const up = dpUp(join(REPO, 'examples', name), ['--metrics', METRICS]);
  await up.waitFor(/ up /);
  try {
    await check();
    const upload = await bulkUpload(url);
    t.regex(upload.answer, /^server-[12]$/, `${BULK_MIB} MiB upload answered`);
    t.is(upload.received, BULK_BYTES, 'the server read the whole upload');
    t.true(upload.carried >= BULK_BYTES, `the fast path carried ${upload.carried} bytes of a ${BULK_BYTES}-byte upload`);
  } finally {
    up.child.kill('SIGTERM');
    await exited(up.child);
  }
  return leftovers();
}

test.serial('examples/nat66.yaml: curl to the IPv6 VIP is answered by the hashed servers (TC + native XDP)', async (t) => {
  t.deepEqual(
    await withExample(t, 'nat66.yaml', 'http://[fd00:9::100]/', async () => {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await curl('http://[fd00:9::100]/'));
      t.deepEqual(
        [...new Set(answers)].filter((a) => a !== 'server-1' && a !== 'server-2'),
        [],
        answers.join(','),
      );
    }),
    [],
  );
});

test.serial(
  "examples/fullnat-policer.yaml: curl is answered through full NAT and the policer counts the rule's packets green",
  async (t) => {
    t.deepEqual(
      await withExample(t, 'fullnat-policer.yaml', 'http://10.0.9.100/', async () => {
        t.deepEqual([await curl('http://10.0.9.100/'), await curl('http://10.0.9.100/')].sort(), ['server-1', 'server-2']);
        const metrics = await (await fetch(`http://${METRICS}/metrics`)).text();
        t.regex(metrics, /^fastpath_policer_packets_total\{policer="1",colour="green"\} [1-9]/m);
        t.regex(metrics, /^fastpath_policer_packets_total\{policer="1",colour="red"\} 0$/m);
      }),
      [],
    );
  },
);

test.serial('examples/maglev.yaml: 40 connections all answered, both weighted servers chosen', async (t) => {
  // With weights 2:1 the chance that 40 connections of random source ports all land on
  // one server is (2/3)^40 + (1/3)^40 < 1e-7.
  t.deepEqual(
    await withExample(t, 'maglev.yaml', 'http://10.0.9.100/', async () => {
      const answers: string[] = [];
      for (let i = 0; i < 40; i++) answers.push(await curl('http://10.0.9.100/'));
      t.deepEqual([...new Set(answers)].sort(), ['server-1', 'server-2']);
    }),
    [],
  );
});

test.serial('examples/one-arm.yaml: curl is answered by the server on the one arm (TC + generic XDP)', async (t) => {
  t.deepEqual(
    await withExample(t, 'one-arm.yaml', 'http://10.0.9.100/', async () => {
      t.deepEqual([await curl('http://10.0.9.100/'), await curl('http://10.0.9.100/')], ['server-1', 'server-1']);
    }),
    [],
  );
});

test.serial('datapath events are logged as JSON lines: mac-learn on a learning port, route-miss for an unrouted destination', async (t) => {
  const config = join(work, 'events.yaml');
  writeFileSync(
    config,
    readFileSync(EXAMPLE, 'utf8').replace('- { ifname: eth-client, port: 1 }', '- { ifname: eth-client, port: 1, learn: true }'),
  );
  const up = dpUp(config, ['--log-format', 'json']);
  await up.waitFor(/"event":"up"/);
  t.is(await curl('http://10.0.9.100/'), 'server-1');
  const learn = JSON.parse(await up.waitFor(/"event":"mac-learn"/)) as Record<string, unknown>;
  t.like(learn, { event: 'mac-learn', interface: 'eth-client', mac: '02:d0:00:00:01:02', port: 1 });
  await t.throwsAsync(curl('http://10.0.50.1/'));
  const miss = JSON.parse(await up.waitFor(/"event":"route-miss"/)) as Record<string, unknown>;
  t.like(miss, { event: 'route-miss', interface: 'eth-client', address: '10.0.50.1' });
  up.child.kill('SIGTERM');
  t.is(await exited(up.child), 0);
  t.deepEqual(await leftovers(), []);
});
