// SPDX-License-Identifier: MIT
/*
 * test_auth.c - challenge/response and the L2TPv3 Message Digest.
 *
 * Known answers were computed independently of lib/auth.c with the OpenSSL
 * command line when this test was written:
 *   CHAP:    printf '\x02tunnelsecret\x00\x01...\x0f' | openssl dgst -md5
 *   key:     printf '\x02' | openssl dgst -md5 -hmac tunnelsecret
 *   digests: openssl dgst -md5|-sha1 -mac HMAC -macopt hexkey:<key> on
 *            sender_nonce || receiver_nonce || message-with-zero-digest
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <l2tp/auth.h>

static const char secret[] = "tunnelsecret";
static const uint8_t challenge[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

/* MD5(0x02 || "tunnelsecret" || 00..0f), MD5(0x03 || ...) */
static const uint8_t chap2[16] = {0x2a, 0x6c, 0x79, 0xed, 0x66, 0x1d, 0xe6, 0xf3,
				  0x30, 0x2a, 0x9c, 0x10, 0x1a, 0xc1, 0x5d, 0x62};
static const uint8_t chap3[16] = {0x83, 0xb5, 0xbc, 0x2d, 0xcc, 0xb1, 0x94, 0x0b,
				  0xa3, 0x84, 0x2f, 0x1c, 0x23, 0x1b, 0x93, 0xeb};

/* HMAC-MD5("tunnelsecret", 0x02) and HMAC-MD5("", 0x02) */
static const uint8_t key_secret[16] = {0x04, 0xa2, 0x85, 0xe7, 0x11, 0xe0, 0x25, 0x27,
				       0xa0, 0x02, 0xc5, 0x97, 0x0a, 0x43, 0xae, 0xa5};
static const uint8_t key_empty[16] = {0x7b, 0x60, 0x85, 0xfb, 0xf4, 0x59, 0x33, 0x67,
				      0x0a, 0xbc, 0xb0, 0x7a, 0x27, 0xfc, 0xea, 0x5e};

static const uint8_t nonce_s[16] = {0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1,
				    0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1};
static const uint8_t nonce_r[8] = {0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2};

/* v3 control header (SCCCN, ccid 0x1234, Ns 1, Nr 2), Message Type AVP, then
 * the Message Digest AVP whose value starts at offset 26. */
#define DIG_OFF 26
/* clang-format off */
static const uint8_t msg_md5[43] = {
	0xc8, 0x03, 0x00, 0x2b, 0x00, 0x00, 0x12, 0x34, 0x00, 0x01, 0x00, 0x02,
	0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
	0x80, 0x17, 0x00, 0x00, 0x00, 0x3b, 0x00, /* 16 zero octets follow */
};
static const uint8_t msg_sha1[47] = {
	0xc8, 0x03, 0x00, 0x2f, 0x00, 0x00, 0x12, 0x34, 0x00, 0x01, 0x00, 0x02,
	0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
	0x80, 0x1b, 0x00, 0x00, 0x00, 0x3b, 0x01, /* 20 zero octets follow */
};
/* clang-format on */
/* with nonces (sender a1.., receiver b2..) and without */
static const uint8_t dig_md5[16] = {0x7b, 0x80, 0xa2, 0xb3, 0xcd, 0xcc, 0xa4, 0xcd,
				    0xa9, 0xf8, 0xc6, 0x7e, 0x96, 0x24, 0xb1, 0x72};
static const uint8_t dig_md5_nonon[16] = {0xa8, 0xb6, 0x1c, 0x9f, 0xd9, 0xbf, 0x46, 0x0b,
					  0x33, 0xec, 0x5b, 0xe1, 0x54, 0x0c, 0x47, 0x7b};
static const uint8_t dig_sha1[20] = {0x4c, 0x3c, 0x45, 0x81, 0xf1, 0x30, 0x2b, 0xe4, 0x09, 0xb7,
				     0x1a, 0xd9, 0xa9, 0xb9, 0x85, 0xb0, 0x08, 0x2a, 0xf8, 0xbc};
static const uint8_t dig_sha1_nonon[20] = {0xcf, 0x6a, 0x85, 0x3c, 0x0f, 0x26, 0xd2,
					   0xf5, 0xe2, 0xab, 0x52, 0xdd, 0xa6, 0xb9,
					   0xb6, 0x3e, 0x61, 0xc5, 0xd1, 0xfe};

static const struct l2tp_auth_nonces nonces = {nonce_s, sizeof(nonce_s), nonce_r, sizeof(nonce_r)};

static void test_auth_md5_pieces_known_answer(void **state)
{
	/* RFC 1321 test suite: MD5("abc") */
	static const uint8_t abc[16] = {0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
					0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72};
	const struct l2tp_iov iov[] = {{"a", 1}, {"", 0}, {"bc", 2}};
	uint8_t out[16];

	assert_int_equal(l2tp_auth_md5(iov, 3, out), 0);
	assert_memory_equal(out, abc, 16);
}

static void test_auth_chap_response_known_answer(void **state)
{
	uint8_t out[16];

	assert_int_equal(l2tp_auth_chap_response(2, secret, strlen(secret), challenge, 16, out), 0);
	assert_memory_equal(out, chap2, 16);
	assert_int_equal(l2tp_auth_chap_response(3, secret, strlen(secret), challenge, 16, out), 0);
	assert_memory_equal(out, chap3, 16);
}

static void test_auth_chap_verify_accepts_and_rejects(void **state)
{
	uint8_t bad[16];

	assert_int_equal(l2tp_auth_chap_verify(2, secret, strlen(secret), challenge, 16, chap2, 16),
			 0);
	/* response of the other message type */
	assert_int_equal(l2tp_auth_chap_verify(2, secret, strlen(secret), challenge, 16, chap3, 16),
			 -EACCES);
	/* wrong secret */
	assert_int_equal(l2tp_auth_chap_verify(2, "tunnelsecreT", 12, challenge, 16, chap2, 16),
			 -EACCES);
	/* other challenge */
	assert_int_equal(l2tp_auth_chap_verify(2, secret, strlen(secret), challenge, 15, chap2, 16),
			 -EACCES);
	/* one flipped bit, first and last octet */
	memcpy(bad, chap2, 16);
	bad[0] ^= 1;
	assert_int_equal(l2tp_auth_chap_verify(2, secret, strlen(secret), challenge, 16, bad, 16),
			 -EACCES);
	memcpy(bad, chap2, 16);
	bad[15] ^= 0x80;
	assert_int_equal(l2tp_auth_chap_verify(2, secret, strlen(secret), challenge, 16, bad, 16),
			 -EACCES);
	/* RFC 2661 §4.4.3: the response is 16 octets */
	assert_int_equal(l2tp_auth_chap_verify(2, secret, strlen(secret), challenge, 16, chap2, 15),
			 -EBADMSG);
	assert_int_equal(l2tp_auth_chap_verify(2, secret, strlen(secret), challenge, 16, chap2, 0),
			 -EBADMSG);
}

static void test_auth_chap_bad_arguments(void **state)
{
	uint8_t out[16];

	assert_int_equal(l2tp_auth_chap_response(2, secret, 6, challenge, 0, out), -EINVAL);
	assert_int_equal(l2tp_auth_chap_response(2, secret, 6, NULL, 16, out), -EINVAL);
	assert_int_equal(l2tp_auth_chap_response(2, NULL, 6, challenge, 16, out), -EINVAL);
	assert_int_equal(l2tp_auth_chap_response(2, secret, 6, challenge, 16, NULL), -EINVAL);
	/* empty secret is allowed (the hash is still defined) */
	assert_int_equal(l2tp_auth_chap_response(2, NULL, 0, challenge, 16, out), 0);
	assert_int_equal(l2tp_auth_chap_verify(2, secret, 6, challenge, 16, NULL, 16), -EINVAL);
}

static void test_auth_equal_constant_time_compare(void **state)
{
	assert_true(l2tp_auth_equal("abcd", "abcd", 4));
	assert_false(l2tp_auth_equal("abcd", "abce", 4));
	assert_true(l2tp_auth_equal("x", "y", 0));
}

static void test_auth_digest_len_types(void **state)
{
	assert_int_equal(l2tp_auth_digest_len(L2TP_DIGEST_HMAC_MD5), 16);
	assert_int_equal(l2tp_auth_digest_len(L2TP_DIGEST_HMAC_SHA1), 20);
	assert_int_equal(l2tp_auth_digest_len(2), -EINVAL);
	assert_int_equal(l2tp_auth_digest_len(-1), -EINVAL);
}

static void test_auth_v3_key_known_answer(void **state)
{
	struct l2tp_auth_key k;

	assert_int_equal(l2tp_auth_v3_key(&k, secret, strlen(secret)), 0);
	assert_int_equal(k.len, 16);
	assert_memory_equal(k.key, key_secret, 16);
	assert_int_equal(l2tp_auth_v3_key(&k, NULL, 0), 0);
	assert_memory_equal(k.key, key_empty, 16);
	assert_int_equal(l2tp_auth_v3_key(&k, NULL, 3), -EINVAL);
	assert_int_equal(l2tp_auth_v3_key(NULL, secret, 3), -EINVAL);
}

static void sign_check(const uint8_t *tmpl, size_t len, const struct l2tp_auth_nonces *n,
		       const uint8_t *want, size_t dlen)
{
	struct l2tp_auth_key k;
	uint8_t m[64], out[L2TP_DIGEST_MAX_LEN];

	assert_int_equal(l2tp_auth_v3_key(&k, secret, strlen(secret)), 0);
	memcpy(m, tmpl, len);
	assert_int_equal(l2tp_auth_v3_sign(&k, n, m, len, DIG_OFF), 0);
	assert_memory_equal(m + DIG_OFF + 1, want, dlen);
	/* nothing else changed */
	assert_memory_equal(m, tmpl, DIG_OFF + 1);
	/* digest() hashes the field as zeros whatever it holds */
	assert_int_equal(l2tp_auth_v3_digest(&k, n, m, len, DIG_OFF, out), (int)dlen);
	assert_memory_equal(out, want, dlen);
	assert_int_equal(l2tp_auth_v3_verify(&k, n, m, len, DIG_OFF, 1 + dlen), 0);
}

static void test_auth_v3_sign_md5_known_answer(void **state)
{
	sign_check(msg_md5, sizeof(msg_md5), &nonces, dig_md5, 16);
}

static void test_auth_v3_sign_sha1_known_answer(void **state)
{
	sign_check(msg_sha1, sizeof(msg_sha1), &nonces, dig_sha1, 20);
}

static void test_auth_v3_sign_sccrq_without_nonces(void **state)
{
	static const struct l2tp_auth_nonces none = {0};

	sign_check(msg_md5, sizeof(msg_md5), NULL, dig_md5_nonon, 16);
	sign_check(msg_md5, sizeof(msg_md5), &none, dig_md5_nonon, 16);
	sign_check(msg_sha1, sizeof(msg_sha1), NULL, dig_sha1_nonon, 20);
}

static void signed_md5(uint8_t m[43])
{
	memcpy(m, msg_md5, 43);
	memcpy(m + DIG_OFF + 1, dig_md5, 16);
}

static void test_auth_v3_verify_wrong_secret(void **state)
{
	struct l2tp_auth_key k;
	uint8_t m[43];

	signed_md5(m);
	assert_int_equal(l2tp_auth_v3_key(&k, "tunnelsecreT", 12), 0);
	assert_int_equal(l2tp_auth_v3_verify(&k, &nonces, m, 43, DIG_OFF, 17), -EACCES);
}

static void test_auth_v3_verify_tampered_message(void **state)
{
	struct l2tp_auth_key k;
	uint8_t m[43];

	assert_int_equal(l2tp_auth_v3_key(&k, secret, strlen(secret)), 0);
	/* every single-bit flip of the message anywhere must fail */
	for (size_t i = 0; i < 43; i++) {
		if (i == DIG_OFF)
			continue; /* the type octet: covered below */
		signed_md5(m);
		m[i] ^= 0x10;
		assert_int_equal(l2tp_auth_v3_verify(&k, &nonces, m, 43, DIG_OFF, 17), -EACCES);
	}
	/* a digest type of SHA-1 with a 16-octet value does not fit */
	signed_md5(m);
	m[DIG_OFF] = L2TP_DIGEST_HMAC_SHA1;
	assert_int_equal(l2tp_auth_v3_verify(&k, &nonces, m, 43, DIG_OFF, 17), -EBADMSG);
	/* truncated message */
	signed_md5(m);
	assert_int_equal(l2tp_auth_v3_verify(&k, &nonces, m, 42, DIG_OFF, 17), -EBADMSG);
}

static void test_auth_v3_verify_wrong_nonces(void **state)
{
	struct l2tp_auth_key k;
	struct l2tp_auth_nonces swapped = {nonce_r, sizeof(nonce_r), nonce_s, sizeof(nonce_s)};
	struct l2tp_auth_nonces shorter = nonces;
	uint8_t m[43];

	assert_int_equal(l2tp_auth_v3_key(&k, secret, strlen(secret)), 0);
	signed_md5(m);
	/* the receiver must put the sender's nonce first */
	assert_int_equal(l2tp_auth_v3_verify(&k, &swapped, m, 43, DIG_OFF, 17), -EACCES);
	/* no nonces at all */
	assert_int_equal(l2tp_auth_v3_verify(&k, NULL, m, 43, DIG_OFF, 17), -EACCES);
	/* a nonce one octet short */
	shorter.sender_len--;
	assert_int_equal(l2tp_auth_v3_verify(&k, &shorter, m, 43, DIG_OFF, 17), -EACCES);
	/* only one nonce is a caller error */
	shorter.sender_len = 0;
	assert_int_equal(l2tp_auth_v3_verify(&k, &shorter, m, 43, DIG_OFF, 17), -EINVAL);
}

/*
 * RFC 3931 §5.3: in L2TPv3 AVPs are hidden with HMAC_MD5(shared_secret, 1),
 * not with the secret itself. Known answers from
 *   printf '\x01' | openssl dgst -md5 -hmac tunnelsecret   (and -hmac '')
 */
static void test_auth_v3_hide_key_known_answer(void **state)
{
	static const uint8_t want[16] = {0xf1, 0xd3, 0x88, 0x1c, 0x13, 0x92, 0x4f, 0x1a,
					 0xdf, 0x5a, 0x4f, 0x0d, 0xd0, 0x00, 0xb2, 0x47};
	static const uint8_t want_empty[16] = {0xb4, 0x11, 0x53, 0xdc, 0x48, 0x51, 0x0a, 0xee,
					       0xe0, 0x89, 0xee, 0x50, 0xd9, 0x57, 0x44, 0x34};
	uint8_t out[16];

	assert_int_equal(l2tp_auth_v3_hide_key(secret, strlen(secret), out), 0);
	assert_memory_equal(out, want, 16);
	/* label 1 keeps it apart from the Message Digest key (label 2) */
	assert_memory_not_equal(out, key_secret, 16);
	assert_int_equal(l2tp_auth_v3_hide_key(NULL, 0, out), 0);
	assert_memory_equal(out, want_empty, 16);
	assert_int_equal(l2tp_auth_v3_hide_key(NULL, 3, out), -EINVAL);
	assert_int_equal(l2tp_auth_v3_hide_key(secret, 3, NULL), -EINVAL);
}

/*
 * RFC 3931 §5.4.1 pinned: shared_key = HMAC_MD5(shared_secret, 2) for both
 * Digest Types (so the SHA-1 known answer above is keyed with 16 octets);
 * the Message Digest AVP sits right after the Message Type AVP; the sender
 * hashes local_nonce + remote_nonce + message and the receiver checks "with
 * the local_nonce and remote_nonce reversed", i.e. its peer's nonce first.
 */
static void test_auth_v3_rfc3931_5_4_1_roles(void **state)
{
	const uint8_t *nonce_a = nonce_s, *nonce_b = nonce_r; /* LCCE A, LCCE B */
	/* A sends: local = A, remote = B */
	const struct l2tp_auth_nonces a_sends = {nonce_a, sizeof(nonce_s), nonce_b,
						 sizeof(nonce_r)};
	/* B receives: remote (A) first, local (B) second */
	const struct l2tp_auth_nonces b_checks = {nonce_a, sizeof(nonce_s), nonce_b,
						  sizeof(nonce_r)};
	/* B sends a reply: local = B, remote = A */
	const struct l2tp_auth_nonces b_sends = {nonce_b, sizeof(nonce_r), nonce_a,
						 sizeof(nonce_s)};
	struct l2tp_auth_key k;
	uint8_t m[43], r[43];

	assert_int_equal(DIG_OFF, L2TP_V3_DIGEST_VALUE_OFF);
	/* Message Type AVP right after the 12-octet header, then AVP 59 */
	assert_int_equal(msg_md5[12 + 5], 0);
	assert_int_equal(msg_md5[20 + 5], 59);
	assert_int_equal(l2tp_auth_v3_key(&k, secret, strlen(secret)), 0);
	assert_int_equal(k.len, L2TP_MD5_LEN);

	memcpy(m, msg_md5, sizeof(m));
	assert_int_equal(l2tp_auth_v3_sign(&k, &a_sends, m, sizeof(m), DIG_OFF), 0);
	assert_memory_equal(m + DIG_OFF + 1, dig_md5, 16);
	assert_int_equal(l2tp_auth_v3_verify(&k, &b_checks, m, sizeof(m), DIG_OFF, 17), 0);

	/* B's reply is keyed on the nonces the other way round */
	memcpy(r, msg_md5, sizeof(r));
	assert_int_equal(l2tp_auth_v3_sign(&k, &b_sends, r, sizeof(r), DIG_OFF), 0);
	assert_memory_not_equal(r + DIG_OFF + 1, dig_md5, 16);
	assert_int_equal(l2tp_auth_v3_verify(&k, &b_sends, r, sizeof(r), DIG_OFF, 17), 0);
	assert_int_equal(l2tp_auth_v3_verify(&k, &a_sends, r, sizeof(r), DIG_OFF, 17), -EACCES);
}

/*
 * RFC 3931 §5.4.1 roll-over: "A second Message Digest AVP MAY be present ...
 * directly after the first" and "the Value field for both of the Message
 * Digest AVPs MUST be set to zero" while hashing. Here an HMAC-MD5 digest
 * keyed on "tunnelsecret" and an HMAC-SHA-1 one keyed on "newsecret".
 * Known answers: openssl dgst -md5|-sha1 -mac HMAC -macopt hexkey:<key> over
 * a1 x16 || b2 x8 || the 70-octet message with both digests zero.
 */
static void test_auth_v3_two_digest_avps(void **state)
{
	/* clang-format off */
	static const uint8_t tmpl[70] = {
		0xc8, 0x03, 0x00, 0x46, 0x00, 0x00, 0x12, 0x34, 0x00, 0x01, 0x00, 0x02,
		0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
		0x80, 0x17, 0x00, 0x00, 0x00, 0x3b, 0x00, [43] = 0x80, 0x1b, 0x00, 0x00,
		0x00, 0x3b, 0x01, /* 20 zero octets follow */
	};
	/* clang-format on */
	static const uint8_t want1[16] = {0x27, 0x1b, 0x16, 0x8b, 0x69, 0x8a, 0xe2, 0x47,
					  0x74, 0x79, 0x46, 0x3b, 0xef, 0xae, 0x6e, 0x89};
	static const uint8_t want2[20] = {0x36, 0x12, 0xd4, 0xde, 0x39, 0x05, 0x54,
					  0x13, 0xf1, 0x7a, 0xf5, 0x36, 0x72, 0x45,
					  0xa2, 0x45, 0x56, 0x44, 0x93, 0x2b};
	const size_t off2 = 43 + 6;
	struct l2tp_auth_key k1, k2;
	uint8_t m[70], m2[70];

	assert_int_equal(l2tp_auth_v3_key(&k1, secret, strlen(secret)), 0);
	assert_int_equal(l2tp_auth_v3_key(&k2, "newsecret", 9), 0);
	/* sign in either order: each digest ignores the other */
	memcpy(m, tmpl, sizeof(m));
	assert_int_equal(l2tp_auth_v3_sign(&k1, &nonces, m, sizeof(m), DIG_OFF), 0);
	assert_int_equal(l2tp_auth_v3_sign(&k2, &nonces, m, sizeof(m), off2), 0);
	assert_memory_equal(m + DIG_OFF + 1, want1, 16);
	assert_memory_equal(m + off2 + 1, want2, 20);
	memcpy(m2, tmpl, sizeof(m2));
	assert_int_equal(l2tp_auth_v3_sign(&k2, &nonces, m2, sizeof(m2), off2), 0);
	assert_int_equal(l2tp_auth_v3_sign(&k1, &nonces, m2, sizeof(m2), DIG_OFF), 0);
	assert_memory_equal(m, m2, sizeof(m));
	/* a receiver with either secret accepts the message */
	assert_int_equal(l2tp_auth_v3_verify(&k1, &nonces, m, sizeof(m), DIG_OFF, 17), 0);
	assert_int_equal(l2tp_auth_v3_verify(&k2, &nonces, m, sizeof(m), off2, 21), 0);
	assert_int_equal(l2tp_auth_v3_verify(&k2, &nonces, m, sizeof(m), DIG_OFF, 17), -EACCES);
	assert_int_equal(l2tp_auth_v3_verify(&k1, &nonces, m, sizeof(m), off2, 21), -EACCES);
	/* the other digest is zeroed, not skipped: its Digest Type still counts */
	m[off2] = L2TP_DIGEST_HMAC_MD5;
	assert_int_equal(l2tp_auth_v3_verify(&k1, &nonces, m, sizeof(m), DIG_OFF, 17), -EACCES);
	/*
	 * an offset that cuts into a digest AVP found at its RFC place would
	 * change what is zeroed once written (it could never verify): refused
	 */
	memcpy(m, tmpl, sizeof(m));
	assert_int_equal(l2tp_auth_v3_digest(&k1, &nonces, m, sizeof(m), DIG_OFF + 4, m2), -EINVAL);
	assert_int_equal(l2tp_auth_v3_sign(&k1, &nonces, m, sizeof(m), DIG_OFF - 2), -EINVAL);
	assert_int_equal(l2tp_auth_v3_sign(&k1, &nonces, m, sizeof(m), off2 - 8), -EINVAL);
	assert_memory_equal(m, tmpl, sizeof(m));
	/*
	 * no second AVP: a digest clear of the first and of the place a second
	 * would take is allowed; one over that place's header is not (writing
	 * it could make a second AVP appear there)
	 */
	memset(m + 43, 0, sizeof(m) - 43);
	assert_int_equal(l2tp_auth_v3_digest(&k1, &nonces, m, sizeof(m), 50, m2), 16);
	assert_int_equal(l2tp_auth_v3_digest(&k1, &nonces, m, sizeof(m), 43, m2), -EINVAL);
}

static void test_auth_v3_bad_arguments(void **state)
{
	struct l2tp_auth_key k;
	uint8_t m[43], out[L2TP_DIGEST_MAX_LEN];

	assert_int_equal(l2tp_auth_v3_key(&k, secret, strlen(secret)), 0);
	memcpy(m, msg_md5, 43);
	/* unknown digest type */
	m[DIG_OFF] = 7;
	assert_int_equal(l2tp_auth_v3_sign(&k, &nonces, m, 43, DIG_OFF), -EINVAL);
	assert_int_equal(l2tp_auth_v3_verify(&k, &nonces, m, 43, DIG_OFF, 17), -EINVAL);
	memcpy(m, msg_md5, 43);
	/* digest does not fit / offset outside */
	assert_int_equal(l2tp_auth_v3_sign(&k, &nonces, m, 42, DIG_OFF), -ENOSPC);
	assert_int_equal(l2tp_auth_v3_sign(&k, &nonces, m, 43, 43), -ENOSPC);
	assert_int_equal(l2tp_auth_v3_digest(&k, &nonces, m, 43, 100, out), -ENOSPC);
	assert_int_equal(l2tp_auth_v3_verify(&k, &nonces, m, 43, 100, 17), -EBADMSG);
	assert_int_equal(l2tp_auth_v3_verify(&k, &nonces, m, 43, DIG_OFF, 18), -EBADMSG);
	assert_int_equal(l2tp_auth_v3_verify(&k, &nonces, m, 43, DIG_OFF, 16), -EBADMSG);
	/* NULLs */
	assert_int_equal(l2tp_auth_v3_sign(NULL, &nonces, m, 43, DIG_OFF), -EINVAL);
	assert_int_equal(l2tp_auth_v3_sign(&k, &nonces, NULL, 43, DIG_OFF), -EINVAL);
	assert_int_equal(l2tp_auth_v3_verify(&k, &nonces, NULL, 43, DIG_OFF, 17), -EINVAL);
	/* a key never derived */
	k.len = 0;
	assert_int_equal(l2tp_auth_v3_sign(&k, &nonces, m, 43, DIG_OFF), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_auth_md5_pieces_known_answer),
	    cmocka_unit_test(test_auth_chap_response_known_answer),
	    cmocka_unit_test(test_auth_chap_verify_accepts_and_rejects),
	    cmocka_unit_test(test_auth_chap_bad_arguments),
	    cmocka_unit_test(test_auth_equal_constant_time_compare),
	    cmocka_unit_test(test_auth_digest_len_types),
	    cmocka_unit_test(test_auth_v3_key_known_answer),
	    cmocka_unit_test(test_auth_v3_sign_md5_known_answer),
	    cmocka_unit_test(test_auth_v3_sign_sha1_known_answer),
	    cmocka_unit_test(test_auth_v3_sign_sccrq_without_nonces),
	    cmocka_unit_test(test_auth_v3_verify_wrong_secret),
	    cmocka_unit_test(test_auth_v3_verify_tampered_message),
	    cmocka_unit_test(test_auth_v3_verify_wrong_nonces),
	    cmocka_unit_test(test_auth_v3_hide_key_known_answer),
	    cmocka_unit_test(test_auth_v3_rfc3931_5_4_1_roles),
	    cmocka_unit_test(test_auth_v3_two_digest_avps),
	    cmocka_unit_test(test_auth_v3_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
