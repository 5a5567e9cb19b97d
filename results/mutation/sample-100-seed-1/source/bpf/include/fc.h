/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* fc.h - the flow cache: one lookup decides the whole rewrite of an established flow. */
#ifndef FP_FC_H
#define FP_FC_H

#include <linux/in.h>
#include "maps.h"
#include "stats.h"

static __always_inline struct fp_cfg *fp_cfg_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cfg, &zero);
}

/*
 * The cached decision for this packet, or NULL (slow path). An entry built under an
 * older generation is stale; a packet whose TTL would expire must reach the stack
 * through the slow path. NAT entries carry their whole rewrite (nat.h). c is cfg[0],
 * fetched once by the entry program.
 */
static __always_inline struct fp_fc_value *fp_fc_lookup(const struct fp_pkt *p,
							const struct fp_cfg *c)
{
	struct fp_fc_value *v;

	/* SYN, FIN and RST change connection state: the slow path sees them. */
	if (p->key.proto == IPPROTO_TCP && (p->tcp_flags & 0x07))
		return NULL;
	/* SCTP control chunks (INIT.., ABORT, SHUTDOWN..) change state: slow path too. */
	if (p->key.proto == IPPROTO_SCTP && p->sctp_chunk > 5)
		return NULL;
	v = bpf_map_lookup_elem(&fc, &p->key);
	if (!v)
		return NULL;
	if (p->key.proto == IPPROTO_SCTP && v->sctp_vtag != p->sctp_vtag)
		return NULL;
	if (!c || v->generation != c->generation) {
		fp_stats_path(FP_PATH_FC_STALE, p->len);
		return NULL;
	}
	if ((v->flags & FP_FC_F_DEC_TTL) && p->ttl <= 1)
		return NULL;
	return v;
}

#endif /* FP_FC_H */
