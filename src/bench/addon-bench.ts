// Addon micro-benchmark: map update throughput one entry per call vs one batch call, and
// the cost of a BPF_PROG_TEST_RUN call from JavaScript compared with the time the kernel
// reports for the program itself (an empty program, so nearly all of it is call overhead).
// Run directly (`node dist/src/bench/addon-bench.js`) it prints a table and writes
// results/addon-bench.json and results/addon-bench.md.
import { release } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { BpfObject, libbpfVersion, possibleCpus } from '../../native/index.js';
import { repoRoot } from './paths.js';
import { runIfMain, writeResultFiles } from './standalone.js';
import type { BpfMap, BpfProgram } from '../../native/index.js';

const FIXTURE = join(repoRoot, 'build', 'test-bpf', 'bench.bpf.o');
const ENTRIES = 100_000;
const CALLS_PER_SAMPLE = 1000;

export interface MapUpdateResult {
  entries: number;
  /** Median entries/s inserting ENTRIES keys into an empty hash map with update(). */
  singleEntriesPerSec: number;
  /** Median entries/s doing the same with one batchUpdate() call. */
  batchEntriesPerSec: number;
  batchSpeedup: number;
  singleSamples: number;
  batchSamples: number;
}

export interface TestRunOverheadResult {
  program: string;
  type: string;
  packetBytes: number;
  /** Median wall-clock ns per testRun({ repeat: 1 }) call seen from JavaScript. */
  wallNsPerCall: number;
  /** Mean ns per run as reported by the kernel (duration). */
  kernelNsPerRun: number;
  /** wallNsPerCall - kernelNsPerRun: syscall, copies and N-API marshalling. */
  overheadNsPerCall: number;
  calls: number;
}

export interface AddonBenchResult {
  date: string;
  kernel: string;
  node: string;
  libbpf: string;
  possibleCpus: number;
  mapUpdate: MapUpdateResult;
  testRun: TestRunOverheadResult[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function latencySamplesMs(bench: Bench, name: string): number[] {
  const task = bench.getTask(name);
  const result = task?.result;
  if (result === undefined || !('latency' in result) || result.state !== 'completed') {
    const detail = result !== undefined && 'error' in result ? `: ${String(result.error)}` : '';
    throw new Error(`benchmark task '${name}' did not complete (${result?.state ?? 'missing'})${detail}`);
  }
  const samples = result.latency.samples;
  if (samples === undefined || samples.length === 0) throw new Error(`benchmark task '${name}' kept no samples`);
  return [...samples];
}

function entryBuffers(): { keys: Buffer; values: Buffer; keyViews: Buffer[]; valueViews: Buffer[] } {
  const keys = Buffer.alloc(ENTRIES * 4);
  const values = Buffer.alloc(ENTRIES * 8);
  for (let i = 0; i < ENTRIES; i++) {
    keys.writeUInt32LE((i * 2654435761) >>> 0, i * 4);
    values.writeBigUInt64LE(BigInt(i) * 3n, i * 8);
  }
  const keyViews = Array.from({ length: ENTRIES }, (_, i) => keys.subarray(i * 4, i * 4 + 4));
  const valueViews = Array.from({ length: ENTRIES }, (_, i) => values.subarray(i * 8, i * 8 + 8));
  return { keys, values, keyViews, valueViews };
}

async function benchMapUpdate(map: BpfMap): Promise<MapUpdateResult> {
  const { keys, values, keyViews, valueViews } = entryBuffers();
  const empty = (): void => {
    map.batchDelete(keys);
  };
  const bench = new Bench({ name: 'map update', time: 3000, iterations: 8, warmupIterations: 2, retainSamples: true });
  bench.add(
    'single',
    () => {
      for (let i = 0; i < ENTRIES; i++) map.update(keyViews[i]!, valueViews[i]!);
    },
    { beforeEach: empty },
  );
  bench.add(
    'batch',
    () => {
      map.batchUpdate(keys, values);
    },
    { beforeEach: empty },
  );
  await bench.run();
  empty();
  const single = latencySamplesMs(bench, 'single');
  const batch = latencySamplesMs(bench, 'batch');
  const singleRate = (ENTRIES * 1000) / median(single);
  const batchRate = (ENTRIES * 1000) / median(batch);
  return {
    entries: ENTRIES,
    singleEntriesPerSec: Math.round(singleRate),
    batchEntriesPerSec: Math.round(batchRate),
    batchSpeedup: Number((batchRate / singleRate).toFixed(2)),
    singleSamples: single.length,
    batchSamples: batch.length,
  };
}

async function benchTestRun(program: BpfProgram): Promise<TestRunOverheadResult> {
  const packet = Buffer.alloc(64);
  packet.fill(0xff, 0, 6);
  packet.writeUInt16BE(0x0800, 12);
  const options = { data: packet, repeat: 1, dataSizeOut: 0 };
  let kernelNs = 0;
  let runs = 0;
  const bench = new Bench({ name: 'test run', time: 2000, iterations: 20, warmupIterations: 3, retainSamples: true });
  bench.add(program.name, () => {
    for (let i = 0; i < CALLS_PER_SAMPLE; i++) {
      kernelNs += program.testRun(options).duration;
      runs++;
    }
  });
  await bench.run();
  const samples = latencySamplesMs(bench, program.name);
  const wallNs = (median(samples) * 1e6) / CALLS_PER_SAMPLE;
  const kernelMean = kernelNs / runs;
  return {
    program: program.name,
    type: program.type,
    packetBytes: packet.length,
    wallNsPerCall: Math.round(wallNs),
    kernelNsPerRun: Math.round(kernelMean),
    overheadNsPerCall: Math.round(wallNs - kernelMean),
    calls: runs,
  };
}

export async function runAddonBench(): Promise<AddonBenchResult> {
  const obj = new BpfObject(FIXTURE);
  try {
    const mapUpdate = await benchMapUpdate(obj.map('bench_hash'));
    const testRun = [await benchTestRun(obj.program('empty_xdp')), await benchTestRun(obj.program('empty_tc'))];
    return {
      date: new Date().toISOString(),
      kernel: release(),
      node: process.version,
      libbpf: libbpfVersion,
      possibleCpus: possibleCpus(),
      mapUpdate,
      testRun,
    };
  } finally {
    obj.close();
  }
}

function formatRate(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(1)} k`;
}

export function renderMarkdown(r: AddonBenchResult): string {
  const m = r.mapUpdate;
  const lines = [
    '# Addon micro-benchmark',
    '',
    `Kernel ${r.kernel}, node ${r.node}, libbpf ${r.libbpf}, ${r.possibleCpus} possible CPUs, ${r.date}.`,
    '',
    `## Map update throughput (hash map, ${m.entries} u32 -> u64 entries inserted into an empty map)`,
    '',
    '| method | entries/s (median) | samples |',
    '|---|---:|---:|',
    `| update() per entry | ${formatRate(m.singleEntriesPerSec)} | ${m.singleSamples} |`,
    `| batchUpdate() | ${formatRate(m.batchEntriesPerSec)} | ${m.batchSamples} |`,
    '',
    `Batch is ${m.batchSpeedup}x faster.`,
    '',
    '## Test-run call overhead (empty program, 64-byte packet, repeat = 1, no data out)',
    '',
    '| program | type | wall ns/call (median) | kernel ns/run (mean) | overhead ns/call | calls |',
    '|---|---|---:|---:|---:|---:|',
    ...r.testRun.map(
      (t) => `| ${t.program} | ${t.type} | ${t.wallNsPerCall} | ${t.kernelNsPerRun} | ${t.overheadNsPerCall} | ${t.calls} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const result = await runAddonBench();
  console.table([
    { measure: 'map update(), entries/s', value: result.mapUpdate.singleEntriesPerSec },
    { measure: 'map batchUpdate(), entries/s', value: result.mapUpdate.batchEntriesPerSec },
    ...result.testRun.flatMap((t) => [
      { measure: `${t.program} wall ns/call`, value: t.wallNsPerCall },
      { measure: `${t.program} kernel ns/run`, value: t.kernelNsPerRun },
      { measure: `${t.program} overhead ns/call`, value: t.overheadNsPerCall },
    ]),
  ]);
  const written = writeResultFiles('addon-bench', result, renderMarkdown(result));
  console.log(`wrote ${written.json} and ${written.markdown}`);
}

runIfMain(import.meta.url, 'addon-bench', main);
