/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * qos.h - ingress QoS: (logical port, DSCP class selector) -> skb priority (for kernel
 * qdiscs) and optionally a new DSCP. TC only: XDP cannot set skb priority, so the XDP
 * entry hands packets that have a QoS entry to TC.
 */
#ifndef FP_QOS_H
#define FP_QOS_H

#include <linux/pkt_cls.h>
#include "common.h"
#include "cfg.h"
#include "policer.h"

/* qos (array): ingress port * FP_QOS_CLASSES + DSCP class selector (DSCP >> 3), for
 * ports below FP_QOS_PORTS -> skb priority and optional DSCP. */
#define FP_QOS_CLASSES 8
#define FP_QOS_PORTS   512
#define FP_MAX_QOS     (FP_QOS_PORTS * FP_QOS_CLASSES)
_Static_assert(FP_QOS_PORTS == FP_CFG_QOS_WORDS * 32, "fp_cfg.qos_ports covers the QoS ports");
#define FP_QOS_F_VALID (1U << 0)
#define FP_QOS_F_DSCP  (1U << 1) /* also rewrite the DSCP */

struct fp_qos {
	__u32 priority; /* skb->priority */
	__u8 dscp;
	__u8 flags; /* FP_QOS_F_* */
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_QOS);
	__type(key, __u32);
	__type(value, struct fp_qos);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} qos SEC(".maps");

/* Whether the port has any QoS entry (cfg.qos_ports): ports without one skip the lookup. */
static __always_inline int fp_qos_port(const struct fp_cfg *c, __u16 port)
{
	return c && port < FP_QOS_PORTS && (c->qos_ports[port >> 5] & (1U << (port & 31)));
}

/* The packet's QoS entry (class = DSCP >> 3 of the packet as it is now), or NULL. */
static __always_inline struct fp_qos *fp_qos_lookup(const struct fp_pkt *p)
{
	struct fp_qos *q;
	__u32 k;

	if (p->intf.port >= FP_QOS_PORTS)
		return NULL;
	k = (__u32)p->intf.port * FP_QOS_CLASSES + (p->tos >> 5);
	q = bpf_map_lookup_elem(&qos, &k);
	return q && (q->flags & FP_QOS_F_VALID) ? q : NULL;
}

/* Sets skb->priority (and the DSCP) from the packet's QoS entry; 0 or -1. */
static __always_inline int fp_tc_qos(struct __sk_buff *skb, struct fp_pkt *p)
{
	struct fp_qos *q = fp_qos_lookup(p);

	if (!q)
		return 0;
	skb->priority = q->priority;
	if (!(q->flags & FP_QOS_F_DSCP) || (p->tos >> 2) == q->dscp)
		return 0;
	return fp_set_dscp((void *)(long)skb->data, (void *)(long)skb->data_end, p, q->dscp);
}

#endif /* FP_QOS_H */
