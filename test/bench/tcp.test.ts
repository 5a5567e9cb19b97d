// `fastpath bench tcp` without traffic: its options (defaults, exit 2 naming the option),
// reading iperf3's JSON, the byte-count check of a transfer, and the paired-ratio targets,
// path-counter table and XDP warnings of the report.
import test from 'ava';
import { parseBenchArgs, UsageError } from '../../src/bench/command.js';
import { makeMetric, type Metric } from '../../src/bench/result.js';
import { parseIperfJson } from '../../src/bench/tcp/iperf.js';
import { tcpReportMarkdown, tcpTable, tcpTargets } from '../../src/bench/tcp/report.js';
import { checkTransfer, tcpMetricId } from '../../src/bench/tcp/run.js';

test("defaults: every mode, 5 rounds of 2 s, one stream, the kernel's offloads; quick: 3 rounds of 1 s", (t) => {
  const full = parseBenchArgs(['tcp']);
  const quick = parseBenchArgs(['quick']);
  if (full === 'help' || quick === 'help') return t.fail();
  t.deepEqual(
    [full.tcpModes, full.tcpSamples, full.tcpSeconds, full.streams, full.offloads],
    [['kernel', 'nft', 'ours-tc', 'ours-xdp-native', 'ours-xdp-generic'], 5, 2, 1, 'default'],
  );
  t.deepEqual([quick.tcpSamples, quick.tcpSeconds], [3, 1]);
  const set = parseBenchArgs([
    'tcp',
    '--tcp-modes',
    'nft,ours-tc',
    '--tcp-samples=2',
    '--tcp-seconds',
    '3',
    '--streams',
    '4',
    '--offloads',
    'off',
  ]);
  if (set === 'help') return t.fail();
  t.deepEqual([set.tcpModes, set.tcpSamples, set.tcpSeconds, set.streams, set.offloads], [['nft', 'ours-tc'], 2, 3, 4, 'off']);
});

const usageErrors: [string[], string][] = [
  [
    ['tcp', '--tcp-modes', 'ours-xdp'],
    "--tcp-modes: unknown value 'ours-xdp' (known: kernel, nft, ours-tc, ours-xdp-native, ours-xdp-generic)",
  ],
  [['tcp', '--tcp-seconds', '0'], "--tcp-seconds: expected an integer in 1..3600, got '0'"],
  [['tcp', '--tcp-seconds', '0.5'], "--tcp-seconds: expected an integer in 1..3600, got '0.5'"],
  [['tcp', '--tcp-samples', '0'], "--tcp-samples: expected an integer in 1..1000, got '0'"],
  [['tcp', '--streams', '129'], "--streams: expected an integer in 1..128, got '129'"],
  [['tcp', '--offloads', 'on'], "--offloads: expected default or off, got 'on'"],
  [['tcp', '--offloads'], '--offloads: missing value'],
  [['tcp', '--iface', 'fpa', '--peer-iface', 'fpb'], '--iface: only the wire benchmark sends on named interfaces, not tcp'],
];

for (const [argv, message] of usageErrors) {
  test(`bench ${argv.join(' ')}: ${message.split(':')[0]} named`, (t) => {
    t.throws(() => parseBenchArgs(argv), { instanceOf: UsageError, message });
  });
}

const IPERF_JSON = JSON.stringify({
  start: {},
  end: {
    sum_sent: { start: 0, end: 2.0, seconds: 2.0, bytes: 2_000_000_000, bits_per_second: 8e9, retransmits: 7 },
    sum_received: { start: 0, end: 2.0, seconds: 2.0, bytes: 1_999_000_000, bits_per_second: 7.996e9 },
  },
});

test("iperf3 JSON: bytes both sides, the receiver's rate and interval, retransmits; errors are named", (t) => {
  t.deepEqual(parseIperfJson(IPERF_JSON), {
    sentBytes: 2_000_000_000,
    receivedBytes: 1_999_000_000,
    gbps: 7.996,
    seconds: 2,
    retransmits: 7,
  });
  t.throws(() => parseIperfJson('{"start":{},"end":{},"error":"unable to connect to server: Connection refused"}'), {
    message: 'iperf3: unable to connect to server: Connection refused',
  });
  t.throws(() => parseIperfJson('{"end":{"sum_sent":{"bytes":5}}}'), {
    message: 'iperf3 output: end.sum_received.bytes: expected a number, got undefined',
  });
  t.throws(() => parseIperfJson('iperf3: error'), { message: /^iperf3 output is not JSON/ });
});

test('a transfer passes when the receiver read what was sent, less at most what can still be queued', (t) => {
  const x = { sentBytes: 1000, receivedBytes: 1000, gbps: 1, seconds: 1, retransmits: 0 };
  t.notThrows(() => checkTransfer(x, 1, 100));
  t.notThrows(() => checkTransfer({ ...x, receivedBytes: 900 }, 1, 100));
  t.notThrows(() => checkTransfer({ ...x, receivedBytes: 800 }, 2, 100), 'the bound is per stream');
  t.throws(() => checkTransfer({ ...x, receivedBytes: 899 }, 1, 100), {
    message: 'the receiver got 899 bytes of the 1000 sent: 101 missing, more than the 100 that may still have been queued',
  });
  t.throws(() => checkTransfer({ ...x, receivedBytes: 1001 }, 1, 100), {
    message: 'the receiver counted 1001 bytes, more than the 1000 sent',
  });
  t.throws(() => checkTransfer({ ...x, sentBytes: 0, receivedBytes: 0 }, 1, 100), {
    message: 'nothing was transferred (sent 0, received 0 bytes)',
  });
});

function metric(
  mode: 'kernel' | 'nft' | 'ours-tc' | 'ours-xdp-native',
  samples: number[],
  extra: Record<string, string | number> = {},
): Metric {
  return makeMetric({
    id: tcpMetricId(mode, 'default'),
    group: 'tcp',
    name: mode,
    unit: 'Gbps',
    better: 'higher',
    samples,
    params: { mode, offloads: 'default', retransmits: 3, ...extra },
  });
}

const paths = (fast: number, csum: number, tc: number): Record<string, number> => ({
  'paths.xdp_fast_hit': fast,
  'paths.xdp_pass_csum': csum,
  'paths.xdp_pass_mtu': 0,
  'paths.xdp_pass_egress': 0,
  'paths.tc_fast_hit': tc,
  'paths.tc_slow': 12,
});

const RUN = [
  metric('kernel', [10, 10, 10]),
  metric('nft', [4, 5, 8]),
  metric('ours-tc', [8, 10, 8], paths(0, 0, 900)),
  metric('ours-xdp-native', [4, 4, 4], {
    ...paths(0, 500, 500),
    xdpWarnings: 'XDP on eth0: flows out of eth1 are forwarded by TC, not XDP',
  }),
];

test('targets pair sample i of each mode: ours-tc/nft 2, 2, 1 and ours-xdp/ours-tc 0.5, 0.4, 0.5', (t) => {
  const rows = tcpTargets(RUN);
  t.deepEqual(
    rows.map((r) => [r.target, r.offloads, r.goal, r.median]),
    [
      ['ours on TC / nftables DNAT', 'default', 1, 2],
      ['ours with XDP (native) / ours on TC', 'default', 1, 0.5],
    ],
  );
  t.is(rows[1]!.verdict, 'missed', 'the whole interval (0.4 .. 0.5) is under 1');
  t.is(rows[0]!.ci[0], 1);
  t.is(rows[0]!.verdict, 'met', 'the interval starts at 1.00, the goal');
});

test("the report shows the path counters of our modes and the datapath's XDP warnings", (t) => {
  const md = tcpReportMarkdown(RUN);
  t.true(md.includes('| ours on TC / nftables DNAT | default | 1.00 | 2.00 | 1.00 .. 2.00 | met |'), md);
  t.true(md.includes('| ours-tc | default | 0 | 0 | 0 | 0 | 900 | 12 |'), md);
  t.true(md.includes('| ours-xdp-native | default | 0 | 500 | 0 | 0 | 500 | 12 |'), md);
  t.true(md.includes('- ours-xdp-native (offloads default): XDP on eth0: flows out of eth1 are forwarded by TC, not XDP'), md);
  t.false(md.includes('| kernel | default | 0'), 'no path counters for modes without our datapath');
  t.true(tcpTable(RUN).includes('| nft | default | 5.00 | 4.50 .. 6.50 | 3 | 3 |'), tcpTable(RUN));
  t.is(tcpReportMarkdown([]), '');
  t.is(tcpTable([]), '');
});
