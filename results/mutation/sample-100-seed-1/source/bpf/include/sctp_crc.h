/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * sctp_crc.h - the CRC32c change caused by rewriting SCTP ports, in one program.
 *
 * CRC32c is affine: for two messages of the same length, crc(A) ^ crc(B) equals the
 * raw CRC (init 0, no final xor) of A ^ B. A port rewrite makes A ^ B the 4 changed
 * bytes followed by len - 4 zero bytes, so the new checksum is the old one xor the raw
 * CRC of that: the port difference pushed through len bytes of zeros. No packet bytes
 * are read, so it works on non-linear skbs, and no chain of tail calls is needed: the
 * zeros are consumed four at a time (slicing-by-4 tables), inline for short packets and
 * in a bpf_loop beyond.
 */
#ifndef FP_SCTP_CRC_H
#define FP_SCTP_CRC_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include "crc32c_tables.h"

#define FP_CRC_MAX_WORDS	(65536 / 4)
#define FP_CRC_INLINE_WORDS	16

static __always_inline __u32 fp_crc32c_zero_word(__u32 c)
{
	return fp_crc32c_tbl[3][c & 0xff] ^ fp_crc32c_tbl[2][(c >> 8) & 0xff] ^
	       fp_crc32c_tbl[1][(c >> 16) & 0xff] ^ fp_crc32c_tbl[0][c >> 24];
}

static long fp_crc32c_zero_step(__u64 index, void *ctx)
{
	__u32 *c = ctx;

	*c = fp_crc32c_zero_word(*c);
	return 0;
}

/* diff: the xor of old and new port words as they lie in memory; len: SCTP bytes. */
static __always_inline __u32 fp_crc32c_delta(__u32 diff, __u32 len)
{
	__u32 words = (len >> 2) & (FP_CRC_MAX_WORDS - 1);
	__u32 c = diff;
	__u32 i;

	/* Small packets (DATA, SACK, HEARTBEAT) inline: a bpf_loop callback costs ~10 ns a
	 * word; longer ones hand the rest to bpf_loop. */
	for (i = 0; i < FP_CRC_INLINE_WORDS; i++) {
		if (i >= words)
			break;
		c = fp_crc32c_zero_word(c);
	}
	if (words > FP_CRC_INLINE_WORDS)
		bpf_loop(words - FP_CRC_INLINE_WORDS, fp_crc32c_zero_step, &c, 0);
	for (i = 0; i < 3; i++) {
		if (i < (len & 3))
			c = (c >> 8) ^ fp_crc32c_tbl[0][c & 0xff];
	}
	return c;
}

#endif /* FP_SCTP_CRC_H */
