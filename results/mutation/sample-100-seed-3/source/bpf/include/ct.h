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
#include "common.h"
#include "parse.h"

#define FP_MAX_CT   (512 * 1024)
#define FP_MAX_FRAG 8192

/* Connection states, one enum for every protocol (decoded by the CT dump). */
enum fp_ct_state {
	FP_CT_NONE = 0,
	FP_CT_SYN_SENT,		 /* TCP: SYN seen */
	FP_CT_SYN_RECV,		 /* TCP: SYN-ACK acking the SYN */
	FP_CT_ESTABLISHED,	 /* all: both directions confirmed */
	FP_CT_FIN_WAIT,		 /* TCP: FIN from one side */
	FP_CT_CLOSING,		 /* TCP: FIN from both sides, last ACK pending */
	FP_CT_UDP_NEW,		 /* UDP / ICMP echo: first packet(s) one way */
	FP_CT_UDP_UNIDIR,	 /* UDP: more than 4 packets one way, no reply */
	FP_CT_SCTP_INIT,	 /* SCTP: INIT seen (tag stored) */
	FP_CT_SCTP_INIT_ACK,	 /* SCTP: INIT-ACK with the right vtag */
	FP_CT_SCTP_COOKIE_ECHO,	 /* SCTP: COOKIE-ECHO with the right vtag */
	FP_CT_SCTP_SHUTDOWN,	 /* SCTP: SHUTDOWN sent */
	FP_CT_SCTP_SHUTDOWN_ACK, /* SCTP: SHUTDOWN-ACK sent */
	FP_CT_STATE_MAX
};

#define FP_CT_F_REPLY  (1U << 0) /* this entry is the reply direction */
#define FP_CT_F_SNAT   (1U << 1) /* rewrite source address / port */
#define FP_CT_F_DNAT   (1U << 2) /* rewrite destination address / port */
#define FP_CT_F_DSR    (1U << 3) /* no L3/L4 rewrite: route towards nat_daddr */
#define FP_CT_F_PICKUP (1U << 4) /* TCP picked up mid-stream */
#define FP_CT_F_IPIP   (1U << 5) /* with DSR: IPIP to nat_daddr from nat_saddr */

/*
 * ct (LRU): one entry per direction, keyed by the packet's own 5-tuple + zone (the
 * fp_flow_key of common.h). The connection state lives in the original direction's
 * entry; the reply entry points at it through peer.
 */
struct fp_ct {
	__u64 seen_ns;		 /* bpf_ktime_get_coarse_ns of the last slow-path packet */
	struct fp_flow_key peer; /* the other direction's key */
	__u32 nat_saddr[4];	 /* rewrite applied to this direction (per flags) */
	__u32 nat_daddr[4];
	__u16 nat_sport_be;
	__u16 nat_dport_be;
	__u16 flags; /* FP_CT_F_* */
	__u8 state;  /* enum fp_ct_state (original entry) */
	__u8 fin;    /* TCP: bit d = FIN from direction d; bit d+2 = that FIN acked */
	__u32 rule_id;
	__u32 ep;      /* endpoint index in the rule */
	__u32 seq[2];  /* TCP: ack expected from direction d; SCTP: init tag of d */
	__u32 pkts;    /* UDP / ICMP: packets in the original direction */
	__u32 policer; /* original entry: the rule's policer id (0 = none) */
};

/* ct_frag (LRU): later IPv4 / IPv6 fragments follow the first one's CT entry. */
struct fp_frag_key {
	__u32 saddr[4];
	__u32 daddr[4];
	__u32 id;
	__u16 zone;
	__u8 proto;
	__u8 family;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FP_MAX_CT);
	__type(key, struct fp_flow_key);
	__type(value, struct fp_ct);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FP_MAX_FRAG);
	__type(key, struct fp_frag_key);
	__type(value, struct fp_flow_key);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ct_frag SEC(".maps");

#define FP_TCP_FIN 0x01
#define FP_TCP_SYN 0x02
#define FP_TCP_RST 0x04
#define FP_TCP_ACK 0x10

#define FP_SCTP_INIT		  1
#define FP_SCTP_INIT_ACK	  2
#define FP_SCTP_ABORT		  6
#define FP_SCTP_SHUTDOWN	  7
#define FP_SCTP_SHUTDOWN_ACK	  8
#define FP_SCTP_COOKIE_ECHO	  10
#define FP_SCTP_COOKIE_ACK	  11
#define FP_SCTP_SHUTDOWN_COMPLETE 14

enum fp_ct_verdict {
	FP_CTV_FWD = 0, /* forward, connection continues */
	FP_CTV_DROP,	/* breaks the state machine */
	FP_CTV_CLOSE,	/* forward, then delete both entries */
};

struct fp_tcp_info {
	__u32 seq;
	__u32 ack;
	__u32 plen; /* payload bytes */
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
