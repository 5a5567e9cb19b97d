// What sits in the DUT for one bulk TCP sample: kernel forwarding, nftables DNAT, or our
// datapath on TC alone or with XDP (native or generic). Our datapath is loaded once per
// run and attached only for its own samples; each sample reads the path counters before
// and after, so the report says which hook carried the bytes.
import { randomBytes } from 'node:crypto';
import type { Topology } from '../../../netns/index.js';
import type { Datapath } from '../../datapath/index.js';
import { CPS_DATAPATH_SCENARIOS } from '../cps/dut-datapath.js';
import { CPS_NET } from '../cps/net.js';
import { DATAPATH_OBJECT } from '../wire/constants.js';
import { loadOrClean } from '../wire/datapath-load.js';
import { installNftDnat } from '../wire/nft.js';
import { REPORTED_PATHS, type ReportedPath } from './paths.js';

export const TCP_MODES = ['kernel', 'nft', 'ours-tc', 'ours-xdp-native', 'ours-xdp-generic'] as const;
export type TcpModeId = (typeof TCP_MODES)[number];

export const TCP_MODE_NAMES: Record<TcpModeId, string> = {
  kernel: 'kernel forwarding, no program of ours',
  nft: 'nftables DNAT to the backend + kernel forwarding',
  'ours-tc': 'fastpath, TC only',
  'ours-xdp-native': 'fastpath, XDP (driver mode) + TC',
  'ours-xdp-generic': 'fastpath, XDP (generic mode) + TC',
};

/** The iperf3 server sits on the first backend; every mode takes the client there. */
export const TCP_NET = {
  client: 'client',
  server: 'backend1',
  serverAddr: CPS_NET.backendAddrs[0],
  source: CPS_NET.clientAddrs[0],
  vip: CPS_NET.vip,
  port: 5201,
  dutPorts: ['eth0', 'eth1', 'eth2'],
  /** The far ends of the DUT's links, as (host, ifname). */
  hostEnds: [
    ['client', 'eth0'],
    ['backend1', 'eth0'],
    ['backend2', 'eth0'],
  ] as [string, string][],
} as const;

export interface ActiveTcpMode {
  target: string;
  /** Path counter deltas since activation (our modes only). */
  paths(): Record<ReportedPath, bigint> | null;
  /** Throws when the transfer did not go through what this mode claims to measure. */
  verify(): void;
  teardown(): Promise<void>;
}

async function forwarding(topo: Topology, on: boolean): Promise<void> {
  await topo.exec('dut', ['sysctl', '-q', '-w', `net.ipv4.ip_forward=${on ? 1 : 0}`]);
}

async function groOf(topo: Topology, host: string, ifname: string): Promise<boolean> {
  const out = (await topo.exec(host, ['ethtool', '-k', ifname])).stdout;
  const line = /^generic-receive-offload:\s+(on|off)/m.exec(out);
  if (line === null) throw new Error(`ethtool -k ${ifname} in ${host}: no generic-receive-offload line`);
  return line[1] === 'on';
}

async function setGro(topo: Topology, host: string, ifname: string, on: boolean): Promise<void> {
  await topo.exec(host, ['ethtool', '-K', ifname, 'gro', on ? 'on' : 'off']);
}

/** Our datapath in the DUT, loaded once: L3 forwarding between the three ports and
 *  DNAT from the VIP to the one backend running the iperf3 server. */
export class OursDut {
  readonly dp: Datapath;

  constructor(topo: Topology) {
    const pinRoot = `/sys/fs/bpf/fastpath-${process.pid}-${randomBytes(4).toString('hex')}-tcp`;
    this.dp = loadOrClean({ object: DATAPATH_OBJECT, pinRoot, netns: topo.ns('dut') });
    try {
      this.dp.apply(CPS_DATAPATH_SCENARIOS.routed.config());
      this.dp.applyLb({
        rules: [{ vip: TCP_NET.vip, port: TCP_NET.port, protocol: 'tcp', algorithm: 'rr', endpoints: [{ address: TCP_NET.serverAddr }] }],
      });
    } catch (e) {
      this.dp.destroy();
      throw e;
    }
  }

  counters(): Record<ReportedPath, bigint> {
    const all = this.dp.paths();
    return Object.fromEntries(REPORTED_PATHS.map((k) => [k, all[k].packets])) as Record<ReportedPath, bigint>;
  }

  destroy(): void {
    this.dp.destroy();
  }
}

export interface TcpModeContext {
  topo: Topology;
  /** Created on first use by an ours-* mode. */
  ours: () => OursDut;
  /** Collects dp.xdpWarnings() of the XDP modes (deduplicated by the caller). */
  warn: (mode: TcpModeId, lines: string[]) => void;
}

async function activateOurs(id: TcpModeId, ctx: TcpModeContext): Promise<ActiveTcpMode> {
  const { topo } = ctx;
  const ours = ctx.ours();
  const xdp = id === 'ours-xdp-native' ? 'driver' : id === 'ours-xdp-generic' ? 'generic' : undefined;
  const restoreGro: (() => Promise<void>)[] = [];
  const attached: string[] = [];
  const teardown = async (): Promise<void> => {
    const errors: string[] = [];
    for (const ifname of attached.splice(0)) {
      try {
        ours.dp.detach(ifname);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    for (const restore of restoreGro.splice(0).reverse()) {
      try {
        await restore();
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    if (errors.length > 0) throw new Error(`${id} teardown: ${errors.join('; ')}`);
  };
  try {
    if (xdp !== undefined) {
      // A veth takes redirected XDP frames only while its peer has NAPI (GRO on or an
      // XDP program): GRO on at the far ends, so XDP can really forward both directions.
      for (const [host, ifname] of TCP_NET.hostEnds) {
        if (await groOf(topo, host, ifname)) continue;
        await setGro(topo, host, ifname, true);
        restoreGro.push(() => setGro(topo, host, ifname, false));
      }
    }
    for (const ifname of TCP_NET.dutPorts) {
      ours.dp.attach({ ifname, ...(xdp !== undefined ? { xdp } : {}) });
      attached.push(ifname);
    }
    if (xdp !== undefined) ctx.warn(id, ours.dp.xdpWarnings());
  } catch (e) {
    await teardown().catch(() => undefined);
    throw e;
  }
  const before = ours.counters();
  const delta = (): Record<ReportedPath, bigint> => {
    const now = ours.counters();
    return Object.fromEntries(REPORTED_PATHS.map((k) => [k, now[k] - before[k]])) as Record<ReportedPath, bigint>;
  };
  return {
    target: TCP_NET.vip,
    paths: delta,
    verify: () => {
      const d = delta();
      if (d.tc_fast_hit + d.tc_slow + d.xdp_fast_hit === 0n)
        throw new Error(`${id}: the datapath carried no packet (path counters did not move)`);
    },
    teardown,
  };
}

export async function activateTcpMode(id: TcpModeId, ctx: TcpModeContext): Promise<ActiveTcpMode> {
  const { topo } = ctx;
  switch (id) {
    case 'kernel':
      await forwarding(topo, true);
      return { target: TCP_NET.serverAddr, paths: () => null, verify: () => {}, teardown: () => forwarding(topo, false) };
    case 'nft': {
      await forwarding(topo, true);
      let remove: () => Promise<void>;
      try {
        remove = await installNftDnat((argv, input) => topo.exec('dut', argv, input), {
          table: 'fpbench_tcp_bulk',
          vip: TCP_NET.vip,
          proto: 'tcp',
          port: TCP_NET.port,
          backends: [TCP_NET.serverAddr],
        });
      } catch (e) {
        await forwarding(topo, false);
        throw e;
      }
      return {
        target: TCP_NET.vip,
        paths: () => null,
        verify: () => {},
        teardown: async () => {
          try {
            await remove();
          } finally {
            await forwarding(topo, false);
          }
        },
      };
    }
    case 'ours-tc':
    case 'ours-xdp-native':
    case 'ours-xdp-generic':
      return activateOurs(id, ctx);
  }
}
