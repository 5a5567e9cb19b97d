/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * nat.h - address / port rewrite with incremental checksums, TC and XDP.
 *
 * A rewrite is the full post-NAT 5-tuple plus two precomputed one's complement sums:
 * csum_addr (address words: IPv4 header and the L4 pseudo-header) and csum_port (the
 * port word); a flow-cache value holds the same fields from nat_saddr on. Both hooks
 * update the checksums in place (csum.h), with no helper call. In TC the skb's checksum
 * state decides the L4 update: with CHECKSUM_PARTIAL (local senders over veth, GSO
 * super-packets) the field holds only the pseudo-header sum, so only the address change
 * goes in, uncomplemented, exactly as inet_proto_csum_replace_by_diff does with a pseudo
 * header; otherwise the field holds the full checksum and takes the whole change. The
 * IPv4 header checksum is never offloaded. skb->csum of a CHECKSUM_COMPLETE packet is
 * not adjusted: such a packet is redirected out (transmit ignores it), see README.
 * SCTP's CRC32c is updated by its linearity (csum.h) when the ports change.
 */
#ifndef FP_NAT_H
#define FP_NAT_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include "common.h"
#include "csum.h"

struct fp_rewrite {
	__u32 saddr[4];
	__u32 daddr[4];
	__u16 sport_be;
	__u16 dport_be;
	__u32 csum_addr;
	__u32 csum_port;
};

/* Fills the checksum sums of rw for a packet whose tuple is k. */
static __always_inline void fp_rewrite_sums(struct fp_rewrite *rw, const struct fp_flow_key *k)
{
	__u64 s = 0;
	int i, n = k->family == 4 ? 1 : 4;

#pragma unroll
	for (i = 0; i < 4; i++) {
		if (i < n) {
			s += (__u32)~k->saddr[i];
			s += rw->saddr[i];
			s += (__u32)~k->daddr[i];
			s += rw->daddr[i];
		}
	}
	rw->csum_addr = fp_csum_fold64(s);
	s = (__u32) ~(((__u32)k->dport_be << 16) | k->sport_be);
	s += ((__u32)rw->dport_be << 16) | rw->sport_be;
	rw->csum_port = fp_csum_fold64(s);
}

static __always_inline int fp_has_ports(const struct fp_pkt *p)
{
	return p->frag != FP_FRAG_LATER &&
	       (p->key.proto == IPPROTO_TCP || p->key.proto == IPPROTO_UDP ||
		p->key.proto == IPPROTO_SCTP);
}

/* Writes addresses and ports; the checksums are the caller's. */
static __always_inline int fp_nat_write(void *data, void *data_end, const struct fp_pkt *p,
					const struct fp_rewrite *rw)
{
	if (p->key.family == 4) {
		__u32 *a = fp_hdr(data, data_end, p->l3_off + 12, 8);

		if (!a)
			return -1;
		a[0] = rw->saddr[0];
		a[1] = rw->daddr[0];
	} else {
		__u32 *a = fp_hdr(data, data_end, p->l3_off + 8, 32);

		if (!a)
			return -1;
		__builtin_memcpy(a, rw->saddr, 16);
		__builtin_memcpy(a + 4, rw->daddr, 16);
	}
	if (fp_has_ports(p)) {
		__u16 *ports = fp_hdr(data, data_end, p->l4_off, 4);

		if (!ports)
			return -1;
		ports[0] = rw->sport_be;
		ports[1] = rw->dport_be;
	}
	return 0;
}

/* SCTP: CRC32c field xor the CRC of the port change (a no-op if ports are kept). */
static __always_inline int fp_nat_sctp(void *data, void *data_end, const struct fp_pkt *p,
				       const struct fp_rewrite *rw)
{
	__u32 d, *crc;

	if (p->key.proto != IPPROTO_SCTP || p->frag == FP_FRAG_LATER)
		return 0;
	d = (((__u32)p->key.dport_be << 16) | p->key.sport_be) ^
	    (((__u32)rw->dport_be << 16) | rw->sport_be);
	if (!d)
		return 0;
	crc = fp_hdr(data, data_end, p->l4_off + 8, 4);
	if (!crc)
		return -1;
	*crc ^= fp_crc32c_delta(d, p->l4_end - p->l4_off);
	return 0;
}

/* The rewrite and its checksums, in place. l4_partial: the L4 checksum field holds only
 * the pseudo-header sum (TC's CHECKSUM_PARTIAL); XDP passes a constant 0, which the
 * inlining folds away. */
static __always_inline int fp_nat_apply(void *data, void *data_end, const struct fp_pkt *p,
					const struct fp_rewrite *rw, int l4_partial)
{
	__u32 off = fp_l4_csum_off(p);
	__u16 *c;

	if (fp_nat_write(data, data_end, p, rw) || fp_nat_sctp(data, data_end, p, rw))
		return -1;
	if (p->key.family == 4) {
		c = fp_hdr(data, data_end, p->l3_off + 10, 2);
		if (!c)
			return -1;
		*c = fp_csum_apply(*c, rw->csum_addr);
	}
	if (!off || p->frag == FP_FRAG_LATER)
		return 0;
	c = fp_hdr(data, data_end, p->l4_off + off, 2);
	if (!c)
		return -1;
	if (l4_partial) {
		*c = fp_csum_add_partial(*c, rw->csum_addr);
		return 0;
	}
	if (p->key.proto == IPPROTO_UDP && *c == 0)
		return 0;
	*c = fp_csum_apply(*c, p->key.proto == IPPROTO_ICMPV6 ?
				       rw->csum_addr :
				       fp_csum_fold64((__u64)rw->csum_addr + rw->csum_port));
	if (p->key.proto == IPPROTO_UDP && *c == 0)
		*c = 0xffff;
	return 0;
}

/* XDP: no offload state to respect. */
static __always_inline int fp_xdp_nat(void *data, void *data_end, const struct fp_pkt *p,
				      const struct fp_rewrite *rw)
{
	return fp_nat_apply(data, data_end, p, rw, 0);
}

static __always_inline int fp_tc_nat(struct __sk_buff *skb, const struct fp_pkt *p,
				     const struct fp_rewrite *rw)
{
	return fp_nat_apply((void *)(long)skb->data, (void *)(long)skb->data_end, p, rw,
			    fp_skb_csum_partial(skb));
}

#endif /* FP_NAT_H */
