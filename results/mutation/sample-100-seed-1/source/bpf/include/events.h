/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* events.h - records for the control plane on the events ring buffer. */
#ifndef FP_EVENTS_H
#define FP_EVENTS_H

#include "maps.h"
#include "stats.h"

static __always_inline void fp_event_emit(struct fp_event *ev, __u32 bytes)
{
	ev->ts_ns = bpf_ktime_get_ns();
	if (bpf_ringbuf_output(&events, ev, sizeof(*ev), 0))
		fp_stats_path(FP_PATH_EVENT_LOST, bytes);
}

#define FP_EVENT_INTERVAL_NS	1000000000ULL

static __always_inline __u64 fp_event_interval(void)
{
	__u32 zero = 0;
	struct fp_cfg *c = bpf_map_lookup_elem(&cfg, &zero);

	return c && c->event_interval_ns ? c->event_interval_ns : FP_EVENT_INTERVAL_NS;
}

/* A route or next-hop miss for the packet's destination, at most one per interval per
 * (type, zone, destination): a flood of unroutable packets must not flood the ring. */
static __always_inline void fp_event_l3_miss(const struct fp_pkt *p, __u16 type, __u32 id)
{
	struct fp_ev_limit_key lk = {
		.zone = p->intf.zone,
		.type = type,
		.family = p->key.family,
	};
	__u64 now = bpf_ktime_get_ns();
	__u64 *last;

	__builtin_memcpy(lk.addr, p->key.daddr, sizeof(lk.addr));
	last = bpf_map_lookup_elem(&ev_limit, &lk);
	if (last && now - *last < fp_event_interval()) {
		fp_stats_path(FP_PATH_EVENT_LIMITED, p->len);
		return;
	}
	bpf_map_update_elem(&ev_limit, &lk, &now, BPF_ANY);

	struct fp_event ev = {
		.type = type,
		.family = p->key.family,
		.ifindex = p->ifindex,
		.id = id,
		.zone = p->intf.zone,
		.bd = p->intf.bd,
		.vlan = p->vlan,
	};

	__builtin_memcpy(ev.addr, p->key.daddr, sizeof(ev.addr));
	fp_event_emit(&ev, p->len);
}

#endif /* FP_EVENTS_H */
