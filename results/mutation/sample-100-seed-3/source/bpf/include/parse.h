/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * parse.h - the packet parser shared by the TC and XDP entries.
 *
 * Lengths are checked twice: against what the headers claim (a lie is a drop with a
 * reason) and against the linear data the program can read (a header that exists but
 * is not linear goes to the stack, which can handle it).
 */
#ifndef FP_PARSE_H
#define FP_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include "common.h"
#include "csum.h"

#define FP_IP6_EXT_MAX	      6 /* extension headers skipped at most */
#define FP_VLAN_META_PRESENT  (1U << 16)
#define FP_PORT_VXLAN	      4789
#define FP_PORT_VXLAN_LINUX   8472
#define FP_PORT_GTPU	      2152
#define FP_ICMP_ECHOREPLY     0
#define FP_ICMP_ECHO	      8
#define FP_ICMP6_ECHO_REQUEST 128
#define FP_ICMP6_ECHO_REPLY   129

enum fp_parse_result {
	FP_PARSE_OK = 0,
	FP_PARSE_STACK,
	FP_PARSE_DROP,
};

struct fp_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

static __always_inline int fp_parse_drop(struct fp_pkt *p, enum fp_drop_reason reason)
{
	p->reason = reason;
	return FP_PARSE_DROP;
}

static __always_inline int fp_parse_stack(struct fp_pkt *p, enum fp_path path)
{
	p->reason = path;
	return FP_PARSE_STACK;
}

static __always_inline void fp_parse_echo_id(struct fp_pkt *p, __be16 id)
{
	p->key.sport_be = id;
	p->key.dport_be = id;
}

static __always_inline int fp_parse_udp_tunnel(struct fp_pkt *p, void *data, void *data_end,
					       __u32 off, __u32 end)
{
	__u16 dport = bpf_ntohs(p->key.dport_be);
	__u8 *h;

	if (dport == FP_PORT_VXLAN || dport == FP_PORT_VXLAN_LINUX) {
		if (off + 8 > end)
			return FP_PARSE_OK;
		h = fp_hdr(data, data_end, off, 8);
		if (!h || !(h[0] & 0x08))
			return FP_PARSE_OK;
		p->tunnel = FP_TUN_VXLAN;
		p->tun_id = ((__u32)h[4] << 16) | ((__u32)h[5] << 8) | h[6];
		return FP_PARSE_OK;
	}
	if (dport == FP_PORT_GTPU) {
		if (off + 8 > end)
			return FP_PARSE_OK;
		h = fp_hdr(data, data_end, off, 8);
		if (!h || (h[0] >> 5) != 1)
			return FP_PARSE_OK;
		p->tunnel = FP_TUN_GTPU;
		p->tun_id = bpf_ntohl(*(__be32 *)(h + 4));
		/* PDU session container (type 0x85) as the first extension carries the QFI. */
		if (!(h[0] & 0x04) || off + 16 > end)
			return FP_PARSE_OK;
		h = fp_hdr(data, data_end, off, 16);
		if (h && h[11] == 0x85)
			p->gtp_qfi = h[14] & 0x3f;
	}
	return FP_PARSE_OK;
}

static __always_inline int fp_parse_l4(struct fp_pkt *p, void *data, void *data_end)
{
	__u32 off = p->l4_off;
	__u32 end = p->l4_end;
	__u8 *h;

	if (p->frag == FP_FRAG_LATER)
		return FP_PARSE_OK;

	switch (p->key.proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th;
		__u32 doff;

		if (off + sizeof(*th) > end)
			return fp_parse_drop(p, FP_DROP_TCP_TRUNC);
		th = fp_hdr(data, data_end, off, sizeof(*th));
		if (!th)
			return fp_parse_stack(p, FP_PATH_STACK_UNPARSED);
		doff = th->doff * 4;
		if (doff < sizeof(*th) || off + doff > end)
			return fp_parse_drop(p, FP_DROP_TCP_DOFF);
		p->key.sport_be = th->source;
		p->key.dport_be = th->dest;
		p->tcp_flags = ((__u8 *)th)[13];
		return FP_PARSE_OK;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh;
		__u32 ulen;

		if (off + sizeof(*uh) > end)
			return fp_parse_drop(p, FP_DROP_UDP_TRUNC);
		uh = fp_hdr(data, data_end, off, sizeof(*uh));
		if (!uh)
			return fp_parse_stack(p, FP_PATH_STACK_UNPARSED);
		ulen = bpf_ntohs(uh->len);
		/* A first fragment carries only part of the datagram its length covers. */
		if (ulen < sizeof(*uh) || (p->frag == FP_FRAG_NONE && off + ulen > end))
			return fp_parse_drop(p, FP_DROP_UDP_LEN);
		p->key.sport_be = uh->source;
		p->key.dport_be = uh->dest;
		return fp_parse_udp_tunnel(p, data, data_end, off + sizeof(*uh), end);
	}
	case IPPROTO_SCTP:
		/* common header (12) + first chunk header (4) */
		if (off + 16 > end)
			return fp_parse_drop(p, FP_DROP_SCTP_TRUNC);
		h = fp_hdr(data, data_end, off, 16);
		if (!h)
			return fp_parse_stack(p, FP_PATH_STACK_UNPARSED);
		p->key.sport_be = *(__be16 *)h;
		p->key.dport_be = *(__be16 *)(h + 2);
		p->sctp_vtag = bpf_ntohl(*(__be32 *)(h + 4));
		p->sctp_chunk = h[12];
		return FP_PARSE_OK;
	case IPPROTO_ICMP:
		if (p->key.family != 4)
			return FP_PARSE_OK;
		if (off + 8 > end)
			return fp_parse_drop(p, FP_DROP_ICMP_TRUNC);
		h = fp_hdr(data, data_end, off, 8);
		if (!h)
			return fp_parse_stack(p, FP_PATH_STACK_UNPARSED);
		p->icmp_type = h[0];
		p->icmp_code = h[1];
		if (h[0] == FP_ICMP_ECHO || h[0] == FP_ICMP_ECHOREPLY)
			fp_parse_echo_id(p, *(__be16 *)(h + 4));
		return FP_PARSE_OK;
	case IPPROTO_ICMPV6:
		if (p->key.family != 6)
			return FP_PARSE_OK;
		if (off + 8 > end)
			return fp_parse_drop(p, FP_DROP_ICMP6_TRUNC);
		h = fp_hdr(data, data_end, off, 8);
		if (!h)
			return fp_parse_stack(p, FP_PATH_STACK_UNPARSED);
		p->icmp_type = h[0];
		p->icmp_code = h[1];
		/* Router/neighbour solicitation and advertisement, redirect: the stack's. */
		if (h[0] >= 133 && h[0] <= 137)
			return fp_parse_stack(p, FP_PATH_STACK_NOT_IP);
		if (h[0] == FP_ICMP6_ECHO_REQUEST || h[0] == FP_ICMP6_ECHO_REPLY)
			fp_parse_echo_id(p, *(__be16 *)(h + 4));
		return FP_PARSE_OK;
	default:
		return FP_PARSE_OK;
	}
}

static __always_inline int fp_parse_ip4(struct fp_pkt *p, void *data, void *data_end, __u32 off)
{
	struct iphdr *ip;
	__u32 ihl, tot, frag;

	if (off + sizeof(*ip) > p->len)
		return fp_parse_drop(p, FP_DROP_IP4_TRUNC);
	ip = fp_hdr(data, data_end, off, sizeof(*ip));
	if (!ip)
		return fp_parse_stack(p, FP_PATH_STACK_UNPARSED);
	if (ip->version != 4)
		return fp_parse_drop(p, FP_DROP_IP4_VERSION);
	ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip))
		return fp_parse_drop(p, FP_DROP_IP4_IHL);
	tot = bpf_ntohs(ip->tot_len);
	if (tot < ihl)
		return fp_parse_drop(p, FP_DROP_IP4_LEN_SHORT);
	if (off + tot > p->len)
		return fp_parse_drop(p, FP_DROP_IP4_LEN_BEYOND);
	if (!fp_ip4_csum_ok(ip, data, data_end, off, ihl))
		return fp_parse_drop(p, FP_DROP_IP4_CSUM);

	frag = bpf_ntohs(ip->frag_off);
	if (frag & 0x1fff)
		p->frag = FP_FRAG_LATER;
	else if (frag & 0x2000)
		p->frag = FP_FRAG_FIRST;
	p->ttl = ip->ttl;
	p->tos = ip->tos;
	p->ipid = bpf_ntohs(ip->id);
	p->key.family = 4;
	p->key.proto = ip->protocol;
	p->key.saddr[0] = ip->saddr;
	p->key.daddr[0] = ip->daddr;
	p->l4_off = off + ihl;
	p->l4_end = off + tot;
	return fp_parse_l4(p, data, data_end);
}

static __always_inline int fp_ip6_is_ext(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_FRAGMENT || nexthdr == IPPROTO_AH;
}

static __always_inline int fp_parse_ip6(struct fp_pkt *p, void *data, void *data_end, __u32 off)
{
	struct ipv6hdr *ip6;
	__u32 end, i;
	__u8 nexthdr;
	__u8 *h;

	if (off + sizeof(*ip6) > p->len)
		return fp_parse_drop(p, FP_DROP_IP6_TRUNC);
	ip6 = fp_hdr(data, data_end, off, sizeof(*ip6));
	if (!ip6)
		return fp_parse_stack(p, FP_PATH_STACK_UNPARSED);
	if (ip6->version != 6)
		return fp_parse_drop(p, FP_DROP_IP6_VERSION);
	end = off + sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	if (end > p->len)
		return fp_parse_drop(p, FP_DROP_IP6_LEN_BEYOND);

	p->ttl = ip6->hop_limit;
	p->tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
	p->key.family = 6;
	__builtin_memcpy(p->key.saddr, &ip6->saddr, 16);
	__builtin_memcpy(p->key.daddr, &ip6->daddr, 16);
	nexthdr = ip6->nexthdr;
	off += sizeof(*ip6);

	for (i = 0; i < FP_IP6_EXT_MAX; i++) {
		__u32 len;

		if (!fp_ip6_is_ext(nexthdr))
			break;
		if (off + 8 > end)
			return fp_parse_drop(p, FP_DROP_IP6_EXT_TRUNC);
		h = fp_hdr(data, data_end, off, 8);
		if (!h)
			return fp_parse_stack(p, FP_PATH_STACK_UNPARSED);
		if (nexthdr == IPPROTO_FRAGMENT) {
			__u16 fo = bpf_ntohs(*(__be16 *)(h + 2));

			if (fo & 0xfff8)
				p->frag = FP_FRAG_LATER;
			else if (fo & 1)
				p->frag = FP_FRAG_FIRST;
			p->ipid = bpf_ntohl(*(__be32 *)(h + 4));
			len = 8;
		} else if (nexthdr == IPPROTO_AH) {
			len = ((__u32)h[1] + 2) * 4;
		} else {
			len = ((__u32)h[1] + 1) * 8;
		}
		nexthdr = h[0];
		off += len;
		if (off > end)
			return fp_parse_drop(p, FP_DROP_IP6_EXT_TRUNC);
	}
	if (fp_ip6_is_ext(nexthdr))
		return fp_parse_stack(p, FP_PATH_STACK_UNPARSED);

	p->key.proto = nexthdr;
	p->l4_off = off;
	p->l4_end = end;
	return fp_parse_l4(p, data, data_end);
}

/*
 * Parses one frame into p (cleared by fp_pkt_init). vlan_meta is FP_VLAN_META_PRESENT |
 * VID when the tag was taken out of the frame into skb metadata (TC), else 0.
 */
static __always_inline int fp_parse(struct fp_pkt *p, void *data, void *data_end, __u32 vlan_meta)
{
	struct ethhdr *eth;
	__be16 proto;
	__u32 off = sizeof(*eth);

	if (p->len < sizeof(*eth))
		return fp_parse_drop(p, FP_DROP_ETH_TRUNC);
	eth = fp_hdr(data, data_end, 0, sizeof(*eth));
	if (!eth)
		return fp_parse_stack(p, FP_PATH_STACK_UNPARSED);
	__builtin_memcpy(p->dmac, eth->h_dest, FP_ETH_ALEN);
	__builtin_memcpy(p->smac, eth->h_source, FP_ETH_ALEN);
	proto = eth->h_proto;

	if (vlan_meta & FP_VLAN_META_PRESENT)
		p->vlan = vlan_meta & 0xfff;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		struct fp_vlan_hdr *vh;

		/* A second tag (QinQ) is the stack's business. */
		if (vlan_meta & FP_VLAN_META_PRESENT)
			return fp_parse_stack(p, FP_PATH_STACK_NOT_IP);
		if (off + sizeof(*vh) > p->len)
			return fp_parse_drop(p, FP_DROP_VLAN_TRUNC);
		vh = fp_hdr(data, data_end, off, sizeof(*vh));
		if (!vh)
			return fp_parse_stack(p, FP_PATH_STACK_UNPARSED);
		p->vlan = bpf_ntohs(vh->tci) & 0xfff;
		p->vlan_in_frame = 1;
		proto = vh->proto;
		off += sizeof(*vh);
		if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD))
			return fp_parse_stack(p, FP_PATH_STACK_NOT_IP);
	}
	p->l3_proto_be = proto;
	p->l3_off = off;

	if (proto == bpf_htons(ETH_P_IP))
		return fp_parse_ip4(p, data, data_end, off);
	if (proto == bpf_htons(ETH_P_IPV6))
		return fp_parse_ip6(p, data, data_end, off);
	return fp_parse_stack(p, FP_PATH_STACK_NOT_IP);
}

#endif /* FP_PARSE_H */
