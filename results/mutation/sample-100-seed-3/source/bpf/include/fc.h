/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* fc.h - the flow cache: one lookup decides the whole rewrite of an established flow. */
#ifndef FP_FC_H
#define FP_FC_H

#include <linux/in.h>
#include "common.h"
#include "cfg.h"
#include "stats.h"
#include "intf.h"

#define FP_MAX_FC (512 * 1024) /* as loxilb; one per direction; ~100 MiB memlock */

#define FP_FC_F_DEC_TTL (1U << 0) /* decrement TTL / hop limit */
#define FP_FC_F_SNAT	(1U << 1) /* rewrite source address/port */
#define FP_FC_F_DNAT	(1U << 2) /* rewrite destination address/port */
#define FP_FC_F_CT	(1U << 3) /* cached from a tracked connection */
#define FP_FC_F_XDP_TX	(1U << 4) /* the out port takes XDP frames (FP_INTF_F_XDP_TX) */

/* fc (LRU): the whole cached decision for one flow. A value whose generation differs
 * from cfg.generation is stale and sends the packet to the slow path. */
struct fp_fc_value {
	__u64 generation;
	__u8 dmac[FP_ETH_ALEN];
	__u8 smac[FP_ETH_ALEN];
	__u32 ifindex;	/* redirect target */
	__u16 vlan;	/* 0 = send untagged */
	__u16 flags;	/* FP_FC_F_* */
	__u32 route_id; /* for stats_route */
	__u32 nh_id;	/* for stats_nh */
	__u32 nat_saddr[4];
	__u32 nat_daddr[4];
	__u16 nat_sport_be;
	__u16 nat_dport_be;
	__u32 csum_addr; /* one's complement sum of the address change (pseudo-header) */
	__u32 csum_port; /* ... of the port change */
	__u64 hits;	 /* fast-path hits (ageing: a count that moves means alive) */
	__u32 sctp_vtag; /* SCTP: the verification tag this direction must carry */
	__u32 policer;	 /* LB rule policer id run on a hit (0 = none) */
	__u16 mtu;	 /* the out device's MTU when cached: XDP forwards no longer packet */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FP_MAX_FC);
	__type(key, struct fp_flow_key);
	__type(value, struct fp_fc_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fc SEC(".maps");

/*
 * The cached decision for this packet, or NULL (slow path). An entry built under an
 * older generation is stale; a packet whose TTL would expire must reach the stack
 * through the slow path. NAT entries carry their whole rewrite (nat.h). c is cfg[0],
 * fetched once by the entry program. count_stale: XDP passes 0, since TC looks the
 * packet up again and counts a stale entry once.
 */
static __always_inline struct fp_fc_value *fp_fc_lookup(const struct fp_pkt *p,
							const struct fp_cfg *c, int count_stale)
{
	struct fp_fc_value *v;

	/* SYN, FIN and RST change connection state: the slow path sees them. */
	if (p->key.proto == IPPROTO_TCP && (p->tcp_flags & 0x07))
		return NULL;
	/* SCTP control chunks (INIT.., ABORT, SHUTDOWN..) change state: slow path too. */
	if (p->key.proto == IPPROTO_SCTP && p->sctp_chunk > 5)
		return NULL;
	v = bpf_map_lookup_elem(&fc, &p->key);
	if (!v)
		return NULL;
	if (p->key.proto == IPPROTO_SCTP && v->sctp_vtag != p->sctp_vtag)
		return NULL;
	if (!c || v->generation != c->generation) {
		if (count_stale)
			fp_stats_path(FP_PATH_FC_STALE, p->len);
		return NULL;
	}
	if ((v->flags & FP_FC_F_DEC_TTL) && p->ttl <= 1)
		return NULL;
	return v;
}

/*
 * What the XDP entry needs to forward a hit itself (xdp_fwd.h): the out device's MTU
 * now, and whether that port takes redirected XDP frames. Read once when the entry is
 * cached; a port whose capability changes is re-flagged by the control plane, which
 * bumps the generation.
 */
static __always_inline void fp_fc_xdp_limits(struct __sk_buff *skb, struct fp_fc_value *v)
{
	struct fp_intf *out = fp_intf_of(v->ifindex, v->vlan);
	__u32 mtu = 0;

	if (out && (out->flags & FP_INTF_F_XDP_TX))
		v->flags |= FP_FC_F_XDP_TX;
	if (bpf_check_mtu(skb, v->ifindex, &mtu, 0, 0) >= 0)
		v->mtu = mtu > 0xffff ? 0xffff : mtu;
}

#endif /* FP_FC_H */
