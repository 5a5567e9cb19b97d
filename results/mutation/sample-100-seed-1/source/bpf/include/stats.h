/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* stats.h - per-CPU counter updates. */
#ifndef FP_STATS_H
#define FP_STATS_H

#include "maps.h"

static __always_inline void fp_counter_add(struct fp_counter *c, __u32 bytes)
{
	c->packets++;
	c->bytes += bytes;
}

static __always_inline void fp_stats_array(void *map, __u32 index, __u32 bytes)
{
	struct fp_counter *c = bpf_map_lookup_elem(map, &index);

	if (c)
		fp_counter_add(c, bytes);
}

/* Counts one packet on the per-interface array. An array, not a hash: this runs for
 * every packet and an array lookup is inlined by the verifier. Slot 0 (no interface
 * has ifindex 0) collects interfaces whose ifindex is beyond the table. */
static __always_inline void fp_stats_intf(__u32 ifindex, __u32 bytes)
{
	if (ifindex >= FP_MAX_INTF_STATS)
		ifindex = 0;
	fp_stats_array(&stats_intf, ifindex, bytes);
}

static __always_inline void fp_stats_path(enum fp_path path, __u32 bytes)
{
	fp_stats_array(&stats_path, path, bytes);
}

static __always_inline void fp_stats_drop(__u32 reason, __u32 bytes)
{
	fp_stats_array(&stats_drop, reason, bytes);
}

#endif /* FP_STATS_H */
