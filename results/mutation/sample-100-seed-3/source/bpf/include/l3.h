/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* l3.h - LPM routes per zone, ECMP next hops, TTL / hop-limit decrement. */
#ifndef FP_L3_H
#define FP_L3_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include "common.h"
#include "csum.h"
#include "stats.h"

#define FP_ECMP_MAX   4
#define FP_MAX_RT_V4  32768
#define FP_MAX_RT_V6  2048
#define FP_MAX_ROUTES (FP_MAX_RT_V4 + FP_MAX_RT_V6)
#define FP_MAX_NH     4096

/* rt_v4 / rt_v6 (LPM): prefixlen = 32 (zone) + address prefix length. */
struct fp_rt4_key {
	__u32 prefixlen;
	__u32 zone_be;
	__u32 addr;
};

struct fp_rt6_key {
	__u32 prefixlen;
	__u32 zone_be;
	__u32 addr[4];
};

#define FP_RT_F_LOCAL (1U << 0) /* deliver to the host stack */

struct fp_route {
	__u32 route_id;	       /* index into stats_route */
	__u16 flags;	       /* FP_RT_F_* */
	__u16 nh_count;	       /* 1..FP_ECMP_MAX unless local */
	__u32 nh[FP_ECMP_MAX]; /* indices into nh */
};

#define FP_NH_F_VALID (1U << 0) /* neighbour resolved */

/* nh (array): next hop id -> neighbour MAC, our MAC, out interface, vlan. */
struct fp_nh {
	__u8 dmac[FP_ETH_ALEN];
	__u8 smac[FP_ETH_ALEN];
	__u32 ifindex;
	__u16 vlan;
	__u16 flags; /* FP_NH_F_* */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FP_MAX_RT_V4);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fp_rt4_key);
	__type(value, struct fp_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rt_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FP_MAX_RT_V6);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fp_rt6_key);
	__type(value, struct fp_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rt_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_NH);
	__type(key, __u32);
	__type(value, struct fp_nh);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nh SEC(".maps");

/* key: route_id. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_MAX_ROUTES);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_route SEC(".maps");

/* key: next-hop id. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_MAX_NH);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_nh SEC(".maps");

static __always_inline struct fp_route *fp_route_lookup(const struct fp_pkt *p)
{
	if (p->key.family == 4) {
		struct fp_rt4_key k = {
			.prefixlen = 64,
			.zone_be = bpf_htonl(p->key.zone),
			.addr = p->key.daddr[0],
		};

		return bpf_map_lookup_elem(&rt_v4, &k);
	}
	struct fp_rt6_key k6 = {
		.prefixlen = 160,
		.zone_be = bpf_htonl(p->key.zone),
	};

	__builtin_memcpy(k6.addr, p->key.daddr, sizeof(k6.addr));
	return bpf_map_lookup_elem(&rt_v6, &k6);
}

/* The next-hop id for this flow: its hash mod the group size (hashed only for a group). */
static __always_inline __u32 fp_ecmp_pick(const struct fp_route *rt, const struct fp_flow_key *k)
{
	__u32 n = rt->nh_count;

	if (n <= 1 || n > FP_ECMP_MAX)
		return rt->nh[0];
	/* Constant indices: the verifier cannot bound a computed one after the modulo. */
	switch (fp_flow_hash(k) % n) {
	case 1:
		return rt->nh[1];
	case 2:
		return rt->nh[2];
	case 3:
		return rt->nh[3];
	default:
		return rt->nh[0];
	}
}

/*
 * Decrements TTL (IPv4, header checksum by RFC 1624) or hop limit at p->l3_off; 0 or -1.
 * Used by TC and XDP alike. In TC the checksum is updated in place rather than with
 * bpf_l3_csum_replace: the IPv4 header checksum is never offloaded (no CHECKSUM_PARTIAL
 * state to respect), the result is the same bytes, and the helper call measured ~30 ns
 * more per packet on the fast path.
 */
static __always_inline int fp_dec_ttl(void *data, void *data_end, const struct fp_pkt *p)
{
	if (p->key.family == 4) {
		struct iphdr *ip = fp_hdr(data, data_end, p->l3_off, sizeof(*ip));
		__be16 old;

		if (!ip)
			return -1;
		old = *(__be16 *)&ip->ttl;
		ip->ttl--;
		ip->check = fp_csum_replace2(ip->check, old, *(__be16 *)&ip->ttl);
		return 0;
	}
	struct ipv6hdr *ip6 = fp_hdr(data, data_end, p->l3_off, sizeof(*ip6));

	if (!ip6)
		return -1;
	ip6->hop_limit--;
	return 0;
}

#endif /* FP_L3_H */
