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

/* HMAC-MD5(secret, one octet |label|): the two keys RFC 3931 derives. */
static int derive_md5(const void *secret, size_t secret_len, uint8_t label,
		      uint8_t out[L2TP_MD5_LEN])
{
	const struct l2tp_iov iov = {&label, 1};

	return hmac_iov("MD5", secret, secret_len, &iov, 1, out, L2TP_MD5_LEN);
}

int l2tp_auth_v3_key(struct l2tp_auth_key *key, const void *secret, size_t secret_len)
{
	int rc;

	if (!key || (secret_len && !secret))
		return -EINVAL;
	memset(key, 0, sizeof(*key));
	/*
	 * RFC 3931 §5.4.1: shared_key = HMAC_MD5(shared_secret, 2), MD5 even
	 * when the Digest Type is HMAC-SHA-1.
	 */
	rc = derive_md5(secret, secret_len, 2, key->key);
	if (rc < 0)
		return rc;
	key->len = L2TP_MD5_LEN;
	return 0;
}

int l2tp_auth_v3_hide_key(const void *secret, size_t secret_len, uint8_t out[L2TP_MD5_LEN])
{
	if (!out || (secret_len && !secret))
		return -EINVAL;
	/* RFC 3931 §5.3: shared_key = HMAC_MD5(shared_secret, 1) */
	return derive_md5(secret, secret_len, 1, out);
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

/* A digest field to hash as zeros: |off| into the message, |len| octets. */
struct zero_span {
	size_t off, len;
};

/*
 * If a well-formed Message Digest AVP (IETF, attribute 59, value = known
 * Digest Type + digest of its length) starts at |avp_off|, return its length
 * and its digest field in *|z|; otherwise 0.
 */
static size_t digest_avp_at(const uint8_t *msg, size_t len, size_t avp_off, struct zero_span *z)
{
	struct l2tp_cursor c;
	uint16_t flen, vendor, attr;
	uint8_t type;
	int dlen;

	if (avp_off >= len)
		return 0;
	l2tp_cur_init(&c, msg + avp_off, len - avp_off);
	if (l2tp_cur_get_u16(&c, &flen) < 0 || l2tp_cur_get_u16(&c, &vendor) < 0 ||
	    l2tp_cur_get_u16(&c, &attr) < 0 || l2tp_cur_get_u8(&c, &type) < 0)
		return 0;
	flen &= 0x03ff;
	dlen = l2tp_auth_digest_len(type);
	if (vendor != 0 || attr != 59 || dlen < 0 || flen != 7 + dlen ||
	    l2tp_cur_left(&c) < (size_t)dlen)
		return 0;
	*z = (struct zero_span){avp_off + 7, (size_t)dlen};
	return flen;
}

/*
 * Which bytes are zeroed depends on the Message Digest AVPs found at their
 * RFC places (their headers and Digest Types). The digest asked for, at
 * |value_off|, must either be one of those AVPs or leave their headers and
 * digests alone, else writing it would change what is zeroed and it could
 * never verify. |at| is where an AVP starts or would start, |avp_len| its
 * length if one was found there (else 0: only the header is guarded).
 */
static bool digest_clear_of(size_t at, size_t avp_len, size_t value_off, size_t dlen)
{
	size_t end = at + (avp_len ? avp_len : 7);

	if (value_off == at + 6)
		return true;
	return value_off + 1 + dlen <= at || value_off + 1 >= end;
}

int l2tp_auth_v3_digest(const struct l2tp_auth_key *key, const struct l2tp_auth_nonces *nonces,
			const uint8_t *msg, size_t len, size_t avp_value_off,
			uint8_t out[L2TP_DIGEST_MAX_LEN])
{
	static const uint8_t zero[L2TP_DIGEST_MAX_LEN];
	struct l2tp_iov iov[2 + 2 * 3 + 1];
	struct zero_span z[3], t;
	size_t nz = 0, niov = 0, pos = 0, first;
	int dlen, rc;

	if (!key || !msg || !out || !key->len || key->len > sizeof(key->key) || !nonces_ok(nonces))
		return -EINVAL;
	if (avp_value_off >= len)
		return -ENOSPC;
	dlen = l2tp_auth_digest_len(msg[avp_value_off]);
	if (dlen < 0)
		return dlen;
	if (len - avp_value_off - 1 < (size_t)dlen)
		return -ENOSPC;

	/*
	 * RFC 3931 §5.4.1: HMAC_Hash(shared_key, local_nonce + remote_nonce +
	 * control_message) with the Digest Type in place and the digest zeroed;
	 * for the SCCRQ HMAC_Hash(shared_key, control_message). A second
	 * Message Digest AVP (key or hash roll-over) sits directly after the
	 * first, which sits right after the Message Type AVP, and "the Value
	 * field for both of the Message Digest AVPs MUST be set to zero": zero
	 * the digests found there as well as the one asked for.
	 */
	z[nz++] = (struct zero_span){avp_value_off + 1, (size_t)dlen};
	first = digest_avp_at(msg, len, L2TP_V3_DIGEST_VALUE_OFF - 6, &t);
	if (!digest_clear_of(L2TP_V3_DIGEST_VALUE_OFF - 6, first, avp_value_off, (size_t)dlen))
		return -EINVAL;
	if (first) {
		size_t at2 = L2TP_V3_DIGEST_VALUE_OFF - 6 + first, second;

		if (t.off != z[0].off)
			z[nz++] = t;
		second = digest_avp_at(msg, len, at2, &t);
		if (!digest_clear_of(at2, second, avp_value_off, (size_t)dlen))
			return -EINVAL;
		if (second && t.off != z[0].off)
			z[nz++] = t;
	}
	/* at most three spans, disjoint AVPs: sort by offset */
	for (size_t i = 1; i < nz; i++)
		for (size_t j = i; j > 0 && z[j].off < z[j - 1].off; j--) {
			t = z[j];
			z[j] = z[j - 1];
			z[j - 1] = t;
		}

	iov[niov++] =
	    (struct l2tp_iov){nonces ? nonces->sender : NULL, nonces ? nonces->sender_len : 0};
	iov[niov++] =
	    (struct l2tp_iov){nonces ? nonces->receiver : NULL, nonces ? nonces->receiver_len : 0};
	for (size_t i = 0; i < nz; i++) {
		size_t start = z[i].off > pos ? z[i].off : pos, end = z[i].off + z[i].len;

		if (end <= start)
			continue;
		iov[niov++] = (struct l2tp_iov){msg + pos, start - pos};
		iov[niov++] = (struct l2tp_iov){zero, end - start};
		pos = end;
	}
	iov[niov++] = (struct l2tp_iov){msg + pos, len - pos};
	rc = hmac_iov(digest_name(msg[avp_value_off]), key->key, key->len, iov, niov, out,
		      (size_t)dlen);
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
