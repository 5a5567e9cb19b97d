// Addresses and ports the wire and cps benchmarks share with bpf/bench_gen.bpf.c and
// bpf/bench_sink.bpf.c.
import { join } from 'node:path';
import { repoRoot } from '../paths.js';

/** The UDP destination port of every generated frame; the sink counts only these. */
export const BENCH_UDP_PORT = 5001;

export const GEN_OBJECT = join(repoRoot, 'build', 'bpf', 'bench_gen.bpf.o');
export const SINK_OBJECT = join(repoRoot, 'build', 'bpf', 'bench_sink.bpf.o');
export const FWD_OBJECT = join(repoRoot, 'build', 'bpf', 'bench_fwd.bpf.o');
export const DATAPATH_OBJECT = join(repoRoot, 'build', 'bpf', 'fastpath.bpf.o');

/** Frame sizes are Ethernet frames with their 4-byte FCS (RFC 2544 convention); the
 *  buffer handed to the generator is 4 bytes shorter (the FCS is the NIC's). */
export const FCS_BYTES = 4;
export const MAX_FLOWS = 65536;
