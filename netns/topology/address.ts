// IPv4/IPv6 address and CIDR parsing for topology validation. Addresses become bigints so
// subnet membership is one mask-and-compare for both families.
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  /** The address as written (host bits kept), e.g. 10.0.0.1 of 10.0.0.1/24. */
  address: string;
  prefix: number;
  value: bigint;
}

export function ipFamily(text: string): Family | null {
  if (isIPv4(text)) return 4;
  if (isIPv6(text)) return 6;
  return null;
}

export function ipToBigInt(text: string): bigint {
  if (isIPv4(text)) {
    return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
  }
  if (!isIPv6(text)) throw new Error(`'${text}' is not an IP address`);
  let head = text;
  let tailV4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (isIPv4(maybeV4)) {
    tailV4 = ipToBigInt(maybeV4);
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...Array<string>(right === undefined ? 0 : missing).fill('0'), ...rightGroups];
  let value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tailV4 !== null) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parses 'addr/prefix'; returns null when the text is not a valid CIDR of that family
 *  (or of either family when family is omitted). */
export function parseCidr(text: string, family?: Family): Cidr | null {
  if (typeof text !== 'string') return null;
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const fam = ipFamily(address);
  if (fam === null || (family !== undefined && fam !== family)) return null;
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > (fam === 4 ? 32 : 128)) return null;
  return { family: fam, address, prefix, value: ipToBigInt(address) };
}

/** 'IPv4' or 'IPv6' as the text most likely meant, for error messages. */
export function intendedFamily(text: string): Family {
  return typeof text === 'string' && text.includes(':') ? 6 : 4;
}

function mask(family: Family, prefix: number): bigint {
  const bits = family === 4 ? 32 : 128;
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

export function sameSubnet(cidr: Cidr, address: string): boolean {
  if (ipFamily(address) !== cidr.family) return false;
  const m = mask(cidr.family, cidr.prefix);
  return (ipToBigInt(address) & m) === (cidr.value & m);
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export function isMac(text: unknown): text is string {
  return typeof text === 'string' && MAC.test(text);
}

/** A unicast MAC (group bit clear) that is not all zeros. */
export function isUsableMac(text: string): boolean {
  const first = parseInt(text.slice(0, 2), 16);
  return (first & 1) === 0 && text.toLowerCase() !== '00:00:00:00:00:00';
}
