// Wire mode: recognising an injected packet among the frames captured at the hosts.
import type { Topology } from '../../netns/index.js';
import { hasTail, tailOf } from './compare.js';

/** Length slack: a VLAN tag pushed or popped. An ICMP error quoting the packet is at least
 *  28 bytes longer (outer IP and ICMP headers), so it never passes. */
const LENGTH_SLACK = 4;

/** Ends like `ref` and is as long, give or take a VLAN tag. */
export function resembles(frame: Buffer, ref: Buffer): boolean {
  return hasTail(frame, tailOf(ref)) && Math.abs(frame.length - ref.length) <= LENGTH_SLACK;
}

export function sourceMac(frame: Buffer): string {
  return frame.length >= 12 ? [...frame.subarray(6, 12)].map((b) => b.toString(16).padStart(2, '0')).join(':') : '';
}

/** Whether a captured frame is the injected packet (or what the datapath made of it):
 *  it ends like the input frame or like the expected output frame (NAT rewrites ports and
 *  checksums, which are the last bytes of a packet without payload; encapsulation and
 *  decapsulation change the length) and its length is the same give or take a VLAN tag.
 *  Frames the capturing host sent itself (its MAC as source: captures on a host's end see
 *  both directions) are never arrivals. */
export class InjectMatcher {
  constructor(
    private readonly input: Buffer,
    private readonly expected?: Buffer,
  ) {}

  matches(frame: Buffer, ownMacs: ReadonlySet<string>): boolean {
    if (ownMacs.has(sourceMac(frame))) return false;
    return resembles(frame, this.input) || (this.expected !== undefined && resembles(frame, this.expected));
  }
}

/** The MACs of every interface of a host (link ends and VLAN sub-interfaces), read from
 *  the kernel once per host (topologies may leave MACs to it). */
export class HostMacs {
  private readonly cache = new Map<string, Promise<Set<string>>>();

  constructor(private readonly topology: Topology) {}

  of(host: string): Promise<Set<string>> {
    let macs = this.cache.get(host);
    if (macs === undefined) {
      macs = this.topology
        .inspect(host)
        .then((v) => new Set(v.interfaces.map((i) => i.mac.toLowerCase()).filter((m) => m !== '' && m !== '00:00:00:00:00:00')));
      this.cache.set(host, macs);
    }
    return macs;
  }
}
