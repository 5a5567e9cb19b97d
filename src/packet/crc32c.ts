// CRC32c (Castagnoli, reflected polynomial 0x82f63b78) as SCTP (RFC 9260 appendix A) uses it.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC32c of buf. `seed` continues a previous result (crc32c(b, crc32c(a)) === crc32c(a+b)).
 */
export function crc32c(buf: Buffer, seed = 0): number {
  let c = ~seed >>> 0;
  for (let i = 0; i < buf.length; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * SCTP stores the CRC in the common header with its bytes in little-endian order of the
 * reflected value, i.e. buf.writeUInt32LE(crc32c(packet with zero field), 8).
 */
export function sctpChecksum(packet: Buffer): number {
  const copy = Buffer.from(packet);
  copy.writeUInt32LE(0, 8);
  return crc32c(copy);
}
