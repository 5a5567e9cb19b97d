import { writeFile } from 'node:fs/promises';
import pcapParser from 'pcap-parser';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;

export interface PcapRecord {
  data: Buffer;
  /** Seconds since the epoch; fractional part kept to the microsecond. */
  ts?: number;
}

/** Classic libpcap format 2.4, microsecond timestamps, little-endian. */
export function encodePcap(packets: PcapRecord[], linktype = LINKTYPE_ETHERNET): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(linktype, 20);
  const parts: Buffer[] = [header];
  for (const p of packets) {
    const ts = p.ts ?? 0;
    let sec = Math.floor(ts);
    let usec = Math.round((ts - sec) * 1e6);
    if (usec >= 1e6) {
      sec++;
      usec -= 1e6;
    }
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(sec >>> 0, 0);
    rec.writeUInt32LE(usec, 4);
    rec.writeUInt32LE(p.data.length, 8);
    rec.writeUInt32LE(p.data.length, 12);
    parts.push(rec, p.data);
  }
  return Buffer.concat(parts);
}

export async function writePcap(path: string, packets: PcapRecord[], linktype = LINKTYPE_ETHERNET): Promise<void> {
  await writeFile(path, encodePcap(packets, linktype));
}

export interface PcapPacket {
  data: Buffer;
  ts: number;
  origLength: number;
}

export function readPcap(path: string): Promise<PcapPacket[]> {
  return new Promise((resolve, reject) => {
    const out: PcapPacket[] = [];
    const parser = pcapParser.parse(path);
    parser.on('packet', ({ header, data }) => {
      out.push({
        data: Buffer.from(data),
        ts: header.timestampSeconds + header.timestampMicroseconds / 1e6,
        origLength: header.originalLength,
      });
    });
    parser.on('error', (err) => reject(new Error(`readPcap ${path}: ${err.message}`)));
    parser.on('end', () => resolve(out));
  });
}
