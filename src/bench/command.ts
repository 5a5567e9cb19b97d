// `fastpath bench <micro|wire|cps|tcp|quick|all> [options]`: runs the benchmarks, writes one
// run directory (result.json, CSV, Markdown, SVG) and prints its Markdown summary.
// Exit status: 0 done, 1 a benchmark failed, 2 bad usage.
import { libbpfVersion, possibleCpus } from '../../native/index.js';
import { anchorMissing } from './anchor/loxibench.js';
import { runSideBySide } from './anchor/side-by-side.js';
import { CPS_DATAPATH_SCENARIOS } from './cps/dut-datapath.js';
import { CPS_MODES, type CpsModeId } from './cps/modes.js';
import { runCps } from './cps/run.js';
import { LB_MICRO_CASES } from './lb-bench.js';
import { runControlPlane } from './control-plane.js';
import { MICRO_CASES } from './micro/cases.js';
import { LB_ALGORITHM_MICRO_CASES } from './micro/lb-algorithm-cases.js';
import { runMicro } from './micro/run.js';
import { SCALE_CONNECTIONS, SCALE_MICRO_CASES, connectionMemory } from './micro/scale-cases.js';
import { loadOrClean } from './wire/datapath-load.js';
import { DATAPATH_OBJECT } from './wire/constants.js';
import { recordRun } from './record-run.js';
import { writeResultFiles } from './standalone.js';
import { collectFingerprint } from './fingerprint.js';
import { TCP_MODES, type TcpModeId } from './tcp/modes.js';
import { tcpTable } from './tcp/report.js';
import { runTcp, type Offloads } from './tcp/run.js';
import { ProgressBar } from './report/progress.js';
import { makeMetric, type Metric } from './result.js';
import { MAX_FLOWS } from './wire/constants.js';
import { DATAPATH_SCENARIOS } from './wire/dut-datapath.js';
import { WIRE_MODES, type WireModeId } from './wire/modes.js';
import { runWire, wireWindowCount } from './wire/run.js';
import { cpsTable, wireTable } from './wire/table.js';
import { parseDutTarget, withRemoteDut, type DutArgs } from './remote-dut.js';
import type { BenchResult } from './result.js';

export const BENCH_USAGE = `usage: fastpath bench <micro|wire|cps|tcp|quick|all> [options]
       fastpath bench fingerprint   this host's environment as JSON (what a report records)

  micro   ns/packet of the datapath in test-run mode (repeat=1 samples minus an empty
          program of the same hook, interleaved)
  wire    Mpps and Gbps over veth: our XDP live-frames generator -> DUT -> counting
          sink, for the ceiling (generator -> XDP drop sink), kernel forwarding,
          nftables DNAT, and our datapath on its TC and XDP paths; each figure also
          as a ratio to the ceiling of the same run
  cps     TCP connections/s, UDP requests/s and connection latency percentiles with
          real sockets through the DUT: kernel, nftables DNAT, our datapath
  tcp     bulk TCP Gbit/s (iperf3, real sockets, default offloads) through the DUT:
          kernel, nftables DNAT, our datapath on TC and with XDP (native, generic),
          in rounds, with paired ratios and the path counters of our modes
  quick   a short micro, wire and tcp run (what make run ends with)
  all     micro, wire, cps and tcp at full length

options:
  --out DIR              parent of the run directory (default results/runs)
  --micro-samples N      micro samples per side (default 2000; quick 300)
  --samples N            wire windows / cps batches per point (default 5; quick 5)
  --duration-ms N        wire window length (default 1000; quick 200)
  --warmup-ms N          generator running before a point's first window (default 200)
  --sizes LIST           wire frame sizes with FCS, bytes (default 64,512,1500)
  --flows LIST           wire flow counts, 1..${MAX_FLOWS} (default 1,1024,65536)
  --modes LIST           wire modes (default ${WIRE_MODES.join(',')})
  --cps-modes LIST       cps modes (default ${CPS_MODES.join(',')})
  --connections N        TCP connections per cps batch (default 2000)
  --requests N           UDP requests per cps batch (default 2000)
  --concurrency N        cps connections in flight (default 16)
  --tcp-modes LIST       tcp modes (default ${TCP_MODES.join(',')})
  --tcp-samples N        tcp rounds, one transfer per mode each (default 5; quick 3)
  --tcp-seconds N        length of one tcp transfer, whole seconds (default 2; quick 1)
  --streams N            parallel TCP streams per transfer, iperf3 -P (default 1)
  --offloads MODE        tcp: default (the kernel's offloads, untouched) or off
                         (checksum/segmentation offloads and GRO off on every link end)
  --datapath NAME        our datapath's configuration in the DUT: lb (DNAT round robin
                         from the VIP, as nftables does; default) or routed (L3 only)
  --dut-cpu N            wire: the DUT's receive work on CPU N (threaded NAPI, pinned,
                         real-time priority) instead of in the generator's softirq on
                         the generator's CPU (the last one): a core of its own
  --iface NAME           wire: send from this interface of this namespace instead of
                         building veths ...
  --peer-iface NAME      ... and count on this one (XDP, else TC); what connects them
                         is what gets measured (both or neither)
  --scale                micro: also, in a datapath sized for 1Mi connections, the
                         established hit with 1, 64Ki and 1Mi connections in CT and the
                         flow cache, CT past capacity (hit and new flow), and the memory
                         per connection (several minutes, ~1 GiB of map memory)
  --anchor-loxilb DIR    micro: also time loxilb's TC datapath (DIR/run.sh, loxibench)
                         interleaved with ours in one run, pinned to one CPU, and report
                         the ratios; skipped with a note when DIR lacks the anchor
  --anchor-rounds N      interleaved rounds (default 4)
  --anchor-cpu N         the CPU both sides run on (default 1)
  --anchor-record NAME   also write the side-by-side as results/NAME.json and .md
  --dst-mac MAC          --iface: the frames' destination MAC (default the peer
                         interface's; a routing DUT wants the MAC of its ingress)
  --src-ip A, --dst-ip A --iface: the frames' addresses (default 10.1.0.2 -> 10.2.0.2)
  --ndr                  wire: after each point's maximum forwarding rate, search its
                         throughput as RFC 2544 defines it (the no-drop rate): paced
                         trials of --duration-ms, binary search
  --loss PCT             --ndr: loss tolerated, % of the frames offered (default 0)
  --ndr-resolution PCT   --ndr: stop when the search interval is PCT % of the maximum
                         forwarding rate (default 1)
  --dut ssh://USER@HOST[:PORT]
                         --iface: the DUT is that host; its datapath is brought up
                         there for the run (fastpath dp up over SSH, BatchMode) and
                         stopped afterwards; the report holds both hosts' fingerprints
  --dut-config FILE      --dut: the dp up config file, copied to the DUT
  --dut-pin-root DIR     --dut: the pin root there (default a fresh
                         /sys/fs/bpf/fastpath-bench-XXXXXXXX)
  --dut-fastpath PATH    --dut: the fastpath command on the DUT (default fastpath,
                         found on the DUT's PATH)
  --ssh-option K=V       --dut: an ssh -o option (repeatable), e.g. IdentityFile=...
  --help                 this text`;

type Command = 'micro' | 'wire' | 'cps' | 'tcp' | 'quick' | 'all';
const COMMANDS: Command[] = ['micro', 'wire', 'cps', 'tcp', 'quick', 'all'];

export interface BenchArgs {
  command: Command;
  out?: string;
  microSamples: number;
  samples: number;
  durationMs: number;
  warmupMs: number;
  sizes: number[];
  flows: number[];
  modes: WireModeId[];
  cpsModes: CpsModeId[];
  connections: number;
  requests: number;
  concurrency: number;
  datapath: string;
  tcpModes: TcpModeId[];
  tcpSamples: number;
  tcpSeconds: number;
  streams: number;
  offloads: Offloads;
  iface?: string;
  peerIface?: string;
  dutCpu?: number;
  anchor?: { dir: string; rounds: number; cpu: number; record?: string };
  scale?: boolean;
  dstMac?: string;
  srcIp?: string;
  dstIp?: string;
  ndr?: { lossPct: number; resolutionPct: number };
  dut?: DutArgs;
}

export class UsageError extends Error {}

function integer(option: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || v < min || v > max)
    throw new UsageError(`${option}: expected an integer in ${min}..${max}, got '${text}'`);
  return v;
}

function list<T extends string>(option: string, text: string, known: readonly T[]): T[] {
  const items = text.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!(known as readonly string[]).includes(item))
      throw new UsageError(`${option}: unknown value '${item}' (known: ${known.join(', ')})`);
  }
  return [...new Set(items)] as T[];
}

function decimal(option: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || v < min || v > max)
    throw new UsageError(`${option}: expected a number in ${min}..${max}, got '${text}'`);
  return v;
}

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function numbers(option: string, text: string, min: number, max: number): number[] {
  const items = text.split(',').map((s) => integer(option, s, min, max));
  return [...new Set(items)];
}

const NAME = /^[A-Za-z0-9_.:-]{1,15}$/;

/** Parses argv (after `bench`); 'help' for --help. Throws UsageError naming the option. */
export function parseBenchArgs(argv: string[]): BenchArgs | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const [command, ...rest] = argv;
  if (command === undefined || command.startsWith('-'))
    throw new UsageError(`command: expected one of ${COMMANDS.join(', ')} before the options`);
  if (!(COMMANDS as string[]).includes(command))
    throw new UsageError(`command: unknown '${command}' (expected one of ${COMMANDS.join(', ')})`);
  const quick = command === 'quick';
  const a: BenchArgs = {
    command: command as Command,
    microSamples: quick ? 300 : 2000,
    samples: 5,
    durationMs: quick ? 200 : 1000,
    warmupMs: quick ? 100 : 200,
    sizes: quick ? [64] : [64, 512, 1500],
    flows: quick ? [1, 1024] : [1, 1024, 65536],
    modes: [...WIRE_MODES],
    cpsModes: [...CPS_MODES],
    connections: 2000,
    requests: 2000,
    concurrency: 16,
    datapath: 'lb',
    tcpModes: [...TCP_MODES],
    tcpSamples: quick ? 3 : 5,
    tcpSeconds: quick ? 1 : 2,
    streams: 1,
    offloads: 'default',
  };
  const anchorOption: { rounds?: number; cpu?: number; record?: string } = {};
  let loss: number | undefined;
  let resolution: number | undefined;
  let ndr = false;
  const dut: Partial<DutArgs> & { sshOptions: string[] } = { sshOptions: [] };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`${arg}: unexpected argument (options start with --)`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const value = (): string => {
      if (eq !== -1) return arg.slice(eq + 1);
      const next = rest[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${name}: missing value`);
      return next;
    };
    switch (name) {
      case '--out':
        a.out = value();
        break;
      case '--micro-samples':
        a.microSamples = integer(name, value(), 10, 1_000_000);
        break;
      case '--samples':
        a.samples = integer(name, value(), 1, 1000);
        break;
      case '--duration-ms':
        a.durationMs = integer(name, value(), 10, 600_000);
        break;
      case '--warmup-ms':
        a.warmupMs = integer(name, value(), 0, 60_000);
        break;
      case '--sizes':
        a.sizes = numbers(name, value(), 64, 1518);
        break;
      case '--flows':
        a.flows = numbers(name, value(), 1, MAX_FLOWS);
        break;
      case '--modes':
        a.modes = list(name, value(), WIRE_MODES);
        break;
      case '--cps-modes':
        a.cpsModes = list(name, value(), CPS_MODES);
        break;
      case '--connections':
        a.connections = integer(name, value(), 1, 10_000_000);
        break;
      case '--requests':
        a.requests = integer(name, value(), 1, 10_000_000);
        break;
      case '--concurrency':
        a.concurrency = integer(name, value(), 1, 4096);
        break;
      case '--tcp-modes':
        a.tcpModes = list(name, value(), TCP_MODES);
        break;
      case '--tcp-samples':
        a.tcpSamples = integer(name, value(), 1, 1000);
        break;
      case '--tcp-seconds':
        a.tcpSeconds = integer(name, value(), 1, 3600);
        break;
      case '--streams':
        a.streams = integer(name, value(), 1, 128);
        break;
      case '--offloads': {
        const v = value();
        if (v !== 'default' && v !== 'off') throw new UsageError(`--offloads: expected default or off, got '${v}'`);
        a.offloads = v;
        break;
      }
      case '--datapath': {
        const v = value();
        const known = Object.keys(DATAPATH_SCENARIOS).filter((k) => k in CPS_DATAPATH_SCENARIOS);
        if (!known.includes(v)) throw new UsageError(`--datapath: unknown configuration '${v}' (known: ${known.join(', ')})`);
        a.datapath = v;
        break;
      }
      case '--dut-cpu': {
        const generatorCpu = possibleCpus() - 1;
        a.dutCpu = integer(name, value(), 0, generatorCpu);
        if (a.dutCpu === generatorCpu)
          throw new UsageError(`--dut-cpu: CPU ${generatorCpu} is the generator's; give another (0..${generatorCpu - 1})`);
        break;
      }
      case '--iface':
      case '--peer-iface': {
        const v = value();
        if (!NAME.test(v)) throw new UsageError(`${name}: '${v}' is not an interface name`);
        if (name === '--iface') a.iface = v;
        else a.peerIface = v;
        break;
      }
      case '--scale':
        a.scale = true;
        break;
      case '--anchor-loxilb':
        a.anchor = { rounds: 4, cpu: 1, ...a.anchor, dir: value() };
        break;
      case '--anchor-rounds':
        anchorOption.rounds = integer(name, value(), 1, 100);
        break;
      case '--anchor-cpu':
        anchorOption.cpu = integer(name, value(), 0, possibleCpus() - 1);
        break;
      case '--anchor-record': {
        const v = value();
        if (!/^[A-Za-z0-9_.-]+$/.test(v)) throw new UsageError(`--anchor-record: '${v}' is not a file name (letters, digits, _ . -)`);
        anchorOption.record = v;
        break;
      }
      case '--dst-mac': {
        const v = value();
        if (!MAC.test(v)) throw new UsageError(`--dst-mac: '${v}' is not a MAC address (aa:bb:cc:dd:ee:ff)`);
        a.dstMac = v.toLowerCase();
        break;
      }
      case '--src-ip':
      case '--dst-ip': {
        const v = value();
        if (!IPV4.test(v)) throw new UsageError(`${name}: '${v}' is not an IPv4 address`);
        if (name === '--src-ip') a.srcIp = v;
        else a.dstIp = v;
        break;
      }
      case '--ndr':
        ndr = true;
        break;
      case '--loss':
        loss = decimal(name, value(), 0, 100);
        break;
      case '--ndr-resolution':
        resolution = decimal(name, value(), 0.01, 50);
        break;
      case '--dut': {
        const v = value();
        try {
          dut.target = parseDutTarget(v);
        } catch (e) {
          throw new UsageError(`--dut: ${(e as Error).message}`);
        }
        break;
      }
      case '--dut-config':
        dut.config = value();
        break;
      case '--dut-pin-root': {
        const v = value();
        if (!/^\/[A-Za-z0-9_./-]+$/.test(v))
          throw new UsageError(`--dut-pin-root: expected an absolute path (letters, digits, _ . / -), got '${v}'`);
        dut.pinRoot = v;
        break;
      }
      case '--dut-fastpath':
        dut.fastpath = value();
        break;
      case '--ssh-option': {
        const v = value();
        if (!/^[A-Za-z]+=\S/.test(v)) throw new UsageError(`--ssh-option: expected KEY=VALUE (an ssh -o option), got '${v}'`);
        dut.sshOptions.push(v);
        break;
      }
      default:
        throw new UsageError(`${name}: unknown option`);
    }
  }
  if (a.scale === true && a.command !== 'micro' && a.command !== 'all')
    throw new UsageError(`--scale: applies to micro and all, not ${a.command}`);
  if (a.anchor !== undefined) {
    a.anchor = { ...a.anchor, ...anchorOption };
    if (a.command !== 'micro' && a.command !== 'all') throw new UsageError(`--anchor-loxilb: applies to micro and all, not ${a.command}`);
  } else if (Object.keys(anchorOption).length > 0) {
    throw new UsageError(`--anchor-${Object.keys(anchorOption)[0]}: only with --anchor-loxilb DIR`);
  }
  if (!ndr && (loss !== undefined || resolution !== undefined))
    throw new UsageError(`${loss !== undefined ? '--loss' : '--ndr-resolution'}: applies to --ndr`);
  if (ndr) a.ndr = { lossPct: loss ?? 0, resolutionPct: resolution ?? 1 };
  if (ndr && a.command !== 'wire') throw new UsageError(`--ndr: applies to the wire benchmark, not ${a.command}`);
  for (const [given, option] of [
    [a.dstMac, '--dst-mac'],
    [a.srcIp, '--src-ip'],
    [a.dstIp, '--dst-ip'],
  ] as const) {
    if (given !== undefined && a.iface === undefined) throw new UsageError(`${option}: applies to --iface`);
  }
  const dutGiven = dut.config !== undefined || dut.pinRoot !== undefined || dut.fastpath !== undefined || dut.sshOptions.length > 0;
  if (dut.target === undefined && dutGiven)
    throw new UsageError('--dut: required with --dut-config, --dut-pin-root, --dut-fastpath and --ssh-option');
  if (dut.target !== undefined) {
    if (a.command !== 'wire') throw new UsageError(`--dut: applies to the wire benchmark, not ${a.command}`);
    if (a.iface === undefined) throw new UsageError('--dut: needs --iface and --peer-iface (the links to the DUT)');
    if (dut.config === undefined) throw new UsageError('--dut-config: required with --dut');
    a.dut = {
      target: dut.target,
      config: dut.config,
      sshOptions: dut.sshOptions,
      fastpath: dut.fastpath ?? 'fastpath',
      ...(dut.pinRoot !== undefined ? { pinRoot: dut.pinRoot } : {}),
    };
  }
  if ((a.iface === undefined) !== (a.peerIface === undefined)) {
    throw new UsageError(
      `${a.iface === undefined ? '--iface' : '--peer-iface'}: required with ${a.iface === undefined ? '--peer-iface' : '--iface'}`,
    );
  }
  if (a.iface !== undefined && a.iface === a.peerIface) throw new UsageError('--peer-iface: must differ from --iface');
  if (a.iface !== undefined && (a.command === 'cps' || a.command === 'micro' || a.command === 'tcp')) {
    throw new UsageError(`--iface: only the wire benchmark sends on named interfaces, not ${a.command}`);
  }
  if (a.dutCpu !== undefined && a.iface !== undefined) throw new UsageError('--dut-cpu: applies to the veth topology, not to --iface');
  return a;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

type Extra = Pick<BenchResult, 'ndr' | 'dut'>;

async function wire(a: BenchArgs, extra: Extra): Promise<Metric[]> {
  const options = {
    sizes: a.sizes,
    flows: a.flows,
    modes: a.modes,
    samples: a.samples,
    durationMs: a.durationMs,
    warmupMs: a.warmupMs,
    datapath: a.datapath,
    iface: a.iface === undefined ? undefined : { iface: a.iface, peerIface: a.peerIface! },
    log,
    ...(a.dutCpu !== undefined ? { dutCpu: a.dutCpu } : {}),
    ...(a.ndr !== undefined ? { ndr: a.ndr } : {}),
    frame: { dstMac: a.dstMac, src: a.srcIp, dst: a.dstIp },
  };
  const measure = async (): Promise<Metric[]> => {
    const bar = new ProgressBar('wire', wireWindowCount(options));
    try {
      const run = await runWire({ ...options, onPoint: (done) => bar.update(done) });
      extra.ndr = run.ndr;
      return run.metrics;
    } finally {
      bar.finish();
    }
  };
  if (a.dut === undefined) return measure();
  return withRemoteDut(a.dut, log, async (dut) => {
    extra.dut = dut;
    return measure();
  });
}

async function cps(a: BenchArgs): Promise<Metric[]> {
  const bar = new ProgressBar('cps', a.cpsModes.length * a.samples);
  try {
    const run = await runCps({
      modes: a.cpsModes,
      samples: a.samples,
      connections: a.connections,
      requests: a.requests,
      concurrency: a.concurrency,
      datapath: a.datapath,
      onSample: (done) => bar.update(done),
    });
    return run.metrics;
  } finally {
    bar.finish();
  }
}

async function tcp(a: BenchArgs): Promise<Metric[]> {
  const bar = new ProgressBar('tcp', a.tcpModes.length * a.tcpSamples);
  try {
    const run = await runTcp({
      modes: a.tcpModes,
      samples: a.tcpSamples,
      seconds: a.tcpSeconds,
      streams: a.streams,
      offloads: a.offloads,
      onSample: (done) => bar.update(done),
    });
    return run.metrics;
  } finally {
    bar.finish();
  }
}

/** Every micro case: routing (micro/cases.ts), load balancing (lb-bench.ts) and the
 *  per-algorithm new flows and policed hit (micro/lb-algorithm-cases.ts). */
export const ALL_MICRO_CASES = [...MICRO_CASES, ...LB_MICRO_CASES, ...LB_ALGORITHM_MICRO_CASES];

/** The side-by-side with loxilb when asked for and present; a note when it is absent. */
function anchor(a: BenchArgs, notes: string[]): Metric[] {
  if (a.anchor === undefined) return [];
  const missing = anchorMissing(a.anchor.dir);
  if (missing !== null) {
    const note = `anchor-loxilb: skipped: ${missing}`;
    notes.push(note);
    log(note);
    return [];
  }
  const run = runSideBySide({ ...a.anchor, samples: a.microSamples, cases: ALL_MICRO_CASES, log });
  notes.push(run.markdown);
  if (a.anchor.record !== undefined) {
    const json = {
      schema: 'fastpath-loxilb-side-by-side/1',
      at: new Date().toISOString(),
      samples: a.microSamples,
      ...a.anchor,
      pairs: run.pairs,
      metrics: run.metrics.map(({ samples: _s, ...m }) => m),
    };
    const paths = writeResultFiles(a.anchor.record, json, `# fastpath and loxilb side by side\n\n${run.markdown}`);
    log(`anchor-loxilb: written to ${paths.markdown} and ${paths.json}`);
  }
  return run.metrics;
}

/** The scale cases and the memory one connection takes in CT and the flow cache. */
function scale(samples: number, warmup: number): Metric[] {
  const metrics = runMicro({ samples, warmup, cases: SCALE_MICRO_CASES, connections: SCALE_CONNECTIONS }).filter(
    (m) => !m.id.startsWith('micro/calibration/'),
  );
  const dp = loadOrClean({
    object: DATAPATH_OBJECT,
    pinRoot: `/sys/fs/bpf/fastpath-${process.pid}-scale-memory`,
    connections: SCALE_CONNECTIONS,
  });
  try {
    const mem = connectionMemory(dp);
    metrics.push(
      makeMetric({
        id: 'micro/scale/memory-per-connection',
        group: 'micro',
        name: 'memory per connection: 2 CT + 2 flow-cache entries (memlock / max entries)',
        unit: 'bytes',
        better: 'lower',
        samples: [mem.bytesPerConnection],
        params: { ...mem },
      }),
    );
  } finally {
    dp.destroy();
  }
  return metrics;
}

function micro(a: BenchArgs, notes: string[]): Metric[] {
  const warmup = Math.max(10, Math.round(a.microSamples / 10));
  const metrics = anchor(a, notes);
  metrics.push(...runMicro({ samples: a.microSamples, warmup, cases: ALL_MICRO_CASES }));
  if (a.scale === true) metrics.push(...scale(a.microSamples, warmup));
  // The control-plane rows take ~12 s (filling and dumping 1M CT entries): not in quick,
  // which the per-algorithm and policed micro cases join (~2 s at 300 samples).
  if (a.command !== 'quick') metrics.push(...runControlPlane({ iterations: 50, dumpIterations: 3 }));
  return metrics;
}

/** Runs the benchmarks; `notes` receives text printed after the summary (the
 *  side-by-side table, a skipped anchor), `extra` what the result file records besides
 *  the metrics (the NDR searches, the DUT). */
export async function runBench(a: BenchArgs, notes: string[] = [], extra: Extra = {}): Promise<Metric[]> {
  const metrics: Metric[] = [];
  const doMicro = a.command === 'micro' || a.command === 'quick' || a.command === 'all';
  const doWire = a.command === 'wire' || a.command === 'quick' || a.command === 'all';
  const doCps = a.command === 'cps' || a.command === 'all';
  const doTcp = a.command === 'tcp' || a.command === 'quick' || a.command === 'all';
  if (doMicro) metrics.push(...micro(a, notes));
  if (doWire) metrics.push(...(await wire(a, extra)));
  if (doCps) metrics.push(...(await cps(a)));
  if (doTcp) metrics.push(...(await tcp(a)));
  return metrics;
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'fingerprint' && argv.length === 1) {
    process.stdout.write(`${JSON.stringify(await collectFingerprint({ libbpfVersion }), null, 2)}\n`);
    return 0;
  }
  let args: BenchArgs | 'help';
  try {
    args = parseBenchArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`fastpath bench: ${e.message}\n\n${BENCH_USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const startedAt = new Date();
  const t0 = performance.now();
  try {
    const notes: string[] = [];
    const extra: Extra = {};
    const metrics = await runBench(args, notes, extra);
    const run = await recordRun(metrics, { libbpfVersion, runsDir: args.out, startedAt, extra });
    process.stdout.write(`${run.summary}\n`);
    for (const note of notes) process.stdout.write(`${note}\n`);
    for (const table of [wireTable(metrics), cpsTable(metrics), tcpTable(metrics)]) if (table !== '') process.stdout.write(`${table}\n`);
    process.stdout.write(
      `fastpath bench ${args.command}: ${metrics.length} metrics in ${((performance.now() - t0) / 1000).toFixed(1)} s, written to ${run.dir}\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`fastpath bench ${args.command}: ${(e as Error).message}\n`);
    return 1;
  }
}
