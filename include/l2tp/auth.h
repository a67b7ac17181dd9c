/* SPDX-License-Identifier: MIT */
/*
 * l2tp/auth.h - digests for hidden AVPs, challenge/response and the
 * L2TPv3 Message Digest AVP. lib/auth.c is the only file of libl2tp that
 * includes OpenSSL headers: no hash here is written by hand.
 */
#ifndef L2TP_AUTH_H
#define L2TP_AUTH_H

#include <l2tp/types.h>

#define L2TP_MD5_LEN 16

/* One piece of a message to hash; pieces are hashed in order. */
struct l2tp_iov {
	const void *base;
	size_t len;
};

/*
 * MD5 over the concatenation of |n| pieces into |out|.
 * Returns 0, or -EIO if libcrypto fails.
 */
int l2tp_auth_md5(const struct l2tp_iov *iov, size_t n, uint8_t out[L2TP_MD5_LEN]);

#endif /* L2TP_AUTH_H */
