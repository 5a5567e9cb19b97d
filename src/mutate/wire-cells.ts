// The wire-mode cells a mutant's wire stage runs in. Code outside XDP runs the same way
// in every cell (XDP cells hand TC whatever XDP does not forward), so one cell does:
// tc/off, the quickest, where every receiving kernel checks every checksum the datapath
// wrote. XDP code runs only in XDP cells, and each XDP cell of the users matrix puts a
// different rule of it to work (native with offloads off: XDP forwards the hits itself;
// offloads on: partial checksums are left to TC; GRO off: out ports that take no XDP
// frames; generic: GRO-merged packets and the MTU), so an XDP mutant runs all of them.
// TC code for CHECKSUM_PARTIAL packets (a function named for partial checksums) only
// runs where the senders' checksum offload is on, so it runs in tc/on as well.
import { cellId, MATRICES } from '../conformance/cells.js';

export const TC_CELL = 'tc/off';

export const TC_PARTIAL_CSUM_CELLS = `${TC_CELL},tc/on`;

export const XDP_CELLS = MATRICES.users
  .filter((c) => c.hook !== 'tc')
  .map(cellId)
  .join(',');

/** XDP code: in a file or a function whose name says xdp (xdp_fwd.h, fp_xdp_entry,
 *  fp_fc_xdp_limits, ...). */
export function isXdpCode(file: string, fn: string | undefined): boolean {
  return /xdp/i.test(file.split('/').pop() ?? '') || /xdp/i.test(fn ?? '');
}

/** Code for packets whose L4 checksum is a partial sum: fp_csum_add_partial,
 *  fp_skb_csum_partial, ... */
export function isPartialChecksumCode(fn: string | undefined): boolean {
  return /partial/i.test(fn ?? '');
}

/** The --cells of the mutant's wire stage. */
export function wireCellsFor(file: string, fn: string | undefined): string {
  if (isXdpCode(file, fn)) return XDP_CELLS;
  return isPartialChecksumCode(fn) ? TC_PARTIAL_CSUM_CELLS : TC_CELL;
}
