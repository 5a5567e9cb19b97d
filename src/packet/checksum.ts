// The Internet checksum (RFC 1071) and the TCP/UDP/ICMPv6 pseudo-headers for IPv4 and IPv6.

/** One's-complement sum of 16-bit big-endian words, folded to 16 bits (not inverted). */
export function onesSum(buf: Buffer, initial = 0): number {
  let sum = initial;
  const even = buf.length & ~1;
  for (let i = 0; i < even; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (buf.length & 1) sum += buf[buf.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The checksum to store: the inverted folded sum (the field itself must be zero in buf). */
export function ipChecksum(buf: Buffer, initial = 0): number {
  return ~onesSum(buf, initial) & 0xffff;
}

export function pseudoHeaderV4(src: Buffer, dst: Buffer, protocol: number, length: number): Buffer {
  const b = Buffer.alloc(12);
  src.copy(b, 0);
  dst.copy(b, 4);
  b[9] = protocol;
  b.writeUInt16BE(length & 0xffff, 10);
  return b;
}

export function pseudoHeaderV6(src: Buffer, dst: Buffer, nextHeader: number, length: number): Buffer {
  const b = Buffer.alloc(40);
  src.copy(b, 0);
  dst.copy(b, 16);
  b.writeUInt32BE(length >>> 0, 32);
  b[39] = nextHeader;
  return b;
}

/** Pseudo-header of the enclosing IP layer, as the L4 encoders and decoders see it. */
export interface PseudoSource {
  version: 4 | 6;
  src: Buffer;
  dst: Buffer;
}

export function pseudoHeader(ip: PseudoSource, protocol: number, length: number): Buffer {
  return ip.version === 4 ? pseudoHeaderV4(ip.src, ip.dst, protocol, length) : pseudoHeaderV6(ip.src, ip.dst, protocol, length);
}

/** Checksum of an L4 segment (its checksum field zeroed) under the pseudo-header. */
export function l4Checksum(ip: PseudoSource, protocol: number, segment: Buffer): number {
  return ipChecksum(segment, onesSum(pseudoHeader(ip, protocol, segment.length)));
}

/**
 * What a CHECKSUM_PARTIAL (offloaded) packet carries before the NIC finishes it: the folded,
 * uninverted pseudo-header sum. Seen in captures on veth, whose "hardware" never finishes it.
 */
export function partialL4Checksum(ip: PseudoSource, protocol: number, length: number): number {
  return onesSum(pseudoHeader(ip, protocol, length));
}

/** Verify an L4 checksum in place: the segment's own field is zeroed for the computation. */
export function verifyL4(ip: PseudoSource, protocol: number, segment: Buffer, fieldOffset: number): number {
  const copy = Buffer.from(segment);
  copy.writeUInt16BE(0, fieldOffset);
  return l4Checksum(ip, protocol, copy);
}
