// How our datapath is configured in the DUT for the wire benchmark. One entry per
// scenario: 'routed' (L3 forwarding) and 'lb' (DNAT load balancing from the VIP over the
// two sink addresses, the same job as the nftables mode).
import type { ConfigChange, Datapath, LbChange } from '../../datapath/index.js';
import { codecs } from '../../datapath/index.js';
import { parseIpv4, parseMac } from '../../packet/index.js';
import { BENCH_UDP_PORT } from './constants.js';
import { WIRE_NET } from './net.js';

export interface DatapathScenario {
  name: string;
  description: string;
  /** Where the generator addresses its frames. */
  destination: string;
  config: () => ConfigChange;
  /** Load-balancing rules, applied after config(). */
  lb?: () => LbChange;
  /** State the XDP entry needs to take the fast path for flows 0..flows-1 (it only ever
   *  applies flow-cache hits and passes misses on to TC). Absent: the TC slow path fills
   *  the flow cache itself during each point's warm-up. */
  prepareXdp?: (dp: Datapath, flows: number) => void;
}

/** The 5-tuple of generator flow i (see bpf/bench_gen.bpf.c). */
export function generatorFlow(i: number, dst: string): { src: string; sport: number; dst: string; dport: number } {
  const base = WIRE_NET.genAddr.split('.').map(Number);
  return { src: `${base[0]}.${base[1]}.${base[2]}.${base[3]! + (i >> 14)}`, sport: 1024 + (i & 0x3fff), dst, dport: BENCH_UDP_PORT };
}

const n = WIRE_NET;

const routed: DatapathScenario = {
  name: 'routed',
  description: 'L3 forwarding: route 10.2.0.0/24 via the sink, TTL decrement, MAC rewrite',
  destination: n.sinkAddr,
  config: () => ({
    interfaces: [
      { ifname: n.dutIn, port: 1 },
      { ifname: n.dutOut, port: 2 },
    ],
    routerMacs: [{ mac: n.dutInMac }, { mac: n.dutOutMac }],
    nextHops: [
      { id: 1, mac: n.genMac, srcMac: n.dutInMac, ifname: n.dutIn },
      { id: 2, mac: n.sinkMac, srcMac: n.dutOutMac, ifname: n.dutOut },
    ],
    routes: [
      { prefix: `${n.dutInAddr}/32`, local: true },
      { prefix: `${n.dutOutAddr}/32`, local: true },
      { prefix: '10.1.0.0/24', nextHops: [1] },
      { prefix: '10.2.0.0/24', nextHops: [2] },
    ],
  }),
  // What the TC slow path would cache for these flows, written up front (until the slow
  // path installs flow-cache entries itself).
  prepareXdp(dp, flows) {
    const keys = Buffer.alloc(flows * codecs.flowKeyCodec.size);
    const value = codecs.fcCodec.encode({
      generation: dp.generation(),
      dmac: parseMac(n.sinkMac),
      smac: parseMac(n.dutOutMac),
      ifindex: dp.ifindex(n.dutOut),
      vlan: 0,
      flags: codecs.FC_F_DEC_TTL | codecs.FC_F_XDP_TX,
      mtu: 1500,
      route_id: 0,
      nh_id: 2,
      nat_saddr: Buffer.alloc(16),
      nat_daddr: Buffer.alloc(16),
      nat_sport_be: 0,
      nat_dport_be: 0,
    });
    const stride = dp.map('fc').info.valueStride;
    const values = Buffer.alloc(flows * stride);
    for (let i = 0; i < flows; i++) {
      const f = generatorFlow(i, n.sinkAddr);
      codecs.flowKeyCodec
        .encode({
          saddr: Buffer.concat([parseIpv4(f.src), Buffer.alloc(12)]),
          daddr: Buffer.concat([parseIpv4(f.dst), Buffer.alloc(12)]),
          sport_be: f.sport,
          dport_be: f.dport,
          zone: 0,
          proto: 17,
          family: 4,
        })
        .copy(keys, i * codecs.flowKeyCodec.size);
      value.copy(values, i * stride);
    }
    dp.map('fc').batchUpdate(keys, values);
  },
};

const lb: DatapathScenario = {
  name: 'lb',
  description: `DNAT from ${n.vip}:${BENCH_UDP_PORT}/udp round robin over ${n.backends.join(' and ')}, then L3 forwarding`,
  destination: n.vip,
  config: routed.config,
  lb: () => ({
    rules: [{ vip: n.vip, port: BENCH_UDP_PORT, protocol: 'udp', algorithm: 'rr', endpoints: n.backends.map((address) => ({ address })) }],
  }),
};

export const DATAPATH_SCENARIOS: Record<string, DatapathScenario> & { routed: DatapathScenario; lb: DatapathScenario } = { routed, lb };
