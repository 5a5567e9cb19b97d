/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * icmp_err.h - ICMP / ICMPv6 errors about a tracked connection, translated back.
 *
 * The embedded header is a packet of the connection as it looked after our NAT; its
 * tuple reversed is the key of the CT entry for the direction the error travels. That
 * entry's translation is applied to the outer destination (and to the outer source when
 * it is the connection's own end), and its inverse to the embedded header, so the error
 * reaches the real peer describing the packet that peer sent. Every checksum involved
 * (outer IPv4, embedded IPv4, embedded TCP/UDP when present, ICMP / ICMPv6 with its
 * pseudo-header) is updated incrementally from the changed words. ICMP errors are made
 * by kernels with full checksums, so they are updated in place.
 */
#ifndef FP_ICMP_ERR_H
#define FP_ICMP_ERR_H

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include "common.h"
#include "csum.h"
#include "ct.h"

static __always_inline int fp_icmp_is_error(const struct fp_pkt *p)
{
	if (p->frag != FP_FRAG_NONE)
		return 0;
	if (p->key.family == 4 && p->key.proto == IPPROTO_ICMP)
		return p->icmp_type == 3 || p->icmp_type == 11 || p->icmp_type == 12;
	if (p->key.family == 6 && p->key.proto == IPPROTO_ICMPV6)
		return p->icmp_type >= 1 && p->icmp_type <= 4;
	return 0;
}

/* Translates the error in place; 0, or -1 when it is not about a tracked connection. */
static __always_inline int fp_icmp_error_nat(void *data, void *data_end, struct fp_pkt *p)
{
	struct fp_flow_key k = { .zone = p->key.zone, .family = p->key.family };
	__u32 in_l3 = p->l4_off + 8, in_l4, n = p->key.family == 4 ? 1 : 4;
	__u32 *in_src, *in_dst, *out_src, *out_dst, out_s[4] = {}, new_out_s[4];
	__u64 icmp = 0, outer = 0, inner_ip = 0, inner_l4 = 0;
	__u16 *icmp_check, *c;
	struct fp_ct *e;
	__u32 *ports, new_ports;
	__u8 proto;

	if (p->key.family == 4) {
		struct iphdr *in = fp_hdr(data, data_end, in_l3, sizeof(*in));
		struct iphdr *ip = fp_hdr(data, data_end, p->l3_off, sizeof(*ip));

		if (!in || !ip || in->ihl != 5)
			return -1;
		proto = in->protocol;
		in_l4 = in_l3 + 20;
		in_src = &in->saddr;
		in_dst = &in->daddr;
		out_src = &ip->saddr;
		out_dst = &ip->daddr;
	} else {
		struct ipv6hdr *in6 = fp_hdr(data, data_end, in_l3, sizeof(*in6));
		struct ipv6hdr *ip6 = fp_hdr(data, data_end, p->l3_off, sizeof(*ip6));

		if (!in6 || !ip6)
			return -1;
		proto = in6->nexthdr;
		in_l4 = in_l3 + 40;
		in_src = (__u32 *)&in6->saddr;
		in_dst = (__u32 *)&in6->daddr;
		out_src = (__u32 *)&ip6->saddr;
		out_dst = (__u32 *)&ip6->daddr;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_SCTP)
		return -1;
	ports = fp_hdr(data, data_end, in_l4, 4);
	icmp_check = fp_hdr(data, data_end, p->l4_off + 2, 2);
	if (!ports || !icmp_check)
		return -1;
	if (n == 1) {
		k.saddr[0] = in_dst[0];
		k.daddr[0] = in_src[0];
	} else {
		__builtin_memcpy(k.saddr, in_dst, 16);
		__builtin_memcpy(k.daddr, in_src, 16);
	}
	k.sport_be = (__u16)(*ports >> 16);
	k.dport_be = (__u16)*ports;
	k.proto = proto;
	e = bpf_map_lookup_elem(&ct, &k);
	if (!e || !(e->flags & (FP_CT_F_SNAT | FP_CT_F_DNAT)))
		return -1;

	/* Embedded header: back to what the peer receiving the error sent. */
	inner_ip = fp_csum_addr_swap(in_src, e->nat_daddr, n, 0);
	inner_ip = fp_csum_addr_swap(in_dst, e->nat_saddr, n, inner_ip);
	new_ports = ((__u32)e->nat_sport_be << 16) | e->nat_dport_be;
	inner_l4 = fp_csum_acc32(inner_ip, *ports, new_ports);
	icmp = inner_l4;
	*ports = new_ports;
	if (p->key.family == 4) {
		c = fp_hdr(data, data_end, in_l3 + 10, 2);
		if (!c)
			return -1;
		__u16 old = *c;

		*c = fp_csum_apply(old, fp_csum_fold64(inner_ip));
		icmp = fp_csum_acc16(icmp, old, *c);
	}
	/* The embedded L4 checksum, when the quoted bytes reach it. */
	c = 0;
	if (proto == IPPROTO_TCP)
		c = fp_hdr(data, data_end, in_l4 + 16, 2);
	else if (proto == IPPROTO_UDP)
		c = fp_hdr(data, data_end, in_l4 + 6, 2);
	if (c && !(proto == IPPROTO_UDP && *c == 0)) {
		__u16 old = *c;

		*c = fp_csum_apply(old, fp_csum_fold64(inner_l4));
		icmp = fp_csum_acc16(icmp, old, *c);
	}

	/* Outer header: towards the real peer, from the VIP when it came from our end. */
	if (n == 1)
		out_s[0] = out_src[0];
	else
		__builtin_memcpy(out_s, out_src, 16);
	if (out_s[0] == k.saddr[0] && out_s[1] == k.saddr[1] && out_s[2] == k.saddr[2] &&
	    out_s[3] == k.saddr[3])
		__builtin_memcpy(new_out_s, e->nat_saddr, sizeof(new_out_s));
	else
		__builtin_memcpy(new_out_s, out_s, sizeof(new_out_s));
	outer = fp_csum_addr_swap(out_src, new_out_s, n, 0);
	outer = fp_csum_addr_swap(out_dst, e->nat_daddr, n, outer);
	if (p->key.family == 4) {
		c = fp_hdr(data, data_end, p->l3_off + 10, 2);
		if (!c)
			return -1;
		*c = fp_csum_apply(*c, fp_csum_fold64(outer));
	} else {
		icmp += outer; /* ICMPv6 covers the pseudo-header */
	}
	*icmp_check = fp_csum_apply(*icmp_check, fp_csum_fold64(icmp));
	__builtin_memcpy(p->key.daddr, e->nat_daddr, 16);
	return 0;
}

#endif /* FP_ICMP_ERR_H */
