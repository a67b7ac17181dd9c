/* SPDX-License-Identifier: MIT */
/*
 * l2tp/auth.h - digests for hidden AVPs, challenge/response and the
 * L2TPv3 Message Digest AVP. lib/auth.c is the only file of libl2tp that
 * includes OpenSSL headers: no hash here is written by hand.
 *
 * Everything here is sans-I/O: the caller passes secrets, nonces and the
 * message bytes; nothing is kept between calls except what the caller keeps
 * (struct l2tp_auth_key).
 */
#ifndef L2TP_AUTH_H
#define L2TP_AUTH_H

#include <l2tp/types.h>

#define L2TP_MD5_LEN 16
#define L2TP_SHA1_LEN 20
#define L2TP_DIGEST_MAX_LEN L2TP_SHA1_LEN

/* One piece of a message to hash; pieces are hashed in order. */
struct l2tp_iov {
	const void *base;
	size_t len;
};

/*
 * MD5 over the concatenation of |n| pieces into |out|.
 * Returns 0, or -EIO if libcrypto fails, -ENOMEM if it cannot allocate.
 */
int l2tp_auth_md5(const struct l2tp_iov *iov, size_t n, uint8_t out[L2TP_MD5_LEN]);

/*
 * Constant-time comparison of two equal-length byte strings (timing does not
 * depend on where they differ). Returns true when equal.
 */
bool l2tp_auth_equal(const void *a, const void *b, size_t len);

/* ---- L2TPv2 tunnel authentication (RFC 2661 §4.2, §4.4.3) ---------------- */

/*
 * Challenge Response AVP value: MD5(chap_id || secret || challenge), the
 * CHAP computation of RFC 1994 where the CHAP ID is the Message Type of the
 * message that carries the response: 2 (SCCRP) or 3 (SCCCN).
 *
 * Returns 0; -EINVAL if |challenge_len| is 0 or a pointer is NULL with a
 * non-zero length; -EIO/-ENOMEM if libcrypto fails.
 */
int l2tp_auth_chap_response(uint8_t chap_id, const void *secret, size_t secret_len,
			    const void *challenge, size_t challenge_len, uint8_t out[L2TP_MD5_LEN]);

/*
 * Check a received Challenge Response (|resp|, |resp_len| octets) against the
 * challenge we sent. Compares in constant time.
 *
 * Returns 0 when it matches; -EBADMSG when |resp_len| is not 16 (RFC 2661
 * §4.4.3: the response is 16 octets); -EACCES when it does not match;
 * -EINVAL, -EIO, -ENOMEM as l2tp_auth_chap_response().
 */
int l2tp_auth_chap_verify(uint8_t chap_id, const void *secret, size_t secret_len,
			  const void *challenge, size_t challenge_len, const void *resp,
			  size_t resp_len);

/* ---- L2TPv3 control message authentication (RFC 3931 §4.3, §5.4.1) ------ */

/* Digest Type octet of the Message Digest AVP (59), RFC 3931 §5.4.1. */
enum l2tp_digest_type {
	L2TP_DIGEST_HMAC_MD5 = 0, /* 16-octet digest, MUST be supported */
	L2TP_DIGEST_HMAC_SHA1 = 1, /* 20-octet digest, SHOULD be supported */
};

/* Octets of the Message Digest for |type|, or -EINVAL for an unknown type. */
int l2tp_auth_digest_len(int type);

/*
 * The per-tunnel key derived once from the configured shared secret:
 *   Shared-Key = HMAC-MD5(secret, one octet 0x02)
 * (RFC 3931 §4.3 "HMAC_Hash(Key, 2)"; the 2 keeps it apart from the key
 * that hides AVPs). MD5 is used for both digest types: that is how
 * Wireshark's L2TP dissector checks digests, and tests/interop/test_tshark.c
 * verifies ours (HMAC-MD5 and HMAC-SHA-1) against tshark. Not yet checked
 * against another LCCE. The key is kept by the caller (e.g. the tunnel).
 */
struct l2tp_auth_key {
	uint8_t len;
	uint8_t key[L2TP_DIGEST_MAX_LEN];
};

/*
 * Derive |key| from |secret|. Returns 0; -EINVAL if |secret| is NULL with a
 * non-zero length; -EIO/-ENOMEM if libcrypto fails.
 */
int l2tp_auth_v3_key(struct l2tp_auth_key *key, const void *secret, size_t secret_len);

/*
 * The nonces that go in front of the message (RFC 3931 §4.3):
 * HMAC(Shared-Key, sender_nonce || receiver_nonce || message), where the
 * sender_nonce is the Control Message Authentication Nonce (AVP 73) of the
 * LCCE that sends this message and receiver_nonce the peer's. The SCCRQ is
 * digested before any nonce is known: pass NULL (or zero-length nonces).
 * Every later message, SCCRP included, uses both. Both nonces must be given
 * or neither (-EINVAL otherwise).
 */
struct l2tp_auth_nonces {
	const uint8_t *sender;
	size_t sender_len;
	const uint8_t *receiver;
	size_t receiver_len;
};

/*
 * Compute the digest of the control message |msg| (|len| octets, starting at
 * the first octet of the L2TP control header; for L2TPv3 over IP this is
 * after the 4-octet zero Session ID) and write it into the message.
 * |avp_value_off| is the offset in |msg| of the Message Digest AVP's value,
 * i.e. its Digest Type octet; the digest follows it and is zero while it is
 * hashed (RFC 3931 §5.4.1). The Digest Type octet already in the message
 * selects the hash.
 *
 * Returns 0; -EINVAL for an unknown Digest Type, bad nonces or a NULL
 * argument; -ENOSPC if the digest does not fit in |len|; -EIO/-ENOMEM if
 * libcrypto fails.
 */
int l2tp_auth_v3_sign(const struct l2tp_auth_key *key, const struct l2tp_auth_nonces *nonces,
		      uint8_t *msg, size_t len, size_t avp_value_off);

/*
 * Compute into |out| (L2TP_DIGEST_MAX_LEN octets) the digest |msg| should
 * carry, without modifying |msg|: the digest field at |avp_value_off| + 1 is
 * hashed as zeros whatever it holds. Returns the digest length, or the
 * negative codes of l2tp_auth_v3_sign().
 */
int l2tp_auth_v3_digest(const struct l2tp_auth_key *key, const struct l2tp_auth_nonces *nonces,
			const uint8_t *msg, size_t len, size_t avp_value_off,
			uint8_t out[L2TP_DIGEST_MAX_LEN]);

/*
 * Verify the digest carried in |msg|, comparing in constant time.
 * |avp_len| is the Message Digest AVP's value length (Length field - 6),
 * which must be 1 + the digest length of the Digest Type.
 *
 * Returns 0 when valid; -EBADMSG for a value length that does not fit the
 * Digest Type or the message; -EINVAL for an unknown Digest Type or bad
 * arguments; -EACCES when the digest does not match; -EIO/-ENOMEM if
 * libcrypto fails.
 */
int l2tp_auth_v3_verify(const struct l2tp_auth_key *key, const struct l2tp_auth_nonces *nonces,
			const uint8_t *msg, size_t len, size_t avp_value_off, size_t avp_len);

#endif /* L2TP_AUTH_H */
