// The wire-mode cells a mutant's wire stage runs in. Code outside XDP runs the same way
// in every cell (XDP cells hand TC whatever XDP does not forward), so one cell does:
// tc/off, the quickest, where every receiving kernel checks every checksum the datapath
// wrote. XDP code runs only in XDP cells, and each XDP cell of the users matrix puts a
// different rule of it to work (native with offloads off: XDP forwards the hits itself;
// offloads on: partial checksums are left to TC; GRO off: out ports that take no XDP
// frames; generic: GRO-merged packets and the MTU), so an XDP mutant runs all of them.
import { cellId, MATRICES } from '../conformance/cells.js';

export const TC_CELL = 'tc/off';

export const XDP_CELLS = MATRICES.users
  .filter((c) => c.hook !== 'tc')
  .map(cellId)
  .join(',');

/** XDP code: in a file or a function whose name says xdp (xdp_fwd.h, fp_xdp_entry,
 *  fp_fc_xdp_limits, ...). */
export function isXdpCode(file: string, fn: string | undefined): boolean {
  return /xdp/i.test(file.split('/').pop() ?? '') || /xdp/i.test(fn ?? '');
}

/** The --cells of the mutant's wire stage. */
export function wireCellsFor(file: string, fn: string | undefined): string {
  return isXdpCode(file, fn) ? XDP_CELLS : TC_CELL;
}
