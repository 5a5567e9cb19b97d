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

/* A route or next-hop miss for the packet's destination. */
static __always_inline void fp_event_l3_miss(const struct fp_pkt *p, __u16 type, __u32 id)
{
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
