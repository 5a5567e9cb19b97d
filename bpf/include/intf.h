/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* intf.h - (ifindex, vlan) -> logical port. */
#ifndef FP_INTF_H
#define FP_INTF_H

#include "maps.h"

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

#endif /* FP_INTF_H */
