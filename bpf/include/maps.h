/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* maps.h - every map of the datapath, pinned by name under the loader's pin root. */
#ifndef FP_MAPS_H
#define FP_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "types.h"

#define FP_MAX_INTF_STATS 1024

/* key: __u32 ifindex (the receiving interface), value: struct fp_counter per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FP_MAX_INTF_STATS);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_intf SEC(".maps");

#endif /* FP_MAPS_H */
