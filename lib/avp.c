// SPDX-License-Identifier: MIT
/*
 * avp.c - AVP iteration, building and hiding (RFC 2661 §4.1, §4.3;
 * RFC 3931 §5.1, §5.3).
 */
#include <l2tp/auth.h>
#include <l2tp/avp.h>

void l2tp_avp_iter_init(struct l2tp_avp_iter *it, const void *buf, size_t len)
{
	l2tp_cur_init(&it->cur, buf, len);
}

int l2tp_avp_next(struct l2tp_avp_iter *it, struct l2tp_avp *avp, struct l2tp_diag *diag)
{
	struct l2tp_cursor c = it->cur; /* work on a copy: pos moves only on success */
	size_t off = c.pos;
	uint16_t word, len;

	if (l2tp_cur_left(&c) == 0)
		return 0;
	if (l2tp_cur_left(&c) < L2TP_AVP_HDR_LEN) {
		l2tp_diag_set(diag, off, "truncated AVP header");
		return -EPROTO;
	}
	l2tp_cur_get_u16(&c, &word);
	l2tp_cur_get_u16(&c, &avp->vendor);
	l2tp_cur_get_u16(&c, &avp->type);
	len = word & L2TP_AVP_LEN_MASK;
	if (len < L2TP_AVP_HDR_LEN) {
		l2tp_diag_set_avp(diag, off, avp->vendor, avp->type, "AVP length below 6");
		return -EPROTO;
	}
	if ((size_t)(len - L2TP_AVP_HDR_LEN) > l2tp_cur_left(&c)) {
		l2tp_diag_set_avp(diag, off, avp->vendor, avp->type,
				  "AVP length runs past the message");
		return -EPROTO;
	}
	avp->offset = off;
	avp->mandatory = word & L2TP_AVP_F_M;
	avp->hidden = word & L2TP_AVP_F_H;
	avp->rsvd = (word & L2TP_AVP_F_RSVD) >> 10;
	avp->len = len - L2TP_AVP_HDR_LEN;
	l2tp_cur_get_view(&c, &avp->value, avp->len);
	it->cur = c;
	return 1;
}

static int avp_read(const struct l2tp_avp *avp, size_t n, struct l2tp_cursor *c)
{
	if (avp->len != n)
		return -EMSGSIZE;
	l2tp_cur_init(c, avp->value, avp->len);
	return 0;
}

int l2tp_avp_u16(const struct l2tp_avp *avp, uint16_t *v)
{
	struct l2tp_cursor c;

	L2TP_TRY(avp_read(avp, 2, &c));
	return l2tp_cur_get_u16(&c, v);
}

int l2tp_avp_u32(const struct l2tp_avp *avp, uint32_t *v)
{
	struct l2tp_cursor c;

	L2TP_TRY(avp_read(avp, 4, &c));
	return l2tp_cur_get_u32(&c, v);
}

int l2tp_avp_u64(const struct l2tp_avp *avp, uint64_t *v)
{
	struct l2tp_cursor c;

	L2TP_TRY(avp_read(avp, 8, &c));
	return l2tp_cur_get_u64(&c, v);
}

/* Write the 6-byte header; the caller has checked the room. */
static void put_hdr(struct l2tp_cursor *c, uint16_t flags, uint16_t vendor, uint16_t type,
		    size_t vlen)
{
	uint16_t word = (uint16_t)((flags & (L2TP_AVP_F_M | L2TP_AVP_F_H | L2TP_AVP_F_RSVD)) |
				   (L2TP_AVP_HDR_LEN + vlen));

	l2tp_cur_put_u16(c, word);
	l2tp_cur_put_u16(c, vendor);
	l2tp_cur_put_u16(c, type);
}

int l2tp_avp_put(struct l2tp_cursor *c, uint16_t flags, uint16_t vendor, uint16_t type,
		 const void *val, size_t len)
{
	if (len > L2TP_AVP_MAX_VALUE)
		return -EMSGSIZE;
	if (l2tp_cur_left(c) < L2TP_AVP_HDR_LEN + len)
		return -ENOSPC;
	put_hdr(c, flags, vendor, type, len);
	return l2tp_cur_put_bytes(c, val, len);
}

static inline uint16_t mflag(bool m)
{
	return m ? L2TP_AVP_F_M : 0;
}

int l2tp_avp_put_u8(struct l2tp_cursor *c, bool m, uint16_t vendor, uint16_t type, uint8_t v)
{
	return l2tp_avp_put(c, mflag(m), vendor, type, &v, 1);
}

int l2tp_avp_put_u16(struct l2tp_cursor *c, bool m, uint16_t vendor, uint16_t type, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	return l2tp_avp_put(c, mflag(m), vendor, type, b, sizeof(b));
}

int l2tp_avp_put_u32(struct l2tp_cursor *c, bool m, uint16_t vendor, uint16_t type, uint32_t v)
{
	uint8_t b[4] = {0};
	struct l2tp_cursor w;

	l2tp_cur_init(&w, b, sizeof(b));
	l2tp_cur_put_u32(&w, v);
	return l2tp_avp_put(c, mflag(m), vendor, type, b, sizeof(b));
}

int l2tp_avp_put_u64(struct l2tp_cursor *c, bool m, uint16_t vendor, uint16_t type, uint64_t v)
{
	uint8_t b[8] = {0};
	struct l2tp_cursor w;

	l2tp_cur_init(&w, b, sizeof(b));
	l2tp_cur_put_u64(&w, v);
	return l2tp_avp_put(c, mflag(m), vendor, type, b, sizeof(b));
}

int l2tp_avp_put_str(struct l2tp_cursor *c, bool m, uint16_t vendor, uint16_t type, const char *s)
{
	return l2tp_avp_put(c, mflag(m), vendor, type, s, strlen(s));
}

static bool key_ok(const struct l2tp_hide_key *key)
{
	return key && key->secret && key->rv && key->rv_len > 0;
}

/*
 * The MD5 stream of RFC 2661 §4.3: block 0 keys on the attribute type, the
 * secret and the RV; block i on the secret and the previous cipher block.
 */
static int hide_block(uint16_t type, const struct l2tp_hide_key *key, const uint8_t *prev,
		      size_t prev_len, uint8_t out[L2TP_MD5_LEN])
{
	uint8_t t[2] = {(uint8_t)(type >> 8), (uint8_t)type};
	struct l2tp_iov iov[3];
	size_t n = 0;

	if (!prev)
		iov[n++] = (struct l2tp_iov){t, 2};
	iov[n++] = (struct l2tp_iov){key->secret, key->secret_len};
	if (prev)
		iov[n++] = (struct l2tp_iov){prev, prev_len};
	else
		iov[n++] = (struct l2tp_iov){key->rv, key->rv_len};
	return l2tp_auth_md5(iov, n, out);
}

int l2tp_avp_put_hidden(struct l2tp_cursor *c, bool m, uint16_t vendor, uint16_t type,
			const void *val, size_t len, const struct l2tp_hide_key *key,
			const uint8_t *pad, size_t pad_len)
{
	size_t hlen = l2tp_avp_hidden_len(len, pad_len);
	const uint8_t *v = val;
	uint8_t b[L2TP_MD5_LEN];
	uint8_t *out;
	size_t start;

	if (!key_ok(key) || (pad_len && !pad))
		return -EINVAL;
	if (hlen > L2TP_AVP_MAX_VALUE)
		return -EMSGSIZE;
	if (l2tp_cur_left(c) < L2TP_AVP_HDR_LEN + hlen)
		return -ENOSPC;
	start = c->pos;
	put_hdr(c, mflag(m) | L2TP_AVP_F_H, vendor, type, hlen);
	out = c->buf + c->pos;
	/* lay the plain subformat down, then encrypt it in place */
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
	if (len)
		memcpy(out + 2, v, len);
	if (pad_len)
		memcpy(out + 2 + len, pad, pad_len);
	for (size_t i = 0; i < hlen; i += L2TP_MD5_LEN) {
		int rc = hide_block(type, key, i ? out + i - L2TP_MD5_LEN : NULL, L2TP_MD5_LEN, b);

		if (rc < 0) {
			c->pos = start;
			return rc;
		}
		for (size_t j = 0; j < L2TP_MD5_LEN && i + j < hlen; j++)
			out[i + j] ^= b[j];
	}
	c->pos += hlen;
	return 0;
}

int l2tp_avp_unhide(uint16_t type, const uint8_t *hidden, size_t hidden_len,
		    const struct l2tp_hide_key *key, uint8_t *out, size_t cap)
{
	uint8_t b[L2TP_MD5_LEN];
	size_t orig = 0;

	if (!key_ok(key))
		return -EINVAL;
	if (hidden_len < 2 || hidden_len > L2TP_AVP_MAX_VALUE)
		return -EBADMSG;
	for (size_t i = 0; i < hidden_len; i += L2TP_MD5_LEN) {
		L2TP_TRY(
		    hide_block(type, key, i ? hidden + i - L2TP_MD5_LEN : NULL, L2TP_MD5_LEN, b));
		for (size_t j = 0; j < L2TP_MD5_LEN && i + j < hidden_len; j++) {
			size_t k = i + j;
			uint8_t p = hidden[k] ^ b[j];

			if (k == 0) {
				orig = (size_t)p << 8;
			} else if (k == 1) {
				orig |= p;
				if (orig > hidden_len - 2)
					return -EBADMSG;
				if (orig > cap)
					return -ENOBUFS;
			} else if (k - 2 < orig) {
				out[k - 2] = p;
			} else {
				/* only padding is left */
				return (int)orig;
			}
		}
	}
	return (int)orig;
}
