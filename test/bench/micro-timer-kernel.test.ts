import test from 'ava';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRepeat, detectMutation, measureTestRun, packetRunOf, testRunSampler } from '../../src/bench/micro-timer.js';

// The timing core against the real kernel: BPF_PROG_TEST_RUN through the addon on the
// test fixtures (empty_tc = calibration, rewrite_tc swaps the Ethernet MACs).
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const addonPath = join(root, 'native', 'build', 'Release', 'fastpath.node');
const fixtures = {
  bench: join(root, 'build', 'test-bpf', 'bench.bpf.o'),
  rewrite: join(root, 'build', 'test-bpf', 'rewrite.bpf.o'),
};
const missing = [addonPath, fixtures.bench, fixtures.rewrite].filter((p) => !existsSync(p));
const skipReason =
  missing.length > 0
    ? `not built: ${missing.join(', ')} (run make build)`
    : process.getuid?.() !== 0
      ? 'BPF_PROG_TEST_RUN needs root'
      : null;

// Ethernet (dst 02:..:01, src 02:..:02, IPv4) + a 20-byte IPv4 header + zero padding to 64 bytes.
const frame = Buffer.alloc(64);
Buffer.from('020000000001020000000002' + '0800', 'hex').copy(frame, 0);
Buffer.from('45000032000000004011' + '0000' + '0a000001' + '0a000002', 'hex').copy(frame, 14);

const kernelTest = skipReason === null ? test : test.skip;
if (skipReason !== null) test('kernel timing checks are skipped', (t) => t.log(`skipped: ${skipReason}`));

async function load(): Promise<{
  empty: import('../../native/index.js').BpfProgram;
  rewrite: import('../../native/index.js').BpfProgram;
  close(): void;
}> {
  const { BpfObject } = await import('../../native/index.js');
  const bench = new BpfObject(fixtures.bench);
  const rewrite = new BpfObject(fixtures.rewrite);
  return {
    empty: bench.program('empty_tc'),
    rewrite: rewrite.program('rewrite_tc'),
    close: () => {
      bench.close();
      rewrite.close();
    },
  };
}

kernelTest('the kernel re-runs a repeat>1 test run on the rewritten packet; repeat>1 is refused', async (t) => {
  const programs = await load();
  t.teardown(() => programs.close());
  const report = detectMutation(frame, packetRunOf(programs.rewrite));
  // Swapping the MACs first changes byte 5 (the MACs differ only in their last byte); with repeat=2 the second iteration swaps them back,
  // which is exactly what a repeat=1 run over the first output produces.
  t.deepEqual(report, { mutates: true, firstDifference: 5, inputLength: 64, outputLength: 64, reTimesRewritten: true });
  t.throws(() => checkRepeat(frame, packetRunOf(programs.rewrite), 1000), {
    message: /^repeat: 1000 refused: the program rewrites the packet \(byte 5 changes/,
  });
  t.is(checkRepeat(frame, packetRunOf(programs.empty), 1000).mutates, false);
});

kernelTest('measureTestRun on real test runs subtracts the empty-program median exactly', async (t) => {
  const programs = await load();
  t.teardown(() => programs.close());
  const m = measureTestRun({
    run: testRunSampler(programs.rewrite, { data: frame }),
    calibrate: testRunSampler(programs.empty, { data: frame }),
    samples: 300,
    warmup: 20,
    blockSize: 25,
  });
  t.is(m.raw.length, 300);
  t.is(m.calibration.length, 300);
  for (const d of [...m.raw, ...m.calibration]) t.true(Number.isInteger(d) && d > 0, `duration ${d}`);
  t.deepEqual(
    m.samples,
    m.raw.map((d) => d - m.calibrationMedian),
  );
  t.log(`calibration median ${m.calibrationMedian} ns; rewrite_tc raw median ${[...m.raw].sort((a, b) => a - b)[150]} ns (informational)`);
});
