// Control-plane operations timed with tinybench: installing an LB rule of 32 endpoints,
// toggling one endpoint (deactivate / activate, alternately), and dumping a CT table of
// 1M entries. The datapath's own ct map holds 512Ki entries, so the dump runs on a
// CT-shaped hash map (same key and value sizes) created with bpftool under a unique
// fastpath- pin root, filled untimed by batchUpdate; one timed operation is the batch
// lookup of the whole map plus decoding every value, as a CT dump tool does.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { BpfMap } from '../../native/index.js';
import { type Datapath, type LbRule, lbCodecs } from '../datapath/index.js';
import { MICRO_BASE_CONFIG } from './micro/cases.js';
import type { Metric } from './result.js';
import { metricFromTinybench } from './tinybench-metric.js';
import { DATAPATH_OBJECT } from './wire/constants.js';
import { loadOrClean } from './wire/datapath-load.js';

export interface ControlPlaneOptions {
  /** Timed iterations of rule install and endpoint toggle. */
  iterations: number;
  /** Timed CT dumps (each one reads every entry). */
  dumpIterations: number;
  /** CT entries to dump (default 1Mi). */
  ctEntries?: number;
}

const GROUP = 'control-plane';
const RULE_ENDPOINTS = 32;

function rule(activeFirst: boolean): LbRule {
  return {
    vip: '10.0.0.200',
    port: 443,
    protocol: 'tcp',
    mode: 'dnat',
    algorithm: 'maglev',
    endpoints: Array.from({ length: RULE_ENDPOINTS }, (_, j) => ({
      address: `10.2.1.${1 + j}`,
      port: 8443,
      active: j === 0 ? activeFirst : true,
    })),
  };
}

function lbMetrics(dp: Datapath, iterations: number): Metric[] {
  const installed = rule(true);
  const key = { vip: installed.vip, port: installed.port, protocol: installed.protocol };
  const bench = new Bench({ iterations, time: 0, warmup: true, warmupIterations: 2, warmupTime: 0, retainSamples: true });
  bench.add('LB rule install', () => dp.applyLb({ rules: [installed] }), { beforeEach: () => dp.applyLb({ remove: [key] }) });
  let active = true;
  bench.add(
    'LB endpoint toggle',
    () => {
      active = !active;
      dp.applyLb({ rules: [rule(active)] });
    },
    { beforeAll: () => dp.applyLb({ rules: [installed] }) },
  );
  bench.runSync();
  const [install, toggle] = bench.tasks;
  dp.applyLb({ remove: [key] });
  return [
    metricFromTinybench(install!, {
      id: 'cp/lb-rule-install',
      group: GROUP,
      name: `applyLb of a new maglev rule with ${RULE_ENDPOINTS} endpoints (rule removed before each, untimed)`,
      params: { endpoints: RULE_ENDPOINTS, algorithm: 'maglev', op: 'install' },
    }),
    metricFromTinybench(toggle!, {
      id: 'cp/endpoint-toggle',
      group: GROUP,
      name: `applyLb deactivating or activating one of ${RULE_ENDPOINTS} endpoints (maglev table rewritten)`,
      params: { endpoints: RULE_ENDPOINTS, algorithm: 'maglev', op: 'toggle' },
    }),
  ];
}

/** IPv4 TCP CT keys first..first+n-1 (distinct: client address from i / 64, port from
 *  i % 64) with established-looking values, flat. */
function syntheticCt(first: number, n: number, valueStride: number): { keys: Buffer; values: Buffer } {
  const kSize = lbCodecs.ctKeyCodec.size;
  const keys = Buffer.alloc(n * kSize);
  const values = Buffer.alloc(n * valueStride);
  const daddr = Buffer.concat([Buffer.from([10, 0, 0, 100]), Buffer.alloc(12)]);
  const value = lbCodecs.ctCodec.encode({
    seen_ns: 1n,
    peer: Buffer.alloc(40),
    nat_saddr: Buffer.alloc(16),
    nat_daddr: Buffer.alloc(16),
    nat_sport_be: 0,
    nat_dport_be: 8080,
    flags: 0,
    state: 3,
    fin: 0,
    rule_id: 1,
    ep: 0,
    seq: [0, 0],
    pkts: 1,
    policer: 0,
  });
  for (let j = 0; j < n; j++) {
    const i = first + j;
    const saddr = Buffer.concat([Buffer.from([10, 64 + (i >>> 22), (i >>> 14) & 0xff, (i >>> 6) & 0xff]), Buffer.alloc(12)]);
    keys.set(
      lbCodecs.ctKeyCodec.encode({ saddr, daddr, sport_be: 1024 + (i & 63), dport_be: 80, zone: 0, proto: 6, family: 4 }),
      j * kSize,
    );
    values.set(value, j * valueStride);
  }
  return { keys, values };
}

function fill(map: BpfMap, n: number): void {
  const chunk = 65536;
  for (let start = 0; start < n; start += chunk) {
    const count = Math.min(chunk, n - start);
    const { keys, values } = syntheticCt(start, count, map.info.valueStride);
    const written = map.batchUpdate(keys, values);
    if (written !== count) throw new Error(`ct dump: batchUpdate wrote ${written} of ${count} entries`);
  }
}

function ctDumpMetric(entries: number, iterations: number): Metric {
  const root = `/sys/fs/bpf/fastpath-${process.pid}-${randomBytes(4).toString('hex')}-ctdump`;
  mkdirSync(root, { recursive: true });
  let map: BpfMap | undefined;
  try {
    const pin = join(root, 'ct');
    execFileSync('bpftool', [
      'map',
      'create',
      pin,
      'type',
      'hash',
      'key',
      String(lbCodecs.ctKeyCodec.size),
      'value',
      String(lbCodecs.ctCodec.size),
      'entries',
      String(entries),
      'name',
      'ct_dump',
    ]);
    map = BpfMap.openPinned(pin);
    fill(map, entries);
    const m = map;
    const stride = m.info.valueStride;
    const bench = new Bench({ iterations, time: 0, warmup: false, retainSamples: true });
    bench.add('CT dump', () => {
      const { values, count } = m.batchLookup();
      if (count !== entries) throw new Error(`ct dump: read ${count} entries, expected ${entries}`);
      let established = 0;
      for (let i = 0; i < count; i++)
        if (lbCodecs.ctCodec.decode(values.subarray(i * stride, i * stride + lbCodecs.ctCodec.size)).state === 3) established++;
      if (established !== entries) throw new Error(`ct dump: decoded ${established} established entries, expected ${entries}`);
    });
    bench.runSync();
    const task = bench.tasks[0]!;
    if (task.result.state === 'errored') throw task.result.error;
    return metricFromTinybench(task, {
      id: 'cp/ct-dump-1m',
      group: GROUP,
      mode: 'rate',
      rateUnit: 'entries/s',
      itemsPerOp: entries,
      name: `CT dump: batch lookup + decode of ${entries} entries (CT-shaped hash map)`,
      params: { entries, op: 'dump' },
    });
  } finally {
    map?.close();
    rmSync(root, { recursive: true, force: true });
  }
}

export function runControlPlane(o: ControlPlaneOptions): Metric[] {
  const pinRoot = `/sys/fs/bpf/fastpath-${process.pid}-${randomBytes(4).toString('hex')}-cp`;
  const dp = loadOrClean({ object: DATAPATH_OBJECT, pinRoot });
  let lb: Metric[];
  try {
    dp.apply(MICRO_BASE_CONFIG);
    lb = lbMetrics(dp, o.iterations);
  } finally {
    dp.destroy();
  }
  return [...lb, ctDumpMetric(o.ctEntries ?? 1 << 20, o.dumpIterations)];
}
