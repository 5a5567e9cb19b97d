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
 * Every frame gets the whole Ethernet/IPv4/UDP header written from cfg.hdr, then flow i
 * is made of it: UDP source port 1024 + (i & 0x3fff), last byte of the IPv4 source
 * address cfg.saddr_last + (i >> 14), up to 65536 distinct 5-tuples, and the IPv4 header
 * checksum is recomputed. Nothing is taken from the page: live-frame pages come back to
 * the generator's page pool with whatever the receivers did to them (a forwarding DUT
 * rewrites MACs and TTL, DNAT rewrites the destination), and the kernel re-initialises
 * a page only when its data pointers moved. The UDP checksum stays 0 (none, legal for
 * IPv4), so no flow needs an L4 checksum.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define GEN_HDR_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr))

struct gen_cfg {
	__u32 flows;		/* 1..65536 */
	__u32 saddr_last;	/* last byte of the source address of flow 0 */
	__u8 hdr[GEN_HDR_LEN];	/* flow 0's headers, written into every frame */
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

/* Frames refused (not the template this program expects): the TypeScript side fails the
 * run when this moves, since live-frames test runs report no per-frame verdict. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_aborted SEC(".maps");

static __always_inline int gen_abort(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&gen_aborted, &zero);

	if (n)
		*n += 1;
	return XDP_ABORTED;
}

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
		return gen_abort();
	cfg = bpf_map_lookup_elem(&gen_cfg, &zero);
	seq = bpf_map_lookup_elem(&gen_seq, &zero);
	if (!cfg || !seq)
		return gen_abort();
	__builtin_memcpy(eth, cfg->hdr, GEN_HDR_LEN);
	flow = cfg->flows > 1 ? (__u32)(*seq % cfg->flows) : 0;
	*seq += 1;
	udp->source = bpf_htons(1024 + (flow & 0x3fff));
	udp->check = 0;
	((__u8 *)&ip->saddr)[3] = (__u8)(cfg->saddr_last + (flow >> 14));
	ip->check = ipv4_csum(ip);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
