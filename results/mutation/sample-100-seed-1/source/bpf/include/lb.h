/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * lb.h - LB rule lookup and endpoint selection.
 *
 * Every algorithm picks among the rule's active endpoints (bit i of fp_lb.active).
 * Maglev and WRR read a slot table computed by the control plane over the active
 * endpoints only, so they need no skip. RR / WRR keep their position in the rule
 * value (rr_hint); two CPUs selecting at the same instant may pick the same endpoint
 * (no lock on the packet path), the order stays strict on one CPU.
 */
#ifndef FP_LB_H
#define FP_LB_H

#include <linux/in.h>
#include "lb_maps.h"
#include "l3.h"

static __always_inline struct fp_lb *fp_lb_lookup(const struct fp_pkt *p)
{
	struct fp_lb_key k = {
		.zone = p->key.zone,
		.proto = p->key.proto,
		.family = p->key.family,
	};
	struct fp_lb_range_key rk = {
		.prefixlen = FP_LB_RANGE_FIXED_BITS + 16,
		.zone = p->key.zone,
		.proto = p->key.proto,
		.family = p->key.family,
		.port_be = p->key.dport_be,
	};
	struct fp_lb_key *range;
	struct fp_lb *r;

	__builtin_memcpy(k.vip, p->key.daddr, sizeof(k.vip));
	if (p->key.proto != IPPROTO_TCP && p->key.proto != IPPROTO_UDP &&
	    p->key.proto != IPPROTO_SCTP)
		return bpf_map_lookup_elem(&lb, &k);
	k.port_be = p->key.dport_be;
	r = bpf_map_lookup_elem(&lb, &k);
	if (r)
		return r;
	/* Only new flows get here (CT and flow cache serve the others): a second lookup on
	 * a miss costs little. An exact rule inside a range thus wins. */
	__builtin_memcpy(rk.vip, p->key.daddr, sizeof(rk.vip));
	range = bpf_map_lookup_elem(&lb_range, &rk);
	if (!range)
		return NULL;
	return bpf_map_lookup_elem(&lb, range);
}

static __always_inline __u32 *fp_lb_sess(__u32 rule_id, __u32 ep)
{
	__u32 k = rule_id * FP_LB_EP_MAX + ep;

	return bpf_map_lookup_elem(&lb_sess, &k);
}

/* Loops run as bpf_loop callbacks: verified once, not once per path of the caller. */
struct fp_lb_scan {
	__u64 active;
	__u32 start;
	__u32 n;
	__u32 rule_id;
	__u32 best_n;
	int best;
};

static long fp_lb_next_cb(__u64 i, void *ctx)
{
	struct fp_lb_scan *s = ctx;
	__u32 j = s->start + (__u32)i;

	if (j >= s->n)
		j -= s->n;
	if ((s->active >> (j & 63)) & 1) {
		s->best = j;
		return 1;
	}
	return 0;
}

/* The first active endpoint at or after start (cyclic), or -1. */
static __always_inline int fp_lb_next_active(__u64 active, __u32 start, __u32 n)
{
	struct fp_lb_scan s = { .active = active, .start = start, .n = n, .best = -1 };

	bpf_loop(n & (FP_LB_EP_MAX * 2 - 1), fp_lb_next_cb, &s, 0);
	return s.best;
}

static long fp_lb_least_cb(__u64 i, void *ctx)
{
	struct fp_lb_scan *s = ctx;
	__u32 *c;

	if (!((s->active >> (i & 63)) & 1))
		return 0;
	c = fp_lb_sess(s->rule_id, (__u32)i);
	if (c && *c < s->best_n) {
		s->best_n = *c;
		s->best = (int)i;
	}
	return 0;
}

/* Least connection: the active endpoint with the fewest sessions, ties to the lowest. */
static __always_inline int fp_lb_least(const struct fp_lb *r, __u32 n)
{
	struct fp_lb_scan s = { .active = r->active, .n = n, .rule_id = r->rule_id,
				.best_n = 0xffffffff, .best = -1 };

	bpf_loop(n & (FP_LB_EP_MAX * 2 - 1), fp_lb_least_cb, &s, 0);
	return s.best;
}

static __always_inline int fp_lb_slot(const struct fp_lb *r, __u32 slot)
{
	struct fp_lb_tbl *t;
	__u32 id = r->rule_id;

	if (!r->tbl_size)
		return -1;
	t = bpf_map_lookup_elem(&lb_tbl, &id);
	if (!t)
		return -1;
	slot %= r->tbl_size;
	if (slot >= FP_LB_TBL_MAX)
		return -1;
	return t->ep[slot];
}

static __always_inline int fp_lb_rr(struct fp_lb *r, __u32 n)
{
	int ep = fp_lb_next_active(r->active, r->rr_hint % n, n);

	if (ep >= 0)
		r->rr_hint = ep + 1;
	return ep;
}

static __always_inline int fp_lb_persist(struct fp_lb *r, const struct fp_pkt *p, __u32 n)
{
	struct fp_persist_key k = { .rule_id = r->rule_id };
	struct fp_persist *v, nv = {};
	__u64 now = bpf_ktime_get_ns();
	int ep;

	__builtin_memcpy(k.addr, p->key.saddr, sizeof(k.addr));
	v = bpf_map_lookup_elem(&lb_persist, &k);
	if (v && now - v->ts_ns < r->persist_ns && v->ep < n && ((r->active >> (v->ep & 63)) & 1))
		return v->ep;
	ep = fp_lb_rr(r, n);
	if (ep < 0)
		return ep;
	nv.ts_ns = now;
	nv.ep = ep;
	bpf_map_update_elem(&lb_persist, &k, &nv, BPF_ANY);
	return ep;
}

/* The endpoint index for a new flow of rule r, or -1 (none active). */
static __always_inline int fp_lb_select(struct fp_lb *r, const struct fp_pkt *p)
{
	__u32 n = r->n_ep;
	int ep;

	if (!n || n > FP_LB_EP_MAX || !r->active)
		return -1;
	switch (r->algo) {
	case FP_LB_HASH:
		return fp_lb_next_active(r->active, fp_flow_hash(&p->key) % n, n);
	case FP_LB_MAGLEV:
		return fp_lb_slot(r, fp_flow_hash(&p->key));
	case FP_LB_LC:
		return fp_lb_least(r, n);
	case FP_LB_PERSIST:
		return fp_lb_persist(r, p, n);
	case FP_LB_WRR:
		ep = fp_lb_slot(r, r->rr_hint);
		r->rr_hint = (r->rr_hint + 1) % (r->tbl_size ? r->tbl_size : 1);
		return ep;
	case FP_LB_N3:
		if (p->tunnel == FP_TUN_GTPU)
			return fp_lb_next_active(r->active, p->tun_id % n, n);
		return fp_lb_next_active(r->active, fp_flow_hash(&p->key) % n, n);
	default:
		return fp_lb_rr(r, n);
	}
}

#endif /* FP_LB_H */
