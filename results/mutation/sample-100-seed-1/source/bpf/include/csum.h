/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* csum.h - Internet checksum helpers (RFC 1071 / RFC 1624). */
#ifndef FP_CSUM_H
#define FP_CSUM_H

#include <linux/types.h>

static __always_inline __u16 fp_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one changed 16-bit word. Works on
 * network-order values because one's complement addition is byte-order neutral. */
static __always_inline __u16 fp_csum_replace2(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~old;
	sum += new;
	return (__u16)~fp_csum_fold(sum);
}

#endif /* FP_CSUM_H */
