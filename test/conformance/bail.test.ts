// --bail: the first failed scenario stops the run; the rest are reported as skipped with
// the reason, and the exit status says a scenario failed. Without it every scenario runs.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SuiteResult } from '../../src/conformance/index.js';
import { CLI, REPO, namespacesOf, pinsOf } from './_helpers.js';

const work = mkdtempSync(join(tmpdir(), 'fp-bail-'));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

// The ICMP echo scenario twice: first with an expectation the datapath cannot meet (the
// forwarded request keeps its TTL), then as written.
const good = readFileSync(join(REPO, 'scenarios/icmp-echo-nat.yaml'), 'utf8');
const wrong = good
  .replace('name: icmp-echo-nat', 'name: a-wrong-ttl')
  .replace('{ type: ipv4, src: 10.0.1.2, dst: 10.0.2.2, ttl: 63, id: 1 }', '{ type: ipv4, src: 10.0.1.2, dst: 10.0.2.2, ttl: 64, id: 1 }');
const files = [join(work, 'a-wrong-ttl.yaml'), join(work, 'b-right.yaml')];
writeFileSync(files[0]!, wrong);
writeFileSync(files[1]!, good.replace('name: icmp-echo-nat', 'name: b-right'));

function conformance(...extra: string[]): { status: number | null; suite: SuiteResult; pid: number } {
  const json = join(work, `suite${extra.join('')}.json`);
  const r = spawnSync(
    process.execPath,
    [CLI, 'conformance', ...files, '--mode', 'packet', '--json', json, '--runs-dir', join(work, 'runs'), ...extra],
    {
      encoding: 'utf8',
      timeout: 2 * 60_000,
    },
  );
  return { status: r.status, suite: JSON.parse(readFileSync(json, 'utf8')) as SuiteResult, pid: r.pid ?? 0 };
}

test.serial('--bail: the scenario after the first failure is skipped, naming the failure', (t) => {
  t.not(wrong, good.replace('name: icmp-echo-nat', 'name: a-wrong-ttl'), 'the wrong expectation was planted');
  const r = conformance('--bail');
  t.is(r.status, 1);
  t.deepEqual(
    r.suite.results.map((x) => [x.scenario, x.status]),
    [
      ['a-wrong-ttl', 'fail'],
      ['b-right', 'skip'],
    ],
  );
  t.is(r.suite.results[1]!.skipReason, 'not run: --bail after a-wrong-ttl (packet) failed');
  t.deepEqual([r.suite.passed, r.suite.failed, r.suite.skipped], [0, 1, 1]);
  t.deepEqual(namespacesOf(r.pid), []);
  t.deepEqual(pinsOf(r.pid), []);
});

test.serial('without --bail every scenario runs after a failure', (t) => {
  const r = conformance();
  t.is(r.status, 1);
  t.deepEqual(
    r.suite.results.map((x) => [x.scenario, x.status]),
    [
      ['a-wrong-ttl', 'fail'],
      ['b-right', 'pass'],
    ],
  );
});
