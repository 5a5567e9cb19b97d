/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * mirror.h - port mirroring: a copy of every packet received (fp_tc_entry) and/or sent
 * (fp_tc_egress) on an interface whose intf.mirror names a mirror goes to the mirror
 * port by bpf_clone_redirect, before any rewrite, optionally with a VLAN tag of its own.
 *
 * XDP hands mirrored ports to TC (XDP_PASS): a devmap broadcast sends one and the same
 * frame to every member, but the original leaves rewritten (MACs, TTL, VLAN) by a
 * per-flow decision while the copy must be the received bytes, possibly with its own
 * tag - that needs a clone before the rewrite, which only TC has.
 */
#ifndef FP_MIRROR_H
#define FP_MIRROR_H

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include "common.h"
#include "intf.h"
#include "stats.h"

#define FP_MAX_MIRR 32 /* mirror ids 1..31 */

/* mirr (array): intf.mirror id -> where copies of the port's packets go. Slot 0 is no
 * mirror: its flags carry FP_MIRR_F_EGRESS while any mirror copies egress. */
#define FP_MIRR_F_VALID	  (1U << 0)
#define FP_MIRR_F_INGRESS (1U << 1) /* copy packets the port receives */
#define FP_MIRR_F_EGRESS  (1U << 2) /* copy packets the port sends (fp_tc_egress) */

struct fp_mirror {
	__u32 ifindex;
	__u16 vlan;  /* tag the copy (0 = as received) */
	__u16 flags; /* FP_MIRR_F_* */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_MIRR);
	__type(key, __u32);
	__type(value, struct fp_mirror);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mirr SEC(".maps");

/* key: mirror id = copies sent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_MAX_MIRR);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_mirr SEC(".maps");

/* Copies the packet to mirror id when that mirror covers direction (FP_MIRR_F_INGRESS
 * or FP_MIRR_F_EGRESS). Packet pointers are invalid afterwards (the tag push / pop). */
static __always_inline void fp_tc_mirror(struct __sk_buff *skb, __u32 id, __u32 direction)
{
	struct fp_mirror *m = bpf_map_lookup_elem(&mirr, &id);

	if (!m || !(m->flags & FP_MIRR_F_VALID) || !(m->flags & direction))
		return;
	if (m->vlan && !skb->vlan_present) {
		if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), m->vlan))
			return;
		if (bpf_clone_redirect(skb, m->ifindex, 0) == 0)
			fp_stats_array(&stats_mirr, id, skb->len);
		bpf_skb_vlan_pop(skb);
		return;
	}
	if (bpf_clone_redirect(skb, m->ifindex, 0) == 0)
		fp_stats_array(&stats_mirr, id, skb->len);
}

/* The mirror id of an interface for outgoing packets (intf of (ifindex, vlan)). */
static __always_inline __u32 fp_mirror_of(__u32 ifindex, __u16 vlan)
{
	struct fp_intf_key k = { .ifindex = ifindex, .vlan = vlan };
	struct fp_intf *v = bpf_map_lookup_elem(&intf, &k);

	return v ? v->mirror : 0;
}

/* XDP: true when the packet's out port (ifindex, vlan) is mirrored at egress, so the
 * packet must go through TC (an XDP redirect skips the TC egress hook). mirr slot 0
 * says whether any egress mirror exists, so ports without one pay an array lookup. */
static __always_inline int fp_xdp_out_mirrored(__u32 ifindex, __u16 vlan)
{
	__u32 id = 0;
	struct fp_mirror *m = bpf_map_lookup_elem(&mirr, &id);

	if (!m || !(m->flags & FP_MIRR_F_EGRESS))
		return 0;
	id = fp_mirror_of(ifindex, vlan);
	if (!id)
		return 0;
	m = bpf_map_lookup_elem(&mirr, &id);
	return m && (m->flags & FP_MIRR_F_EGRESS);
}

#endif /* FP_MIRROR_H */
