/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* l2.h - source MAC learning, router-MAC gate, dmac forwarding, MAC and VLAN rewrite. */
#ifndef FP_L2_H
#define FP_L2_H

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include "common.h"
#include "events.h"
#include "parse.h"

#define FP_MAX_SMAC 8192
#define FP_MAX_RMAC 2048
#define FP_MAX_DMAC 8192

/* smac, dmac, rmac: keyed by (MAC, bridge domain). */
struct fp_mac_key {
	__u8 mac[FP_ETH_ALEN];
	__u16 bd;
};

#define FP_SMAC_F_KNOWN (1U << 0) /* installed by the control plane: no events */

/* smac: the datapath inserts entries without FP_SMAC_F_KNOWN to rate-limit events. */
struct fp_smac {
	__u64 event_ns; /* when the last learning event for this MAC was raised */
	__u32 port;
	__u32 flags; /* FP_SMAC_F_* */
};

struct fp_rmac {
	__u32 flags; /* reserved, 0 */
};

#define FP_DMAC_F_TUNNEL (1U << 0) /* fp_dmac.ifindex is a tunnel id (tunnel.h) */

/* dmac: bridged destination -> out interface, vlan 0 = send untagged. */
struct fp_dmac {
	__u32 ifindex;
	__u16 vlan;
	__u16 flags; /* reserved, 0 */
};

/* LRU: the datapath inserts rate-limit entries for unknown MACs. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FP_MAX_SMAC);
	__type(key, struct fp_mac_key);
	__type(value, struct fp_smac);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} smac SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_RMAC);
	__type(key, struct fp_mac_key);
	__type(value, struct fp_rmac);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rmac SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_DMAC);
	__type(key, struct fp_mac_key);
	__type(value, struct fp_dmac);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dmac SEC(".maps");

static __always_inline int fp_mac_is_group(const __u8 *mac)
{
	return mac[0] & 1;
}

/* Raises a learning event for an unknown source MAC, at most once per interval. */
static __always_inline void fp_l2_learn(const struct fp_pkt *p)
{
	struct fp_mac_key k = { .bd = p->intf.bd };
	struct fp_smac *s;
	__u64 now;

	__builtin_memcpy(k.mac, p->smac, FP_ETH_ALEN);
	s = bpf_map_lookup_elem(&smac, &k);
	if (s && (s->flags & FP_SMAC_F_KNOWN))
		return;
	now = bpf_ktime_get_ns();
	if (s && now - s->event_ns < fp_event_interval())
		return;

	struct fp_smac v = { .event_ns = now, .port = p->intf.port };
	struct fp_event ev = {
		.type = FP_EV_MAC_LEARN,
		.ifindex = p->ifindex,
		.id = p->intf.port,
		.zone = p->intf.zone,
		.bd = p->intf.bd,
		.vlan = p->vlan,
	};

	bpf_map_update_elem(&smac, &k, &v, BPF_ANY);
	__builtin_memcpy(ev.mac, p->smac, FP_ETH_ALEN);
	fp_event_emit(&ev, p->len);
}

static __always_inline int fp_l2_is_rmac(const struct fp_pkt *p)
{
	struct fp_mac_key k = { .bd = p->intf.bd };

	__builtin_memcpy(k.mac, p->dmac, FP_ETH_ALEN);
	return bpf_map_lookup_elem(&rmac, &k) != NULL;
}

static __always_inline struct fp_dmac *fp_l2_dmac(const struct fp_pkt *p)
{
	struct fp_mac_key k = { .bd = p->intf.bd };

	__builtin_memcpy(k.mac, p->dmac, FP_ETH_ALEN);
	return bpf_map_lookup_elem(&dmac, &k);
}

/* Writes both MACs at the start of the frame; 0 or -1. */
static __always_inline int fp_set_macs(void *data, void *data_end, const __u8 *dst, const __u8 *src)
{
	struct ethhdr *eth = fp_hdr(data, data_end, 0, sizeof(*eth));

	if (!eth)
		return -1;
	__builtin_memcpy(eth->h_dest, dst, FP_ETH_ALEN);
	__builtin_memcpy(eth->h_source, src, FP_ETH_ALEN);
	return 0;
}

/*
 * TC: makes the frame leave with VLAN out_vlan (0 = untagged). A tag that arrived
 * (in skb metadata or in the frame) is removed with bpf_skb_vlan_pop; a new tag is
 * written into the frame itself (room made with bpf_skb_adjust_room) rather than into
 * skb metadata, so the result is the same bytes on the wire and in test-run output.
 */
static __always_inline int fp_tc_vlan_set(struct __sk_buff *skb, const struct fp_pkt *p,
					  __u16 out_vlan)
{
	struct fp_vlan_tag {
		__be16 tpid;
		__be16 tci;
		__be16 proto;
	} tag;

	if (p->vlan == out_vlan)
		return 0;
	if (p->vlan && bpf_skb_vlan_pop(skb))
		return -1;
	if (!out_vlan)
		return 0;
	if (bpf_skb_adjust_room(skb, sizeof(struct fp_vlan_hdr), BPF_ADJ_ROOM_MAC, 0))
		return -1;
	tag.tpid = bpf_htons(ETH_P_8021Q);
	tag.tci = bpf_htons(out_vlan & 0xfff);
	tag.proto = p->l3_proto_be;
	return bpf_skb_store_bytes(skb, 2 * FP_ETH_ALEN, &tag, sizeof(tag), 0) ? -1 : 0;
}

/*
 * XDP: the same with bpf_xdp_adjust_head. The MACs at the front are garbage afterwards
 * (they are rewritten next); the ethertype lands in the right place either way.
 * Updates p->l3_off. 0 or -1.
 */
static __always_inline int fp_xdp_vlan_set(struct xdp_md *ctx, struct fp_pkt *p, __u16 out_vlan)
{
	const int tag_len = sizeof(struct fp_vlan_hdr);
	void *data, *data_end;
	__be16 *tag;

	if (p->vlan == out_vlan)
		return 0;
	if (p->vlan && !out_vlan) {
		if (bpf_xdp_adjust_head(ctx, tag_len))
			return -1;
		p->l3_off -= tag_len;
		return 0;
	}
	if (!p->vlan) {
		if (bpf_xdp_adjust_head(ctx, -tag_len))
			return -1;
		p->l3_off += tag_len;
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	tag = fp_hdr(data, data_end, 2 * FP_ETH_ALEN, tag_len);
	if (!tag)
		return -1;
	tag[0] = bpf_htons(ETH_P_8021Q);
	tag[1] = bpf_htons(out_vlan & 0xfff);
	return 0;
}

#endif /* FP_L2_H */
