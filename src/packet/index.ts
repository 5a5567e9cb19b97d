// Packet builders and decoders for the harness.
//   buildPacket([{ type: 'eth', ... }, { type: 'ipv4', ... }, { type: 'tcp', ... }])  outermost first;
//     lengths, next-protocol fields and checksums are filled unless given (give them to build bad packets)
//   decodePacket(buf) -> { layers, checksums, error? }   never throws; decode -> build is byte-identical
//   renderPacket(p), diffPackets(a, b, { mask }), renderDiff(diffs)
//   crc32c, ipChecksum, pseudo-header helpers; writePcap / readPcap
export { buildPacket } from './build.js';
export { decodePacket, layerName, type FirstLayer } from './decode.js';
export { renderPacket } from './render.js';
export { diffPackets, diffDecoded, renderDiff, type FieldDiff, type FieldMask } from './diff.js';
export { crc32c, sctpChecksum } from './crc32c.js';
export {
  ipChecksum,
  onesSum,
  l4Checksum,
  partialL4Checksum,
  pseudoHeader,
  pseudoHeaderV4,
  pseudoHeaderV6,
  type PseudoSource,
} from './checksum.js';
export { writePcap, readPcap, encodePcap, LINKTYPE_ETHERNET, LINKTYPE_RAW, type PcapPacket, type PcapRecord } from './pcap.js';
export { formatIpv4, formatIpv6, formatMac, parseIpv4, parseIpv6, parseMac } from './addr.js';
export type { LayerSpec, LayerType, DecodedLayer, DecodedPacket, DecodeFailure, ChecksumCheck } from './types.js';
export type { EthSpec } from './eth.js';
export type { VlanSpec } from './vlan.js';
export type { ArpSpec } from './arp.js';
export type { Ipv4Spec, Ipv4Option } from './ipv4.js';
export type { Ipv6Spec, Ipv6Extension, Ipv6Option } from './ipv6.js';
export type { TcpSpec, TcpFlags, TcpOption } from './tcp.js';
export type { UdpSpec } from './udp.js';
export type { SctpSpec, SctpChunk, SctpChunkType, SctpParam, SctpCause, SctpInitFields } from './sctp.js';
export type { IcmpSpec } from './icmp.js';
export type { Icmpv6Spec, NdOption } from './icmpv6.js';
export type { VxlanSpec } from './vxlan.js';
export type { GtpuSpec, GtpExtension } from './gtpu.js';
export type { GreSpec } from './gre.js';
export type { PayloadSpec, TrailerSpec } from './payload.js';
