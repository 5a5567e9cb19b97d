/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * policer.h - two-rate (RFC 2698) and single-rate (RFC 2697) three-colour markers,
 * colour-blind or colour-aware, with per-CPU green/yellow/red counters.
 *
 * The TC and XDP entries run the interface's policer before the flow-cache lookup, so
 * policed traffic keeps the fast path. An LB rule's policer runs the same way, on its
 * connection's client packets (ct_stage.h, and on flow-cache hits).
 */
#ifndef FP_POLICER_H
#define FP_POLICER_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include "common.h"
#include "csum.h"
#include "stats.h"

#define FP_MAX_POL	      4096 /* policer ids 1..4095 */
#define FP_NS_PER_SEC	      1000000000ULL
/* Rates are at most 4e9 bytes/s (checked by the control plane), so 4 s of elapsed time
 * keeps rate * elapsed below 2^64. Longer idle gaps refill as if 4 s had passed. */
#define FP_POL_MAX_ELAPSED_NS (4ULL * FP_NS_PER_SEC)

#define FP_POL_F_SRTCM	(1U << 0) /* RFC 2697 single rate (else RFC 2698 two rate) */
#define FP_POL_F_AWARE	(1U << 1) /* colour-aware: input colour from the DSCP */
#define FP_POL_F_REMARK (1U << 2) /* yellow packets get DSCP yellow_dscp */
#define FP_POL_F_VALID	(1U << 3) /* a configured policer (pol is an array) */

/* Policer colours; stats_pol is indexed by policer id * FP_COLOURS + colour. */
enum fp_colour {
	FP_GREEN = 0,
	FP_YELLOW = 1,
	FP_RED = 2,
	FP_COLOURS = 3,
};

/*
 * pol (array): policer id -> configuration and token state. Rates in bytes per second,
 * bursts and tokens in bytes; a packet costs its IP total length. trTCM: C bucket at
 * cir capped at cbs, P bucket (e_*) at pir capped at ebs (= PBS). srTCM: one rate cir
 * fills C up to cbs, the overflow fills E up to ebs. *_frac carry the sub-byte remainder
 * (units of 1e-9 byte) so no token is lost to rounding. A last_ns in the future stops
 * refilling until then (tests set exact token counts that way).
 */
struct fp_policer {
	struct bpf_spin_lock lock;
	__u32 flags; /* FP_POL_F_* */
	__u64 cir;
	__u64 pir; /* trTCM only */
	__u64 cbs;
	__u64 ebs;
	__u64 c_tokens;
	__u64 e_tokens;
	__u64 last_ns;
	__u64 dscp_yellow; /* colour-aware: bit d set = DSCP d arrives yellow */
	__u64 dscp_red;	   /* colour-aware: bit d set = DSCP d arrives red */
	__u32 c_frac;
	__u32 e_frac;
	__u8 yellow_dscp; /* FP_POL_F_REMARK: DSCP written into yellow packets */
	__u8 pad[7];
};

/* An array: its lookup is inlined (a hash lookup measured ~3x the cost on the fast path);
 * unconfigured slots have flags 0 (no FP_POL_F_VALID). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_POL);
	__type(key, __u32);
	__type(value, struct fp_policer);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pol SEC(".maps");

/* key: policer id * FP_COLOURS + enum fp_colour. */
#define FP_MAX_POL_STATS (FP_MAX_POL * FP_COLOURS)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_MAX_POL_STATS);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_pol SEC(".maps");

/* tokens + rate * elapsed (with the carried sub-byte remainder), the new remainder
 * in *frac; the caller caps the result. */
static __always_inline __u64 fp_pol_earned(__u64 rate, __u64 elapsed, __u32 *frac)
{
	__u64 n = rate * elapsed + *frac;

	*frac = (__u32)(n % FP_NS_PER_SEC);
	return n / FP_NS_PER_SEC;
}

static __always_inline __u64 fp_pol_min(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/* Refills the buckets for the time since last_ns. Caller holds the lock. */
static __always_inline void fp_pol_refill(struct fp_policer *pl, __u64 now)
{
	__u64 elapsed, add, room;

	/* A timestamp in the future (set by a test, or another CPU's later clock read)
	 * earns nothing and is kept. */
	if ((__s64)(now - pl->last_ns) <= 0)
		return;
	elapsed = now - pl->last_ns;
	if (elapsed > FP_POL_MAX_ELAPSED_NS)
		elapsed = FP_POL_MAX_ELAPSED_NS;
	pl->last_ns = now;
	if (pl->flags & FP_POL_F_SRTCM) {
		add = fp_pol_earned(pl->cir, elapsed, &pl->c_frac);
		room = pl->c_tokens < pl->cbs ? pl->cbs - pl->c_tokens : 0;
		if (add <= room) {
			pl->c_tokens += add;
			return;
		}
		pl->c_tokens = pl->cbs;
		pl->e_tokens = fp_pol_min(pl->e_tokens + (add - room), pl->ebs);
		return;
	}
	pl->c_tokens =
		fp_pol_min(pl->c_tokens + fp_pol_earned(pl->cir, elapsed, &pl->c_frac), pl->cbs);
	pl->e_tokens =
		fp_pol_min(pl->e_tokens + fp_pol_earned(pl->pir, elapsed, &pl->e_frac), pl->ebs);
}

/* RFC 2698 section 3 and RFC 2697 section 3, blind = aware with every packet green. */
static __always_inline int fp_pol_mark(struct fp_policer *pl, int in, __u64 len)
{
	if (pl->flags & FP_POL_F_SRTCM) {
		if (in == FP_GREEN && pl->c_tokens >= len) {
			pl->c_tokens -= len;
			return FP_GREEN;
		}
		if (in != FP_RED && pl->e_tokens >= len) {
			pl->e_tokens -= len;
			return FP_YELLOW;
		}
		return FP_RED;
	}
	if (in == FP_RED || pl->e_tokens < len)
		return FP_RED;
	if (in == FP_YELLOW || pl->c_tokens < len) {
		pl->e_tokens -= len;
		return FP_YELLOW;
	}
	pl->c_tokens -= len;
	pl->e_tokens -= len;
	return FP_GREEN;
}

static __always_inline int fp_pol_input_colour(const struct fp_policer *pl, __u8 tos)
{
	__u32 dscp = tos >> 2;

	if (!(pl->flags & FP_POL_F_AWARE))
		return FP_GREEN;
	if ((pl->dscp_red >> dscp) & 1)
		return FP_RED;
	if ((pl->dscp_yellow >> dscp) & 1)
		return FP_YELLOW;
	return FP_GREEN;
}

/* Writes DSCP dscp (ECN kept) into the IP header at p->l3_off; IPv4 header checksum by
 * RFC 1624. 0 or -1. Also used by QoS. */
static __always_inline int fp_set_dscp(void *data, void *data_end, struct fp_pkt *p, __u8 dscp)
{
	__u8 tos = (dscp << 2) | (p->tos & 3);

	if (p->key.family == 4) {
		struct iphdr *ip = fp_hdr(data, data_end, p->l3_off, sizeof(*ip));
		__be16 old;

		if (!ip)
			return -1;
		old = *(__be16 *)ip;
		ip->tos = tos;
		ip->check = fp_csum_replace2(ip->check, old, *(__be16 *)ip);
	} else {
		__u8 *h = fp_hdr(data, data_end, p->l3_off, 2);

		if (!h)
			return -1;
		h[0] = (h[0] & 0xf0) | (tos >> 4);
		h[1] = (h[1] & 0x0f) | (__u8)(tos << 4);
	}
	p->tos = tos;
	return 0;
}

/*
 * Runs policer id on the packet: FP_GREEN, FP_YELLOW or FP_RED (the caller drops red).
 * Counts the colour (bytes = IP total length); re-marks yellow when configured. An unknown id
 * (removed while referenced) passes green uncounted. The length charged is the IP total length.
 */
static __always_inline int fp_policer_run(void *data, void *data_end, struct fp_pkt *p, __u32 id)
{
	struct fp_policer *pl = bpf_map_lookup_elem(&pol, &id);
	__u64 len = p->l4_end - p->l3_off;
	__u64 now = bpf_ktime_get_ns();
	int colour, remark;
	__u8 dscp;

	if (!pl || !(pl->flags & FP_POL_F_VALID))
		return FP_GREEN;
	bpf_spin_lock(&pl->lock);
	fp_pol_refill(pl, now);
	colour = fp_pol_mark(pl, fp_pol_input_colour(pl, p->tos), len);
	remark = colour == FP_YELLOW && (pl->flags & FP_POL_F_REMARK);
	dscp = pl->yellow_dscp;
	bpf_spin_unlock(&pl->lock);

	if (id < FP_MAX_POL)
		fp_stats_array(&stats_pol, id * FP_COLOURS + colour, (__u32)len);
	if (remark && fp_set_dscp(data, data_end, p, dscp))
		return FP_RED;
	return colour;
}

#endif /* FP_POLICER_H */
