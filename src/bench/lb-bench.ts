// Load-balancer micro benchmark: ns/packet of the CT + NAT/LB datapath in
// test-run mode — the established fast-path hit and the new-flow slow path, TCP / UDP /
// SCTP over IPv4 and IPv6 — and the memory of a 1M-entry CT table. Every sample is a
// repeat=1 call on a fresh copy of the packet, with an empty program of the same hook on
// the same packet sampled interleaved and its median subtracted (micro-timer.ts via
// micro/run.ts); new-flow cases delete the connection before every sample, untimed.
//
// LB_MICRO_CASES is the table `fastpath bench micro` can include. Run alone:
//   node dist/src/bench/lb-bench.js [--samples N] [--warmup N]
// writes results/lb-bench.json and results/lb-bench.md.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Datapath } from '../datapath/index.js';
import { lbCodecs } from '../datapath/index.js';
import { type LayerSpec, buildPacket, parseIpv4, parseIpv6 } from '../packet/index.js';
import { MICRO, type MicroCase, REDIRECT } from './micro/cases.js';
import { runMicro } from './micro/run.js';
import { writeResultFiles } from './standalone.js';
import type { Metric } from './result.js';

type Proto = 'tcp' | 'udp' | 'sctp';
type Family = 4 | 6;

const LB = {
  vip4: '10.0.0.100',
  vip6: 'fd00:100::1',
  ep4: '10.2.0.7',
  ep6: 'fd00:2::7',
  port: 80,
  epPort: 8080,
  clientMac: '02:00:00:00:00:aa',
} as const;

/** Client-side routes and one rule per protocol and family (idempotent). */
export function prepareLb(dp: Datapath): void {
  dp.apply({
    routes: [
      { prefix: '10.1.0.0/24', nextHops: [1], replace: true },
      { prefix: 'fd00:1::/64', nextHops: [1], replace: true },
    ],
  });
  const rules = (['tcp', 'udp', 'sctp'] as const).flatMap((protocol) => [
    { vip: LB.vip4, port: LB.port, protocol, endpoints: [{ address: LB.ep4, port: LB.epPort }] },
    { vip: LB.vip6, port: LB.port, protocol, endpoints: [{ address: LB.ep6, port: LB.epPort }] },
  ]);
  dp.applyLb({ rules });
}

interface Dir {
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

function ends(family: Family): { c: Dir; s: Dir } {
  const client = family === 4 ? MICRO.client4 : MICRO.client6;
  const vip = family === 4 ? LB.vip4 : LB.vip6;
  const ep = family === 4 ? LB.ep4 : LB.ep6;
  return { c: { src: client, dst: vip, sport: 40000, dport: LB.port }, s: { src: ep, dst: client, sport: LB.epPort, dport: 40000 } };
}

const CTAG = 0x1111;
const STAG = 0x2222;

/** A frame of the given flow; 64 bytes for IPv4 TCP (the figure the bar is quoted at).
 *  forwarded: as next hop 1 must receive it (its MACs, one hop less). */
function frame(proto: Proto, family: Family, d: Dir, kind: string, forwarded = false): Buffer {
  const ttl = forwarded ? 63 : 64;
  const l3: LayerSpec =
    family === 4 ? { type: 'ipv4', src: d.src, dst: d.dst, ttl } : { type: 'ipv6', src: d.src, dst: d.dst, hopLimit: ttl };
  let l4: LayerSpec[];
  if (proto === 'tcp') {
    const flags = { syn: kind === 'syn' || kind === 'synack', ack: kind !== 'syn', psh: kind === 'data' };
    const seq = kind === 'synack' ? 500 : kind === 'syn' ? 100 : 101;
    const ack = kind === 'syn' ? 0 : kind === 'synack' ? 101 : 501;
    l4 = [
      { type: 'tcp', sport: d.sport, dport: d.dport, seq, ack, flags },
      { type: 'payload', data: Buffer.alloc(kind === 'data' ? 10 : 0) },
    ];
  } else if (proto === 'udp') {
    l4 = [
      { type: 'udp', sport: d.sport, dport: d.dport },
      { type: 'payload', data: Buffer.alloc(18) },
    ];
  } else {
    const chunk = {
      init: { type: 'init', initiateTag: CTAG, initialTsn: 1 },
      initack: { type: 'init-ack', initiateTag: STAG, initialTsn: 1, params: [{ type: 'cookie', data: Buffer.alloc(8) }] },
      cookie: { type: 'cookie-echo', cookie: Buffer.alloc(8) },
      cookieack: { type: 'cookie-ack' },
      data: { type: 'data', tsn: 1, data: Buffer.alloc(8) },
    }[kind];
    const vtag = { init: 0, initack: CTAG, cookie: STAG, cookieack: CTAG, data: STAG }[kind];
    l4 = [{ type: 'sctp', sport: d.sport, dport: d.dport, vtag, chunks: [chunk] } as unknown as LayerSpec];
  }
  const eth: LayerSpec = forwarded
    ? { type: 'eth', dst: MICRO.nhMac, src: MICRO.outMac }
    : { type: 'eth', dst: MICRO.routerMac, src: LB.clientMac };
  return buildPacket([eth, l3, ...l4]);
}

/** The client's packet after DNAT to the endpoint and forwarding to next hop 1. */
function dnatted(proto: Proto, family: Family, kind: string): Buffer {
  const { c } = ends(family);
  return frame(proto, family, { ...c, dst: family === 4 ? LB.ep4 : LB.ep6, dport: LB.epPort }, kind, true);
}

/** Runs the handshake so the flow is established and its cache entry installed. */
function establish(dp: Datapath, proto: Proto, family: Family): void {
  const { c, s } = ends(family);
  const run = (d: Dir, kind: string): void => void dp.program('fp_tc_entry').testRun({ data: frame(proto, family, d, kind) });
  if (proto === 'tcp') {
    run(c, 'syn');
    run(s, 'synack');
    run(c, 'ack');
    run(c, 'data');
  } else if (proto === 'udp') {
    run(c, 'data');
    run(s, 'data');
    run(c, 'data');
  } else {
    run(c, 'init');
    run(s, 'initack');
    run(c, 'cookie');
    run(s, 'cookieack');
    run(c, 'data');
  }
}

function ctKey(proto: Proto, family: Family): Buffer {
  const { c } = ends(family);
  const addr = (a: string): Buffer => (family === 4 ? Buffer.concat([parseIpv4(a), Buffer.alloc(12)]) : parseIpv6(a));
  return lbCodecs.ctKeyCodec.encode({
    saddr: addr(c.src),
    daddr: addr(c.dst),
    sport_be: c.sport,
    dport_be: c.dport,
    zone: 0,
    proto: { tcp: 6, udp: 17, sctp: 132 }[proto],
    family,
  });
}

/** Deletes the connection (both CT entries, both cache entries): the next packet is new. */
export function forgetConnection(dp: Datapath, key: Buffer): void {
  const raw = dp.map('ct').lookup(key);
  if (raw === null) return;
  const peer = lbCodecs.ctCodec.decode(raw).peer;
  for (const m of ['ct', 'fc']) {
    dp.map(m).delete(peer);
    dp.map(m).delete(key);
  }
}

const NEW_KIND: Record<Proto, string> = { tcp: 'syn', udp: 'data', sctp: 'init' };

export function fastCase(proto: Proto, family: Family, hook: 'tc' | 'xdp'): MicroCase {
  return {
    id: `micro/${hook}/lb-${proto}-v${family}-fast`,
    name: `LB ${proto.toUpperCase()} IPv${family} established, ${hook.toUpperCase()} fast-path hit (DNAT)`,
    hook,
    params: { proto, family, path: 'fast', hook, mode: 'dnat' },
    prepare: ({ dp }) => {
      prepareLb(dp);
      dp.flushConnections();
      establish(dp, proto, family);
      const key = ctKey(proto, family);
      if (dp.map('fc').lookup(key) === null) throw new Error(`lb-bench ${proto} v${family}: no cache entry after the handshake`);
      return {
        program: dp.program(hook === 'tc' ? 'fp_tc_entry' : 'fp_xdp_entry'),
        data: frame(proto, family, ends(family).c, 'data'),
        expect: { verdict: REDIRECT[hook], output: [dnatted(proto, family, 'data')] },
      };
    },
  };
}

export function newFlowCase(proto: Proto, family: Family): MicroCase {
  return {
    id: `micro/tc/lb-${proto}-v${family}-new`,
    name: `LB ${proto.toUpperCase()} IPv${family} new flow (${NEW_KIND[proto].toUpperCase()}): CT miss, RR selection, two CT entries, DNAT, route`,
    hook: 'tc',
    params: { proto, family, path: 'slow-new', hook: 'tc', mode: 'dnat', algorithm: 'rr' },
    prepare: ({ dp }) => {
      prepareLb(dp);
      dp.flushConnections();
      const key = ctKey(proto, family);
      return {
        program: dp.program('fp_tc_entry'),
        data: frame(proto, family, ends(family).c, NEW_KIND[proto]),
        reset: () => forgetConnection(dp, key),
        expect: { verdict: REDIRECT.tc, output: [dnatted(proto, family, NEW_KIND[proto])] },
      };
    },
  };
}

export const LB_MICRO_CASES: MicroCase[] = [
  ...(['tcp', 'udp', 'sctp'] as const).flatMap((p) => ([4, 6] as const).map((f) => fastCase(p, f, 'tc'))),
  ...(['tcp', 'udp'] as const).flatMap((p) => ([4, 6] as const).map((f) => fastCase(p, f, 'xdp'))),
  ...(['tcp', 'udp', 'sctp'] as const).flatMap((p) => ([4, 6] as const).map((f) => newFlowCase(p, f))),
];

export interface CtMemory {
  entries: number;
  keyBytes: number;
  valueBytes: number;
  memlockBytes: number;
  bytesPerEntry: number;
}

/** A CT-shaped LRU hash (our key and value sizes) with 1M entries, created with bpftool,
 *  pinned under a unique fastpath- root and removed again; memlock as the kernel reports. */
export function ctMemory(entries = 1 << 20): CtMemory {
  const root = `/sys/fs/bpf/fastpath-${process.pid}-${randomBytes(4).toString('hex')}-ctmem`;
  mkdirSync(root, { recursive: true });
  const pin = join(root, 'ct1m');
  try {
    const keyBytes = lbCodecs.ctKeyCodec.size;
    const valueBytes = lbCodecs.ctCodec.size;
    execFileSync('bpftool', [
      'map',
      'create',
      pin,
      'type',
      'lru_hash',
      'key',
      String(keyBytes),
      'value',
      String(valueBytes),
      'entries',
      String(entries),
      'name',
      'ct1m',
    ]);
    const info = JSON.parse(execFileSync('bpftool', ['-j', 'map', 'show', 'pinned', pin]).toString()) as { bytes_memlock: number };
    return { entries, keyBytes, valueBytes, memlockBytes: info.bytes_memlock, bytesPerEntry: info.bytes_memlock / entries };
  } finally {
    execFileSync('rm', ['-rf', root]);
  }
}

const BAR: Record<string, number> = {
  'micro/tc/lb-tcp-v4-fast': 290,
  'micro/tc/lb-udp-v4-fast': 256,
  'micro/tc/lb-tcp-v4-new': 2200,
};

function markdown(metrics: Metric[], mem: CtMemory): string {
  const rows = metrics.map((m) => {
    const bar = BAR[m.id];
    const verdict = bar === undefined ? '' : `${bar} ns -> target <= ${bar / 2} ns: ${m.summary.median <= bar / 2 ? 'met' : 'NOT met'}`;
    return `| ${m.id} | ${m.name} | ${m.summary.median.toFixed(1)} | ${m.summary.ci95.map((x) => x.toFixed(1)).join(' .. ')} | ${m.calibration?.median.toFixed(1) ?? '-'} | ${verdict} |`;
  });
  return [
    '# LB micro benchmark',
    '',
    'ns/packet, test-run repeat=1 on a fresh packet copy, empty program of the same hook on the same packet subtracted (its median in the calibration column). New-flow cases delete the connection before each sample (untimed).',
    '',
    '| id | case | median ns | 95% CI | calibration ns | loxilb-style bar |',
    '|---|---|---:|---|---:|---|',
    ...rows,
    '',
    `CT table memory: ${mem.entries} entries of key ${mem.keyBytes} B + value ${mem.valueBytes} B (LRU hash, preallocated): ` +
      `${(mem.memlockBytes / 1048576).toFixed(1)} MiB memlock (${mem.bytesPerEntry.toFixed(1)} B/entry), from bpftool map show.`,
    '',
  ].join('\n');
}

export function main(argv: string[]): number {
  const opt = (name: string, dflt: number): number => {
    const i = argv.indexOf(name);
    if (i < 0) return dflt;
    const v = Number(argv[i + 1]);
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${name}: expected a positive integer, got ${argv[i + 1]}`);
    return v;
  };
  const samples = opt('--samples', 2000);
  const warmup = opt('--warmup', 200);
  const metrics = runMicro({ samples, warmup, cases: LB_MICRO_CASES, onCase: (d, t) => process.stderr.write(`\rlb-bench ${d}/${t}`) });
  process.stderr.write('\n');
  const mem = ctMemory();
  const slim = metrics.map((m) => ({
    id: m.id,
    name: m.name,
    unit: m.unit,
    summary: m.summary,
    calibration: m.calibration,
    params: m.params,
    samples: m.samples,
  }));
  const md = markdown(metrics, mem);
  writeResultFiles(
    'lb-bench',
    { schema: 'fastpath-lb-bench/1', at: new Date().toISOString(), samples, warmup, metrics: slim, ctMemory: mem },
    md,
    1,
  );
  process.stdout.write(md);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`lb-bench: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
