// The micro benchmark's answer check against the real kernel: a timed call whose verdict or
// output bytes differ from the expectation fails the run, naming the case and the call.
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TC_ACT_OK, TC_ACT_SHOT } from '../../native/constants.js';
import { MicroCheckError, checkedSampler } from '../../src/bench/micro/checked-sampler.js';
import { repoRoot } from '../../src/bench/paths.js';

const fixture = join(repoRoot, 'build', 'test-bpf', 'rewrite.bpf.o');
const skipReason = !existsSync(fixture)
  ? `not built: ${fixture} (run make build)`
  : process.getuid?.() !== 0
    ? 'BPF_PROG_TEST_RUN needs root'
    : null;
if (skipReason !== null) test('the kernel checks are skipped', (t) => t.log(`skipped: ${skipReason}`));
const kernelTest = skipReason === null ? test.serial : test.skip;

// rewrite_tc swaps the Ethernet MACs and returns TC_ACT_OK.
const frame = Buffer.concat([Buffer.from('0200000000010200000000020800', 'hex'), Buffer.alloc(50)]);
const swapped = Buffer.concat([Buffer.from('0200000000020200000000010800', 'hex'), Buffer.alloc(50)]);

async function withRewrite(fn: (p: import('../../native/index.js').BpfProgram) => void): Promise<void> {
  const { BpfObject } = await import('../../native/index.js');
  const obj = new BpfObject(fixture);
  try {
    fn(obj.program('rewrite_tc'));
  } finally {
    obj.close();
  }
}

kernelTest('the right verdict and bytes pass, every call checked', async (t) => {
  await withRewrite((p) => {
    const s = checkedSampler(p, frame, { verdict: TC_ACT_OK, output: [Buffer.alloc(64), swapped] }, { caseId: 'swap' });
    for (let i = 0; i < 5; i++) t.true(s.run().duration >= 0);
    t.deepEqual(s.counts, { calls: 5, outputsCompared: 5 });
  });
});

kernelTest('a wrong verdict fails the call', async (t) => {
  await withRewrite((p) => {
    const s = checkedSampler(p, frame, { verdict: TC_ACT_SHOT, output: [swapped] }, { caseId: 'swap' });
    t.throws(() => s.run(), { instanceOf: MicroCheckError, message: 'swap: timed call 0: verdict 0, expected 2' });
  });
});

kernelTest('wrong bytes fail the call with a field diff; compareEvery samples the outputs', async (t) => {
  await withRewrite((p) => {
    const s = checkedSampler(p, frame, { verdict: TC_ACT_OK, output: [frame] }, { caseId: 'swap', compareEvery: 3 });
    const e = t.throws(() => s.run(), { instanceOf: MicroCheckError });
    t.regex(e.message, /^swap: timed call 0: output differs from the expected frame:\n.*eth/s);
    t.deepEqual(s.counts, { calls: 1, outputsCompared: 1 });
    const every3 = checkedSampler(p, frame, { verdict: TC_ACT_OK, output: [swapped] }, { caseId: 'swap', compareEvery: 3 });
    for (let i = 0; i < 7; i++) every3.run();
    t.deepEqual(every3.counts, { calls: 7, outputsCompared: 3 });
  });
});
