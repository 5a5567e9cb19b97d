/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * nat.h - address / port rewrite with incremental checksums, TC and XDP.
 *
 * A rewrite is the full post-NAT 5-tuple plus two precomputed one's complement sums:
 * csum_addr (address words: IPv4 header and the L4 pseudo-header) and csum_port (the
 * port word). TC applies them with bpf_l3_csum_replace / bpf_l4_csum_replace so the
 * skb's checksum state is respected: with CHECKSUM_PARTIAL (local senders over veth,
 * GSO super-packets) the L4 field holds only the pseudo-header sum, so the address
 * sum goes in with BPF_F_PSEUDO_HDR and the kernel leaves the port sum out. SCTP's
 * CRC32c is updated by its linearity (sctp_crc.h) when the ports change.
 */
#ifndef FP_NAT_H
#define FP_NAT_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "types.h"
#include "parse.h"
#include "sctp_crc.h"
#include <bpf/bpf_core_read.h>

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

/* The one sk_buff field we read (CO-RE: its place comes from the running kernel). */
struct sk_buff___fp {
	__u8 ip_summed:2;
} __attribute__((preserve_access_index));

#define FP_CHECKSUM_PARTIAL	3

struct fp_rewrite {
	__u32 saddr[4];
	__u32 daddr[4];
	__u16 sport_be;
	__u16 dport_be;
	__u32 csum_addr;
	__u32 csum_port;
};

static __always_inline __u32 fp_csum_fold64(__u64 s)
{
	s = (s & 0xffffffffULL) + (s >> 32);
	s = (s & 0xffffffffULL) + (s >> 32);
	return (__u32)s;
}

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
	s = (__u32)~(((__u32)k->dport_be << 16) | k->sport_be);
	s += ((__u32)rw->dport_be << 16) | rw->sport_be;
	rw->csum_port = fp_csum_fold64(s);
}

/* Offset of the L4 checksum from the L4 header, 0 = none to update by sum. */
static __always_inline __u32 fp_l4_csum_off(const struct fp_pkt *p)
{
	switch (p->key.proto) {
	case IPPROTO_TCP:
		return 16;
	case IPPROTO_UDP:
		return 6;
	case IPPROTO_ICMPV6:
		return 2;
	default:
		return 0;
	}
}

static __always_inline int fp_has_ports(const struct fp_pkt *p)
{
	return p->frag != FP_FRAG_LATER && (p->key.proto == IPPROTO_TCP ||
		p->key.proto == IPPROTO_UDP || p->key.proto == IPPROTO_SCTP);
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

/* ~(~check + sum), folded; the same arithmetic as the kernel's csum_replace_by_diff. */
static __always_inline __u16 fp_csum_apply(__u16 check, __u32 sum)
{
	__u64 s = (__u16)~check;

	s += sum;
	s = fp_csum_fold64(s);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/*
 * TC: the skb's checksum state decides the L4 update. ip_summed is read through
 * bpf_cast_to_kern_ctx (a cast the verifier turns into nothing) instead of letting
 * bpf_l4_csum_replace find out: two helper calls cost ~100 ns per packet here, this
 * costs a load. CHECKSUM_PARTIAL (local senders over veth, GSO super-packets): the
 * field holds the pseudo-header sum, only the address change goes in, uncomplemented,
 * exactly as inet_proto_csum_replace_by_diff does with a pseudo header. Otherwise the
 * field holds the full checksum and takes the whole change. The IPv4 header checksum is
 * never offloaded and is updated in place. skb->csum of a CHECKSUM_COMPLETE packet is
 * not adjusted: such a packet is redirected out (transmit ignores it), see README.
 */
static __always_inline int fp_skb_csum_partial(struct __sk_buff *skb)
{
	struct sk_buff___fp *k = bpf_cast_to_kern_ctx(skb);

	return BPF_CORE_READ_BITFIELD(k, ip_summed) == FP_CHECKSUM_PARTIAL;
}

static __always_inline __u16 fp_csum_add_partial(__u16 check, __u32 sum)
{
	__u64 s = check;

	s += sum;
	s = fp_csum_fold64(s);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
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
	*c = fp_csum_apply(*c, p->key.proto == IPPROTO_ICMPV6 ? rw->csum_addr :
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
