/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* l3.h - flow hash, LPM routes per zone, ECMP next hops, TTL / hop-limit decrement. */
#ifndef FP_L3_H
#define FP_L3_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include "maps.h"
#include "csum.h"
#include "parse.h"

#define FP_HASH_SEED	0x2545f491U

static __always_inline __u32 fp_rotl32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

/* One MurmurHash3 round. */
static __always_inline __u32 fp_hash_word(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51U;
	k = fp_rotl32(k, 15);
	k *= 0x1b873593U;
	h ^= k;
	h = fp_rotl32(h, 13);
	return h * 5 + 0xe6546b64U;
}

/* Hash of the 5-tuple + zone: the same for every packet of a flow, in TC and XDP. */
static __always_inline __u32 fp_flow_hash(const struct fp_flow_key *k)
{
	__u32 h = FP_HASH_SEED;
	int i;

	for (i = 0; i < 4; i++) {
		h = fp_hash_word(h, k->saddr[i]);
		h = fp_hash_word(h, k->daddr[i]);
	}
	h = fp_hash_word(h, ((__u32)k->sport_be << 16) | k->dport_be);
	h = fp_hash_word(h, ((__u32)k->zone << 16) | ((__u32)k->proto << 8) | k->family);
	h ^= sizeof(*k);
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

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

/* The next-hop id for this flow: hash mod the group size. */
static __always_inline __u32 fp_ecmp_pick(const struct fp_route *rt, __u32 hash)
{
	__u32 n = rt->nh_count;

	if (n <= 1 || n > FP_ECMP_MAX)
		return rt->nh[0];
	/* Constant indices: the verifier cannot bound a computed one after the modulo. */
	switch (hash % n) {
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
