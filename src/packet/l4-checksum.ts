// Shared by TCP, UDP and ICMPv6: fill or verify a pseudo-header checksum.
import { partialL4Checksum, verifyL4 } from './checksum.js';
import type { DecodeContext, DecodeStep } from './layer-api.js';

export function checkL4(ctx: DecodeContext, protocol: number, segment: Buffer, fieldOffset: number): DecodeStep<unknown>['checksums'] {
  // A fragment or a cut-short quoted packet does not hold the whole segment.
  if (!ctx.ip || ctx.ip.fragmented) return [];
  const actual = segment.readUInt16BE(fieldOffset);
  const expected = verifyL4(ctx.ip, protocol, segment, fieldOffset);
  const valid = actual === expected;
  const check = { field: 'checksum', valid, expected, actual };
  if (!valid && actual === partialL4Checksum(ctx.ip, protocol, segment.length)) {
    return [{ ...check, partial: true }];
  }
  return [check];
}
