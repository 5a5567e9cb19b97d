// The datapath smoke check: load the real datapath object, attach it (TC and XDP) to a veth
// inside a fresh namespace, send real packets and report what the counters saw. It is the
// first stage of the main job: if this fails, nothing later can be trusted.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { withTopology, newRunId, type TopologyDescription } from '../netns/index.js';
import { Datapath, type Counter } from './datapath/index.js';

const run = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SmokeReport {
  pings: { sent: number; received: number };
  /** Interface counters keyed by interface name. */
  interfaces: Record<string, Counter>;
  /** Non-zero path counters (fast hits, slow path, stack hand-offs, ...). */
  paths: Record<string, Counter>;
  /** Non-zero drop counters by reason. */
  drops: Record<string, Counter>;
}

const PAIR: TopologyDescription = {
  name: 'smoke',
  hosts: [{ name: 'left' }, { name: 'right' }],
  links: [
    {
      name: 'wire',
      a: { host: 'left', ifname: 'eth0', addresses: ['10.77.0.1/24', 'fd00:77::1/64'] },
      b: { host: 'right', ifname: 'eth0', addresses: ['10.77.0.2/24', 'fd00:77::2/64'] },
    },
  ],
};

function nonZero(counters: Record<string, Counter>): Record<string, Counter> {
  return Object.fromEntries(Object.entries(counters).filter(([, c]) => c.packets !== 0n));
}

export async function runSmoke(options: { pings?: number; object?: string } = {}): Promise<SmokeReport> {
  const pings = options.pings ?? 20;
  const object = options.object ?? join(repoRoot, 'build', 'bpf', 'fastpath.bpf.o');
  return withTopology(
    PAIR,
    async (topo) => {
      const dp = Datapath.load({ object, pinRoot: `/sys/fs/bpf/fastpath-${topo.runId}`, netns: topo.ns('right') });
      try {
        dp.attach({ ifname: 'eth0', xdp: 'driver' });
        const { stdout } = await run('ip', [
          'netns',
          'exec',
          topo.ns('left'),
          'ping',
          '-q',
          '-c',
          String(pings),
          '-i',
          '0.01',
          '-W',
          '1',
          '10.77.0.2',
        ]);
        const stats = /(\d+) packets transmitted, (\d+) received/.exec(stdout);
        if (stats === null) throw new Error(`smoke: cannot read ping's summary:\n${stdout}`);
        const ifindex = dp.ifindex('eth0');
        const perIf = dp.counters('stats_intf').get(ifindex) ?? { packets: 0n, bytes: 0n };
        return {
          pings: { sent: Number(stats[1]), received: Number(stats[2]) },
          interfaces: { [`right:eth0 (ifindex ${ifindex})`]: perIf },
          paths: nonZero(dp.paths()),
          drops: nonZero(dp.drops()),
        };
      } finally {
        dp.destroy();
      }
    },
    { runId: newRunId(), timeoutMs: 60_000 },
  );
}

export function renderSmoke(r: SmokeReport): string {
  const rows = (title: string, counters: Record<string, Counter>): string[] => {
    const entries = Object.entries(counters);
    if (entries.length === 0) return [`  ${title}: none`];
    return [
      `  ${title}:`,
      ...entries.map(([k, c]) => `    ${k.padEnd(28)} ${String(c.packets).padStart(8)} pkts ${String(c.bytes).padStart(10)} bytes`),
    ];
  };
  return [
    `datapath smoke: ${r.pings.sent} pings sent, ${r.pings.received} answered through the attached datapath`,
    ...rows('interface counters', r.interfaces),
    ...rows('path counters', r.paths),
    ...rows('drops', r.drops),
  ].join('\n');
}
