// The differential check against the real datapath: fast-path injects are replayed through
// the slow path without leaving a trace, and a flow-cache entry whose rewrite bytes were
// corrupted through the map is caught with a layer diff.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConformance } from '../../src/conformance/index.js';
import type { Datapath } from '../../src/datapath/index.js';
import { REPO } from './_helpers.js';

const work = mkdtempSync(join(tmpdir(), 'fp-conformance-diff-'));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

const scenario = join(REPO, 'scenarios/tcp-fastpath-transition.yaml');
/** fp_fc_value: generation u64, then dmac[6]. */
const FC_DMAC_OFFSET = 8;

function corruptFlowCache(dp: Datapath): number {
  const fc = dp.map('fc');
  let n = 0;
  for (const k of fc.keys()) {
    const v = fc.lookup(k)!;
    Buffer.from('02deadbeef00', 'hex').copy(v, FC_DMAC_OFFSET);
    fc.update(k, v);
    n++;
  }
  return n;
}

test.serial('fast-path injects are replayed through the slow path, and the run still passes', async (t) => {
  const suite = await runConformance({ paths: [scenario], mode: 'packet', runsDir: join(work, 'ok'), log: (l) => t.log(l) });
  t.is(suite.failed, 0);
  t.is(suite.results.length, 1);
  t.deepEqual(suite.results[0]!.differential, { checked: 3, mismatched: 0 });
  t.deepEqual(suite.differential, { checked: 3, mismatched: 0 });
  t.is(suite.results[0]!.checks.filter((c) => c.name.includes(': differential')).length, 3);
});

test.serial('a corrupted flow-cache entry fails the differential check with a layer diff', async (t) => {
  let corrupted = 0;
  const suite = await runConformance({
    paths: [scenario],
    mode: 'packet',
    runsDir: join(work, 'bad'),
    log: (l) => t.log(l),
    beforeInject: (dp) => {
      corrupted += corruptFlowCache(dp);
    },
  });
  t.true(corrupted > 0, 'flow-cache entries were corrupted');
  const r = suite.results[0]!;
  t.is(r.status, 'fail');
  t.is(r.differential?.checked, 3);
  t.is(r.differential?.mismatched, 3);
  const failed = r.checks.filter((c) => !c.ok && c.name.includes(': differential'));
  t.is(failed.length, 3);
  for (const c of failed) {
    t.regex(c.detail ?? '', /^bytes differ \(fast path as expected, slow path as actual\):/);
    t.regex(c.detail ?? '', /eth/);
  }
  t.log(failed[0]!.detail);
  const diffText = readFileSync(join(r.artifactsDir!, 'packet.diff.txt'), 'utf8');
  t.true(diffText.includes('differential (fast path vs slow path):'));
});
