// SPDX-License-Identifier: MIT
/*
 * auth.c - digests over libcrypto. The only file in lib/ that includes
 * OpenSSL headers.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <l2tp/auth.h>

static int digest_iov(const EVP_MD *md, const struct l2tp_iov *iov, size_t n, uint8_t *out,
		      unsigned int want)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	int rc = -EIO;

	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (iov[i].len && EVP_DigestUpdate(ctx, iov[i].base, iov[i].len) != 1)
			goto out;
	if (EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != want)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int l2tp_auth_md5(const struct l2tp_iov *iov, size_t n, uint8_t out[L2TP_MD5_LEN])
{
	return digest_iov(EVP_md5(), iov, n, out, L2TP_MD5_LEN);
}

bool l2tp_auth_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

/* HMAC over |n| pieces with |key|; |mdname| is an OpenSSL digest name. */
static int hmac_iov(const char *mdname, const void *key, size_t key_len, const struct l2tp_iov *iov,
		    size_t n, uint8_t *out, size_t want)
{
	static const uint8_t nokey; /* EVP_MAC_init wants a non-NULL key */
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t len = 0;
	int rc = -EIO;

	if (!mac)
		return -EIO;
	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx) {
		rc = -ENOMEM;
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)mdname, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key_len ? key : &nokey, key_len, params) != 1)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (iov[i].len && EVP_MAC_update(ctx, iov[i].base, iov[i].len) != 1)
			goto out;
	if (EVP_MAC_final(ctx, out, &len, want) != 1 || len != want)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

/* ---- L2TPv2 ------------------------------------------------------------- */

int l2tp_auth_chap_response(uint8_t chap_id, const void *secret, size_t secret_len,
			    const void *challenge, size_t challenge_len, uint8_t out[L2TP_MD5_LEN])
{
	/* RFC 2661 §4.4.3 / RFC 1994: MD5(ID || secret || challenge). */
	const struct l2tp_iov iov[] = {
	    {&chap_id, 1},
	    {secret, secret_len},
	    {challenge, challenge_len},
	};

	if (!out || !challenge_len || !challenge || (secret_len && !secret))
		return -EINVAL;
	return l2tp_auth_md5(iov, L2TP_ARRAY_SIZE(iov), out);
}

int l2tp_auth_chap_verify(uint8_t chap_id, const void *secret, size_t secret_len,
			  const void *challenge, size_t challenge_len, const void *resp,
			  size_t resp_len)
{
	uint8_t want[L2TP_MD5_LEN];
	int rc;

	if (!resp && resp_len)
		return -EINVAL;
	if (resp_len != L2TP_MD5_LEN)
		return -EBADMSG;
	rc = l2tp_auth_chap_response(chap_id, secret, secret_len, challenge, challenge_len, want);
	if (rc < 0)
		return rc;
	return l2tp_auth_equal(want, resp, L2TP_MD5_LEN) ? 0 : -EACCES;
}

/* ---- L2TPv3 ------------------------------------------------------------- */

int l2tp_auth_digest_len(int type)
{
	switch (type) {
	case L2TP_DIGEST_HMAC_MD5:
		return L2TP_MD5_LEN;
	case L2TP_DIGEST_HMAC_SHA1:
		return L2TP_SHA1_LEN;
	default:
		return -EINVAL;
	}
}

static const char *digest_name(int type)
{
	return type == L2TP_DIGEST_HMAC_SHA1 ? "SHA1" : "MD5";
}

int l2tp_auth_v3_key(struct l2tp_auth_key *key, const void *secret, size_t secret_len)
{
	/* RFC 3931 §4.3: Shared-Key = HMAC(secret, one octet 2). */
	static const uint8_t two = 2;
	const struct l2tp_iov iov = {&two, 1};
	int rc;

	if (!key || (secret_len && !secret))
		return -EINVAL;
	memset(key, 0, sizeof(*key));
	rc = hmac_iov("MD5", secret, secret_len, &iov, 1, key->key, L2TP_MD5_LEN);
	if (rc < 0)
		return rc;
	key->len = L2TP_MD5_LEN;
	return 0;
}

static bool nonces_ok(const struct l2tp_auth_nonces *n)
{
	if (!n)
		return true;
	if ((n->sender_len && !n->sender) || (n->receiver_len && !n->receiver))
		return false;
	/* both or neither: a digest over one nonce matches no peer's */
	return !n->sender_len == !n->receiver_len;
}

int l2tp_auth_v3_digest(const struct l2tp_auth_key *key, const struct l2tp_auth_nonces *nonces,
			const uint8_t *msg, size_t len, size_t avp_value_off,
			uint8_t out[L2TP_DIGEST_MAX_LEN])
{
	static const uint8_t zero[L2TP_DIGEST_MAX_LEN];
	size_t dig_off;
	int dlen, rc;

	if (!key || !msg || !out || !key->len || key->len > sizeof(key->key) || !nonces_ok(nonces))
		return -EINVAL;
	if (avp_value_off >= len)
		return -ENOSPC;
	dlen = l2tp_auth_digest_len(msg[avp_value_off]);
	if (dlen < 0)
		return dlen;
	dig_off = avp_value_off + 1;
	if (len - dig_off < (size_t)dlen)
		return -ENOSPC;

	/* RFC 3931 §5.4.1: the whole message, digest field zeroed. */
	const struct l2tp_iov iov[] = {
	    {nonces ? nonces->sender : NULL, nonces ? nonces->sender_len : 0},
	    {nonces ? nonces->receiver : NULL, nonces ? nonces->receiver_len : 0},
	    {msg, dig_off},
	    {zero, (size_t)dlen},
	    {msg + dig_off + dlen, len - dig_off - (size_t)dlen},
	};
	rc = hmac_iov(digest_name(msg[avp_value_off]), key->key, key->len, iov,
		      L2TP_ARRAY_SIZE(iov), out, (size_t)dlen);
	return rc < 0 ? rc : dlen;
}

int l2tp_auth_v3_sign(const struct l2tp_auth_key *key, const struct l2tp_auth_nonces *nonces,
		      uint8_t *msg, size_t len, size_t avp_value_off)
{
	uint8_t d[L2TP_DIGEST_MAX_LEN];
	int dlen = l2tp_auth_v3_digest(key, nonces, msg, len, avp_value_off, d);

	if (dlen < 0)
		return dlen;
	memcpy(msg + avp_value_off + 1, d, (size_t)dlen);
	return 0;
}

int l2tp_auth_v3_verify(const struct l2tp_auth_key *key, const struct l2tp_auth_nonces *nonces,
			const uint8_t *msg, size_t len, size_t avp_value_off, size_t avp_len)
{
	uint8_t d[L2TP_DIGEST_MAX_LEN];
	int dlen;

	if (!msg)
		return -EINVAL;
	if (avp_value_off >= len || avp_len > len - avp_value_off)
		return -EBADMSG;
	dlen = l2tp_auth_digest_len(msg[avp_value_off]);
	if (dlen < 0)
		return dlen;
	if (avp_len != 1 + (size_t)dlen)
		return -EBADMSG;
	dlen = l2tp_auth_v3_digest(key, nonces, msg, len, avp_value_off, d);
	if (dlen < 0)
		return dlen;
	return l2tp_auth_equal(d, msg + avp_value_off + 1, (size_t)dlen) ? 0 : -EACCES;
}
