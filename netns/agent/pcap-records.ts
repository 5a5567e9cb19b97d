// Reads the records of a classic pcap file as tcpdump -w writes it (either byte order,
// microsecond or nanosecond timestamps). Kept here so the agent needs nothing else.
import type { CapturedFrame } from './protocol.js';

export interface PcapRecords {
  linkType: number;
  frames: CapturedFrame[];
}

export function readPcapRecords(file: Buffer): PcapRecords {
  if (file.length < 24) return { linkType: -1, frames: [] };
  const magicLe = file.readUInt32LE(0);
  const le = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
  const magic = le ? magicLe : file.readUInt32BE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`not a pcap file (magic 0x${magicLe.toString(16)})`);
  const nano = magic === 0xa1b23c4d;
  const u32 = (off: number): number => (le ? file.readUInt32LE(off) : file.readUInt32BE(off));
  const frames: CapturedFrame[] = [];
  let off = 24;
  // A record cut short (tcpdump killed mid-write) ends the list; it is never made up.
  while (off + 16 <= file.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const capLen = u32(off + 8);
    const wireLength = u32(off + 12);
    if (off + 16 + capLen > file.length) break;
    frames.push({
      timestampUs: sec * 1e6 + (nano ? Math.floor(frac / 1000) : frac),
      wireLength,
      data: file.subarray(off + 16, off + 16 + capLen).toString('hex'),
    });
    off += 16 + capLen;
  }
  return { linkType: u32(20), frames };
}
