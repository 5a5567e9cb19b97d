// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * bench_gen.bpf.c - the wire benchmark's traffic generator.
 *
 * Run with BPF_PROG_TEST_RUN and BPF_F_TEST_XDP_LIVE_FRAMES: every iteration hands this
 * program one frame (an Ethernet/IPv4/UDP template), which it turns into flow number
 * (per-CPU sequence % flows) and returns XDP_TX, so the kernel really transmits it out of
 * ctx->ingress_ifindex. On a veth that means straight into the peer's receive queue,
 * which only accepts XDP frames when the peer has NAPI: an XDP program attached to the
 * peer or GRO turned on there (otherwise veth_xdp_xmit drops them).
 *
 * Flow i: UDP source port 1024 + (i & 0x3fff), last byte of the IPv4 source address
 * cfg.saddr_last + (i >> 14): up to 65536 distinct 5-tuples. Fields are written
 * absolutely (never incremented) and the IPv4 header checksum recomputed whole, because
 * live-frame pages are recycled with whatever the previous run left in them. The UDP
 * checksum stays 0 (none, legal for IPv4), so no flow needs an L4 checksum.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct gen_cfg {
	__u32 flows;		/* 1..65536 */
	__u32 saddr_last;	/* last byte of the source address of flow 0 */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_cfg);
} gen_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_seq SEC(".maps");

static __always_inline __u16 ipv4_csum(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < (int)(sizeof(*ip) / 2); i++)
		if (i != 5)	/* the checksum field itself */
			sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

SEC("xdp")
int gen_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	struct gen_cfg *cfg;
	__u64 *seq;
	__u32 zero = 0, flow;

	if ((void *)(udp + 1) > data_end)
		return XDP_ABORTED;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
		return XDP_ABORTED;
	cfg = bpf_map_lookup_elem(&gen_cfg, &zero);
	seq = bpf_map_lookup_elem(&gen_seq, &zero);
	if (!cfg || !seq)
		return XDP_ABORTED;
	flow = cfg->flows > 1 ? (__u32)(*seq % cfg->flows) : 0;
	*seq += 1;
	udp->source = bpf_htons(1024 + (flow & 0x3fff));
	udp->check = 0;
	((__u8 *)&ip->saddr)[3] = (__u8)(cfg->saddr_last + (flow >> 14));
	ip->check = ipv4_csum(ip);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
