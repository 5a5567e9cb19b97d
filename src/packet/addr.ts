// Text <-> bytes for MAC, IPv4 and IPv6 addresses. Decoded IPv6 is RFC 5952 text.

export function parseMac(text: string, field = 'mac'): Buffer {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new Error(`${field}: '${text}' is not a MAC address (aa:bb:cc:dd:ee:ff)`);
  }
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export function formatMac(buf: Buffer, off = 0): string {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push(buf[off + i]!.toString(16).padStart(2, '0'));
  return out.join(':');
}

export function parseIpv4(text: string, field = 'ipv4'): Buffer {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new Error(`${field}: '${text}' is not an IPv4 address`);
  }
  return Buffer.from(parts.map(Number));
}

export function formatIpv4(buf: Buffer, off = 0): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

export function parseIpv6(text: string, field = 'ipv6'): Buffer {
  const bad = (): Error => new Error(`${field}: '${text}' is not an IPv6 address`);
  let s = text;
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    // Embedded IPv4 in the last 32 bits (::ffff:1.2.3.4).
    const v4 = parseIpv4(s.slice(lastColon + 1), field);
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) throw bad();
  const group = (p: string): number => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(p)) throw bad();
    return parseInt(p, 16);
  };
  const head = halves[0] === '' ? [] : halves[0]!.split(':').map(group);
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':').map(group)) : [];
  const words = halves.length === 2 ? head.length + rest.length + tail.length : head.length + tail.length;
  if (halves.length === 2 ? words > 7 : words !== 8) throw bad();
  const all = halves.length === 2 ? [...head, ...new Array<number>(8 - words).fill(0), ...rest, ...tail] : [...head, ...tail];
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

export function formatIpv6(buf: Buffer, off = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(buf.readUInt16BE(off + i * 2));
  // RFC 5952 section 5: IPv4-mapped addresses keep the dotted quad.
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) return `::ffff:${formatIpv4(buf, off + 12)}`;
  // RFC 5952: compress the longest run (>= 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function parseIp(text: string, version: 4 | 6, field: string): Buffer {
  return version === 4 ? parseIpv4(text, field) : parseIpv6(text, field);
}
