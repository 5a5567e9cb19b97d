// Teardown on every way out of a process, the sweep of what a SIGKILLed run left, and two
// runs of one description side by side.
import test from 'ava';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { main } from '../../netns/command.js';
import { buildTopology, loadTopologyFile, sweepStale, withTopology } from '../../netns/index.js';
import { captureOutput, eventually, leftovers, namespacesOf, processAlive, stateFileExists } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/hold-topology.js', import.meta.url));
const PAIR = 'netns/topologies/pair.yaml';

interface Child {
  runId: string;
  agentPid: number;
  pid: number;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

async function startChild(mode: 'hold' | 'exit' | 'throw'): Promise<Child> {
  const child = spawn(process.execPath, [FIXTURE, PAIR, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    void exit.then((e) => reject(new Error(`child exited before ready: ${e.code ?? e.signal} ${e.stderr}`)));
  });
  const [, runId, agentPid] = line.split(' ');
  return { runId: runId!, agentPid: Number(agentPid), pid: child.pid!, exit };
}

// Serial: the two tests that sweep must not sweep each other's runs away mid-test.
test.serial('a SIGKILLed run leaves state that the next sweep removes', async (t) => {
  const child = await startChild('hold');
  t.deepEqual(namespacesOf(child.runId), [`fp-${child.runId}-left`, `fp-${child.runId}-right`]);
  process.kill(child.pid, 'SIGKILL');
  t.is((await child.exit).signal, 'SIGKILL');
  t.deepEqual(namespacesOf(child.runId), [`fp-${child.runId}-left`, `fp-${child.runId}-right`]);
  t.true(stateFileExists(child.runId));
  const swept = await sweepStale();
  const ours = swept.find((r) => r.runId === child.runId);
  t.deepEqual(ours?.namespaces, [`fp-${child.runId}-left`, `fp-${child.runId}-right`]);
  t.true(
    await eventually(() => leftovers(child.runId, [child.agentPid]).length === 0),
    leftovers(child.runId, [child.agentPid]).join(', '),
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} makes a run tear down by itself and die of the signal`, async (t) => {
    const child = await startChild('hold');
    t.true(processAlive(child.agentPid));
    process.kill(child.pid, signal);
    const exit = await child.exit;
    t.is(exit.signal, signal, exit.stderr);
    t.deepEqual(leftovers(child.runId), []);
    t.true(await eventually(() => !processAlive(child.agentPid)));
  });
}

test('SIGTERM in the middle of a build tears down what was built so far', async (t) => {
  const runId = `mid${process.pid}`;
  const child = spawn(process.execPath, [FIXTURE, 'netns/topologies/three-host.yaml', 'hold', runId], { stdio: 'ignore' });
  const exit = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  // The first namespace is recorded before it is created: strike as soon as it shows up.
  t.true(await eventually(() => stateFileExists(runId), 2000, 2));
  child.kill('SIGTERM');
  t.log(`signalled with ${namespacesOf(runId).length} of 3 namespaces present`);
  t.is(await exit, 'SIGTERM');
  t.deepEqual(leftovers(runId), []);
});

test('an uncaught exception after the build tears down', async (t) => {
  const child = await startChild('throw');
  const exit = await child.exit;
  t.is(exit.code, 1);
  t.true(exit.stderr.includes('deliberate failure after build'));
  t.deepEqual(leftovers(child.runId), []);
  t.true(await eventually(() => !processAlive(child.agentPid)));
});

test('process.exit without destroy() tears down', async (t) => {
  const child = await startChild('exit');
  t.is((await child.exit).code, 0);
  t.deepEqual(leftovers(child.runId), []);
  t.true(await eventually(() => !processAlive(child.agentPid)));
});

test('the sweep never touches a live run', async (t) => {
  const topo = await buildTopology(loadTopologyFile(PAIR));
  try {
    const swept = await sweepStale();
    t.false(swept.some((r) => r.runId === topo.runId));
    t.deepEqual(namespacesOf(topo.runId), [topo.ns('left'), topo.ns('right')]);
    t.true(stateFileExists(topo.runId));
  } finally {
    await topo.destroy();
  }
  t.deepEqual(leftovers(topo.runId), []);
});

test('a build that fails midway is torn down and reports the failing command', async (t) => {
  const desc = loadTopologyFile(PAIR);
  desc.hosts[1]!.sysctls = { 'net.ipv4.conf.nosuchif.rp_filter': 0 };
  const runId = `half${process.pid}`;
  const err = await t.throwsAsync(buildTopology(desc, { runId }));
  t.regex(err.message, /sysctl -q -w net\.ipv4\.conf\.nosuchif\.rp_filter=0' failed/);
  t.deepEqual(leftovers(runId), []);
});

test('a run id already in use is refused before anything is created', async (t) => {
  const topo = await buildTopology(loadTopologyFile(PAIR));
  try {
    const err = await t.throwsAsync(buildTopology(loadTopologyFile(PAIR), { runId: topo.runId }));
    t.is(err.message, `runId: a run named '${topo.runId}' already exists (/run/fastpath/${topo.runId}.json)`);
    t.deepEqual(namespacesOf(topo.runId), [topo.ns('left'), topo.ns('right')]);
  } finally {
    await topo.destroy();
  }
});

test('two topologies from one description at once do not collide', async (t) => {
  const desc = loadTopologyFile(PAIR);
  const [one, two] = await Promise.all([buildTopology(desc), buildTopology(desc)]);
  try {
    t.not(one.runId, two.runId);
    t.notDeepEqual(namespacesOf(one.runId), namespacesOf(two.runId));
    for (const topo of [one, two]) {
      const right = await topo.startAgent('right', { name: `right-of-${topo.runId}` });
      const left = await topo.startAgent('left');
      await right.udpServer({ port: 7000 });
      const report = await left.udpClient({ addr: '10.10.0.2', port: 7000, count: 3 });
      t.deepEqual(report.answers, { [`right-of-${topo.runId}`]: 3 });
    }
  } finally {
    await Promise.all([one.destroy(), two.destroy()]);
  }
  t.deepEqual([...leftovers(one.runId), ...leftovers(two.runId)], []);
});

test.serial('topology up leaves the topology up; down FILE and down --run-id remove it', async (t) => {
  const runId = `cli${process.pid}`;
  const up = await captureOutput(() => main(['up', PAIR, '--run-id', runId]));
  t.is(up.status, 0, up.stderr);
  t.deepEqual(namespacesOf(runId), [`fp-${runId}-left`, `fp-${runId}-right`]);
  t.true(up.stdout.includes(`fp-${runId}-left`));
  t.true(up.stdout.includes(`tear down with: fastpath topology down ${PAIR}`));
  // A sweep leaves a topology that was put up on purpose alone.
  t.is((await captureOutput(() => main(['sweep']))).status, 0);
  t.deepEqual(namespacesOf(runId), [`fp-${runId}-left`, `fp-${runId}-right`]);
  const down = await captureOutput(() => main(['down', '--run-id', runId]));
  t.is(down.status, 0, down.stderr);
  t.is(down.stdout, `removed run ${runId}: fp-${runId}-left fp-${runId}-right\n`);
  t.deepEqual(leftovers(runId), []);

  const again = await captureOutput(() => main(['up', PAIR, '--run-id', `${runId}b`]));
  t.is(again.status, 0, again.stderr);
  const byFile = await captureOutput(() => main(['down', PAIR]));
  t.is(byFile.status, 0, byFile.stderr);
  t.true(byFile.stdout.includes(`removed run ${runId}b:`));
  t.deepEqual(leftovers(`${runId}b`), []);
});

test('withTopology tears down when fn throws and when it runs out of time', async (t) => {
  let runId = '';
  await t.throwsAsync(
    withTopology(loadTopologyFile(PAIR), async (topo) => {
      runId = topo.runId;
      await topo.startAgent('left');
      throw new Error('boom');
    }),
    { message: 'boom' },
  );
  t.deepEqual(leftovers(runId), []);
  let agentPid = 0;
  const err = await t.throwsAsync(
    withTopology(
      loadTopologyFile(PAIR),
      async (topo) => {
        runId = topo.runId;
        agentPid = (await topo.startAgent('right')).pid;
        await new Promise(() => undefined);
      },
      { timeoutMs: 1500 },
    ),
  );
  t.is(err.message, `topology ${runId}: timed out after 1500 ms; torn down`);
  t.deepEqual(leftovers(runId), []);
  t.true(await eventually(() => !processAlive(agentPid)));
});
