/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * tunnel.h - VXLAN and NVGRE (L2), GTP-U and IPIP (L3) encapsulation and decapsulation
 * over IPv4, in TC.
 *
 *   fp_tun_encap(skb, p, id)  wraps the packet in tunnel id's headers and redirects it.
 *                             L2 types carry the whole (untagged) frame; GTP-U and IPIP
 *                             the IP packet. Reached by a dmac entry over a tunnel
 *                             (FP_DMAC_F_TUNNEL) and by a tun_dst destination.
 *   fp_tun_ipip_push(...)     the LB's dsr-ipip mode: an outer IPv4 header towards the
 *                             chosen endpoint, the result routed like any packet.
 *   fp_tun_decap(skb, p)      a packet to one of our terminations (tun_term) loses its
 *                             outer headers; VXLAN/NVGRE frames are then bridged in the
 *                             termination's bridge domain, GTP-U packets leave by its
 *                             next hop.
 *
 * Outer IPv4: no options, id 0, DF, TTL 64, TOS 0, header checksum computed; UDP
 * checksum 0 (RFC 7348 / TS 29.281 allow it over IPv4).
 */
#ifndef FP_TUNNEL_H
#define FP_TUNNEL_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include "common.h"
#include "cfg.h"
#include "csum.h"
#include "parse.h"
#include "stats.h"
#include "l2.h"
#include "l3.h"

#define FP_MAX_TUN	   1024 /* tunnel ids 1..1023 */
#define FP_MAX_TUN_TERM	   4096
#define FP_MAX_TUN_DST	   4096
#define FP_ETH_P_TEB	   0x6558 /* transparent Ethernet bridging (NVGRE) */
#define FP_GTP_PDU_SESSION 0x85
#define FP_GTP_G_PDU	   0xff
#define FP_GTP_EXT_MAX	   2 /* extension headers walked when decapsulating */

/* tun (array): tunnel id -> encapsulation. Outer IPv4: id 0, DF, TTL 64, UDP checksum 0. */
enum fp_tun_type {
	FP_TUNT_NONE = 0,
	FP_TUNT_VXLAN = 1, /* L2 in UDP 4789 */
	FP_TUNT_NVGRE = 2, /* L2 in GRE (0x6558) with key = VSID << 8 | FlowID */
	FP_TUNT_GTPU = 3,  /* IP in UDP 2152, G-PDU, optional PDU session container */
	FP_TUNT_IPIP = 4,  /* IPv4 in IPv4 (L3 DSR) */
};

#define FP_TUN_F_QFI (1U << 0) /* GTP-U: add a PDU session container */

struct fp_tun {
	__u8 type;  /* enum fp_tun_type, 0 = unused slot */
	__u8 flags; /* FP_TUN_F_* */
	__u8 qfi;
	__u8 flow_id; /* NVGRE FlowID */
	__u32 key;    /* VNI / VSID / TEID */
	__u32 saddr;  /* outer source, network order */
	__u32 daddr;  /* outer destination, network order */
	__u8 dmac[FP_ETH_ALEN];
	__u8 smac[FP_ETH_ALEN];
	__u32 ifindex;	/* sent out of */
	__u16 sport_be; /* VXLAN / GTP-U source port, 0 = from the flow hash */
	__u16 pad;
};

/* tun_term (hash): (local address, type, key) -> what the decapsulated packet does. */
struct fp_tun_term_key {
	__u32 daddr; /* our tunnel address, network order */
	__u32 key;   /* VNI / VSID / TEID */
	__u8 type;   /* enum fp_tun_type */
	__u8 pad[3];
};

#define FP_TERM_F_QFI (1U << 0) /* GTP-U: only this QFI matches */

struct fp_tun_term {
	__u16 bd;   /* VXLAN / NVGRE: bridge the inner frame in this domain */
	__u8 flags; /* FP_TERM_F_* */
	__u8 qfi;
	__u32 nh_id; /* GTP-U: next hop of the inner IP packet */
};

/* tun_dst (hash): IPv4 destination (zone) -> tunnel id (GTP-U downlink by UE address,
 * IPIP to a DSR backend). */
struct fp_tun_dst_key {
	__u32 addr; /* network order */
	__u16 zone;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_TUN);
	__type(key, __u32);
	__type(value, struct fp_tun);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tun SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_TUN_TERM);
	__type(key, struct fp_tun_term_key);
	__type(value, struct fp_tun_term);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tun_term SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_TUN_DST);
	__type(key, struct fp_tun_dst_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tun_dst SEC(".maps");

/* key: mirror id = copies sent. */
/* key: tunnel id = packets encapsulated by it; key 0 = packets decapsulated. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_MAX_TUN);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_tun SEC(".maps");

struct fp_outer_ip4 {
	struct ethhdr eth;
	struct iphdr ip;
} __attribute__((packed));

/* Everything an encapsulation writes at the start of the frame, at most. */
struct fp_encap_hdr {
	struct ethhdr eth;
	struct iphdr ip;
	__u8 l4[16 + 16];    /* UDP + VXLAN / GTP-U (+ options, PDU session) or GRE */
	struct ethhdr inner; /* VXLAN / NVGRE only; moved to follow l4 */
} __attribute__((packed));

/* VXLAN/GTP-U source port: fixed, or from the inner flow hash (RFC 7348 5). */
static __always_inline __be16 fp_tun_sport(const struct fp_tun *t, const struct fp_pkt *p)
{
	if (t->sport_be)
		return t->sport_be;
	return bpf_htons(49152 | (fp_flow_hash(&p->key) & 0x3fff));
}

static __always_inline void fp_tun_outer(struct fp_encap_hdr *h, const struct fp_tun *t,
					 __u32 ip_len, __u8 proto)
{
	struct iphdr ip = {
		.version = 4,
		.ihl = 5,
		.tot_len = bpf_htons(ip_len),
		.frag_off = bpf_htons(0x4000),
		.ttl = 64,
		.protocol = proto,
		.saddr = t->saddr,
		.daddr = t->daddr,
	};

	__builtin_memcpy(h->eth.h_dest, t->dmac, FP_ETH_ALEN);
	__builtin_memcpy(h->eth.h_source, t->smac, FP_ETH_ALEN);
	h->eth.h_proto = bpf_htons(ETH_P_IP);
	ip.check = fp_ip4_header_csum(&ip);
	h->ip = ip;
}

static __always_inline void fp_tun_udp(struct fp_encap_hdr *h, __be16 sport, __u16 dport,
				       __u32 udp_len)
{
	struct udphdr *u = (struct udphdr *)h->l4;

	u->source = sport;
	u->dest = bpf_htons(dport);
	u->len = bpf_htons(udp_len);
	u->check = 0;
}

static __always_inline void fp_tun_count(__u32 id, __u32 bytes)
{
	fp_stats_array(&stats_tun, id, bytes);
}

/*
 * L2 encapsulation (VXLAN, NVGRE) of the whole frame: room for outer Ethernet + IPv4 +
 * UDP/VXLAN or GRE is opened after the MAC header, the old Ethernet header moves to
 * the inner position. TC_ACT_REDIRECT or TC_ACT_SHOT.
 */
static __always_inline int fp_tun_encap_l2(struct __sk_buff *skb, const struct fp_pkt *p,
					   const struct fp_tun *t, __u32 id)
{
	struct fp_encap_hdr h = {};
	struct ethhdr *eth;
	__u32 l4_len, room, frame;
	__u64 flags;

	if (fp_tc_vlan_set(skb, p, 0))
		return TC_ACT_SHOT;
	eth = fp_hdr((void *)(long)skb->data, (void *)(long)skb->data_end, 0, sizeof(*eth));
	if (!eth)
		return TC_ACT_SHOT;
	h.inner = *eth;
	frame = skb->len;
	l4_len = t->type == FP_TUNT_VXLAN ? 16 : 8;
	room = sizeof(struct iphdr) + l4_len + sizeof(struct ethhdr);
	flags = BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L2(sizeof(struct ethhdr)) |
		BPF_F_ADJ_ROOM_ENCAP_L2_ETH |
		(t->type == FP_TUNT_VXLAN ? BPF_F_ADJ_ROOM_ENCAP_L4_UDP :
					    BPF_F_ADJ_ROOM_ENCAP_L4_GRE);
	if (bpf_skb_adjust_room(skb, room, BPF_ADJ_ROOM_MAC, flags))
		return TC_ACT_SHOT;

	fp_tun_outer(&h, t, frame + sizeof(struct iphdr) + l4_len,
		     t->type == FP_TUNT_VXLAN ? IPPROTO_UDP : IPPROTO_GRE);
	if (t->type == FP_TUNT_VXLAN) {
		fp_tun_udp(&h, fp_tun_sport(t, p), FP_PORT_VXLAN, frame + l4_len);
		*(__be32 *)&h.l4[8] = bpf_htonl(0x08000000);
		*(__be32 *)&h.l4[12] = bpf_htonl(t->key << 8);
		if (bpf_skb_store_bytes(skb, 0, &h, sizeof(struct fp_outer_ip4) + 16, 0) ||
		    bpf_skb_store_bytes(skb, sizeof(struct fp_outer_ip4) + 16, &h.inner,
					sizeof(h.inner), 0))
			return TC_ACT_SHOT;
	} else {
		*(__be16 *)&h.l4[0] = bpf_htons(0x2000); /* K: key present */
		*(__be16 *)&h.l4[2] = bpf_htons(FP_ETH_P_TEB);
		*(__be32 *)&h.l4[4] = bpf_htonl((t->key << 8) | t->flow_id);
		if (bpf_skb_store_bytes(skb, 0, &h, sizeof(struct fp_outer_ip4) + 8, 0) ||
		    bpf_skb_store_bytes(skb, sizeof(struct fp_outer_ip4) + 8, &h.inner,
					sizeof(h.inner), 0))
			return TC_ACT_SHOT;
	}
	fp_tun_count(id, skb->len);
	return bpf_redirect(t->ifindex, 0);
}

/* L3 encapsulation (GTP-U, IPIP) of the IPv4 packet after the Ethernet header. */
static __always_inline int fp_tun_encap_l3(struct __sk_buff *skb, const struct fp_pkt *p,
					   const struct fp_tun *t, __u32 id)
{
	struct fp_encap_hdr h = {};
	__u32 inner, l4_len = 0, room;
	__u64 flags = BPF_F_ADJ_ROOM_ENCAP_L3_IPV4;
	int qfi = t->type == FP_TUNT_GTPU && (t->flags & FP_TUN_F_QFI);

	if (p->key.family != 4 && t->type == FP_TUNT_IPIP)
		return TC_ACT_SHOT;
	if (fp_tc_vlan_set(skb, p, 0))
		return TC_ACT_SHOT;
	inner = skb->len - sizeof(struct ethhdr);
	if (t->type == FP_TUNT_GTPU) {
		l4_len = 16 + (qfi ? 8 : 0);
		flags |= BPF_F_ADJ_ROOM_ENCAP_L4_UDP;
	}
	room = sizeof(struct iphdr) + l4_len;
	if (bpf_skb_adjust_room(skb, room, BPF_ADJ_ROOM_MAC, flags))
		return TC_ACT_SHOT;
	fp_tun_outer(&h, t, inner + room, t->type == FP_TUNT_GTPU ? IPPROTO_UDP : IPPROTO_IPIP);
	if (t->type == FP_TUNT_GTPU) {
		fp_tun_udp(&h, fp_tun_sport(t, p), FP_PORT_GTPU, inner + l4_len);
		h.l4[8] = 0x30 | (qfi ? 0x04 : 0); /* version 1, PT 1, E */
		h.l4[9] = FP_GTP_G_PDU;
		*(__be16 *)&h.l4[10] = bpf_htons(inner + l4_len - 16);
		*(__be32 *)&h.l4[12] = bpf_htonl(t->key);
		if (qfi) {
			/* seq 0, N-PDU 0, next: PDU session container (downlink, QFI). */
			h.l4[19] = FP_GTP_PDU_SESSION;
			h.l4[20] = 1;
			h.l4[21] = 0;
			h.l4[22] = t->qfi & 0x3f;
			h.l4[23] = 0;
		}
	}
	if (room + sizeof(struct ethhdr) > sizeof(struct fp_outer_ip4) + 24)
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, 0, &h, sizeof(struct ethhdr) + room, 0))
		return TC_ACT_SHOT;
	fp_tun_count(id, skb->len);
	return bpf_redirect(t->ifindex, 0);
}

/* Encapsulates by tunnel id and redirects: TC_ACT_REDIRECT, or TC_ACT_SHOT (unknown
 * tunnel or a failed helper; counted as a rewrite drop). */
static __always_inline int fp_tun_encap(struct __sk_buff *skb, const struct fp_pkt *p, __u32 id)
{
	struct fp_tun *t = bpf_map_lookup_elem(&tun, &id);
	int rc;

	if (!t || t->type == FP_TUNT_NONE)
		rc = TC_ACT_SHOT;
	else if (t->type == FP_TUNT_VXLAN || t->type == FP_TUNT_NVGRE)
		rc = fp_tun_encap_l2(skb, p, t, id);
	else
		rc = fp_tun_encap_l3(skb, p, t, id);
	if (rc == TC_ACT_SHOT)
		fp_stats_drop(FP_DROP_REWRITE, p->len);
	return rc;
}

/*
 * IPIP for the LB's dsr-ipip mode: the received IPv4 packet, unchanged (TTL too), gets an
 * outer IPv4 header (saddr -> daddr, network order; id 0, DF, TTL 64, checksum computed)
 * after the Ethernet header. The caller routes the outer destination and sets the MACs.
 * A received VLAN tag is removed first (p->vlan becomes 0). 0, or -1 when a helper fails.
 */
static __always_inline int fp_tun_ipip_push(struct __sk_buff *skb, struct fp_pkt *p, __be32 saddr,
					    __be32 daddr)
{
	struct iphdr ip = {
		.version = 4,
		.ihl = 5,
		.frag_off = bpf_htons(0x4000),
		.ttl = 64,
		.protocol = IPPROTO_IPIP,
		.saddr = saddr,
		.daddr = daddr,
	};
	__u32 inner;

	if (p->key.family != 4 || fp_tc_vlan_set(skb, p, 0))
		return -1;
	p->vlan = 0;
	inner = skb->len - sizeof(struct ethhdr);
	if (bpf_skb_adjust_room(skb, sizeof(ip), BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4))
		return -1;
	ip.tot_len = bpf_htons(inner + sizeof(ip));
	ip.check = fp_ip4_header_csum(&ip);
	return bpf_skb_store_bytes(skb, sizeof(struct ethhdr), &ip, sizeof(ip), 0) ? -1 : 0;
}

/* L3 encapsulation chosen by destination (tun_dst): a tunnel id, or 0 for none. */
static __always_inline __u32 fp_tun_dst_lookup(const struct fp_pkt *p)
{
	struct fp_tun_dst_key k = { .addr = p->key.daddr[0], .zone = p->key.zone };
	struct fp_cfg *c;
	__u32 *id;

	if (p->key.family != 4)
		return 0;
	/* An array lookup instead of a hash lookup for every routed packet while no
	 * tunnel route exists (the common case). */
	c = fp_cfg_get();
	if (!c || !(c->flags & FP_CFG_F_TUN_DST))
		return 0;
	id = bpf_map_lookup_elem(&tun_dst, &k);
	return id ? *id : 0;
}

/* GTP-U header length (mandatory + optional + extensions), 0 when unusable. */
static __always_inline __u32 fp_gtp_len(void *data, void *data_end, __u32 off)
{
	__u8 *h = fp_hdr(data, data_end, off, 8);
	__u32 len = 8, i;
	__u8 next;

	if (!h || h[1] != FP_GTP_G_PDU)
		return 0;
	if (!(h[0] & 0x07))
		return len;
	h = fp_hdr(data, data_end, off, 12);
	if (!h)
		return 0;
	len = 12;
	next = (h[0] & 0x04) ? h[11] : 0;
	for (i = 0; i < FP_GTP_EXT_MAX && next; i++) {
		__u8 *e = fp_hdr(data, data_end, off + len, 4);
		__u32 elen;

		if (!e || e[0] == 0)
			return 0;
		elen = e[0] * 4;
		e = fp_hdr(data, data_end, off + len + elen - 1, 1);
		if (!e)
			return 0;
		next = e[0];
		len += elen;
	}
	return next ? 0 : len;
}

/*
 * Decapsulates a packet addressed to one of our tunnel terminations and forwards the
 * inner packet. -1 when the packet is not for a termination (the pipeline goes on).
 */
static __always_inline int fp_tun_decap(struct __sk_buff *skb, struct fp_pkt *p)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct fp_tun_term_key k = { .daddr = p->key.daddr[0] };
	struct fp_tun_term *term;
	struct ethhdr inner = {};
	__u32 inner_off, strip;
	__u8 *h;

	if (p->key.family != 4 || p->frag != FP_FRAG_NONE)
		return -1;
	if (p->tunnel == FP_TUN_VXLAN) {
		k.type = FP_TUNT_VXLAN;
		k.key = p->tun_id;
		inner_off = p->l4_off + 16;
	} else if (p->tunnel == FP_TUN_GTPU) {
		k.type = FP_TUNT_GTPU;
		k.key = p->tun_id;
		strip = fp_gtp_len(data, data_end, p->l4_off + 8);
		if (!strip)
			return -1;
		inner_off = p->l4_off + 8 + strip;
	} else if (p->key.proto == IPPROTO_GRE) {
		h = fp_hdr(data, data_end, p->l4_off, 8);
		if (!h || h[0] != 0x20 || h[1] != 0 || h[2] != (FP_ETH_P_TEB >> 8) ||
		    h[3] != (FP_ETH_P_TEB & 0xff))
			return -1;
		k.type = FP_TUNT_NVGRE;
		k.key = ((__u32)h[4] << 16) | ((__u32)h[5] << 8) | h[6];
		inner_off = p->l4_off + 8;
	} else {
		return -1;
	}
	term = bpf_map_lookup_elem(&tun_term, &k);
	if (!term)
		return -1;
	if ((term->flags & FP_TERM_F_QFI) && p->gtp_qfi != term->qfi)
		return -1;

	if (k.type == FP_TUNT_GTPU) {
		struct fp_nh *n;
		__u32 nh_id = term->nh_id;

		h = fp_hdr(data, data_end, inner_off, 1);
		if (!h)
			return -1;
		if ((h[0] >> 4) == 4)
			inner.h_proto = bpf_htons(ETH_P_IP);
		else if ((h[0] >> 4) == 6)
			inner.h_proto = bpf_htons(ETH_P_IPV6);
		else
			return -1;
		n = bpf_map_lookup_elem(&nh, &nh_id);
		if (!n || !(n->flags & FP_NH_F_VALID))
			return -1;
		__builtin_memcpy(inner.h_dest, n->dmac, FP_ETH_ALEN);
		__builtin_memcpy(inner.h_source, n->smac, FP_ETH_ALEN);
		if (fp_tc_vlan_set(skb, p, 0))
			return TC_ACT_SHOT;
		strip = inner_off - p->l3_off;
		if (bpf_skb_adjust_room(skb, -(__s32)strip, BPF_ADJ_ROOM_MAC, 0) ||
		    bpf_skb_store_bytes(skb, 0, &inner, sizeof(inner), 0))
			return TC_ACT_SHOT;
		p->vlan = 0;
		p->l3_proto_be = inner.h_proto;
		fp_stats_array(&stats_tun, 0, skb->len);
		if (fp_tc_vlan_set(skb, p, n->vlan))
			return TC_ACT_SHOT;
		return bpf_redirect(n->ifindex, 0);
	}

	/* VXLAN / NVGRE: the inner Ethernet header replaces the outer one. */
	{
		struct ethhdr *e = fp_hdr(data, data_end, inner_off, sizeof(*e));
		struct fp_mac_key dk = { .bd = term->bd };
		struct fp_dmac *d;

		if (!e)
			return -1;
		inner = *e;
		if (fp_tc_vlan_set(skb, p, 0))
			return TC_ACT_SHOT;
		strip = inner_off + sizeof(struct ethhdr) - p->l3_off;
		if (bpf_skb_adjust_room(skb, -(__s32)strip, BPF_ADJ_ROOM_MAC, 0) ||
		    bpf_skb_store_bytes(skb, 0, &inner, sizeof(inner), 0))
			return TC_ACT_SHOT;
		fp_stats_array(&stats_tun, 0, skb->len);
		p->vlan = 0;
		p->l3_proto_be = inner.h_proto;
		__builtin_memcpy(dk.mac, inner.h_dest, FP_ETH_ALEN);
		d = bpf_map_lookup_elem(&dmac, &dk);
		if (!d || (d->flags & FP_DMAC_F_TUNNEL)) {
			fp_stats_path(FP_PATH_STACK_DMAC_MISS, p->len);
			return TC_ACT_OK;
		}
		if (fp_tc_vlan_set(skb, p, d->vlan))
			return TC_ACT_SHOT;
		fp_stats_path(FP_PATH_L2_FWD, p->len);
		return bpf_redirect(d->ifindex, 0);
	}
}

#endif /* FP_TUNNEL_H */
