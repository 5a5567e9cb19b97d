// What sits in the cps DUT: kernel forwarding, nftables DNAT (the kernel's load
// balancer), or our datapath. Each mode says which addresses the client uses.
import { randomBytes } from 'node:crypto';
import type { Topology } from '../../../netns/index.js';
import { loadOrClean } from '../wire/datapath-load.js';
import { DATAPATH_OBJECT } from '../wire/constants.js';
import { installNftDnat } from '../wire/nft.js';
import type { CpsDatapathScenario } from './dut-datapath.js';
import { CPS_NET } from './net.js';

export const CPS_MODES = ['kernel', 'nft', 'ours-tc'] as const;
export type CpsModeId = (typeof CPS_MODES)[number];

export const CPS_MODE_NAMES: Record<CpsModeId, string> = {
  kernel: 'kernel forwarding, no program of ours',
  nft: 'nftables DNAT (numgen over 2 backends)',
  'ours-tc': 'fastpath, TC path',
};

export interface ActiveCpsMode {
  targets: string[];
  /** The client's source address in this mode. */
  source: string;
  verify(): void;
  teardown(): void | Promise<void>;
}

async function forwarding(topo: Topology, on: boolean): Promise<void> {
  await topo.exec('dut', ['sysctl', '-q', '-w', `net.ipv4.ip_forward=${on ? 1 : 0}`]);
}

export async function activateCpsMode(id: CpsModeId, topo: Topology, scenario: CpsDatapathScenario): Promise<ActiveCpsMode> {
  const n = CPS_NET;
  const source = n.clientAddrs[CPS_MODES.indexOf(id)];
  if (source === undefined) throw new Error(`cps: no client address for mode ${id}`);
  switch (id) {
    case 'kernel':
      await forwarding(topo, true);
      return { targets: [...n.backendAddrs], source, verify: () => {}, teardown: () => forwarding(topo, false) };
    case 'nft': {
      await forwarding(topo, true);
      const exec = (argv: string[], input?: string): Promise<{ stdout: string }> => topo.exec('dut', argv, input);
      const removers: (() => Promise<void>)[] = [];
      const teardown = async (): Promise<void> => {
        try {
          for (const r of removers.reverse()) await r();
        } finally {
          await forwarding(topo, false);
        }
      };
      try {
        removers.push(
          await installNftDnat(exec, { table: 'fpbench_tcp', vip: n.vip, proto: 'tcp', port: n.tcpPort, backends: [...n.backendAddrs] }),
        );
        removers.push(
          await installNftDnat(exec, { table: 'fpbench_udp', vip: n.vip, proto: 'udp', port: n.udpPort, backends: [...n.backendAddrs] }),
        );
      } catch (e) {
        await teardown();
        throw e;
      }
      return { targets: [n.vip], source, verify: () => {}, teardown };
    }
    case 'ours-tc': {
      const pinRoot = `/sys/fs/bpf/fastpath-${process.pid}-${randomBytes(4).toString('hex')}-cps`;
      const dp = loadOrClean({ object: DATAPATH_OBJECT, pinRoot, netns: topo.ns('dut') });
      try {
        dp.apply(scenario.config());
        const lb = scenario.lb?.();
        if (lb !== undefined) dp.applyLb(lb);
        for (const ifname of ['eth0', 'eth1', 'eth2']) dp.attach({ ifname });
      } catch (e) {
        dp.destroy();
        throw e;
      }
      return {
        targets: scenario.targets,
        source,
        verify: () => {
          const p = dp.paths();
          if (p.l3_fwd.packets + p.tc_fast_hit.packets === 0n) throw new Error('ours-tc: the datapath forwarded nothing');
        },
        teardown: () => dp.destroy(),
      };
    }
  }
}
