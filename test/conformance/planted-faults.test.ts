// The wire matrix must catch an XDP fast path that forwards what it cannot forward
// correctly. The Makefile builds the datapath with one rule of bpf/include/xdp_fwd.h left
// out; the real-client scenario then fails in the cell where that rule matters, and says
// why (a host counted checksum errors, requests went unanswered).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SuiteResult } from '../../src/conformance/index.js';
import { CLI, REPO, namespacesOf, pinsOf } from './_helpers.js';

const work = mkdtempSync(join(tmpdir(), 'fp-planted-'));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

function conformance(object: string, cells: string): { status: number | null; suite: SuiteResult; pid: number } {
  const json = join(work, `${cells.replace(/\W/g, '_')}.json`);
  const r = spawnSync(
    process.execPath,
    [
      CLI,
      'conformance',
      join(REPO, 'scenarios/tcp-real-clients.yaml'),
      '--mode',
      'wire',
      '--cells',
      cells,
      '--object',
      object,
      '--json',
      json,
      '--runs-dir',
      join(work, 'runs'),
    ],
    { encoding: 'utf8', timeout: 5 * 60_000 },
  );
  return { status: r.status, suite: JSON.parse(readFileSync(json, 'utf8')) as SuiteResult, pid: r.pid ?? 0 };
}

test.serial('an XDP path that forwards partial checksums fails the xdp-native cell at default offloads', (t) => {
  t.timeout(5 * 60_000);
  const r = conformance(join(REPO, 'build/test-bpf/fastpath-fault-xdp-csum.bpf.o'), 'xdp-native/on,tc/on');
  t.is(r.status, 1);
  const xdp = r.suite.results[0]!;
  const tc = r.suite.results[1]!;
  t.is(xdp.cell, 'xdp-native, offloads on');
  t.is(xdp.status, 'fail');
  const failed = xdp.checks.filter((c) => !c.ok).map((c) => c.name);
  t.true(failed.includes("steps[6] http 'web4': every request answered"), failed.join('\n'));
  t.true(failed.includes("steps[8] bulk 'bulk4': 32 MiB arrived whole"), failed.join('\n'));
  const hosts = xdp.checks.filter((c) => !c.ok && c.name.startsWith('host '));
  t.true(
    hosts.some((c) => /Tcp\.InCsumErrors \+\d+/.test(c.detail ?? '')),
    `a host counted TCP checksum errors: ${hosts.map((c) => c.detail).join('; ')}`,
  );
  // TC alone never runs the XDP rule: the same object passes there.
  t.is(tc.cell, 'tc, offloads on');
  t.is(tc.status, 'pass');
  t.deepEqual(namespacesOf(r.pid), []);
  t.deepEqual(pinsOf(r.pid), []);
});
