// Routed-packet micro benchmark: ns/packet of the datapath in test-run mode beside an
// empty program on the same packet. Every sample is one repeat=1 call on a fresh copy of
// the input (the routed packet is rewritten, so repeat > 1 would time its own output);
// the empty program is sampled interleaved and its median subtracted.
// Run: node dist/src/bench/routed-bench.js [--samples N]  -> results/routed-bench.{json,md}
import { randomBytes } from 'node:crypto';
import { release } from 'node:os';
import { join } from 'node:path';
import { BpfObject, type BpfProgram } from '../../native/index.js';
import { Datapath, codecs } from '../datapath/index.js';
import { removePinsOnExit } from '../datapath/pin-cleanup.js';
import { buildPacket, parseIpv4, parseMac } from '../packet/index.js';
import { checkRepeat, measureTestRun, packetRunOf, testRunSampler } from './micro-timer.js';
import { repoRoot } from './paths.js';
import { runIfMain, samplesArg, writeResultFiles } from './standalone.js';
import { type Summary, summarize } from './stats.js';

const OBJECT = join(repoRoot, 'build', 'bpf', 'fastpath.bpf.o');
const EMPTY = join(repoRoot, 'build', 'test-bpf', 'bench.bpf.o');
const ROUTER_MAC = '02:00:00:00:00:01';
const NH_MAC = '02:00:00:00:01:01';
const OUT_MAC = '02:00:00:00:00:02';

export interface RoutedCase {
  name: string;
  hook: 'tc' | 'xdp';
  packetBytes: number;
  /** Program ns/packet: raw median minus the empty program's median. */
  ns: Summary;
  rawMedian: number;
  emptyMedian: number;
}

export interface RoutedBenchResult {
  date: string;
  kernel: string;
  node: string;
  samplesPerSide: number;
  cases: RoutedCase[];
}

function packet(dst: string, v6 = false): Buffer {
  return buildPacket([
    { type: 'eth', dst: ROUTER_MAC, src: '02:00:00:00:00:aa' },
    v6 ? { type: 'ipv6', src: 'fd00:1::5', dst } : { type: 'ipv4', src: '10.1.0.5', dst, ttl: 64 },
    { type: 'tcp', sport: 40000, dport: 80, flags: { ack: true } },
    { type: 'payload', data: Buffer.alloc(v6 ? 0 : 10) },
  ]);
}

function measure(name: string, hook: 'tc' | 'xdp', program: BpfProgram, empty: BpfProgram, data: Buffer, samples: number): RoutedCase {
  // Refuses repeat > 1 on a rewriting program: proves the sampler's repeat=1 is needed.
  checkRepeat(data, packetRunOf(program), 1);
  const m = measureTestRun({
    run: testRunSampler(program, { data }),
    calibrate: testRunSampler(empty, { data }),
    samples,
  });
  const raw = summarize(m.raw);
  return { name, hook, packetBytes: data.length, ns: summarize(m.samples), rawMedian: raw.median, emptyMedian: m.calibrationMedian };
}

export function runRoutedBench(samples = 5000): RoutedBenchResult {
  const pinRoot = `/sys/fs/bpf/fastpath-${process.pid}-${randomBytes(4).toString('hex')}`;
  removePinsOnExit(pinRoot);
  const dp = Datapath.load({ object: OBJECT, pinRoot });
  const emptyObj = new BpfObject(EMPTY);
  try {
    dp.apply({
      interfaces: [{ ifname: 'lo', port: 1, xdpTx: 'on' }],
      routerMacs: [{ mac: ROUTER_MAC }],
      nextHops: [{ id: 1, mac: NH_MAC, srcMac: OUT_MAC, ifname: 'lo' }],
      routes: [
        { prefix: '10.2.0.0/24', nextHops: [1] },
        { prefix: 'fd00:2::/64', nextHops: [1] },
      ],
    });
    const tc = dp.program('fp_tc_entry');
    const xdp = dp.program('fp_xdp_entry');
    const emptyTc = emptyObj.program('empty_tc');
    const emptyXdp = emptyObj.program('empty_xdp');
    const v4 = packet('10.2.0.7');
    const v6 = packet('fd00:2::7', true);
    const cases: RoutedCase[] = [
      measure('IPv4 TCP routed, TC slow path (entry + tail call + L3)', 'tc', tc, emptyTc, v4, samples),
      measure('IPv6 TCP routed, TC slow path', 'tc', tc, emptyTc, v6, samples),
    ];
    // A flow-cache entry for the IPv4 flow (as the CT stage installs it): the fast path.
    const key = codecs.flowKeyCodec.encode({
      saddr: Buffer.concat([parseIpv4('10.1.0.5'), Buffer.alloc(12)]),
      daddr: Buffer.concat([parseIpv4('10.2.0.7'), Buffer.alloc(12)]),
      sport_be: 40000,
      dport_be: 80,
      zone: 0,
      proto: 6,
      family: 4,
    });
    dp.map('fc').update(
      key,
      codecs.fcCodec.encode({
        generation: dp.generation(),
        dmac: parseMac(NH_MAC),
        smac: parseMac(OUT_MAC),
        ifindex: 1,
        vlan: 0,
        flags: codecs.FC_F_DEC_TTL | codecs.FC_F_XDP_TX,
        mtu: 0xffff,
        route_id: 0,
        nh_id: 1,
        nat_saddr: Buffer.alloc(16),
        nat_daddr: Buffer.alloc(16),
        nat_sport_be: 0,
        nat_dport_be: 0,
      }),
    );
    cases.push(
      measure('IPv4 TCP routed, TC flow-cache hit', 'tc', tc, emptyTc, v4, samples),
      measure('IPv4 TCP routed, XDP flow-cache hit', 'xdp', xdp, emptyXdp, v4, samples),
    );
    return { date: new Date().toISOString(), kernel: release(), node: process.version, samplesPerSide: samples, cases };
  } finally {
    emptyObj.close();
    dp.destroy();
  }
}

export function renderMarkdown(r: RoutedBenchResult): string {
  const lines = [
    '# Routed packet, test-run ns/packet',
    '',
    `${r.date}, kernel ${r.kernel}, node ${r.node}, ${r.samplesPerSide} repeat=1 samples per side, interleaved with an empty program on the same packet.`,
    '',
    '| case | bytes | program ns (median) | IQR | 95% CI of median | raw median | empty median |',
    '|---|---:|---:|---:|---|---:|---:|',
    ...r.cases.map(
      (c) =>
        `| ${c.name} | ${c.packetBytes} | ${c.ns.median.toFixed(0)} | ${c.ns.iqr.toFixed(0)} | ${c.ns.ci95[0].toFixed(0)}..${c.ns.ci95[1].toFixed(0)} | ${c.rawMedian.toFixed(0)} | ${c.emptyMedian.toFixed(0)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

function main(): void {
  const result = runRoutedBench(samplesArg(process.argv, 5000));
  const md = renderMarkdown(result);
  writeResultFiles('routed-bench', result, md);
  process.stdout.write(md);
}

runIfMain(import.meta.url, 'routed-bench', main);
