// Policer and GTP-U micro benchmark (recorded, not asserted): ns/packet of a policed flow-cache hit
// beside an unpoliced one (TC and XDP), and of GTP-U encapsulation and decapsulation, in
// test-run mode. Every sample is one repeat=1 call on a fresh copy of the input (these
// programs rewrite the packet and change policer state); an empty program is sampled
// interleaved on the same packet and its median subtracted (micro-timer.ts).
// Run: node dist/src/bench/qos-tunnel-bench.js [--samples N]  -> results/qos-tunnel-bench.{json,md}
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
const CLIENT_MAC = '02:00:00:00:00:aa';
const NH_MAC = '02:00:00:00:01:01';
const OUT_MAC = '02:00:00:00:00:02';
const TUN = { local: '10.0.0.1', remote: '10.0.0.3', srcMac: '02:00:00:00:0d:02', dstMac: '02:00:00:00:0d:01', ifname: 'lo' };

export interface QosTunnelCase {
  id: string;
  name: string;
  hook: 'tc' | 'xdp';
  packetBytes: number;
  /** Program ns/packet: raw samples minus the reference program's median. */
  ns: Summary;
  rawMedian: number;
  emptyMedian: number;
}

export interface QosTunnelBenchResult {
  date: string;
  kernel: string;
  node: string;
  samplesPerSide: number;
  cases: QosTunnelCase[];
}

function udp(src: string, dst: string, sport: number): Buffer {
  return buildPacket([
    { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC },
    { type: 'ipv4', src, dst, ttl: 64 },
    { type: 'udp', sport, dport: 80 },
    { type: 'payload', data: Buffer.alloc(18) },
  ]);
}

function measure(
  id: string,
  name: string,
  hook: 'tc' | 'xdp',
  program: BpfProgram,
  empty: BpfProgram,
  data: Buffer,
  samples: number,
): QosTunnelCase {
  checkRepeat(data, packetRunOf(program), 1);
  const m = measureTestRun({ run: testRunSampler(program, { data }), calibrate: testRunSampler(empty, { data }), samples });
  return {
    id,
    name,
    hook,
    packetBytes: data.length,
    ns: summarize(m.samples),
    rawMedian: summarize(m.raw).median,
    emptyMedian: m.calibrationMedian,
  };
}

function fcEntry(dp: Datapath, src: string, sport: number): void {
  const key = codecs.flowKeyCodec.encode({
    saddr: Buffer.concat([parseIpv4(src), Buffer.alloc(12)]),
    daddr: Buffer.concat([parseIpv4('10.2.0.7'), Buffer.alloc(12)]),
    sport_be: sport,
    dport_be: 80,
    zone: 0,
    proto: 17,
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
}

export function runQosTunnelBench(samples = 5000): QosTunnelBenchResult {
  const pinRoot = `/sys/fs/bpf/fastpath-${process.pid}-${randomBytes(4).toString('hex')}`;
  removePinsOnExit(pinRoot);
  const dp = Datapath.load({ object: OBJECT, pinRoot });
  const emptyObj = new BpfObject(EMPTY);
  try {
    // The flow arrives on (lo, VLAN 10) with a policer that never runs out (every packet
    // green: the cost measured is the policer's, not a drop's) or on (lo, VLAN 20)
    // without one; both are zone 0, so both hit the same flow-cache entry.
    dp.apply({
      policers: [{ id: 1, mode: 'trtcm', cir: 4_000_000_000, cbs: 2 ** 40, pir: 4_000_000_000, pbs: 2 ** 40 }],
      interfaces: [
        { ifname: 'lo', port: 1, xdpTx: 'on' },
        { ifname: 'lo', vlan: 10, port: 2, policer: 1, xdpTx: 'on' },
        { ifname: 'lo', vlan: 20, port: 3, xdpTx: 'on' },
      ],
      routerMacs: [{ mac: ROUTER_MAC }],
      nextHops: [{ id: 1, mac: NH_MAC, srcMac: OUT_MAC, ifname: 'lo' }],
      routes: [{ prefix: '10.2.0.0/24', nextHops: [1] }],
      tunnels: [{ id: 1, type: 'gtpu', key: 0x1000abcd, qfi: 9, sport: 2152, ...TUN }],
      tunnelRoutes: [{ addr: '10.60.0.1', tunnel: 1 }],
      tunnelTerms: [{ type: 'gtpu', key: 0x2000, local: '10.0.0.1', nextHop: 1 }],
    });
    const tc = dp.program('fp_tc_entry');
    const xdp = dp.program('fp_xdp_entry');
    const emptyTc = emptyObj.program('empty_tc');
    const emptyXdp = emptyObj.program('empty_xdp');
    const plain = udp('10.1.0.5', '10.2.0.7', 40000);
    const tag = (vid: number): Buffer => Buffer.concat([plain.subarray(0, 12), Buffer.from([0x81, 0, 0, vid]), plain.subarray(12)]);
    const policed = tag(10);
    const unpoliced = tag(20);
    const ip = buildPacket([
      { type: 'ipv4', src: '10.1.0.5', dst: '10.60.0.1', ttl: 64 },
      { type: 'udp', sport: 3000, dport: 4000 },
      { type: 'payload', data: Buffer.alloc(18) },
    ]);
    const toUe = Buffer.concat([buildPacket([{ type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC, ethertype: 0x0800 }]), ip]);
    const uplink = buildPacket([
      { type: 'eth', dst: ROUTER_MAC, src: CLIENT_MAC },
      { type: 'ipv4', src: '10.0.0.2', dst: '10.0.0.1', id: 0, flags: { df: true } },
      { type: 'udp', sport: 2152, dport: 2152, checksum: 0 },
      { type: 'gtpu', teid: 0x2000, extensions: [{ type: 'pduSession', pduType: 1, qfi: 5 }] },
      { type: 'payload', data: ip },
    ]);
    fcEntry(dp, '10.1.0.5', 40000);
    const cases: QosTunnelCase[] = [
      measure('qos-tunnel/tc/fc-hit-unpoliced', 'TC flow-cache hit, unpoliced (VLAN 20 popped)', 'tc', tc, emptyTc, unpoliced, samples),
      measure(
        'qos-tunnel/tc/fc-hit-policed',
        'TC flow-cache hit, policed (trTCM, green; VLAN 10 popped)',
        'tc',
        tc,
        emptyTc,
        policed,
        samples,
      ),
      measure(
        'qos-tunnel/xdp/fc-hit-unpoliced',
        'XDP flow-cache hit, unpoliced (VLAN 20 popped)',
        'xdp',
        xdp,
        emptyXdp,
        unpoliced,
        samples,
      ),
      measure(
        'qos-tunnel/xdp/fc-hit-policed',
        'XDP flow-cache hit, policed (trTCM, green; VLAN 10 popped)',
        'xdp',
        xdp,
        emptyXdp,
        policed,
        samples,
      ),
      measure(
        'qos-tunnel/tc/gtpu-encap',
        'GTP-U downlink encapsulation (slow path, PDU session container)',
        'tc',
        tc,
        emptyTc,
        toUe,
        samples,
      ),
      measure('qos-tunnel/tc/gtpu-decap', 'GTP-U uplink decapsulation (slow path, by TEID)', 'tc', tc, emptyTc, uplink, samples),
    ];
    // The policer's own cost: policed and unpoliced interleaved (ABBA blocks), the
    // unpoliced median subtracted: drift between separately measured cases cancels.
    const policerCost = (hook: 'tc' | 'xdp', program: BpfProgram): QosTunnelCase => {
      const m = measureTestRun({
        run: testRunSampler(program, { data: policed }),
        calibrate: testRunSampler(program, { data: unpoliced }),
        samples,
      });
      return {
        id: `qos-tunnel/${hook}/policer-cost`,
        name: `${hook.toUpperCase()} policer cost on a flow-cache hit (policed minus unpoliced, interleaved)`,
        hook,
        packetBytes: policed.length,
        ns: summarize(m.samples),
        rawMedian: summarize(m.raw).median,
        emptyMedian: m.calibrationMedian,
      };
    };
    cases.push(policerCost('tc', tc), policerCost('xdp', xdp));
    return { date: new Date().toISOString(), kernel: release(), node: process.version, samplesPerSide: samples, cases };
  } finally {
    emptyObj.close();
    dp.destroy();
  }
}

export function renderMarkdown(r: QosTunnelBenchResult): string {
  const byId = new Map(r.cases.map((c) => [c.id, c.ns.median]));
  const delta = (a: string, b: string): string => (byId.get(a)! - byId.get(b)!).toFixed(0);
  return [
    '# Policer and GTP-U, test-run ns/packet',
    '',
    `${r.date}, kernel ${r.kernel}, node ${r.node}, ${r.samplesPerSide} repeat=1 samples per side, interleaved with an empty program on the same packet. Recorded, not asserted.`,
    '',
    'For the policer-cost rows the reference program is the unpoliced hit, not the empty program.',
    '',
    '| case | bytes | program ns (median) | IQR | 95% CI of median | raw median | reference median |',
    '|---|---:|---:|---:|---|---:|---:|',
    ...r.cases.map(
      (c) =>
        `| ${c.name} | ${c.packetBytes} | ${c.ns.median.toFixed(0)} | ${c.ns.iqr.toFixed(0)} | ${c.ns.ci95[0].toFixed(0)}..${c.ns.ci95[1].toFixed(0)} | ${c.rawMedian.toFixed(0)} | ${c.emptyMedian.toFixed(0)} |`,
    ),
    '',
    `Policer cost on the fast path: TC ${byId.get('qos-tunnel/tc/policer-cost')!.toFixed(0)} ns, XDP ${byId.get('qos-tunnel/xdp/policer-cost')!.toFixed(0)} ns (interleaved); ` +
      `from the separate rows TC ${delta('qos-tunnel/tc/fc-hit-policed', 'qos-tunnel/tc/fc-hit-unpoliced')} ns, XDP ${delta('qos-tunnel/xdp/fc-hit-policed', 'qos-tunnel/xdp/fc-hit-unpoliced')} ns.`,
    '',
  ].join('\n');
}

function main(): void {
  const result = runQosTunnelBench(samplesArg(process.argv, 5000));
  const md = renderMarkdown(result);
  writeResultFiles('qos-tunnel-bench', result, md);
  process.stdout.write(md);
}

runIfMain(import.meta.url, 'qos-tunnel-bench', main);
