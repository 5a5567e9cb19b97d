// The seeded fuzz pass: thousands of malformed and mutated packets through test runs of
// fp_tc_entry and fp_xdp_entry, each checked against the invariants of invariants.ts, then
// the configuration maps compared before/after and every connection traced to a valid flow.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TC_ACT_OK, TC_ACT_REDIRECT, TC_ACT_SHOT, XDP_DROP, XDP_PASS, XDP_REDIRECT } from '../../../native/constants.js';
import { Datapath } from '../../datapath/index.js';
import { renderPacket, writePcap, type PcapRecord } from '../../packet/index.js';
import { captureMaps, mapEntries } from '../map-state.js';
import { defaultRunsDir, datapathObject } from '../paths.js';
import { RunResources } from '../resources.js';
import { applySection } from '../topology-view.js';
import type { FuzzSummary } from '../types.js';
import { establishedFlow, fuzzPackets } from './corpus.js';
import { fuzzDatapath } from './environment.js';
import { TC_FORWARD_PATHS, classify, isTerminalPath } from './invariants.js';
import { Prng } from './prng.js';

export const DEFAULT_FUZZ_COUNT = 3000;
export const DEFAULT_FUZZ_SEED = 1;
/** Detailed failure reports kept (every failing packet still goes to the pcap). */
const MAX_REPORTED = 20;

export interface FuzzOptions {
  seed?: number;
  count?: number;
  /** Also run every packet through fp_xdp_entry (default true). */
  xdp?: boolean;
  object?: string;
  runsDir?: string;
  runId?: string;
  /** Test-only: called after each TC test run (e.g. to plant a counter fault). */
  afterTcRun?: (dp: Datapath, index: number) => void;
}

/** Maps the control plane owns: the datapath must never change them. */
const CONFIG_MAPS = ['intf', 'intf_arr', 'rmac', 'dmac', 'rt_v4', 'rt_v6', 'nh', 'cfg', 'lb', 'lb_ep', 'lb_tbl', 'lb_range'];

/** Bytes of config-map values the datapath itself updates: fp_lb.rr_hint (the RR cursor). */
const DATAPATH_OWNED: Record<string, [number, number][]> = { lb: [[12, 16]] };

function masked(name: string, hexValue: string | undefined): string | undefined {
  if (hexValue === undefined) return undefined;
  const b = Buffer.from(hexValue, 'hex');
  for (const [from, to] of DATAPATH_OWNED[name] ?? []) b.fill(0, from, to);
  return b.toString('hex');
}

type Counts = Record<string, bigint>;

function counters(dp: Datapath): Counts {
  const out: Counts = {};
  for (const [k, v] of Object.entries(dp.paths())) out[`path.${k}`] = v.packets;
  for (const [k, v] of Object.entries(dp.drops())) if (k !== 'none') out[`drop.${k}`] = v.packets;
  return out;
}

function moved(before: Counts, after: Counts): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const [k, v] of Object.entries(after)) if (v !== (before[k] ?? 0n)) out[k] = v - (before[k] ?? 0n);
  return out;
}

function intfTotal(dp: Datapath): bigint {
  let n = 0n;
  for (const [, c] of dp.counters('stats_intf')) n += c.packets;
  return n;
}

function tcKindOf(counter: string): number {
  if (counter.startsWith('drop.')) return TC_ACT_SHOT;
  return TC_FORWARD_PATHS.includes(counter.slice('path.'.length)) ? TC_ACT_REDIRECT : TC_ACT_OK;
}

class Tally {
  readonly invariants = new Map<string, { checked: number; failed: number }>();
  readonly failures: string[] = [];
  readonly failing: PcapRecord[] = [];
  private failedPackets = new Set<number>();

  constructor(private readonly seed: number) {}

  check(name: string, ok: boolean, index: number, data: Buffer | null, why: () => string): void {
    const entry = this.invariants.get(name) ?? { checked: 0, failed: 0 };
    entry.checked++;
    this.invariants.set(name, entry);
    if (ok) return;
    entry.failed++;
    if (data !== null && !this.failedPackets.has(index)) {
      this.failedPackets.add(index);
      this.failing.push({ data, ts: index });
    }
    if (this.failures.length < MAX_REPORTED) {
      const packet =
        data !== null
          ? `\n  packet (${data.length} bytes): ${data.toString('hex')}\n${renderPacket(data)
              .split('\n')
              .map((l) => `    ${l}`)
              .join('\n')}`
          : '';
      this.failures.push(`seed ${this.seed} index ${index}: ${name}: ${why()}${packet}`);
    }
  }
}

export async function runFuzz(options: FuzzOptions = {}): Promise<FuzzSummary> {
  const seed = options.seed ?? DEFAULT_FUZZ_SEED;
  const count = options.count ?? DEFAULT_FUZZ_COUNT;
  const xdp = options.xdp ?? true;
  const res = new RunResources();
  const tally = new Tally(seed);
  const started = performance.now();
  let packets = 0;
  let badChecksumForwarded = 0;
  let xdpUncountedDrops = 0;
  let invalidCount = 0;
  const refused: string[] = [];
  let summary: FuzzSummary;
  try {
    const server = res.addVethPair('fz').a;
    const dp = Datapath.load({ object: options.object ?? datapathObject, pinRoot: res.pinRoot });
    res.datapath = dp;
    // Test runs without a ctx arrive on the loopback interface (TC and XDP alike).
    applySection(
      dp,
      fuzzDatapath(),
      new Map([
        ['client-side', 'lo'],
        ['server-side', server],
      ]),
    );
    const tc = dp.program('fp_tc_entry');
    const xdpProg = dp.program('fp_xdp_entry');
    const flow = establishedFlow();
    for (const data of [flow.request, flow.reply, flow.request]) tc.testRun({ data });
    const established = dp.flowCache().length;
    const validFlows = new Set<string>();
    for (const data of [flow.request, flow.reply]) validFlows.add(classify(data).flow!);

    const configBefore = captureMaps(dp, CONFIG_MAPS);
    const intfBefore = intfTotal(dp);
    let xdpFastHits = 0n;
    let tcRuns = 0n;
    let tcFastHits = 0;
    let index = 0;
    for (const p of fuzzPackets(new Prng(seed), count)) {
      const i = index++;
      const c = classify(p.data);
      if (c.invalid !== null) invalidCount++;
      if (c.flow !== null) validFlows.add(c.flow);
      const before = counters(dp);
      let r;
      try {
        r = tc.testRun({ data: p.data });
      } catch (e) {
        // The kernel's test-run refuses some frames before the program sees them (e.g. an
        // IPv4/IPv6 EtherType with less than that header's bytes): not the datapath's to judge.
        if ((e as { code?: string }).code !== 'EINVAL') throw e;
        refused.push(`${p.kind} (${p.data.length} bytes: ${p.data.subarray(0, 16).toString('hex')}...)`);
        continue;
      }
      packets++;
      tcRuns++;
      options.afterTcRun?.(dp, i);
      const delta = moved(before, counters(dp));
      if (delta['path.tc_fast_hit'] === 1n) tcFastHits++;
      const terminal = Object.entries(delta).filter(([k]) => k.startsWith('drop.') || isTerminalPath(k.slice('path.'.length)));
      tally.check(
        'tc: one terminal counter per packet',
        terminal.length === 1 && terminal[0]![1] === 1n,
        i,
        p.data,
        () => `${p.kind}: terminal counters moved: ${JSON.stringify(Object.fromEntries(terminal.map(([k, v]) => [k, v.toString()])))}`,
      );
      if (terminal.length === 1) {
        tally.check(
          'tc: verdict matches the counter',
          tcKindOf(terminal[0]![0]) === r.retval,
          i,
          p.data,
          () => `${p.kind}: retval ${r.retval}, counted ${terminal[0]![0]}`,
        );
      }
      tally.check(
        'tc: an invalid packet is never forwarded',
        c.invalid === null || r.retval !== TC_ACT_REDIRECT,
        i,
        p.data,
        () => `${p.kind}: forwarded although ${c.invalid}`,
      );
      if (r.retval === TC_ACT_REDIRECT && c.badIpv4Checksum) badChecksumForwarded++;
      if (xdp) {
        const xb = counters(dp);
        const x = xdpProg.testRun({ data: p.data });
        packets++;
        const xd = moved(xb, counters(dp));
        const pass = xd['path.xdp_pass'] ?? 0n;
        const hit = xd['path.xdp_fast_hit'] ?? 0n;
        if (x.retval === XDP_DROP) xdpUncountedDrops++;
        xdpFastHits += hit;
        const accounted =
          x.retval === XDP_PASS
            ? pass === 1n && hit === 0n
            : x.retval === XDP_REDIRECT
              ? hit === 1n && pass === 0n
              : x.retval === XDP_DROP && pass === 0n && hit === 0n;
        tally.check(
          'xdp: pass or fast hit counted once',
          accounted && Object.keys(xd).length === (x.retval === XDP_DROP ? 0 : 1),
          i,
          p.data,
          () =>
            `${p.kind}: retval ${x.retval}, counters moved ${JSON.stringify(Object.fromEntries(Object.entries(xd).map(([k, v]) => [k, v.toString()])))}`,
        );
        tally.check(
          'xdp: an invalid packet is never forwarded',
          c.invalid === null || x.retval !== XDP_REDIRECT,
          i,
          p.data,
          () => `${p.kind}: XDP redirected although ${c.invalid}`,
        );
      }
    }
    const intfDelta = intfTotal(dp) - intfBefore;
    tally.check(
      'stats_intf grows by the TC packets plus the XDP fast hits',
      intfDelta === tcRuns + xdpFastHits,
      -1,
      null,
      () => `stats_intf +${intfDelta}, expected ${tcRuns} + ${xdpFastHits}`,
    );
    const configAfter = captureMaps(dp, CONFIG_MAPS);
    CONFIG_MAPS.forEach((name, m) => {
      const a = mapEntries(configBefore, m);
      const b = mapEntries(configAfter, m);
      const changed = [...new Set([...a.keys(), ...b.keys()])].filter((k) => masked(name, a.get(k)) !== masked(name, b.get(k)));
      tally.check(
        `config map ${name} unchanged`,
        changed.length === 0,
        -1,
        null,
        () =>
          `${changed.length} entr${changed.length === 1 ? 'y' : 'ies'} differ, e.g. ${changed
            .slice(0, 3)
            .map((k) => `${k}: ${a.get(k) ?? '(absent)'} -> ${b.get(k) ?? '(absent)'}`)
            .join('; ')}`,
      );
    });
    for (const e of dp.connections()) {
      if (e.direction !== 'original') continue;
      const f = `${e.key.protocol} ${e.key.src} ${e.key.sport} ${e.key.dst} ${e.key.dport}`;
      tally.check(
        'connections only for valid flows',
        validFlows.has(f),
        -1,
        null,
        () => `connection ${f} (${e.state}) matches no valid packet sent`,
      );
    }
    const durationMs = Math.round(performance.now() - started);
    const invariants = [...tally.invariants].map(([name, v]) => ({ name, ...v }));
    const ok = invariants.every((v) => v.failed === 0);
    summary = {
      seed,
      count,
      packets,
      durationMs,
      invariants,
      failures: tally.failures,
      ok,
      invalid: invalidCount,
      established,
      fastHits: { tc: tcFastHits, xdp: Number(xdpFastHits) },
      refusedByKernel: refused.length,
      badIpv4ChecksumForwarded: badChecksumForwarded,
      xdpUncountedDrops,
    };
    if (tally.failing.length > 0) {
      const dir = join(options.runsDir ?? defaultRunsDir, options.runId ?? `fuzz-${process.pid.toString(16)}`, 'fuzz');
      mkdirSync(dir, { recursive: true });
      summary.pcap = join(dir, `seed-${seed}-failing.pcap`);
      await writePcap(summary.pcap, tally.failing);
    }
  } catch (e) {
    await tearDown(res, e);
    throw e;
  }
  await tearDown(res);
  return summary;
}

/** Teardown problems fail the run, even one that failed already. */
async function tearDown(res: RunResources, failure?: unknown): Promise<void> {
  const problems = await res.teardown();
  if (problems.length > 0) throw new Error(`fuzz teardown: ${problems.join('; ')}`, failure === undefined ? undefined : { cause: failure });
}
