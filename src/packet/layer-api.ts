// The contract every protocol module follows: encode one layer around its (already built)
// payload, and decode one layer at an offset, saying what comes next.
import type { PseudoSource } from './checksum.js';

export interface EncodeContext {
  /** Type of the next (inner) layer, to fill next-protocol fields. */
  nextType?: string;
  /** The nearest enclosing IP layer, for pseudo-header checksums. */
  ip?: PseudoSource;
}

export interface ChecksumCheck {
  layer: string;
  field: string;
  valid: boolean;
  /** The value a correct packet carries here. */
  expected: number;
  /** The value the packet carries. */
  actual: number;
  /** Position of the layer in DecodedPacket.layers. */
  index: number;
  /** True when the value is an offloaded, never-finished partial checksum (seen on veth). */
  partial?: boolean;
}

export interface DecodeContext {
  ip?: PseudoSource & { fragmented: boolean };
  /** Inside an ICMP error: the quoted packet may be cut short. */
  embedded: boolean;
}

export interface DecodeStep<L> {
  layer: L;
  /** Bytes this layer's own header (or data) takes. */
  headerLength: number;
  /** What follows, and where the inner part ends (defaults to the current end). */
  next?: { type: string; end?: number };
  checksums?: Omit<ChecksumCheck, 'layer' | 'index'>[];
  /** Set when the layer decoded but is inconsistent: decoding stops after it. */
  error?: string;
  /** The pseudo-header source for inner layers (IP layers set it). */
  ip?: PseudoSource & { fragmented: boolean };
  embedded?: boolean;
}

export class DecodeError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Throws DecodeError unless [off, off + n) lies inside [.., end). */
export function need(off: number, n: number, end: number, what: string): void {
  if (off + n > end) {
    throw new DecodeError(off, `truncated ${what}: need ${n} bytes at offset ${off}, have ${Math.max(0, end - off)}`);
  }
}

export function checkRange(field: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${field}: ${value} is out of range 0..${max}`);
  }
  return value;
}

export function padTo(buf: Buffer, multiple: number): Buffer {
  const rem = buf.length % multiple;
  return rem === 0 ? buf : Buffer.concat([buf, Buffer.alloc(multiple - rem)]);
}

/** IP protocol numbers of the layers that can follow an IP header. */
export function ipProtocolOf(nextType: string | undefined): number | undefined {
  switch (nextType) {
    case 'tcp':
      return 6;
    case 'udp':
      return 17;
    case 'sctp':
      return 132;
    case 'icmp':
      return 1;
    case 'icmpv6':
      return 58;
    case 'ipv4':
      return 4;
    case 'ipv6':
      return 41;
    case 'gre':
      return 47;
    default:
      return undefined;
  }
}

export function layerOfIpProtocol(protocol: number, version: 4 | 6): string {
  switch (protocol) {
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 132:
      return 'sctp';
    case 1:
      return version === 4 ? 'icmp' : 'payload';
    case 58:
      return 'icmpv6';
    case 4:
      return 'ipv4';
    case 41:
      return 'ipv6';
    case 47:
      return 'gre';
    default:
      return 'payload';
  }
}
