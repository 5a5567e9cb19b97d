/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * stats.h - per-CPU counters: the counter every stats map holds, the drop-reason and
 * path counters, and the update every concern counts with. A concern's own counters
 * (stats_intf, stats_route, stats_nh, stats_pol, stats_mirr, stats_tun) are defined
 * with it.
 */
#ifndef FP_STATS_H
#define FP_STATS_H

#include "common.h"

/* Per-CPU packet and byte counters; the value of every stats map. */
struct fp_counter {
	__u64 packets;
	__u64 bytes;
};

/* key: enum fp_drop_reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_DROP_MAX);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_drop SEC(".maps");

/* key: enum fp_path. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_PATH_MAX);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_path SEC(".maps");

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

static __always_inline void fp_stats_path(enum fp_path path, __u32 bytes)
{
	fp_stats_array(&stats_path, path, bytes);
}

static __always_inline void fp_stats_drop(__u32 reason, __u32 bytes)
{
	fp_stats_array(&stats_drop, reason, bytes);
}

#endif /* FP_STATS_H */
