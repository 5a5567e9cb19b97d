// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * fastpath.bpf.c - the datapath programs.
 *
 *   fp_tc_entry  (TC ingress)  parse once into the per-CPU scratch, resolve the port,
 *                              ingress mirror, interface policer, QoS, flow-cache lookup;
 *                              hit: rewrite + redirect; miss: tail call pgm[FP_PGM_SLOW].
 *   fp_tc_slow   (tail call)   tunnel termination, smac learning, router-MAC gate, then
 *                              L2 (dmac) or tail call pgm[FP_PGM_CT].
 *   fp_tc_ct     (tail call)   connection tracking, NAT / LB, then L3 (ct_stage.h).
 *   fp_xdp_entry (XDP)         the same fast-path lookup; anything but a hit it may
 *                              forward itself: XDP_PASS on to TC.
 *   fp_tc_egress (TC egress)   egress mirroring.
 *
 * Stage order of a packet the flow cache does not serve:
 *   intf -> mirror -> policer -> QoS (entry) -> tunnel termination -> smac -> rmac gate
 *   (slow) -> CT -> LB rule, endpoint -> rule policer -> NAT (CT stage) -> tun_dst or
 *   route -> next hop -> TTL, MACs, VLAN -> redirect -> flow-cache install (CT stage).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "common.h"
#include "stats.h"
#include "cfg.h"
#include "events.h"
#include "parse.h"
#include "intf.h"
#include "l2.h"
#include "l3.h"
#include "fc.h"
#include "nat.h"
#include "xdp_fwd.h"
#include "policer.h"
#include "tunnel.h"
#include "qos.h"
#include "mirror.h"

#define FP_PULL_LEN 256

static __always_inline struct fp_pkt *fp_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline int fp_tc_to_stack(const struct fp_pkt *p, enum fp_path path)
{
	fp_stats_path(path, p->len);
	return TC_ACT_OK;
}

static __always_inline int fp_tc_drop(const struct fp_pkt *p, enum fp_drop_reason reason)
{
	fp_stats_drop(reason, p->len);
	return TC_ACT_SHOT;
}

/* MACs, TTL and VLAN of a forwarded packet; L3 first, while p->l3_off is valid. */
static __always_inline int fp_tc_rewrite(struct __sk_buff *skb, const struct fp_pkt *p,
					 const __u8 *dst, const __u8 *src, __u16 vlan, int dec_ttl)
{
	if (dec_ttl && fp_dec_ttl((void *)(long)skb->data, (void *)(long)skb->data_end, p))
		return -1;
	if (fp_set_macs((void *)(long)skb->data, (void *)(long)skb->data_end, dst, src))
		return -1;
	return fp_tc_vlan_set(skb, p, vlan);
}

/* TC fast path: a valid flow-cache entry is applied here, with no tail call. */
static __always_inline int fp_tc_fast(struct __sk_buff *skb, struct fp_pkt *p,
				      const struct fp_cfg *c)
{
	struct fp_fc_value *v = fp_fc_lookup(p, c, 1);

	if (!v)
		return -1;
	if (v->policer && fp_policer_run((void *)(long)skb->data, (void *)(long)skb->data_end, p,
					 v->policer) == FP_RED)
		return TC_ACT_SHOT;
	if ((v->flags & (FP_FC_F_SNAT | FP_FC_F_DNAT)) &&
	    fp_tc_nat(skb, p, (const struct fp_rewrite *)v->nat_saddr))
		return fp_tc_drop(p, FP_DROP_REWRITE);
	if (fp_tc_rewrite(skb, p, v->dmac, v->smac, v->vlan, v->flags & FP_FC_F_DEC_TTL))
		return fp_tc_drop(p, FP_DROP_REWRITE);
	/* Not atomic: a lost increment only delays ageing by one sweep. A clock read here
	 * cost ~30 ns per packet. */
	v->hits++;
	fp_stats_array(&stats_route, v->route_id, p->len);
	fp_stats_array(&stats_nh, v->nh_id, p->len);
	fp_stats_path(FP_PATH_TC_FAST_HIT, p->len);
	return bpf_redirect(v->ifindex, 0);
}

SEC("tc")
int fp_tc_entry(struct __sk_buff *skb)
{
	struct fp_pkt *p = fp_scratch();
	struct fp_cfg *c;
	__u32 vlan_meta = 0;
	int rc;

	if (!p)
		return TC_ACT_OK;
	fp_stats_intf(skb->ifindex, skb->len);
	if (skb->data_end - skb->data < skb->len)
		bpf_skb_pull_data(skb, skb->len < FP_PULL_LEN ? skb->len : FP_PULL_LEN);
	if (skb->vlan_present)
		vlan_meta = FP_VLAN_META_PRESENT | (skb->vlan_tci & 0xfff);

	fp_pkt_init(p, skb->ifindex, skb->len);
	rc = fp_parse(p, (void *)(long)skb->data, (void *)(long)skb->data_end, vlan_meta);
	if (rc == FP_PARSE_DROP)
		return fp_tc_drop(p, p->reason);
	if (rc == FP_PARSE_STACK)
		return fp_tc_to_stack(p, p->reason);
	if (!fp_intf_resolve(p))
		return fp_tc_to_stack(p, FP_PATH_STACK_INTF_MISS);
	/* Mirror the received bytes; police and QoS before the flow cache, so policed
	 * ports stay fast. Ports without them pay a branch each (intf, cfg in hand). */
	c = fp_cfg_get();
	if (p->intf.mirror)
		fp_tc_mirror(skb, p->intf.mirror, FP_MIRR_F_INGRESS);
	if (p->intf.policer && fp_policer_run((void *)(long)skb->data, (void *)(long)skb->data_end,
					      p, p->intf.policer) == FP_RED)
		return TC_ACT_SHOT;
	if (fp_qos_port(c, p->intf.port) && fp_tc_qos(skb, p))
		return fp_tc_drop(p, FP_DROP_REWRITE);

	rc = fp_tc_fast(skb, p, c);
	if (rc >= 0)
		return rc;
	bpf_tail_call(skb, &pgm, FP_PGM_SLOW);
	return fp_tc_to_stack(p, FP_PATH_TAILCALL_FAIL);
}

static __always_inline int fp_tc_l2(struct __sk_buff *skb, const struct fp_pkt *p)
{
	struct fp_dmac *d;

	if (fp_mac_is_group(p->dmac))
		return fp_tc_to_stack(p, FP_PATH_STACK_L2_MCAST);
	d = fp_l2_dmac(p);
	if (!d)
		return fp_tc_to_stack(p, FP_PATH_STACK_DMAC_MISS);
	if (d->flags & FP_DMAC_F_TUNNEL) /* L2 over VXLAN / NVGRE */
		return fp_tun_encap(skb, p, d->ifindex);
	if (fp_tc_vlan_set(skb, p, d->vlan))
		return fp_tc_drop(p, FP_DROP_REWRITE);
	fp_stats_path(FP_PATH_L2_FWD, p->len);
	return bpf_redirect(d->ifindex, 0);
}

/*
 * Route, next hop, TTL, MACs, redirect. When out is given and the packet is redirected,
 * out receives the forwarding half of a flow-cache entry (MACs, port, VLAN, ids).
 */
static __always_inline int fp_tc_l3(struct __sk_buff *skb, struct fp_pkt *p,
				    struct fp_fc_value *out, int dec_ttl)
{
	struct fp_route *rt;
	struct fp_nh *n;
	__u32 nh_id;

	/* GTP-U downlink / IPIP by (translated) destination; never flow-cached. */
	nh_id = fp_tun_dst_lookup(p);
	if (nh_id)
		return fp_tun_encap(skb, p, nh_id);
	rt = fp_route_lookup(p);
	if (!rt) {
		fp_event_l3_miss(p, FP_EV_ROUTE_MISS, 0);
		return fp_tc_to_stack(p, FP_PATH_STACK_ROUTE_MISS);
	}
	if (rt->flags & FP_RT_F_LOCAL)
		return fp_tc_to_stack(p, FP_PATH_STACK_LOCAL);
	if (dec_ttl && p->ttl <= 1)
		return fp_tc_to_stack(p, FP_PATH_STACK_TTL);
	nh_id = fp_ecmp_pick(rt, &p->key);
	n = bpf_map_lookup_elem(&nh, &nh_id);
	if (!n || !(n->flags & FP_NH_F_VALID)) {
		fp_event_l3_miss(p, FP_EV_NH_MISS, nh_id);
		return fp_tc_to_stack(p, FP_PATH_STACK_NH_MISS);
	}
	p->route_id = rt->route_id;
	p->nh_id = nh_id;
	if (fp_tc_rewrite(skb, p, n->dmac, n->smac, n->vlan, dec_ttl))
		return fp_tc_drop(p, FP_DROP_REWRITE);
	fp_stats_array(&stats_route, p->route_id, p->len);
	fp_stats_array(&stats_nh, nh_id, p->len);
	fp_stats_path(FP_PATH_L3_FWD, p->len);
	if (out) {
		__builtin_memcpy(out->dmac, n->dmac, FP_ETH_ALEN);
		__builtin_memcpy(out->smac, n->smac, FP_ETH_ALEN);
		out->ifindex = n->ifindex;
		out->vlan = n->vlan;
		out->route_id = rt->route_id;
		out->nh_id = nh_id;
		out->flags = dec_ttl ? FP_FC_F_DEC_TTL : 0;
	}
	return bpf_redirect(n->ifindex, 0);
}

#include "ct_stage.h"

SEC("tc")
int fp_tc_slow(struct __sk_buff *skb)
{
	struct fp_pkt *p = fp_scratch();

	if (!p)
		return TC_ACT_OK;
	fp_stats_path(FP_PATH_TC_SLOW, p->len);
	/* Tunnel terminations (VXLAN, NVGRE, GTP-U decapsulation). */
	if (p->tunnel != FP_TUN_NONE || p->key.proto == IPPROTO_GRE) {
		int rc = fp_tun_decap(skb, p);

		if (rc >= 0)
			return rc;
	}
	/* The policer (p->intf.policer) already ran in fp_tc_entry. */
	if ((p->intf.flags & FP_INTF_F_LEARN) && !fp_mac_is_group(p->smac))
		fp_l2_learn(p);
	if (!fp_l2_is_rmac(p))
		return fp_tc_l2(skb, p);
	if (!(p->intf.flags & FP_INTF_F_L3))
		return fp_tc_to_stack(p, FP_PATH_STACK_NOT_L3);
	bpf_tail_call(skb, &pgm, FP_PGM_CT);
	return fp_tc_l3(skb, p, 0, 1);
}

/* Tail call pgm[FP_PGM_CT]: connection tracking, NAT / LB, then L3 (ct_stage.h). */
SEC("tc")
int fp_tc_ct(struct __sk_buff *skb)
{
	struct fp_pkt *p = fp_scratch();

	if (!p)
		return TC_ACT_OK;
	return fp_ct_stage(skb, p);
}

SEC("xdp")
int fp_xdp_entry(struct xdp_md *ctx)
{
	struct fp_pkt *p = fp_scratch();
	struct fp_fc_value *v;
	struct fp_cfg *c;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	enum fp_path reason;

	if (!p)
		return XDP_PASS;
	fp_pkt_init(p, ctx->ingress_ifindex, (__u32)(data_end - data));
	/* Anything but a cache hit (drops included) is TC's to decide and count. */
	if (fp_parse(p, data, data_end, 0) != FP_PARSE_OK || !fp_intf_resolve(p))
		goto pass;
	/* Mirrored and QoS ports are TC's (see mirror.h, qos.h). */
	c = fp_cfg_get();
	if (p->intf.mirror || (fp_qos_port(c, p->intf.port) && fp_qos_lookup(p)))
		goto pass;
	v = fp_fc_lookup(p, c, 0);
	if (!v)
		goto pass;
	/* A port mirrored at egress must be sent by TC (its egress hook copies). */
	if (c && (c->flags & FP_CFG_F_EGRESS_MIRR) && fp_xdp_out_mirrored(v->ifindex, v->vlan))
		goto pass;
	/* Before the policers: a packet left to TC is policed there, once. */
	reason = fp_xdp_pass_reason(data, data_end, p, v);
	if (reason) {
		fp_stats_path(reason, p->len);
		goto pass;
	}
	/* Police before the rewrite (a red packet is dropped untouched). */
	if (p->intf.policer && fp_policer_run(data, data_end, p, p->intf.policer) == FP_RED)
		return XDP_DROP;
	if (v->policer && fp_policer_run(data, data_end, p, v->policer) == FP_RED)
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if ((v->flags & (FP_FC_F_SNAT | FP_FC_F_DNAT)) &&
	    fp_xdp_nat(data, data_end, p, (const struct fp_rewrite *)v->nat_saddr))
		return XDP_DROP;
	if (fp_xdp_vlan_set(ctx, p, v->vlan))
		goto pass;
	/* Not atomic: a lost increment only delays ageing by one sweep. A clock read here
	 * cost ~30 ns per packet. */
	v->hits++;
	if ((v->flags & FP_FC_F_DEC_TTL) &&
	    fp_dec_ttl((void *)(long)ctx->data, (void *)(long)ctx->data_end, p))
		return XDP_DROP;
	if (fp_set_macs((void *)(long)ctx->data, (void *)(long)ctx->data_end, v->dmac, v->smac))
		return XDP_DROP;
	fp_stats_intf(p->ifindex, p->len);
	fp_stats_array(&stats_route, v->route_id, p->len);
	fp_stats_array(&stats_nh, v->nh_id, p->len);
	fp_stats_path(FP_PATH_XDP_FAST_HIT, p->len);
	return bpf_redirect(v->ifindex, 0);
pass:
	fp_stats_path(FP_PATH_XDP_PASS, p->len);
	return XDP_PASS;
}

/* TC egress (attach with egress: true): egress mirroring only. */
SEC("tc")
int fp_tc_egress(struct __sk_buff *skb)
{
	__u32 id = fp_mirror_of(skb->ifindex, skb->vlan_present ? skb->vlan_tci & 0xfff : 0);

	if (id)
		fp_tc_mirror(skb, id, FP_MIRR_F_EGRESS);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
