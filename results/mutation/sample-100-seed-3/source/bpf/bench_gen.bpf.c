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
 *
 * Pacing: with cfg.interval_ps set, a frame is sent (XDP_TX) only once its time has come,
 * one every interval_ps picoseconds, and the iterations in between are dropped before
 * they leave. The rate is held inside one long test run, because every test run call
 * costs a page-pool teardown (an RCU grace period, tens of milliseconds here), so a call
 * per burst cannot pace. After a stall (the CPU taken away, which on a shared machine
 * happens every few milliseconds) the missed frames are sent back to back, so the rate
 * over a window stays the one asked for; but at most PACE_CATCH_UP of them (a veth
 * receive ring), then the schedule goes on from now and gen_late counts the stall.
 * gen_sent counts the frames sent, paced or not.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define GEN_HDR_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr))

#define PACE_CATCH_UP 256

struct gen_cfg {
	__u32 flows;	       /* 1..65536 */
	__u32 saddr_last;      /* last byte of the source address of flow 0 */
	__u8 hdr[GEN_HDR_LEN]; /* flow 0's headers, written into every frame */
	__u8 pad[6];
	__u64 interval_ps; /* 0: flat out; else one frame per interval_ps */
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

/* The per-CPU pacing schedule: when the next frame may leave, in picoseconds of
 * bpf_ktime_get_ns (0: not started). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_next SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_sent SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_late SEC(".maps");

static __always_inline void gen_count(void *map)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(map, &zero);

	if (n)
		*n += 1;
}

/* 1 when this iteration's frame may leave now. */
static __always_inline int gen_due(__u64 interval_ps)
{
	__u64 now = bpf_ktime_get_ns() * 1000, lag = PACE_CATCH_UP * interval_ps;
	__u32 zero = 0;
	__u64 *next = bpf_map_lookup_elem(&gen_next, &zero);

	if (!next)
		return 1;
	if (*next == 0) {
		*next = now;
	} else if (*next + lag < now) {
		*next = now - lag;
		gen_count(&gen_late);
	}
	if (now < *next)
		return 0;
	*next += interval_ps;
	return 1;
}

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
		if (i != 5) /* the checksum field itself */
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
	if (cfg->interval_ps && !gen_due(cfg->interval_ps))
		return XDP_DROP;
	__builtin_memcpy(eth, cfg->hdr, GEN_HDR_LEN);
	flow = cfg->flows > 1 ? (__u32)(*seq % cfg->flows) : 0;
	*seq += 1;
	udp->source = bpf_htons(1024 + (flow & 0x3fff));
	udp->check = 0;
	((__u8 *)&ip->saddr)[3] = (__u8)(cfg->saddr_last + (flow >> 14));
	ip->check = ipv4_csum(ip);
	gen_count(&gen_sent);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
