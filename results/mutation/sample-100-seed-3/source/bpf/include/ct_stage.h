/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * ct_stage.h - the CT + NAT/LB stage (program fp_tc_ct, pgm[FP_PGM_CT]), included by
 * fastpath.bpf.c after fp_tc_l3:
 *
 *   later fragment -> the first fragment's connection (ct_frag) or plain routing;
 *   CT hit -> state machine; miss -> LB rule? select an endpoint, create both entries;
 *   neither -> plain routing. Then NAT rewrite, route the translated packet, install the
 *   flow-cache entry when the connection is established, delete both entries on close.
 */
#ifndef FP_CT_STAGE_H
#define FP_CT_STAGE_H

#include "common.h"
#include "cfg.h"
#include "ct.h"
#include "fc.h"
#include "icmp_err.h"
#include "lb.h"
#include "nat.h"
#include "policer.h"
#include "tunnel.h"

/* Per-CPU room for the entries of a new connection (too big for the stack). */
struct fp_ct_tmp {
	struct fp_ct fwd;
	struct fp_ct rev;
	struct fp_fc_value fc;
	struct fp_flow_key okey; /* the pre-NAT key: flow-cache key, what close deletes */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_ct_tmp);
} ct_tmp SEC(".maps");

static __always_inline void fp_ct_sess_add(__u32 rule_id, __u32 ep, int delta)
{
	__u32 *s = fp_lb_sess(rule_id, ep);

	if (s)
		__sync_fetch_and_add(s, delta);
}

/* The key of packets flowing against a translated direction. */
static __always_inline void fp_ct_reverse_key(struct fp_flow_key *r, const struct fp_flow_key *k,
					      const struct fp_ct *e)
{
	__builtin_memcpy(r->saddr, e->nat_daddr, 16);
	__builtin_memcpy(r->daddr, e->nat_saddr, 16);
	r->sport_be = e->nat_dport_be;
	r->dport_be = e->nat_sport_be;
	r->zone = k->zone;
	r->proto = k->proto;
	r->family = k->family;
}

static __always_inline int fp_is_icmp(__u8 proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

/*
 * Opens a connection for a packet to an LB rule: *err = 0 and the new original entry,
 * built in tmp and not yet in ct (fp_ct_commit puts both entries there once the state
 * machine has run on it: no lookup of what was just written, one clock read), or NULL
 * with *err = 0 (not ours: route plainly) or 1 (drop, p->reason set).
 */
static __always_inline struct fp_ct *fp_ct_open(struct fp_pkt *p, struct fp_ct_tmp *tmp, int *err)
{
	struct fp_ct *fwd = &tmp->fwd, *rev = &tmp->rev;
	struct fp_lb_ep *epv;
	struct fp_lb *r;
	__u16 flags = 0;
	__u32 k;
	__u8 state;
	int ep;

	*err = 0;
	r = fp_lb_lookup(p);
	if (!r)
		return NULL;
	state = fp_ct_initial(p, &flags);
	if (state == FP_CT_NONE) {
		if (fp_is_icmp(p->key.proto))
			return NULL;
		p->reason = FP_DROP_CT_INVALID;
		*err = 1;
		return NULL;
	}
	ep = fp_lb_select(r, p);
	if (ep < 0 || ep >= FP_LB_EP_MAX) {
		fp_stats_path(FP_PATH_LB_NO_EP, p->len);
		return NULL;
	}
	k = r->rule_id * FP_LB_EP_MAX + ep;
	epv = bpf_map_lookup_elem(&lb_ep, &k);
	if (!epv)
		return NULL;

	/* The two entries only: the cache value is cleared when a connection is cached. */
	__builtin_memset(fwd, 0, sizeof(*fwd));
	__builtin_memset(rev, 0, sizeof(*rev));
	fwd->state = state;
	fwd->rule_id = r->rule_id;
	fwd->ep = ep;
	fwd->pkts = 0;
	fwd->policer = r->policer;
	__builtin_memcpy(fwd->nat_saddr, p->key.saddr, 16);
	__builtin_memcpy(fwd->nat_daddr, epv->addr, 16);
	fwd->nat_sport_be = p->key.sport_be;
	fwd->nat_dport_be =
		(epv->port_be && !fp_is_icmp(p->key.proto)) ? epv->port_be : p->key.dport_be;
	if (r->mode == FP_LB_DSR) {
		flags |= FP_CT_F_DSR;
	} else if (r->mode == FP_LB_DSR_IPIP) {
		flags |= FP_CT_F_DSR | FP_CT_F_IPIP;
		__builtin_memcpy(fwd->nat_saddr, r->snat_addr, 16);
	} else {
		flags |= FP_CT_F_DNAT;
		if (r->mode == FP_LB_ONEARM || r->mode == FP_LB_FULLNAT) {
			flags |= FP_CT_F_SNAT;
			__builtin_memcpy(fwd->nat_saddr, r->snat_addr, 16);
		}
	}
	fwd->flags = flags;
	fwd->seen_ns = bpf_ktime_get_coarse_ns();

	if (!(flags & FP_CT_F_DSR)) {
		fp_ct_reverse_key(&fwd->peer, &p->key, fwd);
		rev->peer = p->key;
		rev->seen_ns = fwd->seen_ns;
		rev->rule_id = fwd->rule_id;
		rev->ep = fwd->ep;
		rev->flags =
			FP_CT_F_REPLY | FP_CT_F_SNAT | (flags & FP_CT_F_SNAT ? FP_CT_F_DNAT : 0);
		__builtin_memcpy(rev->nat_saddr, p->key.daddr, 16);
		__builtin_memcpy(rev->nat_daddr, p->key.saddr, 16);
		rev->nat_sport_be = p->key.dport_be;
		rev->nat_dport_be = p->key.sport_be;
	}
	return fwd;
}

/* Writes the entries fp_ct_open built (the original one after its first verdict);
 * nonzero on a collision with an existing reply entry (p->reason set). */
static __always_inline int fp_ct_commit(struct fp_pkt *p, struct fp_ct_tmp *tmp)
{
	struct fp_ct *fwd = &tmp->fwd;
	int has_peer = !(fwd->flags & FP_CT_F_DSR);

	if (has_peer && bpf_map_update_elem(&ct, &fwd->peer, &tmp->rev, BPF_NOEXIST))
		goto collision;
	if (bpf_map_update_elem(&ct, &p->key, fwd, BPF_ANY)) {
		if (has_peer)
			bpf_map_delete_elem(&ct, &fwd->peer);
		goto collision;
	}
	fp_ct_sess_add(fwd->rule_id, fwd->ep, 1);
	fp_stats_path(FP_PATH_CT_NEW, p->len);
	return 0;
collision:
	p->reason = FP_DROP_CT_COLLISION;
	return 1;
}

/* Deletes both entries and their flow-cache entries; the session count falls. */
static __always_inline void fp_ct_close(const struct fp_flow_key *key, struct fp_ct *e, __u32 len)
{
	struct fp_flow_key peer = e->peer;
	__u32 rule_id = e->rule_id, ep = e->ep;
	int has_peer = !(e->flags & FP_CT_F_DSR);

	if (bpf_map_delete_elem(&fc, key) == 0)
		fp_stats_path(FP_PATH_FC_RETIRE, len);
	bpf_map_delete_elem(&ct, key);
	if (has_peer) {
		if (bpf_map_delete_elem(&fc, &peer) == 0)
			fp_stats_path(FP_PATH_FC_RETIRE, len);
		bpf_map_delete_elem(&ct, &peer);
	}
	fp_ct_sess_add(rule_id, ep, -1);
	fp_stats_path(FP_PATH_CT_CLOSE, len);
}

static __always_inline int fp_ct_verdict(struct fp_ct *c, __u32 dir, struct fp_pkt *p,
					 struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	switch (p->key.proto) {
	case IPPROTO_TCP: {
		struct fp_tcp_info t;

		if (fp_tcp_info(data, data_end, p, &t))
			return FP_CTV_DROP;
		return fp_ct_tcp(c, dir, p, &t);
	}
	case IPPROTO_SCTP:
		return fp_ct_sctp(c, dir, p, data, data_end);
	default:
		return fp_ct_dgram(c, dir);
	}
}

static __always_inline void fp_rewrite_from(struct fp_rewrite *rw, const struct fp_ct *e,
					    const struct fp_flow_key *k)
{
	__builtin_memcpy(rw->saddr, e->nat_saddr, 16);
	__builtin_memcpy(rw->daddr, e->nat_daddr, 16);
	rw->sport_be = e->nat_sport_be;
	rw->dport_be = e->nat_dport_be;
	fp_rewrite_sums(rw, k);
}

/* Later fragments carry no ports: they follow the first fragment's connection. */
static __always_inline int fp_ct_frag_later(struct __sk_buff *skb, struct fp_pkt *p)
{
	struct fp_frag_key fk = {
		.id = p->ipid, .zone = p->key.zone, .proto = p->key.proto, .family = p->key.family
	};
	struct fp_flow_key *ck;
	struct fp_rewrite rw;
	struct fp_ct *e;

	__builtin_memcpy(fk.saddr, p->key.saddr, 16);
	__builtin_memcpy(fk.daddr, p->key.daddr, 16);
	ck = bpf_map_lookup_elem(&ct_frag, &fk);
	if (!ck)
		return fp_tc_l3(skb, p, 0, 1);
	e = bpf_map_lookup_elem(&ct, ck);
	if (!e)
		return fp_tc_l3(skb, p, 0, 1);
	if (e->flags & (FP_CT_F_SNAT | FP_CT_F_DNAT)) {
		fp_rewrite_from(&rw, e, &p->key);
		if (fp_tc_nat(skb, p, &rw))
			return fp_tc_drop(p, FP_DROP_REWRITE);
	}
	__builtin_memcpy(p->key.daddr, e->nat_daddr, 16);
	if ((e->flags & FP_CT_F_IPIP) && fp_tun_ipip_push(skb, p, e->nat_saddr[0], e->nat_daddr[0]))
		return fp_tc_drop(p, FP_DROP_REWRITE);
	return fp_tc_l3(skb, p, 0, !(e->flags & FP_CT_F_DSR));
}

static __always_inline void fp_ct_frag_first(const struct fp_pkt *p, const struct fp_flow_key *key)
{
	struct fp_frag_key fk = {
		.id = p->ipid, .zone = key->zone, .proto = key->proto, .family = key->family
	};

	__builtin_memcpy(fk.saddr, key->saddr, 16);
	__builtin_memcpy(fk.daddr, key->daddr, 16);
	bpf_map_update_elem(&ct_frag, &fk, key, BPF_ANY);
}

static __always_inline int fp_ct_stage(struct __sk_buff *skb, struct fp_pkt *p)
{
	__u32 zero = 0;
	struct fp_ct_tmp *tmp = bpf_map_lookup_elem(&ct_tmp, &zero);
	struct fp_flow_key *okey;
	struct fp_rewrite rw;
	struct fp_ct *e, *c;
	struct fp_cfg *cf;
	__u32 dir;
	int verdict, err, rc, cacheable, dec_ttl, opened = 0;

	if (!tmp)
		return TC_ACT_OK;
	if (p->frag == FP_FRAG_LATER)
		return fp_ct_frag_later(skb, p);
	if (fp_icmp_is_error(p)) {
		if (fp_icmp_error_nat((void *)(long)skb->data, (void *)(long)skb->data_end, p) == 0)
			fp_stats_path(FP_PATH_ICMP_ERR_NAT, p->len);
		return fp_tc_l3(skb, p, 0, 1);
	}
	e = bpf_map_lookup_elem(&ct, &p->key);
	if (!e) {
		e = fp_ct_open(p, tmp, &err);
		if (err)
			return fp_tc_drop(p, p->reason);
		if (!e)
			return fp_tc_l3(skb, p, 0, 1);
		opened = 1;
	}
	dir = (e->flags & FP_CT_F_REPLY) ? 1 : 0;
	c = dir ? bpf_map_lookup_elem(&ct, &e->peer) : e;
	if (!c) {
		/* The original entry was aged out from under its reply entry. */
		bpf_map_delete_elem(&ct, &p->key);
		return fp_tc_l3(skb, p, 0, 1);
	}
	verdict = fp_ct_verdict(c, dir, p, skb);
	/* A new connection's entries go in as the verdict left them, even a dropped first
	 * packet's; its seen_ns is already now. */
	if (opened && fp_ct_commit(p, tmp))
		return fp_tc_drop(p, p->reason);
	if (verdict == FP_CTV_DROP)
		return fp_tc_drop(p, FP_DROP_CT_INVALID);
	if (!opened)
		e->seen_ns = bpf_ktime_get_coarse_ns();
	/* The rule's policer, on the client's packets (before any rewrite: same length). */
	if (e->policer && fp_policer_run((void *)(long)skb->data, (void *)(long)skb->data_end, p,
					 e->policer) == FP_RED)
		return TC_ACT_SHOT;

	okey = &tmp->okey;
	*okey = p->key;
	if (p->key.proto == IPPROTO_TCP && (p->tcp_flags & (FP_TCP_FIN | FP_TCP_RST)) &&
	    bpf_map_delete_elem(&fc, okey) == 0)
		fp_stats_path(FP_PATH_FC_RETIRE, p->len);

	if (e->flags & (FP_CT_F_SNAT | FP_CT_F_DNAT)) {
		fp_rewrite_from(&rw, e, &p->key);
		if (fp_tc_nat(skb, p, &rw))
			return fp_tc_drop(p, FP_DROP_REWRITE);
	}
	if (p->frag == FP_FRAG_FIRST)
		fp_ct_frag_first(p, okey);

	cacheable = verdict == FP_CTV_FWD && c->state == FP_CT_ESTABLISHED &&
		    p->frag == FP_FRAG_NONE &&
		    !(p->key.proto == IPPROTO_TCP &&
		      (p->tcp_flags & (FP_TCP_SYN | FP_TCP_FIN | FP_TCP_RST)));
	dec_ttl = !(e->flags & FP_CT_F_DSR);
	__builtin_memcpy(p->key.daddr, e->nat_daddr, 16);
	if (e->flags & FP_CT_F_IPIP) {
		/* The cache applies no encapsulation: these flows stay on this path. */
		cacheable = 0;
		if (fp_tun_ipip_push(skb, p, e->nat_saddr[0], e->nat_daddr[0]))
			return fp_tc_drop(p, FP_DROP_REWRITE);
	}
	if (cacheable)
		__builtin_memset(&tmp->fc, 0, sizeof(tmp->fc));
	rc = fp_tc_l3(skb, p, cacheable ? &tmp->fc : 0, dec_ttl);

	if (verdict == FP_CTV_CLOSE) {
		fp_ct_close(okey, e, p->len);
		return rc;
	}
	cf = fp_cfg_get();
	if (cacheable && tmp->fc.ifindex && cf) {
		struct fp_fc_value *v = &tmp->fc;

		v->generation = cf->generation;
		v->flags |= FP_FC_F_CT | (e->flags & (FP_CT_F_SNAT | FP_CT_F_DNAT));
		if (e->flags & (FP_CT_F_SNAT | FP_CT_F_DNAT)) {
			__builtin_memcpy(v->nat_saddr, rw.saddr, 16);
			__builtin_memcpy(v->nat_daddr, rw.daddr, 16);
			v->nat_sport_be = rw.sport_be;
			v->nat_dport_be = rw.dport_be;
			v->csum_addr = rw.csum_addr;
			v->csum_port = rw.csum_port;
		}
		v->sctp_vtag = p->sctp_vtag;
		v->policer = e->policer;
		fp_fc_xdp_limits(skb, v);
		if (bpf_map_update_elem(&fc, okey, v, BPF_ANY) == 0)
			fp_stats_path(FP_PATH_FC_INSTALL, p->len);
	}
	return rc;
}

#endif /* FP_CT_STAGE_H */
