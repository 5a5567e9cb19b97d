/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * csum.h - every checksum the datapath computes, verifies or updates: the Internet
 * checksum (RFC 1071 sums, RFC 1624 incremental updates) of IPv4 headers and of L4
 * headers with their pseudo-header, the skb's checksum offload state, and the SCTP
 * CRC32c change under a port rewrite.
 */
#ifndef FP_CSUM_H
#define FP_CSUM_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>
#include "common.h"
#include "crc32c_tables.h"

/* A 64-bit one's complement sum folded to 32 bits. */
static __always_inline __u32 fp_csum_fold64(__u64 s)
{
	s = (s & 0xffffffffULL) + (s >> 32);
	s = (s & 0xffffffffULL) + (s >> 32);
	return (__u32)s;
}

static __always_inline __u16 fp_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one changed 16-bit word. Works on
 * network-order values because one's complement addition is byte-order neutral. */
static __always_inline __u16 fp_csum_replace2(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~old;
	sum += new;
	return (__u16)~fp_csum_fold(sum);
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

static __always_inline __u16 fp_csum_add_partial(__u16 check, __u32 sum)
{
	__u64 s = check;

	s += sum;
	s = fp_csum_fold64(s);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* acc += the one's complement change of one 32-bit word. */
static __always_inline __u64 fp_csum_acc32(__u64 acc, __u32 old, __u32 new)
{
	return acc + (__u32)~old + new;
}

static __always_inline __u64 fp_csum_acc16(__u64 acc, __u16 old, __u16 new)
{
	return acc + (__u16)~old + new;
}

/* Rewrites n address words at a, accumulating the change. */
static __always_inline __u64 fp_csum_addr_swap(__u32 *a, const __u32 *new, int n, __u64 acc)
{
	int i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		if (i < n) {
			acc = fp_csum_acc32(acc, a[i], new[i]);
			a[i] = new[i];
		}
	}
	return acc;
}

/* The header checksum of a new option-less IPv4 header (its check field 0). */
static __always_inline __u16 fp_ip4_header_csum(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;
	int i;

	for (i = 0; i < (int)(sizeof(*ip) / 2); i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/*
 * RFC 1071 over the IPv4 header: a header that does not sum to 0xffff is dropped, as
 * ip_rcv() does, so a corrupted header is never forwarded with its checksum patched
 * into looking right. The first 20 bytes are in bounds already; options are read four
 * bytes at a time.
 */
static __always_inline int fp_ip4_csum_ok(const struct iphdr *ip, void *data, void *data_end,
					  __u32 off, __u32 ihl)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;
	__u32 i;
	__u16 *opt;

#pragma unroll
	for (i = 0; i < 10; i++)
		sum += w[i];
	for (i = 20; i < 60; i += 4) {
		if (i >= ihl)
			break;
		opt = fp_hdr(data, data_end, off + i, 4);
		if (!opt)
			return 0;
		sum += opt[0];
		sum += opt[1];
	}
	return fp_csum_fold(sum) == 0xffff;
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

/* True when the TCP/UDP checksum field holds the folded pseudo-header sum (what Linux
 * writes for CHECKSUM_PARTIAL) or the SCTP CRC is 0; fragments carry complete sums. */
static __always_inline int fp_l4_csum_partial(void *data, void *data_end, const struct fp_pkt *p)
{
	__u32 off, i, n = p->key.family == 4 ? 1 : 4;
	__u16 *field;
	__u64 s;

	if (p->frag != FP_FRAG_NONE)
		return 0;
	if (p->key.proto == IPPROTO_SCTP) {
		__u32 *crc = fp_hdr(data, data_end, p->l4_off + 8, 4);

		return !crc || *crc == 0;
	}
	/* ICMPv6 checksums are never offloaded: complete. */
	off = fp_l4_csum_off(p);
	if (!off || p->key.proto == IPPROTO_ICMPV6)
		return 0;
	field = fp_hdr(data, data_end, p->l4_off + off, 2);
	if (!field)
		return 1;
	s = bpf_htons((__u16)p->key.proto) + bpf_htons((__u16)(p->l4_end - p->l4_off));
#pragma unroll
	for (i = 0; i < 4; i++) {
		if (i < n)
			s += (__u64)p->key.saddr[i] + p->key.daddr[i];
	}
	return *field == fp_csum_fold(fp_csum_fold64(s));
}

/* TC's checksum offload state. */
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

/* The one sk_buff field we read (CO-RE: its place comes from the running kernel). */
struct sk_buff___fp {
	__u8 ip_summed : 2;
} __attribute__((preserve_access_index));

#define FP_CHECKSUM_PARTIAL 3

/*
 * The L4 checksum field holds only the pseudo-header sum (CHECKSUM_PARTIAL: local
 * senders over veth, GSO super-packets). ip_summed is read through bpf_cast_to_kern_ctx
 * (a cast the verifier turns into nothing) instead of letting bpf_l4_csum_replace find
 * out: two helper calls cost ~100 ns per packet, this costs a load.
 */
static __always_inline int fp_skb_csum_partial(struct __sk_buff *skb)
{
	struct sk_buff___fp *k = bpf_cast_to_kern_ctx(skb);

	return BPF_CORE_READ_BITFIELD(k, ip_summed) == FP_CHECKSUM_PARTIAL;
}

/*
 * The SCTP CRC32c change caused by rewriting ports, in one program.
 *
 * CRC32c is affine: for two messages of the same length, crc(A) ^ crc(B) equals the
 * raw CRC (init 0, no final xor) of A ^ B. A port rewrite makes A ^ B the 4 changed
 * bytes followed by len - 4 zero bytes, so the new checksum is the old one xor the raw
 * CRC of that: the port difference pushed through len bytes of zeros. No packet bytes
 * are read, so it works on non-linear skbs, and no chain of tail calls is needed: the
 * zeros are consumed four at a time (slicing-by-4 tables), inline for short packets and
 * in a bpf_loop beyond.
 */
#define FP_CRC_MAX_WORDS    (65536 / 4)
#define FP_CRC_INLINE_WORDS 16

static __always_inline __u32 fp_crc32c_zero_word(__u32 c)
{
	return fp_crc32c_tbl[3][c & 0xff] ^ fp_crc32c_tbl[2][(c >> 8) & 0xff] ^
	       fp_crc32c_tbl[1][(c >> 16) & 0xff] ^ fp_crc32c_tbl[0][c >> 24];
}

static long fp_crc32c_zero_step(__u64 index, void *ctx)
{
	__u32 *c = ctx;

	*c = fp_crc32c_zero_word(*c);
	return 0;
}

/* diff: the xor of old and new port words as they lie in memory; len: SCTP bytes. */
static __always_inline __u32 fp_crc32c_delta(__u32 diff, __u32 len)
{
	__u32 words = (len >> 2) & (FP_CRC_MAX_WORDS - 1);
	__u32 c = diff;
	__u32 i;

	/* Small packets (DATA, SACK, HEARTBEAT) inline: a bpf_loop callback costs ~10 ns a
	 * word; longer ones hand the rest to bpf_loop. */
	for (i = 0; i < FP_CRC_INLINE_WORDS; i++) {
		if (i >= words)
			break;
		c = fp_crc32c_zero_word(c);
	}
	if (words > FP_CRC_INLINE_WORDS)
		bpf_loop(words - FP_CRC_INLINE_WORDS, fp_crc32c_zero_step, &c, 0);
	for (i = 0; i < 3; i++) {
		if (i < (len & 3))
			c = (c >> 8) ^ fp_crc32c_tbl[0][c & 0xff];
	}
	return c;
}

#endif /* FP_CSUM_H */
