/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * lb_types.h - map layouts of connection tracking and NAT / load balancing (issue 5).
 * Part of the ABI that src/datapath/lb-codecs.ts mirrors (checked against BTF at load).
 * Same conventions as types.h: host order unless _be, addresses network order.
 */
#ifndef FP_LB_TYPES_H
#define FP_LB_TYPES_H

#include <linux/types.h>

#define FP_LB_EP_MAX		64	/* endpoints per rule */
#define FP_LB_RULES_MAX		256	/* rule ids 1..255 (0 unused) */
#define FP_LB_TBL_MAX		6421	/* prime >= 100 x FP_LB_EP_MAX: Maglev / WRR slots */

/* Connection states, one enum for every protocol (decoded by the CT dump). */
enum fp_ct_state {
	FP_CT_NONE = 0,
	FP_CT_SYN_SENT,		/* TCP: SYN seen */
	FP_CT_SYN_RECV,		/* TCP: SYN-ACK acking the SYN */
	FP_CT_ESTABLISHED,	/* all: both directions confirmed */
	FP_CT_FIN_WAIT,		/* TCP: FIN from one side */
	FP_CT_CLOSING,		/* TCP: FIN from both sides, last ACK pending */
	FP_CT_UDP_NEW,		/* UDP / ICMP echo: first packet(s) one way */
	FP_CT_UDP_UNIDIR,	/* UDP: more than 4 packets one way, no reply */
	FP_CT_SCTP_INIT,	/* SCTP: INIT seen (tag stored) */
	FP_CT_SCTP_INIT_ACK,	/* SCTP: INIT-ACK with the right vtag */
	FP_CT_SCTP_COOKIE_ECHO,	/* SCTP: COOKIE-ECHO with the right vtag */
	FP_CT_SCTP_SHUTDOWN,	/* SCTP: SHUTDOWN sent */
	FP_CT_SCTP_SHUTDOWN_ACK,/* SCTP: SHUTDOWN-ACK sent */
	FP_CT_STATE_MAX
};

#define FP_CT_F_REPLY	(1U << 0)	/* this entry is the reply direction */
#define FP_CT_F_SNAT	(1U << 1)	/* rewrite source address / port */
#define FP_CT_F_DNAT	(1U << 2)	/* rewrite destination address / port */
#define FP_CT_F_DSR	(1U << 3)	/* no L3/L4 rewrite: route towards nat_daddr */
#define FP_CT_F_PICKUP	(1U << 4)	/* TCP picked up mid-stream */
#define FP_CT_F_IPIP	(1U << 5)	/* with DSR: IPIP to nat_daddr from nat_saddr */

/*
 * ct (LRU): one entry per direction, keyed by the packet's own 5-tuple + zone (the
 * fp_flow_key of types.h). The connection state lives in the original direction's
 * entry; the reply entry points at it through peer.
 */
struct fp_ct {
	__u64 seen_ns;		/* bpf_ktime_get_ns of the last slow-path packet */
	struct fp_flow_key peer;/* the other direction's key */
	__u32 nat_saddr[4];	/* rewrite applied to this direction (per flags) */
	__u32 nat_daddr[4];
	__u16 nat_sport_be;
	__u16 nat_dport_be;
	__u16 flags;		/* FP_CT_F_* */
	__u8 state;		/* enum fp_ct_state (original entry) */
	__u8 fin;		/* TCP: bit d = FIN from direction d; bit d+2 = that FIN acked */
	__u32 rule_id;
	__u32 ep;		/* endpoint index in the rule */
	__u32 seq[2];		/* TCP: ack expected from direction d; SCTP: init tag of d */
	__u32 pkts;		/* UDP / ICMP: packets in the original direction */
	__u32 policer;		/* original entry: the rule's policer id (0 = none) */
};

/*
 * lb: (VIP, port, protocol, zone) -> rule. ICMP rules have port 0. A port-range rule
 * [port_be, port_end_be] sits here too (one value: one RR cursor for the whole range)
 * with port_end_be != 0, so a packet's exact lookup (port_end_be 0) never finds it; the
 * packet reaches it through lb_range.
 */
struct fp_lb_key {
	__u32 vip[4];
	__u16 port_be;
	__u16 zone;
	__u8 proto;
	__u8 family;
	__u16 port_end_be;	/* 0: exact port; else the last port of a range rule */
};

/*
 * lb_range (LPM): one entry per port prefix of a range rule's minimal prefix cover (at
 * most 30 for 16-bit ports), the value being the rule's fp_lb_key in lb. Zone, protocol,
 * family and VIP are always matched in full, so only the port is a prefix; port_be is
 * network order so that bit prefixes are numeric port blocks.
 */
struct fp_lb_range_key {
	__u32 prefixlen;	/* FP_LB_RANGE_FIXED_BITS + port prefix length (0..16) */
	__u16 zone;
	__u8 proto;
	__u8 family;
	__u32 vip[4];
	__u16 port_be;
	__u16 pad;
};

#define FP_LB_RANGE_FIXED_BITS	160	/* zone, proto, family, vip */
#define FP_LB_RANGE_PREFIXES	30	/* most prefixes one range needs */

enum fp_lb_mode {
	FP_LB_DNAT = 0,
	FP_LB_ONEARM,	/* DNAT + SNAT to the LB's own address */
	FP_LB_FULLNAT,	/* DNAT + SNAT to a configured source */
	FP_LB_DSR,	/* MACs only: the backend owns the VIP */
	FP_LB_DSR_IPIP,	/* IPv4 in IPv4 to the endpoint, from snat_addr; inner untouched */
};

enum fp_lb_algo {
	FP_LB_RR = 0,
	FP_LB_HASH,
	FP_LB_MAGLEV,
	FP_LB_LC,
	FP_LB_PERSIST,
	FP_LB_WRR,
	FP_LB_N3,
};

struct fp_lb {
	__u32 rule_id;		/* 1..FP_LB_RULES_MAX-1: index of lb_ep / lb_tbl / lb_sess rows */
	__u8 mode;		/* enum fp_lb_mode */
	__u8 algo;		/* enum fp_lb_algo */
	__u16 n_ep;		/* endpoints 0..n_ep-1 in lb_ep */
	__u32 tbl_size;		/* Maglev / WRR slots in lb_tbl */
	__u32 rr_hint;		/* next RR endpoint / WRR slot (updated by the datapath) */
	__u64 active;		/* bit i: endpoint i takes new flows */
	__u64 persist_ns;	/* persistence timeout */
	__u32 snat_addr[4];	/* one-arm / full-NAT source; dsr-ipip outer source */
	__u16 policer;		/* policer id for the rule's flows (0 = none) */
	__u16 pad;
	__u32 pad2;
};

struct fp_lb_ep {
	__u32 addr[4];
	__u16 port_be;
	__u16 weight;
	__u32 pad;
};

/* lb_ep (array): key rule_id * FP_LB_EP_MAX + index. */
/* lb_tbl (array): key rule_id -> the Maglev or WRR slot table (endpoint indices). */
struct fp_lb_tbl {
	__u8 ep[FP_LB_TBL_MAX];
	__u8 pad[3];
};

/* lb_persist (LRU): (rule, client address) -> endpoint and when it was chosen. */
struct fp_persist_key {
	__u32 addr[4];
	__u32 rule_id;
};

struct fp_persist {
	__u64 ts_ns;
	__u32 ep;
	__u32 pad;
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

#endif /* FP_LB_TYPES_H */
