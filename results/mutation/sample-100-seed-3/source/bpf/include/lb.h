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
#include "common.h"

#define FP_LB_EP_MAX	64   /* endpoints per rule */
#define FP_LB_RULES_MAX 256  /* rule ids 1..255 (0 unused) */
#define FP_LB_TBL_MAX	6421 /* prime >= 100 x FP_LB_EP_MAX: Maglev / WRR slots */

#define FP_MAX_LB	4096
#define FP_MAX_LB_RANGE (FP_LB_RULES_MAX * FP_LB_RANGE_PREFIXES)
#define FP_MAX_LB_EP	(FP_LB_RULES_MAX * FP_LB_EP_MAX) /* lb_ep, lb_sess: a row per rule */
#define FP_MAX_PERSIST	65536

/*
 * lb: (VIP, port, protocol, zone) -> rule. ICMP rules have port 0. A port-range rule
 * [port_be, port_end_be] sits here too (one value: one RR cursor for the whole range)
 * with port_end_be != 0, so a packet's exact lookup (port_end_be 0) never finds it; the
 * packet reaches it through lb_range.
 */
struct fp_lb_key {
	__u32 vip[4];
	__u16 port_be;
	__u16 zone;
	__u8 proto;
	__u8 family;
	__u16 port_end_be; /* 0: exact port; else the last port of a range rule */
};

/*
 * lb_range (LPM): one entry per port prefix of a range rule's minimal prefix cover (at
 * most 30 for 16-bit ports), the value being the rule's fp_lb_key in lb. Zone, protocol,
 * family and VIP are always matched in full, so only the port is a prefix; port_be is
 * network order so that bit prefixes are numeric port blocks.
 */
struct fp_lb_range_key {
	__u32 prefixlen; /* FP_LB_RANGE_FIXED_BITS + port prefix length (0..16) */
	__u16 zone;
	__u8 proto;
	__u8 family;
	__u32 vip[4];
	__u16 port_be;
	__u16 pad;
};

#define FP_LB_RANGE_FIXED_BITS 160 /* zone, proto, family, vip */
#define FP_LB_RANGE_PREFIXES   30  /* most prefixes one range needs */

enum fp_lb_mode {
	FP_LB_DNAT = 0,
	FP_LB_ONEARM,	/* DNAT + SNAT to the LB's own address */
	FP_LB_FULLNAT,	/* DNAT + SNAT to a configured source */
	FP_LB_DSR,	/* MACs only: the backend owns the VIP */
	FP_LB_DSR_IPIP, /* IPv4 in IPv4 to the endpoint, from snat_addr; inner untouched */
};

enum fp_lb_algo {
	FP_LB_RR = 0,
	FP_LB_HASH,
	FP_LB_MAGLEV,
	FP_LB_LC,
	FP_LB_PERSIST,
	FP_LB_WRR,
	FP_LB_N3,
};

struct fp_lb {
	__u32 rule_id;	    /* 1..FP_LB_RULES_MAX-1: index of lb_ep / lb_tbl / lb_sess rows */
	__u8 mode;	    /* enum fp_lb_mode */
	__u8 algo;	    /* enum fp_lb_algo */
	__u16 n_ep;	    /* endpoints 0..n_ep-1 in lb_ep */
	__u32 tbl_size;	    /* Maglev / WRR slots in lb_tbl */
	__u32 rr_hint;	    /* next RR endpoint / WRR slot (updated by the datapath) */
	__u64 active;	    /* bit i: endpoint i takes new flows */
	__u64 persist_ns;   /* persistence timeout */
	__u32 snat_addr[4]; /* one-arm / full-NAT source; dsr-ipip outer source */
	__u16 policer;	    /* policer id for the rule's flows (0 = none) */
	__u16 pad;
	__u32 pad2;
};

struct fp_lb_ep {
	__u32 addr[4];
	__u16 port_be;
	__u16 weight;
	__u32 pad;
};

/* lb_ep (array): key rule_id * FP_LB_EP_MAX + index. */
/* lb_tbl (array): key rule_id -> the Maglev or WRR slot table (endpoint indices). */
struct fp_lb_tbl {
	__u8 ep[FP_LB_TBL_MAX];
	__u8 pad[3];
};

/* lb_persist (LRU): (rule, client address) -> endpoint and when it was chosen. */
struct fp_persist_key {
	__u32 addr[4];
	__u32 rule_id;
};

struct fp_persist {
	__u64 ts_ns;
	__u32 ep;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_LB);
	__type(key, struct fp_lb_key);
	__type(value, struct fp_lb);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb SEC(".maps");

/* Every rule id could be a range of the most prefixes: lb_range never fills up. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FP_MAX_LB_RANGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fp_lb_range_key);
	__type(value, struct fp_lb_key);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_range SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_LB_EP);
	__type(key, __u32);
	__type(value, struct fp_lb_ep);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_ep SEC(".maps");

/* Sessions per endpoint (least connection and the dump): same index as lb_ep. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_LB_EP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_sess SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_LB_RULES_MAX);
	__type(key, __u32);
	__type(value, struct fp_lb_tbl);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_tbl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FP_MAX_PERSIST);
	__type(key, struct fp_persist_key);
	__type(value, struct fp_persist);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_persist SEC(".maps");

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
	struct fp_lb_scan s = {
		.active = r->active, .n = n, .rule_id = r->rule_id, .best_n = 0xffffffff, .best = -1
	};

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
