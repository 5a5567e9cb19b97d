// Packet mode: the datapath loaded in this process's namespace and driven with
// BPF_PROG_TEST_RUN. Each dut interface is stood in for by a root-namespace veth (named
// fp<pid>x<n>...), so the datapath sees the ingress ifindex the config names.
import { setTimeout as sleep } from 'node:timers/promises';
import { TC_ACT_OK, TC_ACT_REDIRECT, TC_ACT_SHOT } from '../../native/constants.js';
import { type TestRunResult, ifindex } from '../../native/index.js';
import { Datapath, setPolicerState } from '../datapath/index.js';
import { buildPacket } from '../packet/index.js';
import { Ager } from './age.js';
import { checkFields, comparePacket } from './compare.js';
import { fastHitsNow, replayThroughSlowPath } from './differential.js';
import { dumpDatapath } from './dumps.js';
import { appliesTo, evaluate, snapshot } from './expectations.js';
import type { RunResources } from './resources.js';
import type { ModeRun } from './run-record.js';
import { applySection, dutInterfaces, linkOfPeer } from './topology-view.js';
import { EventCounts } from './event-counts.js';
import type { InjectStep, PolicerStateStep, Scenario, Verdict } from './types.js';

/** A last-update time far in the future: the datapath then adds no tokens (refill frozen). */
const FROZEN_NS = 2n ** 62n;

function setBuckets(dp: Datapath, s: PolicerStateStep): void {
  setPolicerState(dp.map('pol'), s.id, { cTokens: BigInt(s.cTokens), eTokens: BigInt(s.eTokens), lastNs: FROZEN_NS });
}

/** Offset of ifindex in struct __sk_buff (uapi: len, pkt_type, mark, queue_mapping,
 *  protocol, vlan_present, vlan_tci, vlan_proto, priority, ingress_ifindex, ifindex). */
const SKB_IFINDEX_OFFSET = 40;
const SKB_CTX_OUT = 256;

function verdictOf(retval: number): Verdict | `retval ${number}` {
  if (retval === TC_ACT_REDIRECT) return 'forward';
  if (retval === TC_ACT_OK) return 'stack';
  if (retval === TC_ACT_SHOT) return 'drop';
  return `retval ${retval}`;
}

function injectLabel(inj: InjectStep, index: number): string {
  return `steps[${index}] inject${inj.name !== undefined ? ` '${inj.name}'` : ''}`;
}

/** Test-only: called before each packet-mode inject (e.g. to plant a corrupted flow-cache
 *  entry that the differential check must catch). */
export type BeforeInject = (dp: Datapath, stepIndex: number) => void;

function runInject(dp: Datapath, s: Scenario, inj: InjectStep, index: number, names: Map<string, string>, out: ModeRun): void {
  const label = injectLabel(inj, index);
  const input = buildPacket(inj.packet);
  const link = linkOfPeer(s.topology, s.dut, inj.from);
  const ctx = Buffer.alloc(SKB_IFINDEX_OFFSET + 8);
  ctx.writeUInt32LE(ifindex({ ifname: names.get(link.dutIfname)! }), SKB_IFINDEX_OFFSET);
  const testRun = (): TestRunResult => dp.program('fp_tc_entry').testRun({ data: input, ctx, ctxSizeOut: SKB_CTX_OUT });
  let r;
  const fastBefore = fastHitsNow(dp);
  try {
    r = testRun();
  } catch (e) {
    out.checks.push({
      name: `${label}: test run`,
      ok: false,
      detail: `${(e as Error).message} (input ${input.length} bytes: ${input.toString('hex')})`,
    });
    return;
  }
  const ts = Date.now() / 1000;
  out.exchange.push({ data: input, ts });
  if (r.data !== null) out.exchange.push({ data: r.data, ts });
  if (fastHitsNow(dp) - fastBefore === 1n) {
    const d = replayThroughSlowPath(dp, label, r, testRun);
    out.differential.checked++;
    if (!d.check.ok) out.differential.mismatched++;
    out.checks.push(d.check);
    if (d.diff !== undefined) out.diffs.push(`${label} differential (fast path vs slow path):\n${d.diff}`);
    if (d.slow?.data !== null && d.slow?.data !== undefined && !d.check.ok) out.exchange.push({ data: d.slow.data, ts });
  }
  const verdict = verdictOf(r.retval);
  const want = inj.expect.verdict;
  out.checks.push({
    name: `${label}: verdict ${want}`,
    ok: verdict === want,
    ...(verdict === want ? {} : { detail: `expected ${want}, got ${verdict}` }),
  });
  if (verdict !== want || r.data === null) return;
  if (want === 'forward' && inj.expect.packet !== undefined) {
    const expected = buildPacket(inj.expect.packet);
    const cmp = comparePacket(expected, r.data, inj.expect.mask);
    out.checks.push({ name: `${label}: output bytes`, ok: cmp.ok, ...(cmp.ok ? {} : { detail: cmp.diff }) });
    if (!cmp.ok) out.diffs.push(`${label} (expected vs actual):\n${cmp.diff}`);
    out.exchange.push({ data: expected, ts });
  }
  if (want === 'forward' && inj.expect.fields !== undefined) {
    const problems = checkFields(r.data, inj.expect.fields);
    out.checks.push({
      name: `${label}: fields`,
      ok: problems.length === 0,
      ...(problems.length === 0 ? {} : { detail: problems.join('\n') }),
    });
  }
  if (want === 'stack') {
    const same = r.data.equals(input);
    out.checks.push({
      name: `${label}: handed to the stack unchanged`,
      ok: same,
      ...(same ? {} : { detail: comparePacket(input, r.data, undefined).diff }),
    });
  }
}

export async function runPacketMode(
  s: Scenario,
  res: RunResources,
  out: ModeRun,
  object: string,
  beforeInject?: BeforeInject,
): Promise<void> {
  const names = new Map<string, string>();
  dutInterfaces(s.topology, s.dut).forEach((n, i) => names.set(n, res.addVethPair(i.toString(36)).a));
  out.log.push(`dut interfaces stood in for by ${[...names].map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const dp = Datapath.load({ object, pinRoot: res.pinRoot });
  res.datapath = dp;
  applySection(dp, s.datapath, names);
  const events = new EventCounts(dp);
  const before = snapshot(dp, names, events);
  const ager = new Ager(dp);
  try {
    for (const step of s.steps) {
      if (!appliesTo(step, 'packet')) continue;
      if (step.kind === 'inject') {
        beforeInject?.(dp, step.index);
        runInject(dp, s, step.inject, step.index, names, out);
      } else if (step.kind === 'config') applySection(dp, step.config, names);
      else if (step.kind === 'wait') await sleep(step.wait.ms, undefined, { signal: out.signal });
      else if (step.kind === 'age') out.checks.push(...ager.run(step.age, step.index));
      else if (step.kind === 'policerState') setBuckets(dp, step.policerState);
      else throw new Error(`steps[${step.index}]: a ${step.kind} step cannot run in packet mode`);
    }
    out.checks.push(...evaluate(s.expect, 'packet', before, snapshot(dp, names, events), new Map()));
  } finally {
    ager.stop();
    events.close();
    out.dumps = dumpDatapath(dp);
  }
}
