// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * fastpath.bpf.c - the datapath entry programs (TC ingress and XDP).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "types.h"
#include "maps.h"
#include "stats.h"

SEC("tc")
int fp_tc_entry(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if (data + sizeof(struct ethhdr) > data_end)
		return TC_ACT_OK;
	fp_stats_intf(skb->ifindex, skb->len);
	return TC_ACT_OK;
}

SEC("xdp")
int fp_xdp_entry(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + sizeof(struct ethhdr) > data_end)
		return XDP_PASS;
	fp_stats_intf(ctx->ingress_ifindex, (__u32)(data_end - data));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
