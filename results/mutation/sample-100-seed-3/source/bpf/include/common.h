/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * common.h - what every concern of the datapath shares: the packet context (struct
 * fp_pkt in the per-CPU scratch map, kept across tail calls) with the types it embeds
 * (the flow key, the resolved port), the drop reasons and path counters, the tail-call
 * slots, bounded packet access and the flow hash.
 *
 * Every header in bpf/include holds one concern's map layouts, maps and helpers. The
 * layouts are the ABI between the kernel programs and the TypeScript control plane
 * (src/datapath's codecs check their offsets and sizes against the object's BTF at
 * load). Multi-byte fields are host order unless their name ends in _be (network
 * order). Addresses are always network order; IPv4 uses the first word of a 4-word
 * address.
 */
#ifndef FP_COMMON_H
#define FP_COMMON_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define FP_ETH_ALEN    6
#define FP_MAX_HDR_OFF 512 /* headers beyond this go to the stack */

/* Why a packet was dropped: the index into stats_drop. */
enum fp_drop_reason {
	FP_DROP_NONE = 0,
	FP_DROP_ETH_TRUNC,	/* frame shorter than an Ethernet header */
	FP_DROP_VLAN_TRUNC,	/* 802.1Q tag cut short */
	FP_DROP_IP4_TRUNC,	/* fewer than 20 bytes of IPv4 header */
	FP_DROP_IP4_VERSION,	/* ethertype IPv4, version field not 4 */
	FP_DROP_IP4_IHL,	/* IHL below 5 */
	FP_DROP_IP4_LEN_SHORT,	/* total length smaller than the header */
	FP_DROP_IP4_LEN_BEYOND, /* total length beyond the frame */
	FP_DROP_IP6_TRUNC,	/* fewer than 40 bytes of IPv6 header */
	FP_DROP_IP6_VERSION,	/* ethertype IPv6, version field not 6 */
	FP_DROP_IP6_LEN_BEYOND, /* payload length beyond the frame */
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
	FP_PATH_TC_FAST_HIT = 0,  /* TC flow-cache hit, rewritten and redirected */
	FP_PATH_TC_SLOW,	  /* entered the slow path (tail call) */
	FP_PATH_XDP_FAST_HIT,	  /* XDP flow-cache hit */
	FP_PATH_XDP_PASS,	  /* XDP miss, passed on to TC */
	FP_PATH_FC_STALE,	  /* flow-cache entry from an older generation */
	FP_PATH_TAILCALL_FAIL,	  /* empty pgm slot: packet passed to the stack */
	FP_PATH_STACK_NOT_IP,	  /* ARP, IPv6 ND, other ethertypes */
	FP_PATH_STACK_UNPARSED,	  /* headers not linear / ext-header bound hit */
	FP_PATH_STACK_INTF_MISS,  /* (ifindex, vlan) not in intf */
	FP_PATH_STACK_L2_MCAST,	  /* broadcast / multicast dmac */
	FP_PATH_STACK_DMAC_MISS,  /* not a router MAC and not in dmac */
	FP_PATH_STACK_ROUTE_MISS, /* no route */
	FP_PATH_STACK_LOCAL,	  /* route marked local: deliver to the host */
	FP_PATH_STACK_TTL,	  /* TTL / hop limit expired */
	FP_PATH_STACK_NH_MISS,	  /* next hop not resolved */
	FP_PATH_STACK_NOT_L3,	  /* router MAC hit on an interface without L3 */
	FP_PATH_L2_FWD,		  /* bridged by the dmac map */
	FP_PATH_L3_FWD,		  /* routed */
	FP_PATH_EVENT_LOST,	  /* ring buffer full */
	FP_PATH_EVENT_LIMITED,	  /* miss event suppressed: one per interval per destination */
	FP_PATH_FC_INSTALL,	  /* flow-cache entry written for an established connection */
	FP_PATH_FC_RETIRE,	  /* flow-cache entry removed by FIN / RST / close */
	FP_PATH_CT_NEW,		  /* new connection (both CT entries created) */
	FP_PATH_CT_CLOSE,	  /* connection closed by the datapath (both entries deleted) */
	FP_PATH_LB_NO_EP,	  /* LB rule without an active endpoint: not translated */
	FP_PATH_ICMP_ERR_NAT,	  /* ICMP error about a tracked connection translated */
	FP_PATH_XDP_PASS_CSUM,	  /* XDP hit left to TC: L4 checksum is a partial sum */
	FP_PATH_XDP_PASS_MTU,	  /* XDP hit left to TC: longer than the out MTU (GSO) */
	FP_PATH_XDP_PASS_EGRESS,  /* XDP hit left to TC: out port takes no XDP frames */
	FP_PATH_MAX
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
	__u8 family; /* 4 or 6 */
};

/* The logical port of (ifindex, vlan): the value of intf (intf.h) and, resolved, the
 * packet's port in fp_pkt. */
#define FP_INTF_F_L3	    (1U << 0) /* routing enabled on this port */
#define FP_INTF_F_LEARN	    (1U << 1) /* raise learning events for unknown source MACs */
/* FP_INTF_F_XDP_TX: the device takes redirected XDP frames (ndo_xdp_xmit; a veth only
 * while its peer has GRO or XDP). */
#define FP_INTF_F_XDP_TX    (1U << 2)
#define FP_INTF_F_XDP_TX_ON (1U << 3) /* XDP_TX forced by config (control plane only) */

struct fp_intf {
	__u16 port;
	__u16 zone;
	__u16 bd;      /* bridge domain: scopes smac, dmac and rmac */
	__u16 policer; /* 0 = none */
	__u16 mirror;  /* 0 = none */
	__u16 flags;   /* FP_INTF_F_* */
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
	__u32 len; /* whole packet length (skb->len or frame length) */
	__u8 dmac[FP_ETH_ALEN];
	__u8 smac[FP_ETH_ALEN];
	__u16 vlan;	    /* VID, 0 = untagged */
	__u8 vlan_in_frame; /* the tag is in the frame (not in skb metadata) */
	__u8 frag;	    /* enum fp_frag */
	__u16 l3_proto_be;
	__u16 l3_off;
	__u16 l4_off;
	__u16 l4_end; /* end of the IP payload */
	__u8 ttl;
	__u8 tos;
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 sctp_chunk;
	__u8 tunnel; /* enum fp_tunnel */
	__u8 gtp_qfi;
	__u32 tun_id; /* VXLAN VNI or GTP-U TEID */
	__u32 ipid;   /* IPv4 id or IPv6 fragment id */
	__u32 sctp_vtag;
	__u32 reason; /* fp_drop_reason when dropped, fp_path when sent to the stack */
	__u32 route_id;
	__u32 nh_id;
};

/* Not pinned: one packet's context per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_pkt);
} scratch SEC(".maps");

/* pgm (prog array) slots. Slot 0 is never a tail-call target. */
enum fp_pgm_slot {
	FP_PGM_SLOW = 1, /* slow path: parse result, intf, L2, L3 */
	FP_PGM_CT = 2,	 /* CT + NAT/LB, then L3 (fp_tc_ct) */
	FP_PGM_MAX = 8
};

/* Pinned so its slots survive the loading process (the kernel clears a prog array
 * when its last user reference goes); the loader fills the slots on every load. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FP_PGM_MAX);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pgm SEC(".maps");

/* A pointer to size readable bytes at off, or NULL. */
static __always_inline void *fp_hdr(void *data, void *data_end, __u32 off, __u32 size)
{
	void *h;

	if (off > FP_MAX_HDR_OFF)
		return NULL;
	h = data + off;
	if (h + size > data_end)
		return NULL;
	return h;
}

/* Clears the scratch state for a new packet. */
static __always_inline void fp_pkt_init(struct fp_pkt *p, __u32 ifindex, __u32 len)
{
	__builtin_memset(p, 0, sizeof(*p));
	p->ifindex = ifindex;
	p->len = len;
}

#define FP_HASH_SEED 0x2545f491U

static __always_inline __u32 fp_rotl32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

/* One MurmurHash3 round. */
static __always_inline __u32 fp_hash_word(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51U;
	k = fp_rotl32(k, 15);
	k *= 0x1b873593U;
	h ^= k;
	h = fp_rotl32(h, 13);
	return h * 5 + 0xe6546b64U;
}

/* Hash of the 5-tuple + zone: the same for every packet of a flow, in TC and XDP. */
static __always_inline __u32 fp_flow_hash(const struct fp_flow_key *k)
{
	__u32 h = FP_HASH_SEED;
	int i;

	for (i = 0; i < 4; i++) {
		h = fp_hash_word(h, k->saddr[i]);
		h = fp_hash_word(h, k->daddr[i]);
	}
	h = fp_hash_word(h, ((__u32)k->sport_be << 16) | k->dport_be);
	h = fp_hash_word(h, ((__u32)k->zone << 16) | ((__u32)k->proto << 8) | k->family);
	h ^= sizeof(*k);
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

#endif /* FP_COMMON_H */
