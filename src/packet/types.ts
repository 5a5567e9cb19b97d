import type { ArpSpec } from './arp.js';
import type { EthSpec } from './eth.js';
import type { GreSpec } from './gre.js';
import type { GtpuSpec } from './gtpu.js';
import type { IcmpSpec } from './icmp.js';
import type { Icmpv6Spec } from './icmpv6.js';
import type { Ipv4Spec } from './ipv4.js';
import type { Ipv6Spec } from './ipv6.js';
import type { ChecksumCheck } from './layer-api.js';
import type { PayloadSpec, TrailerSpec } from './payload.js';
import type { SctpSpec } from './sctp.js';
import type { TcpSpec } from './tcp.js';
import type { UdpSpec } from './udp.js';
import type { VlanSpec } from './vlan.js';
import type { VxlanSpec } from './vxlan.js';

/** One layer to build, outermost first. Omitted lengths, next-protocol fields and checksums are filled in. */
export type LayerSpec =
  | EthSpec
  | VlanSpec
  | ArpSpec
  | Ipv4Spec
  | Ipv6Spec
  | TcpSpec
  | UdpSpec
  | SctpSpec
  | IcmpSpec
  | Icmpv6Spec
  | VxlanSpec
  | GtpuSpec
  | GreSpec
  | PayloadSpec
  | TrailerSpec;

export type LayerType = LayerSpec['type'];

/** A decoded layer: every field explicit (so it builds back to the same bytes), plus where it sits. */
export type DecodedLayer = LayerSpec & {
  /** Byte offset of the layer in the decoded buffer. */
  offset: number;
  /** Bytes of this layer's own header (or data, for payload/trailer). */
  length: number;
};

export interface DecodeFailure {
  layer: string;
  offset: number;
  message: string;
}

export interface DecodedPacket {
  layers: DecodedLayer[];
  error?: DecodeFailure;
  checksums: ChecksumCheck[];
}

export type { ChecksumCheck };
