/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* lb_maps.h - maps of connection tracking and load balancing (layouts in lb_types.h). */
#ifndef FP_LB_MAPS_H
#define FP_LB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "types.h"
#include "lb_types.h"

#define FP_MAX_CT		(512 * 1024)
#define FP_MAX_LB		4096
#define FP_MAX_LB_RANGE		(FP_LB_RULES_MAX * FP_LB_RANGE_PREFIXES)
#define FP_MAX_PERSIST		65536
#define FP_MAX_FRAG		8192

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FP_MAX_CT);
	__type(key, struct fp_flow_key);
	__type(value, struct fp_ct);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_LB);
	__type(key, struct fp_lb_key);
	__type(value, struct fp_lb);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb SEC(".maps");

/* Every rule id could be a range of the most prefixes: lb_range never fills up. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FP_MAX_LB_RANGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fp_lb_range_key);
	__type(value, struct fp_lb_key);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_range SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_LB_RULES_MAX * FP_LB_EP_MAX);
	__type(key, __u32);
	__type(value, struct fp_lb_ep);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_ep SEC(".maps");

/* Sessions per endpoint (least connection and the dump): same index as lb_ep. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_LB_RULES_MAX * FP_LB_EP_MAX);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_sess SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_LB_RULES_MAX);
	__type(key, __u32);
	__type(value, struct fp_lb_tbl);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_tbl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FP_MAX_PERSIST);
	__type(key, struct fp_persist_key);
	__type(value, struct fp_persist);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_persist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FP_MAX_FRAG);
	__type(key, struct fp_frag_key);
	__type(value, struct fp_flow_key);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ct_frag SEC(".maps");

#endif /* FP_LB_MAPS_H */
