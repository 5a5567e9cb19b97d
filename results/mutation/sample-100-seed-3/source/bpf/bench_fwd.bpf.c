// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * bench_fwd.bpf.c - the least an XDP forwarder can do: write two MACs and redirect
 * every frame to one interface. The wire benchmark runs it in the DUT as a reference
 * for our XDP path: the same two veth hops (ingress NAPI, XDP_REDIRECT, the egress
 * veth's peer), none of the lookups. The redirect target's peer needs NAPI (the sink's
 * XDP program) or the egress veth drops the frames.
 *
 * fwd_tc is the same on TC ingress (skb path), the reference for our TC path: what a
 * TC forwarder pays for the skb (build, GRO, clsact, redirect, veth xmit) before any
 * lookup of its own.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct fwd_cfg {
	__u32 ifindex;
	__u8 dmac[ETH_ALEN];
	__u8 smac[ETH_ALEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fwd_cfg);
} fwd_cfg SEC(".maps");

/* Writes the two MACs; the interface to redirect to, or 0 to let the frame pass. */
static __always_inline __u32 fwd_rewrite(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct fwd_cfg *cfg;
	__u32 zero = 0;

	if ((void *)(eth + 1) > data_end)
		return 0;
	cfg = bpf_map_lookup_elem(&fwd_cfg, &zero);
	if (!cfg || cfg->ifindex == 0)
		return 0;
	__builtin_memcpy(eth->h_dest, cfg->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, cfg->smac, ETH_ALEN);
	return cfg->ifindex;
}

SEC("xdp")
int fwd_xdp(struct xdp_md *ctx)
{
	__u32 ifindex = fwd_rewrite((void *)(long)ctx->data, (void *)(long)ctx->data_end);

	return ifindex ? bpf_redirect(ifindex, 0) : XDP_PASS;
}

SEC("tc")
int fwd_tc(struct __sk_buff *skb)
{
	__u32 ifindex = fwd_rewrite((void *)(long)skb->data, (void *)(long)skb->data_end);

	return ifindex ? bpf_redirect(ifindex, 0) : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
