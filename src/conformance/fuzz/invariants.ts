// What the fuzz pass holds the datapath to, per packet.
//
// Invalid: src/packet's decodePacket reports an error in a header the datapath parses —
// Ethernet, 802.1Q, IPv4, IPv6 (with its extension headers) or the first transport header
// (TCP, UDP, SCTP, ICMP, ICMPv6) — for SCTP the common header only: the datapath reads the
// first chunk's type but no chunk lengths, so a chunk that does not fit is not its to judge,
// as for any router. Errors in anything after the transport header (payload,
// VXLAN/GTP-U contents, the packet quoted in an ICMP error) do not make a packet invalid:
// the datapath does not read them. A bad header checksum of that first IP header (IPv4) is
// invalid too: the datapath verifies it, as ip_rcv() does (drop reason ip4_csum).
//
// Accounting (TC, fp_tc_entry): every packet moves exactly one terminal counter by one —
// a drop reason (verdict TC_ACT_SHOT), a stack_* or tailcall_fail path (TC_ACT_OK), or
// tc_fast_hit / l2_fwd / l3_fwd (TC_ACT_REDIRECT) — and stats_intf by one.
// XDP (fp_xdp_entry): xdp_pass (XDP_PASS) or xdp_fast_hit (XDP_REDIRECT, which also counts
// stats_intf) moves by one; an XDP_DROP is counted nowhere (a rewrite failure on a hit),
// so the summary reports how many there were.
import { decodePacket } from '../../packet/index.js';

const L2 = new Set(['eth', 'vlan']);
const L3 = new Set(['ipv4', 'ipv6']);
const L4 = new Set(['tcp', 'udp', 'sctp', 'icmp', 'icmpv6']);

/** Whether the decode error lies in a header the datapath parses: Ethernet/802.1Q, the
 *  first IP header, or the transport header right after it — not in a tunnelled packet
 *  (IPv4 in IPv6, VXLAN's inner frame), which the datapath does not look into. The layer
 *  that failed is in `layers` when its header was read but found wrong, absent when it
 *  could not be read at all. */
function inParsedHeader(layers: { type: string }[], error: { layer: string; message: string }): boolean {
  const type = error.layer.replace(/\[\d+\]$/, '');
  const last = layers[layers.length - 1]?.type;
  const before = last === type ? layers.slice(0, -1) : layers;
  const l3Before = before.filter((l) => L3.has(l.type)).length;
  const l4Before = before.filter((l) => L4.has(l.type)).length;
  if (L2.has(type)) return l3Before === 0;
  if (L3.has(type)) return l3Before === 0;
  if (L4.has(type))
    return l3Before === 1 && l4Before === 0 && L3.has(before[before.length - 1]?.type ?? '') && !error.message.startsWith('sctp.chunks');
  return false;
}

export interface Classification {
  /** Why the packet is invalid, or null. */
  invalid: string | null;
  badIpv4Checksum: boolean;
  /** The flow of a valid IPv4/IPv6 TCP/UDP/SCTP packet: "proto src sport dst dport". */
  flow: string | null;
}

export function classify(data: Buffer): Classification {
  const d = decodePacket(data);
  const parsedHeader = d.error !== undefined && inParsedHeader(d.layers, d.error);
  const firstL3 = d.layers.findIndex((l) => L3.has(l.type));
  const badIpv4Checksum = firstL3 >= 0 && d.layers[firstL3]!.type === 'ipv4' && d.checksums.some((c) => c.index === firstL3 && !c.valid);
  const invalid = parsedHeader
    ? `${d.error!.layer} at byte ${d.error!.offset}: ${d.error!.message}`
    : badIpv4Checksum
      ? `ipv4 at byte ${d.layers[firstL3]!.offset}: header checksum does not verify`
      : null;
  let flow: string | null = null;
  const ip = d.layers.find((l) => l.type === 'ipv4' || l.type === 'ipv6') as { src: string; dst: string } | undefined;
  const l4 = d.layers.find((l) => l.type === 'tcp' || l.type === 'udp' || l.type === 'sctp') as
    { type: string; sport: number; dport: number } | undefined;
  if (invalid === null && ip !== undefined && l4 !== undefined) flow = `${l4.type} ${ip.src} ${l4.sport} ${ip.dst} ${l4.dport}`;
  return { invalid, badIpv4Checksum, flow };
}

export const TC_FORWARD_PATHS = ['tc_fast_hit', 'l2_fwd', 'l3_fwd'];

/** Path counters that end a packet's trip through TC (each packet moves exactly one of
 *  these or one drop reason). */
export function isTerminalPath(name: string): boolean {
  return TC_FORWARD_PATHS.includes(name) || name.startsWith('stack_') || name === 'tailcall_fail';
}
