/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * xdp_fwd.h - which flow-cache hits the XDP entry may forward itself.
 *
 * XDP sees neither the skb's checksum state nor a GSO packet's segments, and a redirect
 * that the out device refuses is lost after the program has returned. So a hit is left
 * to TC (XDP_PASS, where the skb keeps all of that) when:
 *  - the out port does not take XDP frames (FP_FC_F_XDP_TX clear): a veth whose peer has
 *    neither GRO nor an XDP program drops every redirected frame;
 *  - the IP packet is longer than the out MTU: a GSO super-packet in generic mode, which
 *    the generic redirect drops (xdp_ok_fwd_dev);
 *  - the L4 checksum is only a partial sum: a local sender over veth with tx checksum
 *    offload (CHECKSUM_PARTIAL) leaves the pseudo-header sum in the TCP/UDP field and 0
 *    in the SCTP CRC; a frame redirected by XDP reaches the receiver with CHECKSUM_NONE
 *    and fails its check. A complete checksum equal to the pseudo-header sum by chance
 *    (1 in 65536) is only sent the slower way.
 * bpf/README.md has the kernel behaviour behind each rule.
 */
#ifndef FP_XDP_FWD_H
#define FP_XDP_FWD_H

#include "common.h"
#include "csum.h"
#include "fc.h"

/*
 * 0 when XDP may forward the hit v itself, else the fp_path counter of the reason.
 * FP_PLANTED_FAULT_* are never defined in a real build: the suite's own tests build
 * objects with one rule left out and expect the wire matrix to fail (Makefile, planted
 * faults).
 */
static __always_inline enum fp_path
fp_xdp_pass_reason(void *data, void *data_end, const struct fp_pkt *p, const struct fp_fc_value *v)
{
	if (!(v->flags & FP_FC_F_XDP_TX))
		return FP_PATH_XDP_PASS_EGRESS;
#ifndef FP_PLANTED_FAULT_XDP_MTU
	if (p->len - p->l3_off > v->mtu)
		return FP_PATH_XDP_PASS_MTU;
#endif
#ifndef FP_PLANTED_FAULT_XDP_CSUM
	if (fp_l4_csum_partial(data, data_end, p))
		return FP_PATH_XDP_PASS_CSUM;
#endif
	return 0;
}

#endif /* FP_XDP_FWD_H */
