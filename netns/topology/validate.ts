// Checks a topology description completely before anything is created. Every problem is
// collected with the path of the field it is about; the caller gets all of them at once.
import { type Cidr, type Family, intendedFamily, ipFamily, isMac, isUsableMac, parseCidr, sameSubnet } from './address.js';
import type { TopologyDescription } from './types.js';

export class TopologyValidationError extends Error {
  constructor(readonly errors: string[]) {
    super(`invalid topology (${errors.length} error${errors.length === 1 ? '' : 's'}):\n  ${errors.join('\n  ')}`);
    this.name = 'TopologyValidationError';
  }
}

const HOST_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/i;
const IFNAME = /^[^\s/:]{1,15}$/;
// Interface names containing '.' are written with '/' in sysctl keys (eth0/100).
const SYSCTL_KEY = /^net(\.[A-Za-z0-9_/-]+)+$/;

/** An interface with its addresses, as seen from its host. */
interface HostInterface {
  path: string;
  cidrs: Cidr[];
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v));
}

class Checker {
  readonly errors: string[] = [];
  /** host name -> ifname -> interface */
  readonly interfaces = new Map<string, Map<string, HostInterface>>();
  readonly macs = new Map<string, string>();
  /** Hosts with an address that did not parse: their routes' via are not checked, since
   *  the missing subnet would only repeat that error. */
  readonly hostsWithBadAddresses = new Set<string>();

  error(path: string, problem: string): void {
    this.errors.push(`${path}: ${problem}`);
  }

  unknownFields(obj: Obj, path: string, known: string[]): void {
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) this.error(`${path}.${key}`, 'unknown field');
    }
  }

  array(obj: Obj, key: string, path: string): unknown[] {
    const v = obj[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.error(path === '' ? key : `${path}.${key}`, `must be a list, got ${show(v)}`);
      return [];
    }
    return v;
  }

  cidrs(list: unknown[], path: string, host: string | null): Cidr[] {
    const out: Cidr[] = [];
    list.forEach((text, i) => {
      const cidr = typeof text === 'string' ? parseCidr(text) : null;
      if (cidr === null) {
        if (host !== null) this.hostsWithBadAddresses.add(host);
        this.error(`${path}[${i}]`, `${show(text)} is not a valid IPv${intendedFamily(String(text))} CIDR`);
        return;
      }
      const dup = out.find((c) => c.value === cidr.value && c.family === cidr.family);
      if (dup !== undefined) this.error(`${path}[${i}]`, `duplicate address ${show(text)}`);
      else out.push(cidr);
    });
    return out;
  }

  mac(v: unknown, path: string): void {
    if (v === undefined) return;
    if (!isMac(v)) {
      this.error(path, `${show(v)} is not a valid MAC address (expected xx:xx:xx:xx:xx:xx)`);
      return;
    }
    if (!isUsableMac(v)) {
      this.error(path, `${show(v)} is not a unicast MAC address`);
      return;
    }
    const other = this.macs.get(v.toLowerCase());
    if (other !== undefined) this.error(path, `MAC ${show(v)} is already used by ${other}`);
    else this.macs.set(v.toLowerCase(), path);
  }

  ifname(v: unknown, path: string): v is string {
    if (typeof v !== 'string' || !IFNAME.test(v) || v === '.' || v === '..') {
      const why = typeof v === 'string' && v.length > 15 ? ' (more than 15 characters)' : '';
      this.error(path, `${show(v)} is not a valid interface name${why}`);
      return false;
    }
    return true;
  }

  addInterface(host: string, ifname: string, path: string, cidrs: Cidr[]): void {
    const ifs = this.interfaces.get(host);
    if (ifs === undefined) return;
    const existing = ifs.get(ifname);
    if (existing !== undefined) {
      this.error(path, `duplicate interface '${ifname}' on host '${host}' (also ${existing.path})`);
      return;
    }
    ifs.set(ifname, { path, cidrs });
  }
}

function checkHostShape(c: Checker, raw: unknown, i: number, names: Map<string, string>): void {
  const path = `hosts[${i}]`;
  if (!isObject(raw)) {
    c.error(path, `must be an object, got ${show(raw)}`);
    return;
  }
  c.unknownFields(raw, path, ['name', 'forwarding', 'sysctls', 'routes', 'neighbours']);
  const name = raw.name;
  if (typeof name !== 'string' || !HOST_NAME.test(name)) {
    c.error(`${path}.name`, `${show(name)} is not a valid host name (letters, digits, '-', '_'; at most 32)`);
  } else if (names.has(name)) {
    c.error(`${path}.name`, `duplicate host name '${name}' (also ${names.get(name)})`);
  } else {
    names.set(name, `${path}.name`);
    c.interfaces.set(name, new Map([['lo', { path: 'loopback', cidrs: [] }]]));
  }
  if (raw.forwarding !== undefined && typeof raw.forwarding !== 'boolean') {
    c.error(`${path}.forwarding`, `must be true or false, got ${show(raw.forwarding)}`);
  }
  if (raw.sysctls !== undefined) {
    if (!isObject(raw.sysctls)) {
      c.error(`${path}.sysctls`, `must be a map of key: value, got ${show(raw.sysctls)}`);
    } else {
      for (const [key, value] of Object.entries(raw.sysctls)) {
        if (!SYSCTL_KEY.test(key)) c.error(`${path}.sysctls.${key}`, `not a net.* sysctl key`);
        if (!['string', 'number', 'boolean'].includes(typeof value)) {
          c.error(`${path}.sysctls.${key}`, `value must be a string, number or boolean, got ${show(value)}`);
        }
      }
    }
  }
}

function checkVlans(c: Checker, end: Obj, path: string, host: string | null, ifname: string | null): Map<number, Cidr[]> {
  const byId = new Map<number, Cidr[]>();
  c.array(end, 'vlans', path).forEach((raw, j) => {
    const vpath = `${path}.vlans[${j}]`;
    if (!isObject(raw)) {
      c.error(vpath, `must be an object, got ${show(raw)}`);
      return;
    }
    c.unknownFields(raw, vpath, ['id', 'ifname', 'addresses', 'mac']);
    const id = raw.id;
    const idOk = typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= 4094;
    if (!idOk) c.error(`${vpath}.id`, `${show(id)} is not a VLAN id (1..4094)`);
    else if (byId.has(id)) c.error(`${vpath}.id`, `duplicate VLAN id ${id} on this interface`);
    const name = raw.ifname ?? (ifname !== null && idOk ? `${ifname}.${id}` : undefined);
    const nameOk = name !== undefined && c.ifname(name, `${vpath}.ifname`);
    const cidrs = c.cidrs(c.array(raw, 'addresses', vpath), `${vpath}.addresses`, host);
    c.mac(raw.mac, `${vpath}.mac`);
    if (host !== null) c.addInterface(host, nameOk ? name : `#${vpath}`, vpath, cidrs);
    if (idOk && !byId.has(id)) byId.set(id, cidrs);
  });
  return byId;
}

interface EndResult {
  cidrs: Cidr[];
  vlans: Map<number, Cidr[]>;
}

function checkEnd(c: Checker, raw: unknown, path: string): EndResult | null {
  if (!isObject(raw)) {
    c.error(path, `must be an object with host and ifname, got ${show(raw)}`);
    return null;
  }
  c.unknownFields(raw, path, ['host', 'ifname', 'addresses', 'mac', 'vlans']);
  let host: string | null = null;
  if (typeof raw.host !== 'string') c.error(`${path}.host`, `must be a host name, got ${show(raw.host)}`);
  else if (!c.interfaces.has(raw.host)) c.error(`${path}.host`, `unknown host '${raw.host}'`);
  else host = raw.host;
  const ifname = c.ifname(raw.ifname, `${path}.ifname`) ? raw.ifname : null;
  const cidrs = c.cidrs(c.array(raw, 'addresses', path), `${path}.addresses`, host);
  c.mac(raw.mac, `${path}.mac`);
  // A bad name still carries its addresses, so routes over them are not reported too.
  if (host !== null) c.addInterface(host, ifname ?? `#${path}`, path, cidrs);
  const vlans = checkVlans(c, raw, path, host, ifname);
  return { cidrs, vlans };
}

/** Every address on b must share a subnet with an address of the same family on a (when a
 *  has one): both ends of a veth are one L2 segment. */
function checkSameSegment(c: Checker, a: Cidr[], b: Cidr[], aPath: string, bPath: string, bList: unknown[]): void {
  b.forEach((cidr) => {
    const sameFamily = a.filter((x) => x.family === cidr.family);
    if (sameFamily.length === 0) return;
    if (sameFamily.some((x) => x.prefix === cidr.prefix && sameSubnet(x, cidr.address))) {
      const clash = sameFamily.find((x) => x.value === cidr.value);
      if (clash !== undefined) {
        c.error(`${bPath}[${indexOf(bList, cidr)}]`, `address ${cidr.address} is also on ${aPath}`);
      }
      return;
    }
    const listed = sameFamily.map((x) => `${x.address}/${x.prefix}`).join(', ');
    c.error(`${bPath}[${indexOf(bList, cidr)}]`, `'${cidr.address}/${cidr.prefix}' is not on the link's subnet (${aPath} has ${listed})`);
  });
}

function indexOf(list: unknown[], cidr: Cidr): number {
  return list.findIndex((t) => typeof t === 'string' && t === `${cidr.address}/${cidr.prefix}`);
}

function checkLink(c: Checker, raw: unknown, i: number, names: Map<string, string>): void {
  const path = `links[${i}]`;
  if (!isObject(raw)) {
    c.error(path, `must be an object with a and b, got ${show(raw)}`);
    return;
  }
  c.unknownFields(raw, path, ['name', 'a', 'b', 'mtu', 'offloads']);
  if (raw.mtu !== undefined) {
    if (typeof raw.mtu !== 'number' || !Number.isInteger(raw.mtu) || raw.mtu < 68 || raw.mtu > 65535) {
      c.error(`${path}.mtu`, `${show(raw.mtu)} is out of range (68..65535)`);
    }
  }
  if (raw.offloads !== undefined && raw.offloads !== 'on' && raw.offloads !== 'off') {
    c.error(`${path}.offloads`, `must be 'on' or 'off', got ${show(raw.offloads)}`);
  }
  const a = checkEnd(c, raw.a, `${path}.a`);
  const b = checkEnd(c, raw.b, `${path}.b`);
  const endA: Obj = isObject(raw.a) ? raw.a : {};
  const endB: Obj = isObject(raw.b) ? raw.b : {};
  const name = raw.name ?? `${String(endA.host)}:${String(endA.ifname)}-${String(endB.host)}:${String(endB.ifname)}`;
  if (typeof name !== 'string' || name === '') c.error(`${path}.name`, `must be a non-empty string, got ${show(name)}`);
  else if (names.has(name)) c.error(`${path}.name`, `duplicate link name '${name}' (also ${names.get(name)})`);
  else names.set(name, path);
  if (a === null || b === null) return;
  const bAddresses = Array.isArray(endB.addresses) ? endB.addresses : [];
  checkSameSegment(c, a.cidrs, b.cidrs, `${path}.a`, `${path}.b.addresses`, bAddresses);
  const bVlans = Array.isArray(endB.vlans) ? endB.vlans : [];
  bVlans.forEach((v, j) => {
    if (!isObject(v) || typeof v.id !== 'number') return;
    const aCidrs = a.vlans.get(v.id);
    const bCidrs = b.vlans.get(v.id);
    if (aCidrs === undefined || bCidrs === undefined) return;
    const list = Array.isArray(v.addresses) ? v.addresses : [];
    checkSameSegment(c, aCidrs, bCidrs, `${path}.a (VLAN ${v.id})`, `${path}.b.vlans[${j}].addresses`, list);
  });
}

function routeFamily(dst: string, via: unknown): Family | null {
  if (dst === 'default') return typeof via === 'string' ? (ipFamily(via) ?? 4) : 4;
  return parseCidr(dst)?.family ?? null;
}

function checkRoutes(c: Checker, host: Obj, path: string): void {
  const name = typeof host.name === 'string' ? host.name : '';
  const ifs = c.interfaces.get(name);
  c.array(host, 'routes', path).forEach((raw, j) => {
    const rpath = `${path}.routes[${j}]`;
    if (!isObject(raw)) {
      c.error(rpath, `must be an object with dst and via and/or dev, got ${show(raw)}`);
      return;
    }
    c.unknownFields(raw, rpath, ['dst', 'via', 'dev']);
    const dst = raw.dst;
    let family: Family | null = null;
    if (typeof dst !== 'string' || (dst !== 'default' && parseCidr(dst) === null)) {
      c.error(`${rpath}.dst`, `${show(dst)} is not a valid IPv${intendedFamily(String(dst))} CIDR or 'default'`);
    } else family = routeFamily(dst, raw.via);
    if (raw.via === undefined && raw.dev === undefined) c.error(rpath, 'needs via, dev or both');
    let dev: HostInterface | undefined;
    if (raw.dev !== undefined) {
      dev = typeof raw.dev === 'string' ? ifs?.get(raw.dev) : undefined;
      if (dev === undefined && ifs !== undefined) c.error(`${rpath}.dev`, `${show(raw.dev)} is not an interface of host '${name}'`);
    }
    if (raw.via === undefined) return;
    const via = typeof raw.via === 'string' ? raw.via : null;
    const viaFamily = via === null ? null : ipFamily(via);
    if (via === null || viaFamily === null) {
      c.error(`${rpath}.via`, `${show(raw.via)} is not a valid IP address`);
      return;
    }
    if (family !== null && viaFamily !== family) {
      c.error(`${rpath}.via`, `'${via}' is IPv${viaFamily} but dst ${show(dst)} is IPv${family}`);
      return;
    }
    if (ifs === undefined || c.hostsWithBadAddresses.has(name)) return;
    const candidates = dev !== undefined ? [dev] : [...ifs.values()];
    const onLink = candidates.some((f) => f.cidrs.some((cidr) => sameSubnet(cidr, via)));
    if (!onLink) {
      const where = dev !== undefined ? `dev '${String(raw.dev)}'` : `host '${name}'`;
      c.error(`${rpath}.via`, `'${via}' is not on any connected subnet of ${where}`);
    }
  });
}

function checkNeighbours(c: Checker, host: Obj, path: string): void {
  const name = typeof host.name === 'string' ? host.name : '';
  const ifs = c.interfaces.get(name);
  c.array(host, 'neighbours', path).forEach((raw, j) => {
    const npath = `${path}.neighbours[${j}]`;
    if (!isObject(raw)) {
      c.error(npath, `must be an object with ip, mac and dev, got ${show(raw)}`);
      return;
    }
    c.unknownFields(raw, npath, ['ip', 'mac', 'dev']);
    if (typeof raw.ip !== 'string' || ipFamily(raw.ip) === null) c.error(`${npath}.ip`, `${show(raw.ip)} is not a valid IP address`);
    if (!isMac(raw.mac)) c.error(`${npath}.mac`, `${show(raw.mac)} is not a valid MAC address (expected xx:xx:xx:xx:xx:xx)`);
    if (typeof raw.dev !== 'string' || (ifs !== undefined && !ifs.has(raw.dev))) {
      c.error(`${npath}.dev`, `${show(raw.dev)} is not an interface of host '${name}'`);
    }
  });
}

/** Returns the description typed when it is valid; throws TopologyValidationError with
 *  every problem found otherwise. */
export function validateTopology(input: unknown): TopologyDescription {
  const c = new Checker();
  if (!isObject(input)) throw new TopologyValidationError([`(top level): must be an object with hosts and links, got ${show(input)}`]);
  c.unknownFields(input, '(top level)', ['name', 'hosts', 'links']);
  if (input.name !== undefined && typeof input.name !== 'string') c.error('name', `must be a string, got ${show(input.name)}`);
  if (!Array.isArray(input.hosts) || input.hosts.length === 0) c.error('hosts', 'must be a non-empty list');
  const hosts = Array.isArray(input.hosts) ? input.hosts : [];
  const hostNames = new Map<string, string>();
  hosts.forEach((h, i) => checkHostShape(c, h, i, hostNames));
  const linkNames = new Map<string, string>();
  c.array(input, 'links', '').forEach((l, i) => checkLink(c, l, i, linkNames));
  hosts.forEach((h, i) => {
    if (!isObject(h)) return;
    checkRoutes(c, h, `hosts[${i}]`);
    checkNeighbours(c, h, `hosts[${i}]`);
  });
  if (c.errors.length > 0) throw new TopologyValidationError(c.errors);
  return input as unknown as TopologyDescription;
}
