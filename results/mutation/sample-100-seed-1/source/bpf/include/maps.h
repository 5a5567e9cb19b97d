/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * maps.h - every map of the datapath, pinned by name under the loader's pin root.
 * Layouts are in types.h; sizes are documented in bpf/README.md.
 */
#ifndef FP_MAPS_H
#define FP_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "types.h"

#define FP_MAX_INTF		512
#define FP_MAX_SMAC		8192
#define FP_MAX_RMAC		2048
#define FP_MAX_DMAC		8192
#define FP_MAX_RT_V4		32768
#define FP_MAX_RT_V6		2048
#define FP_MAX_ROUTES		(FP_MAX_RT_V4 + FP_MAX_RT_V6)
#define FP_MAX_NH		4096
#define FP_MAX_FC		(512 * 1024)	/* as loxilb; one per direction; ~100 MiB memlock */
#define FP_MAX_INTF_STATS	4096
#define FP_MAX_EV_LIMIT		4096
#define FP_EVENTS_BYTES		(256 * 1024)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_INTF);
	__type(key, struct fp_intf_key);
	__type(value, struct fp_intf);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} intf SEC(".maps");

/* Untagged ports by ifindex (mirrors intf, written with it by the control plane). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_INTF_STATS);
	__type(key, __u32);
	__type(value, struct fp_intf_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} intf_arr SEC(".maps");

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

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FP_MAX_RT_V4);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fp_rt4_key);
	__type(value, struct fp_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rt_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FP_MAX_RT_V6);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fp_rt6_key);
	__type(value, struct fp_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rt_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_NH);
	__type(key, __u32);
	__type(value, struct fp_nh);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FP_MAX_FC);
	__type(key, struct fp_flow_key);
	__type(value, struct fp_fc_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cfg SEC(".maps");

/* Pinned so its slots survive the loading process (the kernel clears a prog array
 * when its last user reference goes); the loader fills the slots on every load. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FP_PGM_MAX);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pgm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_pkt);
} scratch SEC(".maps");

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

/* key: __u32 ifindex of the receiving interface (0: ifindex >= FP_MAX_INTF_STATS). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_MAX_INTF_STATS);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_intf SEC(".maps");

/* key: route_id. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_MAX_ROUTES);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_route SEC(".maps");

/* key: next-hop id. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_MAX_NH);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_nh SEC(".maps");

/* key: enum fp_drop_reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_DROP_MAX);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_drop SEC(".maps");

/* key: enum fp_path. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_PATH_MAX);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_path SEC(".maps");

/* ---- issue 6: policers, QoS, mirroring, tunnels ---- */
#define FP_MAX_POL		4096	/* policer ids 1..4095 */

/* An array: its lookup is inlined (a hash lookup measured ~3x the cost on the fast path);
 * unconfigured slots have flags 0 (no FP_POL_F_VALID). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_POL);
	__type(key, __u32);
	__type(value, struct fp_policer);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pol SEC(".maps");

/* key: policer id * FP_COLOURS + enum fp_colour. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_MAX_POL * FP_COLOURS);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_pol SEC(".maps");

#define FP_MAX_MIRR		32	/* mirror ids 1..31 */
#define FP_MAX_TUN		1024	/* tunnel ids 1..1023 */
#define FP_MAX_TUN_TERM		4096
#define FP_MAX_TUN_DST		4096

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_QOS_PORTS * FP_QOS_CLASSES);
	__type(key, __u32);
	__type(value, struct fp_qos);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} qos SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_MIRR);
	__type(key, __u32);
	__type(value, struct fp_mirror);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mirr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_TUN);
	__type(key, __u32);
	__type(value, struct fp_tun);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tun SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_TUN_TERM);
	__type(key, struct fp_tun_term_key);
	__type(value, struct fp_tun_term);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tun_term SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_TUN_DST);
	__type(key, struct fp_tun_dst_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tun_dst SEC(".maps");

/* key: mirror id = copies sent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_MAX_MIRR);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_mirr SEC(".maps");

/* key: tunnel id = packets encapsulated by it; key 0 = packets decapsulated. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_MAX_TUN);
	__type(key, __u32);
	__type(value, struct fp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_tun SEC(".maps");

#endif /* FP_MAPS_H */
