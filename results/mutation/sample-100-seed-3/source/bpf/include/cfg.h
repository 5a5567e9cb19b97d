/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* cfg.h - the datapath-wide configuration: generation, event interval, feature flags. */
#ifndef FP_CFG_H
#define FP_CFG_H

#include "common.h"

/* cfg (array, one entry at key 0). */
#define FP_CFG_F_EGRESS_MIRR (1U << 0) /* some mirror copies egress (XDP must check) */
#define FP_CFG_F_TUN_DST     (1U << 1) /* tun_dst has entries (routed packets look there) */
#define FP_CFG_QOS_WORDS     16	       /* FP_QOS_PORTS / 32 */

/* cfg[0]. flags and qos_ports let the per-packet entries skip the tunnel, mirror and
 * QoS lookups with a branch on the entry they fetch anyway: qos_ports bit p = port p has
 * a QoS entry. */
struct fp_cfg {
	__u64 generation;	 /* bumped on every decision-changing change */
	__u64 event_interval_ns; /* min gap between events per MAC / destination (0 = 1 s) */
	__u32 flags;		 /* FP_CFG_F_* */
	__u32 qos_ports[FP_CFG_QOS_WORDS];
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cfg SEC(".maps");

static __always_inline struct fp_cfg *fp_cfg_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cfg, &zero);
}

#endif /* FP_CFG_H */
