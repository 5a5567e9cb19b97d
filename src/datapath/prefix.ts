// IP prefixes for the route maps.
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../packet/index.js';

export interface Prefix {
  family: 4 | 6;
  addr: Buffer;
  len: number;
}

export function parsePrefix(text: string, field: string): Prefix {
  if (typeof text !== 'string') throw new Error(`${field}: expected a prefix string like 10.0.0.0/24`);
  const slash = text.indexOf('/');
  if (slash < 0) throw new Error(`${field}: '${text}' has no prefix length (use a.b.c.d/len)`);
  const family: 4 | 6 = text.includes(':') ? 6 : 4;
  const addr = family === 4 ? parseIpv4(text.slice(0, slash), field) : parseIpv6(text.slice(0, slash), field);
  const lenText = text.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) {
    throw new Error(`${field}: prefix length '${lenText}' is not 0..${max}`);
  }
  const len = Number(lenText);
  for (let bit = len; bit < max; bit++) {
    if (addr[bit >> 3]! & (0x80 >> (bit & 7))) {
      throw new Error(`${field}: '${text}' has host bits set (the prefix would be ${formatPrefix(maskPrefix(family, addr, len))})`);
    }
  }
  return { family, addr, len };
}

function maskPrefix(family: 4 | 6, addr: Buffer, len: number): Prefix {
  const out = Buffer.from(addr);
  for (let bit = len; bit < out.length * 8; bit++) out[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return { family, addr: out, len };
}

export function formatPrefix(p: Prefix): string {
  return `${p.family === 4 ? formatIpv4(p.addr) : formatIpv6(p.addr)}/${p.len}`;
}
