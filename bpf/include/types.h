/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * types.h - every map key and value layout of the fastpath datapath.
 *
 * This file is the single source of truth for the ABI between the kernel programs and
 * the TypeScript control plane (src/datapath/codecs): the codecs check their offsets
 * and sizes against the BTF of these structs at load time.
 */
#ifndef FP_TYPES_H
#define FP_TYPES_H

#include <linux/types.h>

/* Per-CPU packet and byte counters; the value of every stats map. */
struct fp_counter {
	__u64 packets;
	__u64 bytes;
};

#endif /* FP_TYPES_H */
