// The LB micro rows beyond lb-bench.ts: a TCP IPv4 new flow per selection algorithm (each
// on its own VIP with 8 endpoints, the connection and any persistence record deleted
// before every sample, untimed) and the established fast-path hit arriving on a policed
// port beside the same hit on an unpoliced one.
import { lbCodecs } from '../../datapath/index.js';
import type { LbAlgo } from '../../datapath/lb-codecs.js';
import { buildPacket, parseIpv4 } from '../../packet/index.js';
import { forgetConnection, prepareLb } from '../lb-bench.js';
import { MICRO, type MicroCase, REDIRECT } from './cases.js';

/** Every algorithm applies to a plain TCP packet: n3 selects by GTP-U TEID and falls back
 *  to the flow hash for untunnelled packets (bpf/include/lb.h fp_lb_select). */
export const LB_ALGOS_MEASURED: readonly LbAlgo[] = ['rr', 'hash', 'maglev', 'lc', 'persist', 'wrr', 'n3'];
const ENDPOINTS = 8;
const CLIENT_MAC = '02:00:00:00:00:aa';
/** prepareLb's IPv4 TCP rule (lb-bench.ts): VIP 10.0.0.100:80 -> 10.2.0.7:8080. */
const BASE = { vip: '10.0.0.100', ep: '10.2.0.7', port: 80, epPort: 8080 } as const;

interface Tcp {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  syn?: boolean;
  ackFlag?: boolean;
  data?: number;
}

/** forwarded: as next hop 1 must receive it (its MACs, one hop less, untagged). */
function tcpFrame(t: Tcp, vlan?: number, forwarded = false): Buffer {
  const frame = buildPacket([
    forwarded ? { type: 'eth', dst: MICRO.nhMac, src: MICRO.outMac } : { type: 'eth', dst: MICRO.routerMac, src: CLIENT_MAC },
    { type: 'ipv4', src: t.src, dst: t.dst, ttl: forwarded ? 63 : 64 },
    {
      type: 'tcp',
      sport: t.sport,
      dport: t.dport,
      seq: t.seq,
      ack: t.ack,
      flags: { syn: t.syn ?? false, ack: t.ackFlag ?? true, psh: (t.data ?? 0) > 0 },
    },
    { type: 'payload', data: Buffer.alloc(t.data ?? 0) },
  ]);
  if (vlan === undefined) return frame;
  return Buffer.concat([frame.subarray(0, 12), Buffer.from([0x81, 0x00, vlan >> 8, vlan & 0xff]), frame.subarray(12)]);
}

function ctKey(vip: string): Buffer {
  const addr = (a: string): Buffer => Buffer.concat([parseIpv4(a), Buffer.alloc(12)]);
  return lbCodecs.ctKeyCodec.encode({
    saddr: addr(MICRO.client4),
    daddr: addr(vip),
    sport_be: 40000,
    dport_be: BASE.port,
    zone: 0,
    proto: 6,
    family: 4,
  });
}

function newFlowCase(algo: LbAlgo, index: number): MicroCase {
  const vip = `10.0.0.${110 + index}`;
  return {
    id: `micro/tc/lb-tcp-v4-new-${algo}`,
    name: `LB TCP IPv4 new flow (SYN), ${algo} over ${ENDPOINTS} endpoints: CT miss, selection, two CT entries, DNAT, route`,
    hook: 'tc',
    params: { proto: 'tcp', family: 4, path: 'slow-new', hook: 'tc', mode: 'dnat', algorithm: algo, endpoints: ENDPOINTS },
    prepare: ({ dp }) => {
      const endpoints = Array.from({ length: ENDPOINTS }, (_, j) => ({
        address: `10.2.0.${10 + j}`,
        port: BASE.epPort,
        weight: 1 + (j % 3),
      }));
      dp.applyLb({ rules: [{ vip, port: BASE.port, protocol: 'tcp', mode: 'dnat', algorithm: algo, endpoints }] });
      dp.flushConnections();
      const key = ctKey(vip);
      const persist = dp.map('lb_persist');
      // persist: the record is dropped too, so every sample is a first packet from the client.
      const reset =
        algo === 'persist'
          ? (): void => {
              forgetConnection(dp, key);
              for (const k of persist.keys()) persist.delete(k);
            }
          : (): void => forgetConnection(dp, key);
      const syn = { src: MICRO.client4, dst: vip, sport: 40000, dport: BASE.port, seq: 100, ack: 0, syn: true, ackFlag: false };
      const data = tcpFrame(syn);
      // Whichever endpoint the algorithm picks, the SYN leaves DNATed to one of them.
      const output = endpoints.map((e) => tcpFrame({ ...syn, dst: e.address, dport: e.port }, undefined, true));
      const program = dp.program('fp_tc_entry');
      // The SYN must take the LB path (a connection is tracked), else the row measures a drop.
      program.testRun({ data });
      if (dp.map('ct').lookup(key) === null) throw new Error(`lb new-flow ${algo}: the SYN created no connection`);
      reset();
      return { program, data, reset, expect: { verdict: REDIRECT.tc, output } };
    },
  };
}

const POLICED_VLAN = 10;
const UNPOLICED_VLAN = 20;

function fastHitCase(policed: boolean): MicroCase {
  const vlan = policed ? POLICED_VLAN : UNPOLICED_VLAN;
  return {
    id: policed ? 'micro/tc/lb-tcp-v4-fast-policed' : 'micro/tc/lb-tcp-v4-fast-vlan',
    name: `LB TCP IPv4 established, TC fast-path hit on VLAN ${vlan} (popped)${policed ? ', trTCM policer (green)' : ', no policer'}`,
    hook: 'tc',
    params: { proto: 'tcp', family: 4, path: 'fast', hook: 'tc', mode: 'dnat', vlan, policer: policed ? 'trtcm' : 'none' },
    prepare: ({ dp }) => {
      // A policer that never runs out: the cost measured is the policer's, not a drop's.
      // Both VLAN ports are zone 0, so the tagged packet hits the untagged flow's entry.
      dp.apply({
        policers: [{ id: 1, mode: 'trtcm', cir: 4_000_000_000, cbs: 2 ** 40, pir: 4_000_000_000, pbs: 2 ** 40 }],
        interfaces: [
          { ifname: 'lo', vlan: POLICED_VLAN, port: 2, policer: 1, xdpTx: 'on' },
          { ifname: 'lo', vlan: UNPOLICED_VLAN, port: 3, xdpTx: 'on' },
        ],
      });
      prepareLb(dp);
      dp.flushConnections();
      const c = { src: MICRO.client4, dst: BASE.vip, sport: 40000, dport: BASE.port };
      const s = { src: BASE.ep, dst: MICRO.client4, sport: BASE.epPort, dport: 40000 };
      const tc = dp.program('fp_tc_entry');
      const run = (frame: Buffer): void => void tc.testRun({ data: frame });
      run(tcpFrame({ ...c, seq: 100, ack: 0, syn: true, ackFlag: false }));
      run(tcpFrame({ ...s, seq: 500, ack: 101, syn: true }));
      run(tcpFrame({ ...c, seq: 101, ack: 501 }));
      const data = tcpFrame({ ...c, seq: 101, ack: 501, data: 10 }, vlan);
      run(data);
      if (dp.map('fc').lookup(ctKey(BASE.vip)) === null)
        throw new Error(`${policed ? 'policed' : 'vlan'} fast-hit case: no cache entry after the handshake`);
      const expected = tcpFrame({ ...c, dst: BASE.ep, dport: BASE.epPort, seq: 101, ack: 501, data: 10 }, undefined, true);
      return { program: tc, data, expect: { verdict: REDIRECT.tc, output: [expected] } };
    },
  };
}

export const LB_ALGORITHM_MICRO_CASES: MicroCase[] = [
  ...LB_ALGOS_MEASURED.map((a, i) => newFlowCase(a, i)),
  fastHitCase(false),
  fastHitCase(true),
];
