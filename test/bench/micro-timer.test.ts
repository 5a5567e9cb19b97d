import test from 'ava';
import { checkRepeat, detectMutation, measureTestRun, type PacketRun } from '../../src/bench/micro-timer.js';

// Synthetic run functions stand in for test-run calls here: this file checks the
// arithmetic and the refusal logic, not the kernel (the micro benchmark does that).

function sequence(values: number[]): { fn: () => { duration: number }; calls: () => number } {
  let i = 0;
  return { fn: () => ({ duration: values[i++ % values.length]! }), calls: () => i };
}

test('subject samples minus the calibration median, exactly', (t) => {
  const subject = sequence([300, 310, 290, 305]);
  const calibration = sequence([69]);
  const m = measureTestRun({ run: subject.fn, calibrate: calibration.fn, samples: 8, warmup: 0, blockSize: 4 });
  t.deepEqual(m.raw, [300, 310, 290, 305, 300, 310, 290, 305]);
  t.is(m.calibrationMedian, 69);
  t.deepEqual(m.samples, [231, 241, 221, 236, 231, 241, 221, 236]);
});

test('the calibration median, not its mean, is subtracted', (t) => {
  const calibration = sequence([70, 68, 69, 1000, 69]);
  const m = measureTestRun({ run: () => ({ duration: 500 }), calibrate: calibration.fn, samples: 5, warmup: 0, blockSize: 5 });
  t.deepEqual(m.calibration, [70, 68, 69, 1000, 69]);
  t.is(m.calibrationMedian, 69);
  t.deepEqual(m.samples, [431, 431, 431, 431, 431]);
});

test('warm-up calls are discarded and blocks alternate ABBA', (t) => {
  const order: string[] = [];
  let clock = 0;
  const run = (): { duration: number } => {
    order.push('S');
    return { duration: 1000 + clock++ };
  };
  const calibrate = (): { duration: number } => {
    order.push('C');
    return { duration: 50 };
  };
  const progress: Array<[number, number]> = [];
  const m = measureTestRun({ run, calibrate, samples: 6, warmup: 2, blockSize: 2, onProgress: (d, n) => progress.push([d, n]) });
  t.is(order.slice(0, 4).join(''), 'SCSC');
  t.is(order.slice(4).join(''), 'SSCC' + 'CCSS' + 'SSCC');
  t.deepEqual(m.raw, [1002, 1003, 1004, 1005, 1006, 1007]);
  t.deepEqual(m.samples, [952, 953, 954, 955, 956, 957]);
  t.deepEqual(progress, [
    [4, 12],
    [8, 12],
    [12, 12],
  ]);
});

test('bad options and bad durations name the field', (t) => {
  const ok = (): { duration: number } => ({ duration: 1 });
  t.throws(() => measureTestRun({ run: ok, calibrate: ok, samples: 0 }), { message: 'samples: expected a positive integer, got 0' });
  t.throws(() => measureTestRun({ run: ok, calibrate: ok, warmup: -1 }), { message: 'warmup: expected a non-negative integer, got -1' });
  t.throws(() => measureTestRun({ run: () => ({ duration: Number.NaN }), calibrate: ok, warmup: 0, samples: 1 }), {
    message: 'run().duration: expected a non-negative number of ns, got NaN',
  });
});

// A "program" that decrements the IPv4 TTL (byte 22 of an Ethernet + IPv4 frame) on every
// iteration, as the kernel runs repeat iterations over one buffer.
const decrementTtl: PacketRun = (data, repeat) => {
  const out = Buffer.from(data);
  for (let i = 0; i < repeat; i++) out[22]! -= 1;
  return { data: out };
};
const passThrough: PacketRun = (data) => ({ data: Buffer.from(data) });
const packet = Buffer.alloc(64);
packet[22] = 64;

test('a rewriting program is detected, with the evidence that repeat re-times its output', (t) => {
  const report = detectMutation(packet, decrementTtl);
  t.deepEqual(report, { mutates: true, firstDifference: 22, inputLength: 64, outputLength: 64, reTimesRewritten: true });
  t.is(packet[22], 64, 'the input is never modified');
});

test('repeat > 1 is refused for a rewriting program, repeat = 1 is allowed', (t) => {
  const error = t.throws(() => checkRepeat(packet, decrementTtl, 100));
  t.regex(
    error?.message ?? '',
    /^repeat: 100 refused: the program rewrites the packet \(byte 22 changes; a repeat=2 run was seen to process its own output\)/,
  );
  t.is(checkRepeat(packet, decrementTtl, 1).mutates, true);
});

test('a program that leaves the packet alone may use repeat > 1', (t) => {
  t.deepEqual(checkRepeat(packet, passThrough, 100), {
    mutates: false,
    firstDifference: null,
    inputLength: 64,
    outputLength: 64,
    reTimesRewritten: null,
  });
});

test('a length change counts as a rewrite; no output packet is an error', (t) => {
  const pushVlan: PacketRun = (data) => ({ data: Buffer.concat([data.subarray(0, 12), Buffer.from([0x81, 0, 0, 5]), data.subarray(12)]) });
  const error = t.throws(() => checkRepeat(packet, pushVlan, 2));
  t.regex(error?.message ?? '', /the length \(64 -> 68 bytes\) changes/);
  t.throws(() => detectMutation(packet, () => ({ data: null })), { message: /^run: returned no output packet/ });
});
