// What sits in the DUT for each wire measurement. Each mode sets itself up, says where
// the generator must address its frames, checks afterwards that traffic really took the
// path it claims to measure, and tears itself down.
import { randomBytes } from 'node:crypto';
import type { Topology } from '../../../netns/index.js';
import type { Datapath } from '../../datapath/index.js';
import { loadOrClean } from './datapath-load.js';
import { BpfObject, destroyClsact, detachTc, detachXdp, ifindex as nativeIfindex } from '../../../native/index.js';
import { parseMac } from '../../packet/index.js';
import { DATAPATH_OBJECT, FWD_OBJECT } from './constants.js';
import type { DatapathScenario } from './dut-datapath.js';
import { WIRE_NET } from './net.js';
import { installNftDnat } from './nft.js';
import { Sink } from './sink.js';

export const WIRE_MODES = ['ceiling', 'kernel', 'nft', 'ours-tc', 'ours-xdp', 'xdp-fwd', 'tc-fwd'] as const;
export type WireModeId = (typeof WIRE_MODES)[number];

export const MODE_NAMES: Record<WireModeId | 'path', string> = {
  ceiling: 'ceiling (generator -> XDP drop sink on the DUT ingress)',
  kernel: 'kernel forwarding, no program of ours',
  nft: 'nftables DNAT (numgen over 2 backends) + kernel forwarding',
  'ours-tc': 'fastpath, TC path',
  'ours-xdp': 'fastpath, XDP path',
  'xdp-fwd': 'minimal XDP forwarder (2 MACs + redirect), reference for the XDP path',
  'tc-fwd': 'minimal TC forwarder (2 MACs + redirect), reference for the TC path',
  path: 'named interfaces (--iface -> --peer-iface)',
};

export interface ActiveMode {
  /** Destination IPv4 address of the generated frames. */
  destination: string;
  /** Where the frames are counted, when not on the shared sink behind the DUT. */
  counter?: Sink;
  /** Throws when the traffic did not take the measured path (e.g. no XDP hits). */
  verify(): void;
  teardown(): void | Promise<void>;
}

export interface ModeContext {
  topo: Topology;
  sink: Sink;
  scenario: DatapathScenario;
  /** The largest flow count measured (state for that many flows is prepared). */
  maxFlows: number;
}

async function forwarding(topo: Topology, on: boolean): Promise<void> {
  await topo.exec('dut', ['sysctl', '-q', '-w', `net.ipv4.ip_forward=${on ? 1 : 0}`]);
}

function loadDatapath(ctx: ModeContext, xdp: boolean): Datapath {
  const pinRoot = `/sys/fs/bpf/fastpath-${process.pid}-${randomBytes(4).toString('hex')}-bench`;
  const dp = loadOrClean({ object: DATAPATH_OBJECT, pinRoot, netns: ctx.topo.ns('dut') });
  try {
    dp.apply(ctx.scenario.config());
    const lb = ctx.scenario.lb?.();
    if (lb !== undefined) dp.applyLb(lb);
    // XDP in driver mode on the ingress veth. It redirects to the egress veth, whose peer
    // (the sink) must have NAPI for the frames to be accepted: the sink's XDP program.
    dp.attach({ ifname: WIRE_NET.dutIn, xdp: xdp ? 'driver' : undefined });
    dp.attach({ ifname: WIRE_NET.dutOut });
    if (xdp) ctx.scenario.prepareXdp?.(dp, ctx.maxFlows);
  } catch (e) {
    dp.destroy();
    throw e;
  }
  return dp;
}

export async function activateMode(id: WireModeId, ctx: ModeContext): Promise<ActiveMode> {
  const { topo } = ctx;
  switch (id) {
    case 'ceiling': {
      // A sink of its own (program and counter): with the main sink's program also
      // attached here, detaching it from this veth did not stop it running on this
      // veth's frames (kernel 6.18, seen with xdpQuery already saying 0).
      const sink = new Sink();
      try {
        sink.attachXdp({ ifname: WIRE_NET.dutIn, netns: topo.ns('dut') });
      } catch (e) {
        sink.close();
        throw e;
      }
      return { destination: WIRE_NET.sinkAddr, counter: sink, verify: () => {}, teardown: () => sink.close() };
    }
    case 'kernel':
      await forwarding(topo, true);
      return { destination: WIRE_NET.sinkAddr, verify: () => {}, teardown: () => forwarding(topo, false) };
    case 'nft': {
      await forwarding(topo, true);
      const remove = await installNftDnat((argv, input) => topo.exec('dut', argv, input), {
        table: 'fpbench',
        vip: WIRE_NET.vip,
        proto: 'udp',
        port: 5001,
        backends: [...WIRE_NET.backends],
      });
      return {
        destination: WIRE_NET.vip,
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
    case 'xdp-fwd':
    case 'tc-fwd': {
      const place = { ifname: WIRE_NET.dutIn, netns: topo.ns('dut') };
      const obj = new BpfObject(FWD_OBJECT);
      let detach: () => void;
      try {
        const cfg = Buffer.alloc(obj.map('fwd_cfg').info.valueSize);
        cfg.writeUInt32LE(nativeIfindex({ ifname: WIRE_NET.dutOut, netns: place.netns }), 0);
        parseMac(WIRE_NET.sinkMac).copy(cfg, 4);
        parseMac(WIRE_NET.dutOutMac).copy(cfg, 10);
        obj.map('fwd_cfg').update(Buffer.alloc(4), cfg);
        if (id === 'xdp-fwd') {
          obj.program('fwd_xdp').attachXdp({ ...place, mode: 'driver' });
          detach = () => detachXdp({ ...place, mode: 'driver' });
        } else {
          const a = obj.program('fwd_tc').attachTc({ ...place, direction: 'ingress' });
          detach = () => (a.createdQdisc ? destroyClsact(place) : detachTc({ ...place, direction: 'ingress' }));
        }
      } catch (e) {
        obj.close();
        throw e;
      }
      return {
        destination: WIRE_NET.sinkAddr,
        verify: () => {},
        teardown: () => {
          try {
            detach();
          } finally {
            obj.close();
          }
        },
      };
    }
    case 'ours-tc':
    case 'ours-xdp': {
      const xdp = id === 'ours-xdp';
      const dp = loadDatapath(ctx, xdp);
      return {
        destination: ctx.scenario.destination,
        verify: () => {
          const paths = dp.paths();
          const hits = xdp ? paths.xdp_fast_hit.packets : paths.l3_fwd.packets + paths.tc_fast_hit.packets;
          if (hits === 0n) {
            const seen = Object.entries({ ...paths, ...dp.drops() })
              .filter(([, c]) => c.packets > 0n)
              .map(([k, c]) => `${k}=${c.packets}`);
            throw new Error(
              `${id}: the datapath forwarded nothing on its ${xdp ? 'XDP' : 'TC'} path (counters: ${seen.join(', ') || 'none'})`,
            );
          }
        },
        teardown: () => dp.destroy(),
      };
    }
  }
}
