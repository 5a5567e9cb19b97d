/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * ct.h - connection tracking: the two entries of a connection and the per-protocol
 * state machines. States are documented in bpf/README.md (Connection tracking).
 */
#ifndef FP_CT_H
#define FP_CT_H

#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include "lb_maps.h"
#include "parse.h"

#define FP_TCP_FIN	0x01
#define FP_TCP_SYN	0x02
#define FP_TCP_RST	0x04
#define FP_TCP_ACK	0x10

#define FP_SCTP_INIT		1
#define FP_SCTP_INIT_ACK	2
#define FP_SCTP_ABORT		6
#define FP_SCTP_SHUTDOWN	7
#define FP_SCTP_SHUTDOWN_ACK	8
#define FP_SCTP_COOKIE_ECHO	10
#define FP_SCTP_COOKIE_ACK	11
#define FP_SCTP_SHUTDOWN_COMPLETE 14

enum fp_ct_verdict {
	FP_CTV_FWD = 0,		/* forward, connection continues */
	FP_CTV_DROP,		/* breaks the state machine */
	FP_CTV_CLOSE,		/* forward, then delete both entries */
};

struct fp_tcp_info {
	__u32 seq;
	__u32 ack;
	__u32 plen;	/* payload bytes */
};

static __always_inline int fp_tcp_info(void *data, void *data_end, const struct fp_pkt *p,
				       struct fp_tcp_info *t)
{
	__u8 *h = fp_hdr(data, data_end, p->l4_off, 20);
	__u32 doff;

	if (!h)
		return -1;
	t->seq = bpf_ntohl(*(__be32 *)(h + 4));
	t->ack = bpf_ntohl(*(__be32 *)(h + 8));
	doff = (h[12] >> 4) * 4;
	t->plen = p->l4_end - p->l4_off - doff;
	return 0;
}

/* The initiate tag of an INIT / INIT-ACK chunk (right after the chunk header). */
static __always_inline int fp_sctp_init_tag(void *data, void *data_end, const struct fp_pkt *p,
					    __u32 *tag)
{
	__be32 *h = fp_hdr(data, data_end, p->l4_off + 16, 4);

	if (!h)
		return -1;
	*tag = bpf_ntohl(*h);
	return 0;
}

/* A TCP packet of direction dir (0 original, 1 reply) against the connection c. */
static __always_inline int fp_ct_tcp(struct fp_ct *c, __u32 dir, const struct fp_pkt *p,
				     const struct fp_tcp_info *t)
{
	__u8 f = p->tcp_flags;
	int syn = f & FP_TCP_SYN, ack = f & FP_TCP_ACK;

	if (f & FP_TCP_RST)
		return FP_CTV_CLOSE;
	switch (c->state) {
	case FP_CT_SYN_SENT:
		if (dir == 0) {
			if (syn && !ack) {
				c->seq[0] = t->seq + 1;
				return FP_CTV_FWD;
			}
			/* DSR: replies bypass us, the client's ACK confirms the handshake. */
			if ((c->flags & FP_CT_F_DSR) && ack) {
				c->state = FP_CT_ESTABLISHED;
				return FP_CTV_FWD;
			}
			return FP_CTV_DROP;
		}
		if (syn && ack && t->ack == c->seq[0]) {
			c->seq[1] = t->seq + 1;
			c->state = FP_CT_SYN_RECV;
			return FP_CTV_FWD;
		}
		return FP_CTV_DROP;
	case FP_CT_SYN_RECV:
		if (dir == 1)
			return (syn && ack && t->ack != c->seq[0]) ? FP_CTV_DROP : FP_CTV_FWD;
		if (syn)
			return FP_CTV_FWD;
		if (!ack || t->ack != c->seq[1])
			return FP_CTV_DROP;
		c->state = FP_CT_ESTABLISHED;
		break;
	case FP_CT_ESTABLISHED:
	case FP_CT_FIN_WAIT:
	case FP_CT_CLOSING:
		if (syn)
			return FP_CTV_DROP;
		break;
	default:
		return FP_CTV_DROP;
	}
	/* Established or closing: track FINs and the ACKs of FINs. */
	if (ack) {
		__u32 other = dir ^ 1;

		if ((c->fin & (1U << other)) && t->ack == c->seq[other & 1])
			c->fin |= 1U << (other + 2);
	}
	if (f & FP_TCP_FIN) {
		c->fin |= 1U << dir;
		c->seq[dir & 1] = t->seq + t->plen + 1;
	}
	if ((c->fin & 3) == 3)
		c->state = FP_CT_CLOSING;
	else if (c->fin & 3)
		c->state = FP_CT_FIN_WAIT;
	if ((c->fin & 0xf) == 0xf)
		return FP_CTV_CLOSE;
	return FP_CTV_FWD;
}

/* UDP and ICMP echo: a reply establishes; more than 4 one way is unidirectional. */
static __always_inline int fp_ct_dgram(struct fp_ct *c, __u32 dir)
{
	if (dir == 1) {
		c->state = FP_CT_ESTABLISHED;
		return FP_CTV_FWD;
	}
	c->pkts++;
	if (c->state == FP_CT_UDP_NEW && c->pkts > 4)
		c->state = FP_CT_UDP_UNIDIR;
	return FP_CTV_FWD;
}

/*
 * SCTP: packets towards a peer carry that peer's initiate tag (seq[d] is the tag
 * direction d announced), INIT carries 0.
 */
static __always_inline int fp_ct_sctp(struct fp_ct *c, __u32 dir, const struct fp_pkt *p,
				      void *data, void *data_end)
{
	__u32 want = c->seq[(dir ^ 1) & 1];
	__u8 chunk = p->sctp_chunk;
	__u32 tag;

	if (chunk == FP_SCTP_INIT) {
		if (dir != 0 || p->sctp_vtag != 0 || c->state != FP_CT_SCTP_INIT ||
		    fp_sctp_init_tag(data, data_end, p, &tag))
			return FP_CTV_DROP;
		c->seq[0] = tag;
		return FP_CTV_FWD;
	}
	if (p->sctp_vtag != want)
		return FP_CTV_DROP;
	switch (chunk) {
	case FP_SCTP_ABORT:
	case FP_SCTP_SHUTDOWN_COMPLETE:
		return FP_CTV_CLOSE;
	case FP_SCTP_INIT_ACK:
		if (dir != 1 || c->state != FP_CT_SCTP_INIT ||
		    fp_sctp_init_tag(data, data_end, p, &tag))
			return FP_CTV_DROP;
		c->seq[1] = tag;
		c->state = FP_CT_SCTP_INIT_ACK;
		return FP_CTV_FWD;
	case FP_SCTP_COOKIE_ECHO:
		if (dir != 0)
			return FP_CTV_DROP;
		if (c->state == FP_CT_SCTP_INIT_ACK)
			c->state = FP_CT_SCTP_COOKIE_ECHO;
		return FP_CTV_FWD;
	case FP_SCTP_COOKIE_ACK:
		if (dir != 1)
			return FP_CTV_DROP;
		if (c->state == FP_CT_SCTP_COOKIE_ECHO)
			c->state = FP_CT_ESTABLISHED;
		return FP_CTV_FWD;
	case FP_SCTP_SHUTDOWN:
		c->state = FP_CT_SCTP_SHUTDOWN;
		return FP_CTV_FWD;
	case FP_SCTP_SHUTDOWN_ACK:
		c->state = FP_CT_SCTP_SHUTDOWN_ACK;
		return FP_CTV_FWD;
	default:
		if (c->state < FP_CT_ESTABLISHED || c->state == FP_CT_SCTP_COOKIE_ECHO)
			return FP_CTV_DROP;
		return FP_CTV_FWD;
	}
}

/* The state a new connection starts in, or FP_CT_NONE when the packet cannot open one. */
static __always_inline __u8 fp_ct_initial(const struct fp_pkt *p, __u16 *flags)
{
	switch (p->key.proto) {
	case IPPROTO_TCP:
		if (p->tcp_flags & (FP_TCP_RST | FP_TCP_FIN))
			return FP_CT_NONE;
		if ((p->tcp_flags & (FP_TCP_SYN | FP_TCP_ACK)) == FP_TCP_SYN)
			return FP_CT_SYN_SENT;
		if (p->tcp_flags & FP_TCP_SYN)
			return FP_CT_NONE;
		/* Mid-stream: picked up as established (see bpf/README.md). */
		*flags |= FP_CT_F_PICKUP;
		return FP_CT_ESTABLISHED;
	case IPPROTO_UDP:
		return FP_CT_UDP_NEW;
	case IPPROTO_SCTP:
		return p->sctp_chunk == FP_SCTP_INIT ? FP_CT_SCTP_INIT : FP_CT_NONE;
	case IPPROTO_ICMP:
		return p->icmp_type == FP_ICMP_ECHO ? FP_CT_UDP_NEW : FP_CT_NONE;
	case IPPROTO_ICMPV6:
		return p->icmp_type == FP_ICMP6_ECHO_REQUEST ? FP_CT_UDP_NEW : FP_CT_NONE;
	default:
		return FP_CT_NONE;
	}
}

#endif /* FP_CT_H */
