import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFingerprint, parseCpuinfo } from '../../src/bench/fingerprint.js';
import { makeMetric, newRunId, parseResult, readResult, serializeResult, withRatio, writeResult } from '../../src/bench/result.js';
import { validateResult } from '../../src/bench/result-validate.js';
import { brokenCopy, fingerprint, metric, result } from './fixtures.js';

const good = (): ReturnType<typeof result> => result('run-1', [metric('micro/a', [3, 1, 2]), metric('micro/b', [5, 5, 6])]);

test('makeMetric computes the summary from the samples', (t) => {
  const m = makeMetric({ id: 'x', group: 'g', name: 'X', unit: 'Mpps', better: 'higher', samples: [1, 2, 3, 4], params: { size: 64 } });
  t.like(m.summary, { n: 4, median: 2.5, q1: 1.75, q3: 3.25, iqr: 1.5, mean: 2.5 });
  t.deepEqual(m.params, { size: 64 });
  t.false('calibration' in m);
});

test('serialize -> parse round trip, samples kept on one line', (t) => {
  const r = good();
  const text = serializeResult(r);
  t.deepEqual(parseResult(text, 'mem'), JSON.parse(JSON.stringify(r)));
  t.true(text.includes('"samples": [3,1,2]'));
  t.true(text.endsWith('\n'));
});

test('write and read a result file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-bench-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'sub', 'r.json');
  writeResult(path, good());
  t.deepEqual(readResult(path), JSON.parse(JSON.stringify(good())));
});

test('the validator names the offending field', (t) => {
  const cases: Array<[string, unknown, string]> = [
    ['schema', 'other/1', 'schema: expected \'fastpath-bench/1\', got "other/1"'],
    ['runId', '../x', "runId: expected letters, digits, '.', '_' or '-' (it names a directory), got \"../x\""],
    ['startedAt', 'yesterday', 'startedAt: expected an ISO 8601 time, got "yesterday"'],
    ['environment.git', undefined, 'environment.git: expected an object, got undefined'],
    ['environment.jit.harden', 'no', 'environment.jit.harden: expected a finite number, got "no"'],
    ['metrics', {}, 'metrics: expected an array, got an object'],
    [
      'metrics.1.unit',
      'furlongs',
      "metrics[1].unit: expected one of 'ns/pkt', 'ns/op', 'ns', 'us', 'ms', 'Mpps', 'Gbps', 'entries/s', 'conn/s', 'req/s', 'ops/s', 'bytes', 'ratio', '%', got \"furlongs\"",
    ],
    ['metrics.0.better', 'more', "metrics[0].better: expected one of 'lower', 'higher', got \"more\""],
    ['metrics.0.samples.2', null, 'metrics[0].samples[2]: expected a finite number, got null'],
    ['metrics.0.samples', [], 'metrics[0].samples: expected at least 1 sample, got 0'],
    ['metrics.1.summary.n', 4, 'metrics[1].summary.n: is 4 but there are 3 samples'],
    ['metrics.1.summary.ci95', [1], 'metrics[1].summary.ci95: expected [lo, hi], got an array'],
    ['metrics.1.summary.ci95', [7, 5], 'metrics[1].summary.ci95: lower bound 7 is above upper bound 5'],
    ['metrics.0.calibration', { name: 'empty' }, 'metrics[0].calibration.median: expected a finite number, got undefined'],
    ['metrics.0.ratio', { to: '', value: 1 }, 'metrics[0].ratio.to: expected a non-empty string'],
    ['metrics.0.params', { size: true }, 'metrics[0].params.size: expected a string or a finite number, got true'],
    ['metrics.1.id', 'micro/a', "metrics[1].id: duplicate id 'micro/a'"],
  ];
  for (const [path, value, message] of cases) {
    const r = brokenCopy(good(), path, value);
    t.throws(() => validateResult(r), { message }, message);
  }
});

test('reading a malformed file names the file and the field', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-bench-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify(brokenCopy(good(), 'metrics.0.summary.median', 'fast')));
  t.throws(() => readResult(bad), { message: `${bad}: metrics[0].summary.median: expected a finite number, got "fast"` });
  writeFileSync(bad, '{"schema":');
  t.throws(() => readResult(bad), { message: new RegExp(`^${bad}: not valid JSON: `) });
  t.throws(() => readResult(join(dir, 'none.json')), { message: /none\.json: cannot read: ENOENT/ });
  t.throws(() => writeResult(join(dir, 'x.json'), { ...good(), runId: '' }), { message: 'runId: expected a non-empty string' });
  t.deepEqual(readFileSync(bad, 'utf8'), '{"schema":', 'nothing else was touched');
});

test('run ids sort by time and carry random hex', (t) => {
  const id = newRunId(new Date('2026-11-24T21:15:30.123Z'));
  t.regex(id, /^20261124T211530Z-[0-9a-f]{6}$/);
  t.notDeepEqual(id, newRunId(new Date('2026-11-24T21:15:30.123Z')));
});

test('cpuinfo parsing: model and processor count', (t) => {
  const text = 'processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: x\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n';
  t.deepEqual(parseCpuinfo(text), { model: 'AMD EPYC 7B13', count: 2 });
  t.deepEqual(parseCpuinfo(''), { model: null, count: null });
  t.truthy(fingerprint.node);
});

test('the fingerprint of this machine agrees with node:os and passes the validator', async (t) => {
  const env = await collectFingerprint({ libbpfVersion: '1.1' });
  t.is(env.kernel, release());
  t.is(env.cpu.count, cpus().length);
  t.is(env.node, process.version);
  t.is(env.libbpf, '1.1');
  if (env.git.commit === null) t.log('git: no commit readable here (not a checkout?)');
  else t.regex(env.git.commit, /^[0-9a-f]{40}$/);
  t.notThrows(() => validateResult(result('run-env', [], env)));
});

test('withRatio relates a median to a reference metric of the same unit', (t) => {
  const ceiling = metric('wire/ceiling', [10, 10, 10], { unit: 'Mpps', better: 'higher' });
  const xdp = metric('wire/xdp', [7, 7, 7], { unit: 'Mpps', better: 'higher' });
  t.deepEqual(withRatio(xdp, ceiling).ratio, { to: 'wire/ceiling', value: 0.7 });
  t.throws(() => withRatio(metric('micro/a', [1]), ceiling), {
    message: "ratio: metric 'micro/a' is in ns/pkt but reference 'wire/ceiling' is in Mpps",
  });
});

test('the ndr and dut sections: round trip, and their problems named', (t) => {
  const step = {
    targetPps: 2e4,
    offeredPps: 19_900,
    offered: 19_900,
    received: 19_900,
    receivedPps: 19_900,
    lossPct: 0,
    pass: true,
    stalls: 0,
  };
  const r = {
    ...good(),
    ndr: [{ metric: 'micro/a', label: 'a point', lossPct: 0, resolutionPct: 1, maxPps: 2e4, ndrPps: 19_900, steps: [step] }],
    dut: { target: 'ssh://root@dut', config: 'dut.yaml', pinRoot: '/sys/fs/bpf/x', environment: fingerprint },
  };
  t.deepEqual(parseResult(serializeResult(r), 'mem'), JSON.parse(JSON.stringify(r)));
  const cases: [string, unknown, string][] = [
    ['ndr.0.metric', 'wire/none', "ndr[0].metric: no metric 'wire/none' in the file"],
    ['ndr.0.steps.0.pass', 'yes', 'ndr[0].steps[0].pass: expected true or false, got "yes"'],
    ['ndr.0.steps.0.stalls', undefined, 'ndr[0].steps[0].stalls: expected a finite number, got undefined'],
    ['dut.environment.node', '', 'dut.environment.node: expected a non-empty string'],
  ];
  for (const [path, value, message] of cases) t.throws(() => validateResult(brokenCopy(r, path, value)), { message });
});
