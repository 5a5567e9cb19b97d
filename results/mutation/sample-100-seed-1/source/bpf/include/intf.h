/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* intf.h - (ifindex, vlan) -> logical port. */
#ifndef FP_INTF_H
#define FP_INTF_H

#include "maps.h"

/* Copies the port into p; false when the interface is not ours (stack). */
static __always_inline int fp_intf_resolve(struct fp_pkt *p)
{
	struct fp_intf_key k = { .ifindex = p->ifindex, .vlan = p->vlan };
	struct fp_intf *v = 0;

	if (!p->vlan && p->ifindex < FP_MAX_INTF_STATS) {
		__u32 i = p->ifindex;
		struct fp_intf_slot *s = bpf_map_lookup_elem(&intf_arr, &i);

		if (s && s->valid)
			v = &s->intf;
	}
	if (!v)
		v = bpf_map_lookup_elem(&intf, &k);
	if (!v)
		return 0;
	p->intf = *v;
	p->key.zone = v->zone;
	return 1;
}

#endif /* FP_INTF_H */
