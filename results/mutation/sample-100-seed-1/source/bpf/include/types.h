/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * types.h - every map key and value layout of the fastpath datapath.
 *
 * This file is the single source of truth for the ABI between the kernel programs and
 * the TypeScript control plane (src/datapath/codecs): the codecs check their offsets
 * and sizes against the BTF of these structs when an object is loaded. Multi-byte
 * fields are host order unless their name ends in _be (network order). Addresses are
 * always network order; IPv4 uses the first word of a 4-word address.
 */
#ifndef FP_TYPES_H
#define FP_TYPES_H

#include <linux/types.h>

#define FP_ECMP_MAX		4
#define FP_ETH_ALEN		6

/* Per-CPU packet and byte counters; the value of every stats map. */
struct fp_counter {
	__u64 packets;
	__u64 bytes;
};

/* Why a packet was dropped: the index into stats_drop. */
enum fp_drop_reason {
	FP_DROP_NONE = 0,
	FP_DROP_ETH_TRUNC,	/* frame shorter than an Ethernet header */
	FP_DROP_VLAN_TRUNC,	/* 802.1Q tag cut short */
	FP_DROP_IP4_TRUNC,	/* fewer than 20 bytes of IPv4 header */
	FP_DROP_IP4_VERSION,	/* ethertype IPv4, version field not 4 */
	FP_DROP_IP4_IHL,	/* IHL below 5 */
	FP_DROP_IP4_LEN_SHORT,	/* total length smaller than the header */
	FP_DROP_IP4_LEN_BEYOND,	/* total length beyond the frame */
	FP_DROP_IP6_TRUNC,	/* fewer than 40 bytes of IPv6 header */
	FP_DROP_IP6_VERSION,	/* ethertype IPv6, version field not 6 */
	FP_DROP_IP6_LEN_BEYOND,	/* payload length beyond the frame */
	FP_DROP_IP6_EXT_TRUNC,	/* extension header beyond the payload */
	FP_DROP_TCP_TRUNC,	/* fewer than 20 bytes of TCP header */
	FP_DROP_TCP_DOFF,	/* data offset below 5 or beyond the payload */
	FP_DROP_UDP_TRUNC,	/* fewer than 8 bytes of UDP header */
	FP_DROP_UDP_LEN,	/* UDP length below 8 or beyond the payload */
	FP_DROP_SCTP_TRUNC,	/* common header + first chunk header cut short */
	FP_DROP_ICMP_TRUNC,	/* fewer than 8 bytes of ICMP header */
	FP_DROP_ICMP6_TRUNC,	/* fewer than 8 bytes of ICMPv6 header */
	FP_DROP_REWRITE,	/* a rewrite helper failed (VLAN, checksum) */
	FP_DROP_CT_INVALID,	/* breaks its connection's state machine (ack, vtag) */
	FP_DROP_CT_COLLISION,	/* a new connection's reply key is taken */
	FP_DROP_IP4_CSUM,	/* IPv4 header checksum does not verify */
	FP_DROP_MAX
};

/* Where packets went and why they left the pipeline: the index into stats_path. */
enum fp_path {
	FP_PATH_TC_FAST_HIT = 0,	/* TC flow-cache hit, rewritten and redirected */
	FP_PATH_TC_SLOW,		/* entered the slow path (tail call) */
	FP_PATH_XDP_FAST_HIT,		/* XDP flow-cache hit */
	FP_PATH_XDP_PASS,		/* XDP miss, passed on to TC */
	FP_PATH_FC_STALE,		/* flow-cache entry from an older generation */
	FP_PATH_TAILCALL_FAIL,		/* empty pgm slot: packet passed to the stack */
	FP_PATH_STACK_NOT_IP,		/* ARP, IPv6 ND, other ethertypes */
	FP_PATH_STACK_UNPARSED,		/* headers not linear / ext-header bound hit */
	FP_PATH_STACK_INTF_MISS,	/* (ifindex, vlan) not in intf */
	FP_PATH_STACK_L2_MCAST,		/* broadcast / multicast dmac */
	FP_PATH_STACK_DMAC_MISS,	/* not a router MAC and not in dmac */
	FP_PATH_STACK_ROUTE_MISS,	/* no route */
	FP_PATH_STACK_LOCAL,		/* route marked local: deliver to the host */
	FP_PATH_STACK_TTL,		/* TTL / hop limit expired */
	FP_PATH_STACK_NH_MISS,		/* next hop not resolved */
	FP_PATH_STACK_NOT_L3,		/* router MAC hit on an interface without L3 */
	FP_PATH_L2_FWD,			/* bridged by the dmac map */
	FP_PATH_L3_FWD,			/* routed */
	FP_PATH_EVENT_LOST,		/* ring buffer full */
	FP_PATH_EVENT_LIMITED,		/* miss event suppressed: one per interval per destination */
	FP_PATH_FC_INSTALL,		/* flow-cache entry written for an established connection */
	FP_PATH_FC_RETIRE,		/* flow-cache entry removed by FIN / RST / close */
	FP_PATH_CT_NEW,			/* new connection (both CT entries created) */
	FP_PATH_CT_CLOSE,		/* connection closed by the datapath (both entries deleted) */
	FP_PATH_LB_NO_EP,		/* LB rule without an active endpoint: not translated */
	FP_PATH_ICMP_ERR_NAT,		/* ICMP error about a tracked connection translated */
	FP_PATH_MAX
};

/* intf: (ifindex, vlan) -> logical port. vlan 0 = untagged. */
struct fp_intf_key {
	__u32 ifindex;
	__u16 vlan;
	__u16 pad;
};

#define FP_INTF_F_L3	(1U << 0)	/* routing enabled on this port */
#define FP_INTF_F_LEARN	(1U << 1)	/* raise learning events for unknown source MACs */

struct fp_intf {
	__u16 port;
	__u16 zone;
	__u16 bd;	/* bridge domain: scopes smac, dmac and rmac */
	__u16 policer;	/* 0 = none */
	__u16 mirror;	/* 0 = none */
	__u16 flags;	/* FP_INTF_F_* */
};

/* intf_arr (array, key ifindex < 4096): a copy of the untagged entries of intf, so the
 * common case resolves its port without hashing (~20 ns a packet). valid 0 = look in intf. */
struct fp_intf_slot {
	struct fp_intf intf;
	__u16 valid;
	__u16 pad;
};

/* smac, dmac, rmac: keyed by (MAC, bridge domain). */
struct fp_mac_key {
	__u8 mac[FP_ETH_ALEN];
	__u16 bd;
};

#define FP_SMAC_F_KNOWN	(1U << 0)	/* installed by the control plane: no events */

/* smac: the datapath inserts entries without FP_SMAC_F_KNOWN to rate-limit events. */
struct fp_smac {
	__u64 event_ns;	/* when the last learning event for this MAC was raised */
	__u32 port;
	__u32 flags;	/* FP_SMAC_F_* */
};

struct fp_rmac {
	__u32 flags;	/* reserved, 0 */
};

/* dmac: bridged destination -> out interface, vlan 0 = send untagged. */
struct fp_dmac {
	__u32 ifindex;
	__u16 vlan;
	__u16 flags;	/* reserved, 0 */
};

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

#define FP_RT_F_LOCAL	(1U << 0)	/* deliver to the host stack */

struct fp_route {
	__u32 route_id;			/* index into stats_route */
	__u16 flags;			/* FP_RT_F_* */
	__u16 nh_count;			/* 1..FP_ECMP_MAX unless local */
	__u32 nh[FP_ECMP_MAX];		/* indices into nh */
};

#define FP_NH_F_VALID	(1U << 0)	/* neighbour resolved */

/* nh (array): next hop id -> neighbour MAC, our MAC, out interface, vlan. */
struct fp_nh {
	__u8 dmac[FP_ETH_ALEN];
	__u8 smac[FP_ETH_ALEN];
	__u32 ifindex;
	__u16 vlan;
	__u16 flags;	/* FP_NH_F_* */
};

/* Flow key of the flow cache (and of connection tracking): pre-NAT 5-tuple + zone.
 * ICMP echo uses the identifier as both ports; non-first fragments have ports 0. */
struct fp_flow_key {
	__u32 saddr[4];
	__u32 daddr[4];
	__u16 sport_be;
	__u16 dport_be;
	__u16 zone;
	__u8 proto;
	__u8 family;	/* 4 or 6 */
};

#define FP_FC_F_DEC_TTL		(1U << 0)	/* decrement TTL / hop limit */
#define FP_FC_F_SNAT		(1U << 1)	/* rewrite source address/port (issue 5) */
#define FP_FC_F_DNAT		(1U << 2)	/* rewrite destination address/port (issue 5) */
#define FP_FC_F_CT		(1U << 3)	/* cached from a tracked connection */

/* fc (LRU): the whole cached decision for one flow. A value whose generation differs
 * from cfg.generation is stale and sends the packet to the slow path. */
struct fp_fc_value {
	__u64 generation;
	__u8 dmac[FP_ETH_ALEN];
	__u8 smac[FP_ETH_ALEN];
	__u32 ifindex;		/* redirect target */
	__u16 vlan;		/* 0 = send untagged */
	__u16 flags;		/* FP_FC_F_* */
	__u32 route_id;		/* for stats_route */
	__u32 nh_id;		/* for stats_nh */
	__u32 nat_saddr[4];
	__u32 nat_daddr[4];
	__u16 nat_sport_be;
	__u16 nat_dport_be;
	__u32 csum_addr;	/* one's complement sum of the address change (pseudo-header) */
	__u32 csum_port;	/* ... of the port change */
	__u64 hits;		/* fast-path hits (ageing: a count that moves means alive) */
	__u32 sctp_vtag;	/* SCTP: the verification tag this direction must carry */
	__u32 policer;		/* LB rule policer id run on a hit (0 = none) */
};

/* cfg (array, one entry at key 0). */
#define FP_CFG_F_EGRESS_MIRR	(1U << 0)	/* some mirror copies egress (XDP must check) */
#define FP_CFG_F_TUN_DST	(1U << 1)	/* tun_dst has entries (routed packets look there) */
#define FP_CFG_QOS_WORDS	16		/* FP_QOS_PORTS / 32 */

/* cfg[0]. flags and qos_ports let the per-packet entries skip the issue 6 lookups with a
 * branch on the entry they fetch anyway: qos_ports bit p = port p has a QoS entry. */
struct fp_cfg {
	__u64 generation;		/* bumped on every decision-changing change */
	__u64 event_interval_ns;	/* min gap between events per MAC / destination (0 = 1 s) */
	__u32 flags;			/* FP_CFG_F_* */
	__u32 qos_ports[FP_CFG_QOS_WORDS];
	__u32 pad;
};

/* pgm (prog array) slots. Slot 0 is never a tail-call target. */
enum fp_pgm_slot {
	FP_PGM_SLOW = 1,	/* slow path: parse result, intf, L2, L3 */
	FP_PGM_CT = 2,		/* CT + NAT/LB, then L3 (fp_tc_ct) */
	FP_PGM_MAX = 8
};

enum fp_event_type {
	FP_EV_MAC_LEARN = 1,	/* unknown source MAC: mac, port, bd, vlan */
	FP_EV_ROUTE_MISS = 2,	/* no route: family, zone, addr = destination */
	FP_EV_NH_MISS = 3,	/* next hop unresolved: addr = destination, port = nh id */
};

/* ev_limit (LRU): when the last route / next-hop miss event for a destination went out. */
struct fp_ev_limit_key {
	__u32 addr[4];
	__u16 zone;
	__u8 type;	/* enum fp_event_type */
	__u8 family;
};

/* events (ring buffer) record. */
struct fp_event {
	__u16 type;	/* enum fp_event_type */
	__u16 family;	/* 4 or 6 for route / next-hop events, 0 otherwise */
	__u32 ifindex;
	__u32 id;	/* port (learn) or next-hop id (nh miss) */
	__u16 zone;
	__u16 bd;
	__u16 vlan;
	__u8 mac[FP_ETH_ALEN];
	__u32 addr[4];
	__u64 ts_ns;
};

/* Parse results and pipeline state, kept in the per-CPU scratch map across tail
 * calls. Not a control-plane ABI. */
enum fp_frag {
	FP_FRAG_NONE = 0,
	FP_FRAG_FIRST,
	FP_FRAG_LATER,
};

enum fp_tunnel {
	FP_TUN_NONE = 0,
	FP_TUN_VXLAN,
	FP_TUN_GTPU,
};

struct fp_pkt {
	struct fp_flow_key key;
	struct fp_intf intf;
	__u32 ifindex;
	__u32 len;		/* whole packet length (skb->len or frame length) */
	__u8 dmac[FP_ETH_ALEN];
	__u8 smac[FP_ETH_ALEN];
	__u16 vlan;		/* VID, 0 = untagged */
	__u8 vlan_in_frame;	/* the tag is in the frame (not in skb metadata) */
	__u8 frag;		/* enum fp_frag */
	__u16 l3_proto_be;
	__u16 l3_off;
	__u16 l4_off;
	__u16 l4_end;		/* end of the IP payload */
	__u8 ttl;
	__u8 tos;
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 sctp_chunk;
	__u8 tunnel;		/* enum fp_tunnel */
	__u8 gtp_qfi;
	__u32 tun_id;		/* VXLAN VNI or GTP-U TEID */
	__u32 ipid;		/* IPv4 id or IPv6 fragment id */
	__u32 sctp_vtag;
	__u32 hash;		/* flow hash (ECMP) */
	__u32 reason;		/* fp_drop_reason when dropped, fp_path when sent to the stack */
	__u32 route_id;
	__u32 nh_id;
};

/* ---- issue 6: policers, QoS, mirroring, tunnels (layouts; code in policer.h, qos.h,
 * mirror.h, tunnel.h) ---- */
#include <linux/bpf.h>

#define FP_POL_F_SRTCM		(1U << 0)	/* RFC 2697 single rate (else RFC 2698 two rate) */
#define FP_POL_F_AWARE		(1U << 1)	/* colour-aware: input colour from the DSCP */
#define FP_POL_F_REMARK		(1U << 2)	/* yellow packets get DSCP yellow_dscp */
#define FP_POL_F_VALID		(1U << 3)	/* a configured policer (pol is an array) */

/* Policer colours; stats_pol is indexed by policer id * FP_COLOURS + colour. */
enum fp_colour {
	FP_GREEN = 0,
	FP_YELLOW = 1,
	FP_RED = 2,
	FP_COLOURS = 3,
};

/*
 * pol (array): policer id -> configuration and token state. Rates in bytes per second,
 * bursts and tokens in bytes; a packet costs its IP total length. trTCM: C bucket at
 * cir capped at cbs, P bucket (e_*) at pir capped at ebs (= PBS). srTCM: one rate cir
 * fills C up to cbs, the overflow fills E up to ebs. *_frac carry the sub-byte remainder
 * (units of 1e-9 byte) so no token is lost to rounding. A last_ns in the future stops
 * refilling until then (tests set exact token counts that way).
 */
struct fp_policer {
	struct bpf_spin_lock lock;
	__u32 flags;		/* FP_POL_F_* */
	__u64 cir;
	__u64 pir;		/* trTCM only */
	__u64 cbs;
	__u64 ebs;
	__u64 c_tokens;
	__u64 e_tokens;
	__u64 last_ns;
	__u64 dscp_yellow;	/* colour-aware: bit d set = DSCP d arrives yellow */
	__u64 dscp_red;		/* colour-aware: bit d set = DSCP d arrives red */
	__u32 c_frac;
	__u32 e_frac;
	__u8 yellow_dscp;	/* FP_POL_F_REMARK: DSCP written into yellow packets */
	__u8 pad[7];
};

/* qos (array): ingress port * FP_QOS_CLASSES + DSCP class selector (DSCP >> 3), for
 * ports below FP_QOS_PORTS -> skb priority and optional DSCP. */
#define FP_QOS_CLASSES		8
#define FP_QOS_PORTS		512
_Static_assert(FP_QOS_PORTS == FP_CFG_QOS_WORDS * 32, "fp_cfg.qos_ports covers the QoS ports");
#define FP_QOS_F_VALID		(1U << 0)
#define FP_QOS_F_DSCP		(1U << 1)	/* also rewrite the DSCP */

struct fp_qos {
	__u32 priority;		/* skb->priority */
	__u8 dscp;
	__u8 flags;		/* FP_QOS_F_* */
	__u16 pad;
};

/* mirr (array): intf.mirror id -> where copies of the port's packets go. Slot 0 is no
 * mirror: its flags carry FP_MIRR_F_EGRESS while any mirror copies egress. */
#define FP_MIRR_F_VALID		(1U << 0)
#define FP_MIRR_F_INGRESS	(1U << 1)	/* copy packets the port receives */
#define FP_MIRR_F_EGRESS	(1U << 2)	/* copy packets the port sends (fp_tc_egress) */

struct fp_mirror {
	__u32 ifindex;
	__u16 vlan;		/* tag the copy (0 = as received) */
	__u16 flags;		/* FP_MIRR_F_* */
};

/* tun (array): tunnel id -> encapsulation. Outer IPv4: id 0, DF, TTL 64, UDP checksum 0. */
enum fp_tun_type {
	FP_TUNT_NONE = 0,
	FP_TUNT_VXLAN = 1,	/* L2 in UDP 4789 */
	FP_TUNT_NVGRE = 2,	/* L2 in GRE (0x6558) with key = VSID << 8 | FlowID */
	FP_TUNT_GTPU = 3,	/* IP in UDP 2152, G-PDU, optional PDU session container */
	FP_TUNT_IPIP = 4,	/* IPv4 in IPv4 (L3 DSR) */
};

#define FP_TUN_F_QFI		(1U << 0)	/* GTP-U: add a PDU session container */

struct fp_tun {
	__u8 type;		/* enum fp_tun_type, 0 = unused slot */
	__u8 flags;		/* FP_TUN_F_* */
	__u8 qfi;
	__u8 flow_id;		/* NVGRE FlowID */
	__u32 key;		/* VNI / VSID / TEID */
	__u32 saddr;		/* outer source, network order */
	__u32 daddr;		/* outer destination, network order */
	__u8 dmac[FP_ETH_ALEN];
	__u8 smac[FP_ETH_ALEN];
	__u32 ifindex;		/* sent out of */
	__u16 sport_be;		/* VXLAN / GTP-U source port, 0 = from the flow hash */
	__u16 pad;
};

/* tun_term (hash): (local address, type, key) -> what the decapsulated packet does. */
struct fp_tun_term_key {
	__u32 daddr;		/* our tunnel address, network order */
	__u32 key;		/* VNI / VSID / TEID */
	__u8 type;		/* enum fp_tun_type */
	__u8 pad[3];
};

#define FP_TERM_F_QFI		(1U << 0)	/* GTP-U: only this QFI matches */

struct fp_tun_term {
	__u16 bd;		/* VXLAN / NVGRE: bridge the inner frame in this domain */
	__u8 flags;		/* FP_TERM_F_* */
	__u8 qfi;
	__u32 nh_id;		/* GTP-U: next hop of the inner IP packet */
};

/* tun_dst (hash): IPv4 destination (zone) -> tunnel id (GTP-U downlink by UE address,
 * IPIP to a DSR backend). */
struct fp_tun_dst_key {
	__u32 addr;		/* network order */
	__u16 zone;
	__u16 pad;
};

#define FP_DMAC_F_TUNNEL	(1U << 0)	/* fp_dmac.ifindex is a tunnel id */
#include "lb_types.h"

#endif /* FP_TYPES_H */
