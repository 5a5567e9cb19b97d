// The backends' side of the generator's flows, sent once per point during its warm-up.
// Stateful paths (nftables conntrack, our CT) only call a flow established, and our
// datapath only caches it for the fast paths, once both directions passed; the
// generator's traffic alone is one-way. So the sink's namespace answers every flow from
// every backend address (the DUT decides which answer belongs to a connection; the
// others are plain routed packets) through an AF_PACKET socket: ordinary skbs, which a
// veth takes without the NAPI that XDP frames need.
import type { Topology } from '../../../netns/index.js';
import { sendFrames } from '../../../native/index.js';
import { buildPacket } from '../../packet/index.js';
import { BENCH_UDP_PORT } from './constants.js';
import { generatorFlow } from './dut-datapath.js';
import type { FrameSpec } from './generator.js';
import { WIRE_NET } from './net.js';

export function answerFrames(spec: Pick<FrameSpec, 'flows'>): Buffer[] {
  const frames: Buffer[] = [];
  for (let i = 0; i < spec.flows; i++) {
    const flow = generatorFlow(i, WIRE_NET.sinkAddr);
    for (const backend of WIRE_NET.backends) {
      frames.push(
        buildPacket([
          { type: 'eth', dst: WIRE_NET.dutOutMac, src: WIRE_NET.sinkMac },
          { type: 'ipv4', src: backend, dst: flow.src, ttl: 64 },
          { type: 'udp', sport: BENCH_UDP_PORT, dport: flow.sport, checksum: 0 },
          { type: 'payload', data: Buffer.alloc(18) },
        ]),
      );
    }
  }
  return frames;
}

export function answerFlows(topo: Topology, spec: Pick<FrameSpec, 'flows'>): void {
  const frames = answerFrames(spec);
  const sent = sendFrames({ ifname: 'eth0', netns: topo.ns('sink') }, frames);
  if (sent !== frames.length) throw new Error(`answers: sent ${sent} of ${frames.length} frames`);
}
