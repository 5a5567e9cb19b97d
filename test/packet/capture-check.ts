// What every captured packet must satisfy: decodes without error, every checksum valid
// (offloaded partial TCP/UDP checksums, exactly the pseudo-header sum, are counted apart),
// and decode -> build gives the same bytes.
import { buildPacket, decodePacket, renderPacket, type PcapPacket } from '../../src/packet/index.js';

export interface CaptureReport {
  problems: string[];
  partial: number;
  checked: number;
  kinds: Set<string>;
}

function kindOf(layers: ReturnType<typeof decodePacket>['layers']): string {
  const last = layers.find((l) => ['arp', 'icmp', 'icmpv6', 'tcp', 'udp', 'sctp'].includes(l.type));
  if (!last) return 'none';
  if (last.type === 'icmp' || last.type === 'icmpv6') return `${last.type}:${last.icmpType}`;
  if (last.type === 'tcp') {
    const f = last.flags ?? {};
    return `tcp:${f.syn ? 'S' : ''}${f.fin ? 'F' : ''}${f.rst ? 'R' : ''}${f.ack ? '.' : ''}`;
  }
  const ip = layers.find((l) => l.type === 'ipv4' || l.type === 'ipv6');
  return ip ? `${last.type}/${ip.type}` : last.type;
}

export function checkCapture(packets: PcapPacket[]): CaptureReport {
  const report: CaptureReport = { problems: [], partial: 0, checked: 0, kinds: new Set() };
  packets.forEach((p, i) => {
    const d = decodePacket(p.data);
    const where = `packet ${i}:\n${renderPacket(d)}`;
    if (d.error) report.problems.push(`${where}\n  decode error`);
    for (const c of d.checksums) {
      report.checked++;
      if (c.valid) continue;
      const layer = d.layers[c.index]!.type;
      if (c.partial && (layer === 'tcp' || layer === 'udp')) {
        report.partial++;
        continue;
      }
      report.problems.push(`${where}\n  ${c.layer}.${c.field} 0x${c.actual.toString(16)} != 0x${c.expected.toString(16)}`);
    }
    const rebuilt = buildPacket(d.layers);
    if (!rebuilt.equals(p.data)) {
      report.problems.push(`${where}\n  rebuild differs:\n  ${p.data.toString('hex')}\n  ${rebuilt.toString('hex')}`);
    }
    if (p.origLength !== p.data.length) report.problems.push(`${where}\n  truncated capture`);
    report.kinds.add(kindOf(d.layers));
  });
  return report;
}
