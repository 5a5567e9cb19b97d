// The wire stage runs code outside XDP in one TC cell (two for partial-checksum code) and
// XDP code in every XDP cell of the users matrix; the cells reach the conformance command line.
import test from 'ava';
import { stageCommand } from '../../src/mutate/stage-run.js';
import { TC_CELL, TC_PARTIAL_CSUM_CELLS, XDP_CELLS, wireCellsFor } from '../../src/mutate/wire-cells.js';

test('wire stage cells: one TC cell, every XDP cell of the users matrix for XDP code', (t) => {
  t.is(TC_CELL, 'tc/off');
  t.is(XDP_CELLS, 'xdp-native/on,xdp-generic/on,xdp-native/off,xdp-native/on/no-gro');
  t.is(wireCellsFor('bpf/include/lb.h', 'fp_lb_persist'), TC_CELL);
  t.is(wireCellsFor('dist/src/datapath/lb.js', 'applyLb'), TC_CELL);
  t.is(wireCellsFor('bpf/include/xdp_fwd.h', 'fp_l4_csum_partial'), XDP_CELLS);
  t.is(wireCellsFor('bpf/include/nat.h', 'fp_xdp_nat'), XDP_CELLS);
  t.is(wireCellsFor('bpf/fastpath.bpf.c', 'fp_xdp_entry'), XDP_CELLS);
  t.is(wireCellsFor('bpf/include/fc.h', 'fp_fc_xdp_limits'), XDP_CELLS);
  t.is(TC_PARTIAL_CSUM_CELLS, 'tc/off,tc/on');
  t.is(wireCellsFor('bpf/include/csum.h', 'fp_csum_add_partial'), TC_PARTIAL_CSUM_CELLS);
  t.is(wireCellsFor('bpf/include/csum.h', 'fp_skb_csum_partial'), TC_PARTIAL_CSUM_CELLS);
  t.is(wireCellsFor('bpf/include/csum.h', 'fp_csum_apply'), TC_CELL);
  const cmd = stageCommand('wire', '/sb', { cells: TC_CELL, filter: '^tcp-' });
  t.deepEqual(cmd.slice(-7), ['--mode', 'wire', '--bail', '--cells', 'tc/off', '--filter', '^tcp-']);
});
