// The wire-mode matrix: each cell is one way users run the datapath, and a wire run
// happens once per cell. A cell fixes the link offloads (the kernel's defaults, or
// checksum/segmentation offloads off), the hook the datapath is attached with (TC alone,
// or TC plus XDP in driver or generic mode) and, for XDP, whether GRO is on at both ends
// of the dut's links, as NIC drivers default to (a veth takes redirected XDP frames only
// while its peer has GRO or XDP; generic XDP then sees GRO-merged packets).

export type Hook = 'tc' | 'xdp-native' | 'xdp-generic';
export const HOOKS: readonly Hook[] = ['tc', 'xdp-native', 'xdp-generic'];

export interface WireCell {
  /** 'on': the kernel's defaults, nothing touched; 'off': ethtool turns them off. */
  offloads: 'on' | 'off';
  hook: Hook;
  /** XDP hooks: GRO on at both ends of the dut's links (default on). */
  gro: boolean;
}

/** Short id used on the command line and in scenario files: hook/offloads[/no-gro]. */
export function cellId(c: WireCell): string {
  return `${c.hook}/${c.offloads}${c.hook !== 'tc' && !c.gro ? '/no-gro' : ''}`;
}

/** The cell as reports name it, e.g. "xdp-native, offloads on". */
export function cellName(c: WireCell): string {
  return `${c.hook}, offloads ${c.offloads}${c.hook !== 'tc' && !c.gro ? ', GRO off' : ''}`;
}

/** XDP is expected to forward hits itself in this cell: checksums complete (offloads
 *  off) and out ports that take XDP frames (GRO on). Elsewhere TC carries them. */
export function xdpForwards(c: WireCell): boolean {
  return c.hook !== 'tc' && c.offloads === 'off' && c.gro;
}

export function parseCellId(id: string): WireCell | string {
  const m = /^(tc|xdp-native|xdp-generic)\/(on|off)(\/no-gro)?$/.exec(id);
  if (m === null)
    return `'${id}' is not a cell: expected HOOK/OFFLOADS[/no-gro] with HOOK tc, xdp-native or xdp-generic and OFFLOADS on or off`;
  const hook = m[1] as Hook;
  if (hook === 'tc' && m[3] !== undefined) return `'${id}': /no-gro applies to XDP hooks only`;
  return { hook, offloads: m[2] as 'on' | 'off', gro: m[3] === undefined };
}

const ids = (list: string[]): WireCell[] => list.map((id) => parseCellId(id) as WireCell);

/**
 * Named matrices. users: what people run — TC and both XDP modes at the kernel's default
 * offloads, XDP native with offloads off (where XDP forwards the flows itself), XDP native
 * without GRO (everything handed to TC), and TC with offloads off.
 * full adds XDP generic with offloads off. tc: TC alone, offloads off (the quickest).
 */
export const MATRICES: Record<string, WireCell[]> & Record<'users' | 'full' | 'tc', WireCell[]> = {
  users: ids(['tc/on', 'xdp-native/on', 'xdp-generic/on', 'xdp-native/off', 'xdp-native/on/no-gro', 'tc/off']),
  full: ids(['tc/on', 'tc/off', 'xdp-native/on', 'xdp-native/off', 'xdp-generic/on', 'xdp-generic/off', 'xdp-native/on/no-gro']),
  tc: ids(['tc/off']),
};
export const DEFAULT_MATRIX = 'users';

/** A comma-separated list of cell ids or one matrix name; errors name every bad item. */
export function parseCells(text: string): WireCell[] {
  const matrix = MATRICES[text];
  if (matrix !== undefined) return matrix;
  const parsed = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseCellId);
  const bad = parsed.filter((p): p is string => typeof p === 'string');
  if (bad.length > 0) throw new Error(`${bad.join('; ')} (or a matrix: ${Object.keys(MATRICES).join(', ')})`);
  if (parsed.length === 0) throw new Error('no cell given');
  return parsed as WireCell[];
}
