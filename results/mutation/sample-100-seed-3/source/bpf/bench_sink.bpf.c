// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * bench_sink.bpf.c - where the wire benchmark counts what arrived.
 *
 *   sink_xdp (XDP)  count and XDP_DROP: the cheapest possible receiver. On a veth it also
 *                   gives the interface NAPI, which XDP_TX / XDP_REDIRECT from the peer
 *                   side need (without it the sending veth drops every XDP frame).
 *   sink_tc  (TC)   count and TC_ACT_SHOT, for interfaces where XDP cannot be attached.
 *
 * Only the benchmark's own frames count (IPv4 UDP to port BENCH_UDP_PORT, which the
 * generator sends and nftables DNAT keeps); anything else (ARP, ND) goes on unharmed.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define BENCH_UDP_PORT 5001

struct sink_count {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sink_count);
} sink_stats SEC(".maps");

static __always_inline int sink_is_bench(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	if (ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return 0;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end)
		return 0;
	return udp->dest == bpf_htons(BENCH_UDP_PORT);
}

static __always_inline void sink_count(__u64 len)
{
	__u32 zero = 0;
	struct sink_count *c = bpf_map_lookup_elem(&sink_stats, &zero);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

SEC("xdp")
int sink_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (!sink_is_bench(data, data_end))
		return XDP_PASS;
	sink_count(data_end - data);
	return XDP_DROP;
}

SEC("tc")
int sink_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if (!sink_is_bench(data, data_end))
		return TC_ACT_OK;
	sink_count(skb->len);
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
