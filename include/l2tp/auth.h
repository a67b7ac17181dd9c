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

/*
 * Offset of the Message Digest AVP's value (its Digest Type octet) from the
 * start of the L2TPv3 control header: 12-octet header, 8-octet Message Type
 * AVP, 6-octet AVP header. RFC 3931 §5.4.1: the AVP "MUST be placed
 * immediately after the Message Type AVP ... at a well-known and fixed
 * offset".
 */
#define L2TP_V3_DIGEST_VALUE_OFF 26

/* Octets of the Message Digest for |type|, or -EINVAL for an unknown type. */
int l2tp_auth_digest_len(int type);

/*
 * The per-tunnel key derived once from the configured shared secret:
 *   shared_key = HMAC_MD5(shared_secret, one octet 0x02)
 * (RFC 3931 §5.4.1, Message Digest AVP; the 2 keeps it apart from the AVP
 * hiding key, HMAC_MD5(shared_secret, 1), of §5.3). The RFC derives it with
 * MD5 whatever the Digest Type, so the key is 16 octets for HMAC-SHA-1 too;
 * Wireshark's L2TP dissector does the same, and tests/interop/test_tshark.c
 * checks our HMAC-MD5 and HMAC-SHA-1 digests against tshark. The key is kept
 * by the caller (e.g. the tunnel).
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
 * The L2TPv3 AVP hiding key, RFC 3931 §5.3:
 *   shared_key = HMAC_MD5(shared_secret, one octet 0x01)
 * In L2TPv3 this 16-octet key, not the shared secret itself, is the "S" of
 * b_1 = MD5(A + S + RV), b_i = MD5(S + c_i-1): pass it as the secret of
 * struct l2tp_hide_key (l2tp/avp.h). L2TPv2 (RFC 2661 §4.3) uses the secret
 * as it is.
 *
 * Returns 0; -EINVAL if |out| is NULL or |secret| is NULL with a non-zero
 * length; -EIO/-ENOMEM if libcrypto fails.
 */
int l2tp_auth_v3_hide_key(const void *secret, size_t secret_len, uint8_t out[L2TP_MD5_LEN]);

/*
 * The nonces that go in front of the message (RFC 3931 §5.4.1):
 * HMAC_Hash(shared_key, local_nonce + remote_nonce + control_message), seen
 * from the LCCE that sends the message: |sender| is the sender's own Control
 * Message Authentication Nonce (AVP 73), |receiver| the one the sender got
 * from its peer. A receiver verifies "with the local_nonce and remote_nonce
 * reversed", i.e. it passes its peer's nonce as |sender| and its own as
 * |receiver|: the same struct the sender used. The SCCRQ is digested without
 * nonces (its own nonce is already inside the message): pass NULL (or
 * zero-length nonces). Every later message, SCCRP and SCCCN included, uses
 * both. Both nonces must be given or neither (-EINVAL otherwise).
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
 * selects the hash. RFC 3931 §5.4.1 places the (first) Message Digest AVP
 * immediately after the Message Type AVP, so in a conforming message
 * |avp_value_off| is L2TP_V3_DIGEST_VALUE_OFF. A second Message Digest AVP
 * MAY follow the first directly (shared secret or hash roll-over); the
 * digests of both are hashed as zeros, whichever one is being computed, so
 * each can be signed or verified on its own (pass its own value offset).
 * Wireshark's dissector (4.0) zeroes only the AVP it checks, so it agrees
 * with this only for messages with a single Message Digest AVP.
 *
 * Returns 0; -EINVAL for an unknown Digest Type, bad nonces, a NULL
 * argument, or a digest that would overlap (without being) one of the
 * Message Digest AVPs found at their RFC places; -ENOSPC if the digest does not fit in |len|; -EIO/-ENOMEM if
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
