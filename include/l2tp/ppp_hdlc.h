/* SPDX-License-Identifier: MIT */
/*
 * l2tp/ppp_hdlc.h - PPP in HDLC-like framing over an asynchronous byte
 * stream (RFC 1662 §4): 0x7E flags, 0x7D escapes (octets in the ACCM, 0x7D
 * and 0x7E are sent as 0x7D, octet ^ 0x20) and the 16-bit FCS (§C.2). What
 * a pty between xl2tpd and pppd carries; L2TP itself carries frames
 * without it (RFC 2661 §2).
 *
 * An encoder for one frame and an incremental decoder fed any number of
 * bytes at a time that yields whole frames with their FCS checked. Both
 * work in caller memory.
 */
#ifndef L2TP_PPP_HDLC_H
#define L2TP_PPP_HDLC_H

#include <l2tp/types.h>

#define L2TP_HDLC_FLAG 0x7e
#define L2TP_HDLC_ESC 0x7d
#define L2TP_HDLC_FCS_INIT 0xffff
#define L2TP_HDLC_FCS_GOOD 0xf0b8 /* the FCS over a frame and its own FCS, RFC 1662 §C.2 */
#define L2TP_HDLC_ACCM_DEFAULT 0xffffffffu /* every control character escaped (LCP) */

/* FCS-16 of |len| bytes continuing from |fcs| (start with L2TP_HDLC_FCS_INIT). */
uint16_t l2tp_hdlc_fcs16(uint16_t fcs, const uint8_t *p, size_t len);

/*
 * Encode |frame| (Address, Control, Protocol, Information: the frame as
 * l2tp_ppp_write_frame() gives it) between flags, its FCS appended,
 * escaping octets below 0x20 whose bit is set in |accm| (bit n = octet n),
 * 0x7D and 0x7E. The worst case needs 2 * (len + 2) + 2 bytes. Returns the
 * encoded length or -ENOSPC.
 */
ssize_t l2tp_hdlc_encode(const uint8_t *frame, size_t len, uint32_t accm, uint8_t *out, size_t cap);

struct l2tp_hdlc_dec {
	uint8_t *buf; /* the caller's, for one frame with its FCS */
	size_t cap;
	size_t len;
	uint32_t rx_accm; /* unescaped control characters set here are dropped (§4.2) */
	bool esc; /* the last octet was 0x7D */
	bool overflow; /* the current frame outgrew |buf|: dropped at its flag */
	uint64_t frames, fcs_errors, too_short, too_long, aborts;
};

/* Start a decoder over |buf|/|cap|; |rx_accm| is usually 0. */
void l2tp_hdlc_dec_init(struct l2tp_hdlc_dec *d, uint8_t *buf, size_t cap, uint32_t rx_accm);

/*
 * Feed |len| bytes. Returns 1 when a whole frame with a good FCS ended
 * within them: *|frame| and *|frame_len| then point into the decoder's buffer
 * (without flags and FCS, valid until the next call) and *|used| says how
 * many input bytes were consumed; feed the rest again. Returns 0 when all
 * |len| bytes were consumed without completing a frame. Frames with a bad
 * FCS, shorter than 4 octets with FCS, too long, or aborted (0x7D 0x7E)
 * are dropped and counted.
 */
int l2tp_hdlc_decode(struct l2tp_hdlc_dec *d, const uint8_t *in, size_t len, size_t *used,
		     const uint8_t **frame, size_t *frame_len);

#endif /* L2TP_PPP_HDLC_H */
