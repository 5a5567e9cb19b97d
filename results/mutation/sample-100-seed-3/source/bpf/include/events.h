/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* events.h - records for the control plane on the events ring buffer. */
#ifndef FP_EVENTS_H
#define FP_EVENTS_H

#include "common.h"
#include "cfg.h"
#include "stats.h"

#define FP_MAX_EV_LIMIT 4096
#define FP_EVENTS_BYTES (256 * 1024)

enum fp_event_type {
	FP_EV_MAC_LEARN = 1,  /* unknown source MAC: mac, port, bd, vlan */
	FP_EV_ROUTE_MISS = 2, /* no route: family, zone, addr = destination */
	FP_EV_NH_MISS = 3,    /* next hop unresolved: addr = destination, port = nh id */
};

/* ev_limit (LRU): when the last route / next-hop miss event for a destination went out. */
struct fp_ev_limit_key {
	__u32 addr[4];
	__u16 zone;
	__u8 type; /* enum fp_event_type */
	__u8 family;
};

/* events (ring buffer) record. */
struct fp_event {
	__u16 type;   /* enum fp_event_type */
	__u16 family; /* 4 or 6 for route / next-hop events, 0 otherwise */
	__u32 ifindex;
	__u32 id; /* port (learn) or next-hop id (nh miss) */
	__u16 zone;
	__u16 bd;
	__u16 vlan;
	__u8 mac[FP_ETH_ALEN];
	__u32 addr[4];
	__u64 ts_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FP_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} events SEC(".maps");

/* Not pinned: rate-limit state only. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FP_MAX_EV_LIMIT);
	__type(key, struct fp_ev_limit_key);
	__type(value, __u64);
} ev_limit SEC(".maps");

static __always_inline void fp_event_emit(struct fp_event *ev, __u32 bytes)
{
	ev->ts_ns = bpf_ktime_get_ns();
	if (bpf_ringbuf_output(&events, ev, sizeof(*ev), 0))
		fp_stats_path(FP_PATH_EVENT_LOST, bytes);
}

#define FP_EVENT_INTERVAL_NS 1000000000ULL

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
