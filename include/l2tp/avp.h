/* SPDX-License-Identifier: MIT */
/*
 * l2tp/avp.h - the AVP (attribute-value pair) codec of control messages:
 * an iterator that borrows values in place, a builder that appends AVPs to
 * a caller buffer through a cursor, and hiding/unhiding of AVP values
 * (RFC 2661 §4.1 and §4.3, RFC 3931 §5.1 and §5.3).
 *
 *  0                   1                   2                   3
 *  |M|H| rsvd  |      Length       |           Vendor ID           |
 *  |         Attribute Type        |        Attribute Value...
 */
#ifndef L2TP_AVP_H
#define L2TP_AVP_H

#include <l2tp/types.h>

#define L2TP_AVP_HDR_LEN 6
#define L2TP_AVP_MAX_LEN 1023 /* 10-bit length field, header included */
#define L2TP_AVP_MAX_VALUE (L2TP_AVP_MAX_LEN - L2TP_AVP_HDR_LEN)
#define L2TP_AVP_F_M 0x8000 /* mandatory */
#define L2TP_AVP_F_H 0x4000 /* hidden */
#define L2TP_AVP_F_RSVD 0x3c00 /* reserved bits */
#define L2TP_AVP_LEN_MASK 0x03ff

/* One AVP as found in a buffer; |value| points into that buffer. */
struct l2tp_avp {
	size_t offset; /* offset of the AVP header in the buffer iterated */
	uint16_t vendor;
	uint16_t type;
	bool mandatory; /* M bit */
	bool hidden; /* H bit */
	uint8_t rsvd; /* the 4 reserved bits, normally 0 */
	uint16_t len; /* value length (AVP length - 6) */
	const uint8_t *value;
};

struct l2tp_avp_iter {
	struct l2tp_cursor cur;
};

/* Start iterating the AVPs of |buf|/|len| (a control message body). */
void l2tp_avp_iter_init(struct l2tp_avp_iter *it, const void *buf, size_t len);

/*
 * Next AVP into *|avp|. Returns 1 when an AVP was read, 0 at the clean end
 * of the buffer, -EPROTO when fewer than 6 bytes remain, the length field is
 * below 6 or runs past the buffer (diag says where; the iterator then stays
 * at the bad AVP). Reserved bits are reported, not judged: RFC 2661 §4.1
 * treats a v2 AVP with a reserved bit set as unrecognized, RFC 3931 §5.1
 * asks v3 receivers to ignore them; that is the caller's call.
 */
int l2tp_avp_next(struct l2tp_avp_iter *it, struct l2tp_avp *avp, struct l2tp_diag *diag);

/* Typed views of a value; -EMSGSIZE when the value length does not fit. */
int l2tp_avp_u16(const struct l2tp_avp *avp, uint16_t *v);
int l2tp_avp_u32(const struct l2tp_avp *avp, uint32_t *v);
int l2tp_avp_u64(const struct l2tp_avp *avp, uint64_t *v);

/*
 * Append one AVP: |flags| is L2TP_AVP_F_M and/or L2TP_AVP_F_H (H only marks
 * the header; use l2tp_avp_put_hidden() to hide a value); L2TP_AVP_F_RSVD
 * bits are copied too, for passing a received AVP through as it was. Returns 0,
 * -EMSGSIZE when the value exceeds 1017 bytes, -ENOSPC when the cursor has
 * no room (the cursor is then left unchanged).
 */
int l2tp_avp_put(struct l2tp_cursor *c, uint16_t flags, uint16_t vendor, uint16_t type,
		 const void *val, size_t len);
int l2tp_avp_put_u8(struct l2tp_cursor *c, bool m, uint16_t vendor, uint16_t type, uint8_t v);
int l2tp_avp_put_u16(struct l2tp_cursor *c, bool m, uint16_t vendor, uint16_t type, uint16_t v);
int l2tp_avp_put_u32(struct l2tp_cursor *c, bool m, uint16_t vendor, uint16_t type, uint32_t v);
int l2tp_avp_put_u64(struct l2tp_cursor *c, bool m, uint16_t vendor, uint16_t type, uint64_t v);
/* |s| is a NUL-terminated string; the NUL is not sent. */
int l2tp_avp_put_str(struct l2tp_cursor *c, bool m, uint16_t vendor, uint16_t type, const char *s);

/*
 * The key material to hide or unhide a value: the shared secret and the
 * value of the Random Vector AVP that precedes the hidden AVP in the
 * message. For L2TPv3 pass the key RFC 3931 §5.3 asks for as |secret|.
 */
struct l2tp_hide_key {
	const uint8_t *secret;
	size_t secret_len;
	const uint8_t *rv;
	size_t rv_len;
};

/*
 * Hidden value length for a |len|-byte value with |pad_len| padding bytes:
 * 2 (original length) + len + pad_len.
 */
static inline size_t l2tp_avp_hidden_len(size_t len, size_t pad_len)
{
	return 2 + len + pad_len;
}

/*
 * Append an AVP with its value hidden (H bit set), RFC 2661 §4.3: the
 * subformat [orig length u16][value][|pad_len| bytes of |pad|] is XORed
 * with b1 = MD5(type | secret | RV), bi = MD5(secret | c(i-1)) per 16-byte
 * block. |pad| comes from the caller (random bytes; libl2tp has no random
 * source); pad may be NULL when pad_len is 0. Returns 0, -EINVAL without
 * secret or RV, -EMSGSIZE when the hidden value exceeds 1017 bytes,
 * -ENOSPC (cursor unchanged), or -EIO/-ENOMEM from the digest.
 */
int l2tp_avp_put_hidden(struct l2tp_cursor *c, bool m, uint16_t vendor, uint16_t type,
			const void *val, size_t len, const struct l2tp_hide_key *key,
			const uint8_t *pad, size_t pad_len);

/*
 * Recover the value of a hidden AVP of attribute |type| into |out|/|cap|.
 * Returns the original value length, -EINVAL without secret or RV,
 * -EBADMSG when the hidden value is shorter than 2 bytes or its original
 * length exceeds what it carries (wrong secret or RV, or corruption),
 * -ENOBUFS when |cap| is too small, or -EIO/-ENOMEM from the digest.
 */
int l2tp_avp_unhide(uint16_t type, const uint8_t *hidden, size_t hidden_len,
		    const struct l2tp_hide_key *key, uint8_t *out, size_t cap);

#endif /* L2TP_AVP_H */
