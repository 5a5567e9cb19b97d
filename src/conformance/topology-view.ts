// Questions about a scenario's topology: which interfaces the dut has and which host
// interface sits at the other end of each of its links.
import type { TopologyDescription } from '../../netns/index.js';
import type { DatapathSection } from './types.js';
import type { Datapath } from '../datapath/index.js';

export interface DutLink {
  /** The dut's end. */
  dutIfname: string;
  /** The other end, host:ifname. */
  peer: string;
  peerHost: string;
  peerIfname: string;
}

export function dutLinks(topology: TopologyDescription, dut: string): DutLink[] {
  const out: DutLink[] = [];
  for (const link of topology.links ?? []) {
    for (const [mine, other] of [
      [link.a, link.b],
      [link.b, link.a],
    ] as const) {
      if (mine.host === dut && other.host !== dut) {
        out.push({ dutIfname: mine.ifname, peer: `${other.host}:${other.ifname}`, peerHost: other.host, peerIfname: other.ifname });
      }
    }
  }
  return out;
}

/** Every interface of the dut: link ends, then VLAN sub-interfaces. */
export function dutInterfaces(topology: TopologyDescription, dut: string): string[] {
  const names: string[] = [];
  for (const link of topology.links ?? []) {
    for (const end of [link.a, link.b]) {
      if (end.host !== dut) continue;
      names.push(end.ifname);
      for (const v of end.vlans ?? []) names.push(v.ifname ?? `${end.ifname}.${v.id}`);
    }
  }
  return names;
}

/** The dut link whose other end is host:ifname. */
export function linkOfPeer(topology: TopologyDescription, dut: string, peer: string): DutLink {
  const link = dutLinks(topology, dut).find((l) => l.peer === peer);
  if (link === undefined) throw new Error(`'${peer}' is not linked to the dut '${dut}'`);
  return link;
}

/** Applies a datapath section as one transaction: the configuration (ifnames renamed for
 *  packet mode) and the LB rules. */
export function applySection(dp: Datapath, section: DatapathSection, names?: Map<string, string>): void {
  const { attach: _attach, ...change } = section;
  if (Object.keys(change).length === 0) return;
  dp.apply(names === undefined ? change : renameIfnames(change, names));
}

/** A deep copy with every `ifname` string renamed through the map. */
export function renameIfnames<T>(value: T, names: Map<string, string>): T {
  if (Array.isArray(value)) return (value as unknown[]).map((v) => renameIfnames(v, names)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'ifname' && typeof v === 'string' ? (names.get(v) ?? v) : renameIfnames(v, names);
  }
  return out as T;
}

/** The interfaces to attach to: attach, else every ifname in interfaces (in order). */
export function attachList(section: DatapathSection): string[] {
  return section.attach ?? [...new Set((section.interfaces ?? []).map((i) => i.ifname))];
}
