/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* intf.h - (ifindex, vlan) -> logical port (struct fp_intf, common.h); per-interface
 * counters. */
#ifndef FP_INTF_H
#define FP_INTF_H

#include "common.h"
#include "stats.h"

#define FP_MAX_INTF	  512
#define FP_MAX_INTF_STATS 4096

/* intf: (ifindex, vlan) -> logical port. vlan 0 = untagged. */
struct fp_intf_key {
	__u32 ifindex;
	__u16 vlan;
	__u16 pad;
};

/* intf_arr (array, key ifindex < 4096): a copy of the untagged entries of intf, so the
 * common case resolves its port without hashing (~20 ns a packet). valid 0 = look in intf. */
struct fp_intf_slot {
	struct fp_intf intf;
	__u16 valid;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_INTF);
	__type(key, struct fp_intf_key);
	__type(value, struct fp_intf);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} intf SEC(".maps");

/* Untagged ports by ifindex (mirrors intf, written with it by the control plane). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_INTF_STATS);
	__type(key, __u32);
	__type(value, struct fp_intf_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} intf_arr SEC(".maps");

/* key: __u32 ifindex of the receiving interface (0: ifindex >= FP_MAX_INTF_STATS). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_MAX_INTF_STATS);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_intf SEC(".maps");

/* The port of (ifindex, vlan), or NULL when the interface is not ours. */
static __always_inline struct fp_intf *fp_intf_of(__u32 ifindex, __u16 vlan)
{
	struct fp_intf_key k = { .ifindex = ifindex, .vlan = vlan };

	if (!vlan && ifindex < FP_MAX_INTF_STATS) {
		struct fp_intf_slot *s = bpf_map_lookup_elem(&intf_arr, &ifindex);

		if (s && s->valid)
			return &s->intf;
	}
	return bpf_map_lookup_elem(&intf, &k);
}

/* Copies the port into p; false when the interface is not ours (stack). */
static __always_inline int fp_intf_resolve(struct fp_pkt *p)
{
	struct fp_intf *v = fp_intf_of(p->ifindex, p->vlan);

	if (!v)
		return 0;
	p->intf = *v;
	p->key.zone = v->zone;
	return 1;
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

#endif /* FP_INTF_H */
