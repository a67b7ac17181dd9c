// SPDX-License-Identifier: MIT
/*
 * ppp_hdlc.c - asynchronous HDLC-like framing for PPP (RFC 1662 §4, §C.2).
 */
#include <l2tp/ppp_hdlc.h>

uint16_t l2tp_hdlc_fcs16(uint16_t fcs, const uint8_t *p, size_t len)
{
	/*
	 * CRC-CCITT, x^16 + x^12 + x^5 + 1, least significant bit first as
	 * the octets go on the line (RFC 1662 §C.2): the reflected polynomial
	 * 0x8408, one bit at a time (the pty path is not a hot path).
	 */
	while (len--) {
		fcs ^= *p++;
		for (int i = 0; i < 8; i++)
			fcs = (fcs & 1) ? (uint16_t)((fcs >> 1) ^ 0x8408) : (uint16_t)(fcs >> 1);
	}
	return fcs;
}

static bool needs_esc(uint8_t c, uint32_t accm)
{
	return c == L2TP_HDLC_FLAG || c == L2TP_HDLC_ESC || (c < 0x20 && (accm >> c & 1));
}

static int put_esc(struct l2tp_cursor *c, uint8_t v, uint32_t accm)
{
	if (needs_esc(v, accm)) {
		L2TP_TRY(l2tp_cur_put_u8(c, L2TP_HDLC_ESC));
		v ^= 0x20;
	}
	return l2tp_cur_put_u8(c, v);
}

ssize_t l2tp_hdlc_encode(const uint8_t *frame, size_t len, uint32_t accm, uint8_t *out, size_t cap)
{
	struct l2tp_cursor c;
	uint16_t fcs;

	if ((!frame && len) || !out)
		return -EINVAL;
	l2tp_cur_init(&c, out, cap);
	fcs = (uint16_t)~l2tp_hdlc_fcs16(L2TP_HDLC_FCS_INIT, frame, len);
	L2TP_TRY(l2tp_cur_put_u8(&c, L2TP_HDLC_FLAG));
	for (size_t i = 0; i < len; i++)
		L2TP_TRY(put_esc(&c, frame[i], accm));
	/* the FCS goes least significant octet first (§C.2) */
	L2TP_TRY(put_esc(&c, (uint8_t)fcs, accm));
	L2TP_TRY(put_esc(&c, (uint8_t)(fcs >> 8), accm));
	L2TP_TRY(l2tp_cur_put_u8(&c, L2TP_HDLC_FLAG));
	return (ssize_t)c.pos;
}

void l2tp_hdlc_dec_init(struct l2tp_hdlc_dec *d, uint8_t *buf, size_t cap, uint32_t rx_accm)
{
	memset(d, 0, sizeof(*d));
	d->buf = buf;
	d->cap = cap;
	d->rx_accm = rx_accm;
}

/* A flag ended the octets gathered so far: 1 with a good frame, else 0. */
static int end_frame(struct l2tp_hdlc_dec *d, const uint8_t **frame, size_t *frame_len)
{
	size_t n = d->len;
	bool esc = d->esc, over = d->overflow;

	d->len = 0;
	d->esc = false;
	d->overflow = false;
	if (esc) { /* 0x7D 0x7E: the sender aborted the frame (§4.2) */
		d->aborts++;
		return 0;
	}
	if (over) {
		d->too_long++;
		return 0;
	}
	if (n == 0) /* back-to-back flags, or the opening one */
		return 0;
	if (n < 4) { /* at least a Protocol octet... in practice FF 03 + FCS */
		d->too_short++;
		return 0;
	}
	if (l2tp_hdlc_fcs16(L2TP_HDLC_FCS_INIT, d->buf, n) != L2TP_HDLC_FCS_GOOD) {
		d->fcs_errors++;
		return 0;
	}
	d->frames++;
	*frame = d->buf;
	*frame_len = n - 2;
	return 1;
}

int l2tp_hdlc_decode(struct l2tp_hdlc_dec *d, const uint8_t *in, size_t len, size_t *used,
		     const uint8_t **frame, size_t *frame_len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t c = in[i];

		if (c == L2TP_HDLC_FLAG) {
			if (end_frame(d, frame, frame_len)) {
				*used = i + 1;
				return 1;
			}
			continue;
		}
		/* control characters the ACCM says the peer escapes were added on the way */
		if (c < 0x20 && (d->rx_accm >> c & 1))
			continue;
		if (c == L2TP_HDLC_ESC) {
			d->esc = true;
			continue;
		}
		if (d->esc) {
			c ^= 0x20;
			d->esc = false;
		}
		if (d->len >= d->cap) {
			d->overflow = true;
			continue;
		}
		d->buf[d->len++] = c;
	}
	*used = len;
	return 0;
}
