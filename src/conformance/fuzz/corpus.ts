// Seeded packet generation: valid base packets (new flows to the VIP, an established UDP
// flow that the flow cache serves, routed IPv4/IPv6, ICMP) and mutations of them that break
// headers the way the datapath's parser must catch (truncations, bit flips, bad
// lengths, IHL and data offsets, random transport bytes over a valid IPv4 header).
import { buildPacket, type LayerSpec } from '../../packet/index.js';
import { FUZZ_ADDR, FUZZ_MACS, FUZZ_VIP_PORTS } from './environment.js';
import type { Prng } from './prng.js';

const ETH_LEN = 14;

export interface FuzzPacket {
  /** What produced it, e.g. 'udp-vip/ihl'. */
  kind: string;
  data: Buffer;
}

const toRouter = { type: 'eth', dst: FUZZ_MACS.router, src: FUZZ_MACS.client } as const;
const fromServer = { type: 'eth', dst: FUZZ_MACS.router, src: FUZZ_MACS.server } as const;

/** The established UDP flow: the client's side of it (the run answers it once first). */
export const ESTABLISHED_UDP_SPORT = 40999;

export function establishedFlow(): { request: Buffer; reply: Buffer } {
  const request = buildPacket([
    toRouter,
    { type: 'ipv4', src: FUZZ_ADDR.client4, dst: FUZZ_ADDR.vip4, ttl: 64, id: 1 },
    { type: 'udp', sport: ESTABLISHED_UDP_SPORT, dport: FUZZ_VIP_PORTS.udp },
    { type: 'payload', data: Buffer.from('query') },
  ]);
  const reply = buildPacket([
    fromServer,
    { type: 'ipv4', src: FUZZ_ADDR.backend4, dst: FUZZ_ADDR.client4, ttl: 64, id: 2 },
    { type: 'udp', sport: 8000 + FUZZ_VIP_PORTS.udp, dport: ESTABLISHED_UDP_SPORT },
    { type: 'payload', data: Buffer.from('answer') },
  ]);
  return { request, reply };
}

function basePacket(rng: Prng): { name: string; layers: LayerSpec[] } {
  const sport = rng.int(20000, 60000);
  const ip4 = (dst: string, protocol?: number): LayerSpec => ({
    type: 'ipv4',
    src: FUZZ_ADDR.client4,
    dst,
    ttl: rng.int(1, 255),
    id: rng.int(0, 65535),
    ...(protocol !== undefined ? { protocol } : {}),
  });
  const payload: LayerSpec = { type: 'payload', data: rng.bytes(rng.int(0, 64)) };
  switch (rng.int(0, 7)) {
    case 0:
      return {
        name: 'tcp-syn-vip',
        layers: [toRouter, ip4(FUZZ_ADDR.vip4), { type: 'tcp', sport, dport: FUZZ_VIP_PORTS.tcp, seq: rng.next(), flags: { syn: true } }],
      };
    case 1:
      return { name: 'udp-vip', layers: [toRouter, ip4(FUZZ_ADDR.vip4), { type: 'udp', sport, dport: FUZZ_VIP_PORTS.udp }, payload] };
    case 2:
      return {
        name: 'sctp-init-vip',
        layers: [
          toRouter,
          ip4(FUZZ_ADDR.vip4),
          {
            type: 'sctp',
            sport,
            dport: FUZZ_VIP_PORTS.sctp,
            vtag: 0,
            chunks: [{ type: 'init', initiateTag: rng.next() || 1, initialTsn: rng.next(), outStreams: 1, inStreams: 1 }],
          },
        ],
      };
    case 3:
      return {
        name: 'udp-established',
        layers: [
          toRouter,
          { type: 'ipv4', src: FUZZ_ADDR.client4, dst: FUZZ_ADDR.vip4, ttl: 64, id: rng.int(0, 65535) },
          { type: 'udp', sport: ESTABLISHED_UDP_SPORT, dport: FUZZ_VIP_PORTS.udp },
          payload,
        ],
      };
    case 4:
      return {
        name: 'tcp-routed',
        layers: [
          toRouter,
          ip4(FUZZ_ADDR.server4),
          { type: 'tcp', sport, dport: 443, seq: rng.next(), ack: rng.next(), flags: { ack: true } },
          payload,
        ],
      };
    case 5:
      return {
        name: 'icmp-echo',
        layers: [toRouter, ip4(FUZZ_ADDR.server4), { type: 'icmp', icmpType: 8, id: rng.int(0, 65535), seq: rng.int(0, 65535) }, payload],
      };
    case 6:
      return {
        name: 'udp6-routed',
        layers: [
          toRouter,
          { type: 'ipv6', src: FUZZ_ADDR.client6, dst: FUZZ_ADDR.server6, hopLimit: rng.int(1, 255) },
          { type: 'udp', sport, dport: 9 },
          payload,
        ],
      };
    default:
      return {
        name: 'tcp6-routed',
        layers: [
          toRouter,
          { type: 'ipv6', src: FUZZ_ADDR.client6, dst: FUZZ_ADDR.server6, hopLimit: rng.int(1, 255) },
          { type: 'tcp', sport, dport: 443, seq: rng.next(), flags: { ack: true } },
          payload,
        ],
      };
  }
}

function ipv4HeaderChecksum(b: Buffer, off: number): void {
  const ihl = (b[off]! & 0x0f) * 4;
  const len = Math.max(20, Math.min(ihl, b.length - off));
  b.writeUInt16BE(0, off + 10);
  let sum = 0;
  for (let i = 0; i + 1 < len; i += 2) sum += b.readUInt16BE(off + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  b.writeUInt16BE(~sum & 0xffff, off + 10);
}

function isIpv4(b: Buffer): boolean {
  return b.length >= ETH_LEN + 20 && b.readUInt16BE(12) === 0x0800;
}

function isIpv6(b: Buffer): boolean {
  return b.length >= ETH_LEN + 40 && b.readUInt16BE(12) === 0x86dd;
}

/** Offset of the transport header of an unmutated packet. */
function l4Offset(b: Buffer): number {
  return isIpv4(b) ? ETH_LEN + (b[ETH_LEN]! & 0x0f) * 4 : ETH_LEN + 40;
}

const MUTATIONS = ['none', 'truncate', 'bitflip', 'ihl', 'ip-length', 'tcp-doff', 'udp-length', 'random-l4', 'random-frame'] as const;
type Mutation = (typeof MUTATIONS)[number];

function mutate(rng: Prng, base: Buffer, m: Mutation): Buffer | null {
  const b = Buffer.from(base);
  const l4 = l4Offset(b);
  switch (m) {
    case 'none':
      return b;
    case 'truncate':
      return b.subarray(0, rng.int(ETH_LEN, b.length - 1));
    case 'bitflip': {
      const span = Math.min(b.length, l4 + 20);
      for (let n = rng.int(1, 4); n > 0; n--) {
        const at = rng.int(ETH_LEN, span - 1);
        b[at]! ^= 1 << rng.int(0, 7);
      }
      return b;
    }
    case 'ihl':
      if (!isIpv4(b)) return null;
      b[ETH_LEN] = (b[ETH_LEN]! & 0xf0) | rng.int(0, 15);
      ipv4HeaderChecksum(b, ETH_LEN);
      return b;
    case 'ip-length':
      if (isIpv4(b)) {
        b.writeUInt16BE(rng.int(0, 0xffff) % (rng.int(0, 1) === 0 ? 128 : 0x10000), ETH_LEN + 2);
        ipv4HeaderChecksum(b, ETH_LEN);
      } else if (isIpv6(b)) {
        b.writeUInt16BE(rng.int(0, 0xffff) % (rng.int(0, 1) === 0 ? 128 : 0x10000), ETH_LEN + 4);
      }
      return b;
    case 'tcp-doff': {
      const proto = isIpv4(b) ? b[ETH_LEN + 9] : b[ETH_LEN + 6];
      if (proto !== 6 || b.length < l4 + 13) return null;
      b[l4 + 12] = (rng.int(0, 15) << 4) | (b[l4 + 12]! & 0x0f);
      return b;
    }
    case 'udp-length': {
      const proto = isIpv4(b) ? b[ETH_LEN + 9] : b[ETH_LEN + 6];
      if (proto !== 17 || b.length < l4 + 8) return null;
      b.writeUInt16BE(rng.int(0, 0xffff) % (rng.int(0, 1) === 0 ? 64 : 0x10000), l4 + 4);
      return b;
    }
    case 'random-l4': {
      if (!isIpv4(b)) return null;
      const l4bytes = rng.bytes(rng.int(0, 48));
      const out = Buffer.concat([b.subarray(0, l4), l4bytes]);
      out[ETH_LEN + 9] = rng.pick([1, 6, 17, 132]);
      out.writeUInt16BE(out.length - ETH_LEN, ETH_LEN + 2);
      ipv4HeaderChecksum(out, ETH_LEN);
      return out;
    }
    case 'random-frame': {
      const out = rng.bytes(rng.int(ETH_LEN, 128));
      if (rng.int(0, 1) === 0) b.copy(out, 0, 0, ETH_LEN);
      return out;
    }
  }
}

/** The n-th packet of a seed depends only on the seed and n's predecessors. */
export function* fuzzPackets(rng: Prng, count: number): Generator<FuzzPacket> {
  for (let i = 0; i < count; i++) {
    for (;;) {
      const base = basePacket(rng);
      const m = rng.pick(MUTATIONS);
      const data = mutate(rng, buildPacket(base.layers), m);
      if (data === null) continue;
      yield { kind: `${base.name}/${m}`, data };
      break;
    }
  }
}
