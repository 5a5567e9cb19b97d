// Reading loxibench's FPSTYLE lines: the three compared cases, and refusals of a run that
// failed its checks, had unexpected verdicts or a different sample count.
import test from 'ava';
import { parseLoxibench } from '../../src/bench/anchor/loxibench.js';

const line = (label: string, raw: number, empty: number, unexpected = 0, n = 2000): string =>
  `FPSTYLE (b) ${label.padEnd(44)} n=${n} raw median ${raw.toFixed(1).padStart(7)} mean   487.7 | empty median ${empty.toFixed(1).padStart(5)} mean  85.3 | net median ${(raw - empty).toFixed(1).padStart(7)} net mean   402.4 | unexpected-verdicts=${unexpected}`;
const good = [
  'VERIFICATION: PASSED (0 failures)',
  line('TCP est. fast path 64B (real rule)', 441, 80),
  line('UDP est. fast path 64B (real rule)', 481, 100),
  line('TCP SYN same 5-tuple, CT deleted per call', 2554, 110),
  line('TCP SYN new flow, unique sport/call', 3835, 101),
].join('\n');

test('the three compared cases are read', (t) => {
  t.deepEqual(parseLoxibench(good, 2000), {
    tcpFast: { rawMedian: 441, emptyMedian: 80, netMedian: 361 },
    udpFast: { rawMedian: 481, emptyMedian: 100, netMedian: 381 },
    tcpSyn: { rawMedian: 2554, emptyMedian: 110, netMedian: 2444 },
  });
});

test('a run that failed verification, had unexpected verdicts or other n is refused', (t) => {
  t.throws(() => parseLoxibench(good.replace('PASSED', 'FAILED'), 2000), { message: /no "VERIFICATION: PASSED"/ });
  const bad = good.replace(line('UDP est. fast path 64B (real rule)', 481, 100), line('UDP est. fast path 64B (real rule)', 481, 100, 3));
  t.throws(() => parseLoxibench(bad, 2000), {
    message: 'loxibench: UDP est. fast path 64B (real rule): 3 timed calls returned an unexpected verdict',
  });
  t.throws(() => parseLoxibench(good, 300), { message: /n=2000, expected 300/ });
  t.throws(() => parseLoxibench(good.split('\n').slice(0, 3).join('\n'), 2000), {
    message: "loxibench: no FPSTYLE line for 'TCP SYN same 5-tuple, CT deleted per call'",
  });
});
