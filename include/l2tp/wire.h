/* SPDX-License-Identifier: MIT */
/*
 * l2tp/wire.h - L2TP header codec: v2 (RFC 2661 §3.1) and v3 (RFC 3931
 * §3.2.1, §4.1.1, §4.1.2, §4.6) control and data headers, over UDP and over
 * IP (protocol 115, v3 only).
 *
 * Everything here is sans-I/O and allocation-free. Decoders read the bytes in
 * place, never past |len|, and fill a struct l2tp_diag (when given one)
 * before returning a negative code. Encoders write through a struct
 * l2tp_cursor into caller memory. The UDP or IP header itself is not part of
 * any buffer handled here: the socket adds and strips it.
 *
 * Negative returns used throughout this header:
 *   -EPROTO           malformed: too short, length field inconsistent with the
 *                     buffer, a bit the RFC says MUST be set (or clear) is not
 *   -EPFNOSUPPORT     version field is 1 (L2F, RFC 2341)
 *   -EPROTONOSUPPORT  version field is neither 2 nor 3 (nor 1)
 *   -EINVAL           bad arguments (e.g. v2 over IP, cookie length not 0/4/8)
 *   -ENOSPC           the output cursor is too small
 *   -EMSGSIZE         a message would not fit the 16-bit Length field
 */
#ifndef L2TP_WIRE_H
#define L2TP_WIRE_H

#include <l2tp/types.h>

/* Tunnel encapsulation; the values are the kernel's L2TP_ENCAPTYPE_*. */
enum l2tp_encap {
	L2TP_ENCAP_UDP = 0,
	L2TP_ENCAP_IP = 1,
};

/* L2-Specific Sublayer type (RFC 3931 §5.4.4 AVP 69); the kernel's values. */
enum l2tp_l2spec {
	L2TP_L2SPEC_NONE = 0,
	L2TP_L2SPEC_DEFAULT = 1, /* RFC 3931 §4.6: 4 bytes, S bit, 24-bit seq */
};

/* Bits of the first 16-bit word of every UDP-carried L2TP header. */
#define L2TP_HDR_T 0x8000u /* 1 = control message */
#define L2TP_HDR_L 0x4000u /* Length field present */
#define L2TP_HDR_S 0x0800u /* Ns/Nr present */
#define L2TP_HDR_O 0x0200u /* v2 data: Offset Size present */
#define L2TP_HDR_P 0x0100u /* v2 data: priority */
#define L2TP_HDR_VER_MASK 0x000fu

#define L2TP_VER_L2F 1
#define L2TP_VER_2 2
#define L2TP_VER_3 3

/* Fixed header sizes in bytes. */
#define L2TP_CTRL_HDR_LEN 12 /* v2 and v3 control header (UDP) */
#define L2TP_IP_SESSION0_LEN 4 /* v3 over IP: Session ID 0 before a control header */
#define L2TP_V3_UDP_DATA_HDR_LEN 8 /* flags/ver + reserved + Session ID */
#define L2TP_V3_IP_DATA_HDR_LEN 4 /* Session ID */
#define L2TP_V2_DATA_HDR_MIN 6 /* flags/ver + Tunnel ID + Session ID */
#define L2TP_V2_DATA_HDR_MAX 14 /* + Length + Ns/Nr + Offset Size (not its pad) */
#define L2TP_COOKIE_MAX 8
#define L2TP_L2SPEC_DEFAULT_LEN 4
#define L2TP_L2SPEC_S 0x40000000u /* default sublayer: sequence number valid */
#define L2TP_SEQ_V2_MASK 0xffffu
#define L2TP_SEQ_V3_MASK 0xffffffu

/* ---- classification ------------------------------------------------------ */

/*
 * What one received datagram is, read cheaply from its first bytes so the
 * caller can find the tunnel or session that must handle it.
 */
struct l2tp_wire_class {
	uint8_t version; /* 2 or 3 */
	bool ctrl; /* control message (including a ZLB ACK) */
	uint32_t tunnel_id; /* v2: Tunnel ID; v3 control: Control Connection ID; v3 data: 0 */
	uint32_t session_id; /* v2: Session ID; v3 data: Session ID; v3 control: 0 */
};

/*
 * Classify |pkt| (|len| bytes, the UDP payload or the IP payload after the IP
 * header) received on a socket of encapsulation |encap|.
 *
 * Over UDP the version field tells v2 from v3 and the T bit control from
 * data. Over IP (v3 only, RFC 3931 §4.1.1.2) four zero bytes (Session ID 0)
 * mean a control message follows, anything else is a data Session ID.
 * Only the bytes needed for the ids are checked here; the full decoders below
 * validate the rest.
 *
 * Returns 0 and fills |cl|; -EPROTO for a runt (too short for the fields
 * read) or a control header over IP whose T bit is clear; -EPFNOSUPPORT for
 * version 1 (L2F); -EPROTONOSUPPORT for any other version but 2 and 3
 * (including v2 after Session ID 0 over IP); -EINVAL for an unknown |encap|.
 */
int l2tp_wire_classify(enum l2tp_encap encap, const uint8_t *pkt, size_t len,
		       struct l2tp_wire_class *cl, struct l2tp_diag *diag);

/* ---- control header (RFC 2661 §3.1, RFC 3931 §3.2.1) --------------------- */

struct l2tp_ctrl_hdr {
	uint8_t version; /* 2 or 3 */
	uint32_t tunnel_id; /* v2: Tunnel ID (16 bits); v3: Control Connection ID */
	uint16_t session_id; /* v2: Session ID; v3: always 0 (no such field) */
	uint16_t ns;
	uint16_t nr;
	/* Filled by the decoder, ignored by the encoder: */
	uint16_t length; /* the Length field: bytes from the T bit to the end */
	size_t hdr_len; /* header bytes in the buffer, incl. the IP Session ID 0 */
	size_t msg_len; /* message bytes in the buffer (prefix + Length) */
};

/*
 * Decode a control header at the start of |pkt|. Over IP the 4 zero bytes of
 * Session ID 0 come first and are counted in hdr_len and msg_len (but not in
 * the Length field, which starts at the T bit).
 *
 * Checks: T, L and S set; v2: O and P clear (RFC 2661 §3.1: MUST be 0 for
 * control messages); version 2 or 3 (v3 only over IP); Length >= 12 and not
 * more than the buffer holds. Reserved x bits are ignored (both RFCs: "ignored
 * on incoming messages"). If the buffer is longer than Length, the message is
 * the first msg_len bytes and the rest is ignored. The body is
 * pkt[hdr_len, msg_len); msg_len == hdr_len is a ZLB ACK.
 *
 * Returns hdr_len (12, or 16 over IP); -EPROTO, -EPFNOSUPPORT,
 * -EPROTONOSUPPORT as l2tp_wire_classify(); -EINVAL for an unknown |encap|.
 */
ssize_t l2tp_wire_ctrl_decode(enum l2tp_encap encap, const uint8_t *pkt, size_t len,
			      struct l2tp_ctrl_hdr *h, struct l2tp_diag *diag);

/*
 * Write a control header for |h| (version, tunnel_id, session_id, ns, nr) at
 * |c|'s position: T=L=S=1, every reserved bit 0, over IP preceded by four
 * zero bytes. The Length field is set to the header alone, so the result is
 * already a valid ZLB ACK. After appending the body through the same cursor,
 * call l2tp_wire_ctrl_finish().
 *
 * Returns the bytes written (12, or 16 over IP); -ENOSPC if |c| is too small
 * (nothing useful is written); -EINVAL for v2 over IP, a version other than
 * 2/3, or a v2 tunnel_id above 65535.
 */
ssize_t l2tp_wire_ctrl_encode(struct l2tp_cursor *c, enum l2tp_encap encap,
			      const struct l2tp_ctrl_hdr *h);

/*
 * Patch the Length field of the control message that starts at offset
 * |start| of |c| and ends at c->pos: Length = c->pos - start, minus the 4
 * bytes of Session ID 0 over IP.
 *
 * Returns 0; -EMSGSIZE if the message is longer than 65535 bytes; -EINVAL if
 * fewer bytes than a header lie between |start| and c->pos.
 */
int l2tp_wire_ctrl_finish(struct l2tp_cursor *c, size_t start, enum l2tp_encap encap);

static inline bool l2tp_wire_ctrl_is_zlb(const struct l2tp_ctrl_hdr *h)
{
	return h->msg_len == h->hdr_len;
}

/* ---- v2 data header (RFC 2661 §3.1) -------------------------------------- */

struct l2tp_v2_data_hdr {
	uint16_t flags; /* any of L2TP_HDR_L, _S, _O, _P; others ignored */
	uint16_t length; /* if L: total bytes from the T bit (header + payload) */
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t ns; /* if S */
	uint16_t nr; /* if S (reserved in data messages: sent as 0) */
	uint16_t offset_size; /* if O: bytes of padding after the Offset Size field */
};

/*
 * Bytes of a v2 data header with |flags| (L/S/O) and, if O, |offset_size|
 * bytes of offset padding: 6 + 2 (L) + 4 (S) + 2 + offset_size (O).
 */
size_t l2tp_wire_v2_data_hdr_len(uint16_t flags, uint16_t offset_size);

/*
 * Write the v2 data header |h| at |c|'s position (T=0, version 2, reserved
 * bits 0, offset padding written as zeros). The caller sets h->length when L
 * is set. Returns the bytes written (l2tp_wire_v2_data_hdr_len()); -ENOSPC.
 */
ssize_t l2tp_wire_v2_data_encode(struct l2tp_cursor *c, const struct l2tp_v2_data_hdr *h);

/*
 * Decode a v2 data header. If L is set the Length field must be at least the
 * header and at most |len|; the payload then ends at Length (trailing bytes
 * ignored), else at |len|. The offset padding is skipped.
 *
 * Returns the payload offset; *|payload_len| (if not NULL) gets its length.
 * -EPROTO (T bit set, runt, bad Length, offset past the end),
 * -EPFNOSUPPORT / -EPROTONOSUPPORT (version not 2).
 */
ssize_t l2tp_wire_v2_data_decode(const uint8_t *pkt, size_t len, struct l2tp_v2_data_hdr *h,
				 size_t *payload_len, struct l2tp_diag *diag);

/* ---- v3 data header (RFC 3931 §4.1.1, §4.1.2.1, §4.6) -------------------- */

struct l2tp_v3_data_hdr {
	uint32_t session_id; /* never 0 */
	uint8_t cookie_len; /* 0, 4 or 8 */
	uint8_t cookie[L2TP_COOKIE_MAX];
	uint8_t l2spec; /* enum l2tp_l2spec */
	bool seq_valid; /* default sublayer: S bit */
	uint32_t seq; /* default sublayer: 24-bit Sequence Number */
};

/*
 * Bytes of a v3 data header: session header (8 over UDP, 4 over IP) + cookie
 * + sublayer (4 for the default one). 0 if an argument is invalid.
 */
size_t l2tp_wire_v3_data_hdr_len(enum l2tp_encap encap, size_t cookie_len, enum l2tp_l2spec l2spec);

/*
 * Write the v3 data header |h| at |c|'s position (over UDP: T=0, version 3,
 * reserved bits and field 0). With the default sublayer the S bit is set and
 * the low 24 bits of seq written when seq_valid, else the word is 0.
 *
 * Returns the bytes written; -ENOSPC; -EINVAL (session_id 0, cookie length
 * not 0/4/8, unknown l2spec or encap).
 */
ssize_t l2tp_wire_v3_data_encode(struct l2tp_cursor *c, enum l2tp_encap encap,
				 const struct l2tp_v3_data_hdr *h);

/*
 * First step of v3 data decode: the Session ID, which selects the session
 * (and with it the cookie length and sublayer needed for the second step).
 * Over UDP checks T=0 and version 3 (reserved bits ignored, RFC 3931
 * §4.1.2.1); over IP the Session ID must not be 0 (that is a control message).
 *
 * Returns the offset just past the Session ID (8 over UDP, 4 over IP), where
 * the cookie starts; -EPROTO (runt, T bit set, Session ID 0),
 * -EPFNOSUPPORT / -EPROTONOSUPPORT (version not 3), -EINVAL.
 */
ssize_t l2tp_wire_v3_session_decode(enum l2tp_encap encap, const uint8_t *pkt, size_t len,
				    uint32_t *session_id, struct l2tp_diag *diag);

/*
 * Second step: read the cookie (|cookie_len| bytes, copied to h->cookie) and
 * the sublayer |l2spec| starting at offset |off| (the return of the first
 * step). The default sublayer's reserved bits are ignored.
 *
 * Returns the payload offset; -EPROTO if the packet is too short; -EINVAL
 * for a bad cookie length or l2spec, or |off| > |len|.
 */
ssize_t l2tp_wire_v3_tail_decode(const uint8_t *pkt, size_t len, size_t off, size_t cookie_len,
				 enum l2tp_l2spec l2spec, struct l2tp_v3_data_hdr *h,
				 struct l2tp_diag *diag);

/*
 * Both steps at once, for a known cookie length and sublayer (tests, tools).
 * Returns the payload offset or the negatives of the two steps.
 */
ssize_t l2tp_wire_v3_data_decode(enum l2tp_encap encap, const uint8_t *pkt, size_t len,
				 size_t cookie_len, enum l2tp_l2spec l2spec,
				 struct l2tp_v3_data_hdr *h, struct l2tp_diag *diag);

/* Short name of a classification error, for logs ("runt", "L2F", ...). */
const char *l2tp_wire_strerror(int err);

#endif /* L2TP_WIRE_H */
