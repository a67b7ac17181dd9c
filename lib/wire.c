// SPDX-License-Identifier: MIT
/*
 * wire.c - L2TP v2/v3 header codec (see include/l2tp/wire.h).
 *
 * Every read and write goes through struct l2tp_cursor, so no path reads or
 * writes outside the caller's buffer.
 */
#include <l2tp/wire.h>

static int fail(struct l2tp_diag *d, size_t off, int err, const char *why)
{
	l2tp_diag_set(d, off, why);
	return err;
}

/* Map a version field that is not the one expected to its error code. */
static int bad_version(struct l2tp_diag *d, size_t off, unsigned int ver)
{
	if (ver == L2TP_VER_L2F)
		return fail(d, off, -EPFNOSUPPORT, "version 1 (L2F)");
	return fail(d, off, -EPROTONOSUPPORT, "unknown version");
}

const char *l2tp_wire_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case -EPROTO:
		return "malformed";
	case -EPFNOSUPPORT:
		return "L2F";
	case -EPROTONOSUPPORT:
		return "unknown version";
	case -EINVAL:
		return "invalid argument";
	case -ENOSPC:
		return "no space";
	case -EMSGSIZE:
		return "too long";
	default:
		return "error";
	}
}

/* ---- classification ------------------------------------------------------ */

int l2tp_wire_classify(enum l2tp_encap encap, const uint8_t *pkt, size_t len,
		       struct l2tp_wire_class *cl, struct l2tp_diag *diag)
{
	struct l2tp_cursor c;
	uint16_t flags, tid, sid;
	uint32_t v;
	unsigned int ver;

	memset(cl, 0, sizeof(*cl));
	l2tp_cur_init(&c, pkt, len);

	if (encap == L2TP_ENCAP_IP) {
		/* RFC 3931 §4.1.1.2: Session ID 0 marks a control message. */
		if (l2tp_cur_get_u32(&c, &v) < 0)
			return fail(diag, 0, -EPROTO, "runt: no session id");
		if (v != 0) {
			cl->version = L2TP_VER_3;
			cl->session_id = v;
			return 0;
		}
		if (l2tp_cur_get_u16(&c, &flags) < 0)
			return fail(diag, 4, -EPROTO, "runt: no control header");
		ver = flags & L2TP_HDR_VER_MASK;
		if (ver != L2TP_VER_3)
			return bad_version(diag, 4, ver);
		if (!(flags & L2TP_HDR_T))
			return fail(diag, 4, -EPROTO, "T bit clear after session id 0");
		if (l2tp_cur_skip(&c, 2) < 0 || l2tp_cur_get_u32(&c, &v) < 0)
			return fail(diag, c.pos, -EPROTO, "runt: control header");
		cl->version = L2TP_VER_3;
		cl->ctrl = true;
		cl->tunnel_id = v;
		return 0;
	}
	if (encap != L2TP_ENCAP_UDP)
		return fail(diag, 0, -EINVAL, "unknown encapsulation");

	if (l2tp_cur_get_u16(&c, &flags) < 0)
		return fail(diag, 0, -EPROTO, "runt: no flags/version");
	ver = flags & L2TP_HDR_VER_MASK;
	if (ver != L2TP_VER_2 && ver != L2TP_VER_3)
		return bad_version(diag, 0, ver);
	cl->version = (uint8_t)ver;
	cl->ctrl = (flags & L2TP_HDR_T) != 0;

	if (ver == L2TP_VER_3) {
		/* Control: Length, then the Control Connection ID; data:
		 * Reserved, then the Session ID. Both at offset 4. */
		if (l2tp_cur_skip(&c, 2) < 0 || l2tp_cur_get_u32(&c, &v) < 0)
			return fail(diag, c.pos, -EPROTO, "runt: v3 header");
		if (cl->ctrl)
			cl->tunnel_id = v;
		else
			cl->session_id = v;
		return 0;
	}

	/* v2: the Length field is present when L is set. */
	if ((flags & L2TP_HDR_L) && l2tp_cur_skip(&c, 2) < 0)
		return fail(diag, c.pos, -EPROTO, "runt: v2 length");
	if (l2tp_cur_get_u16(&c, &tid) < 0 || l2tp_cur_get_u16(&c, &sid) < 0)
		return fail(diag, c.pos, -EPROTO, "runt: v2 ids");
	cl->tunnel_id = tid;
	cl->session_id = sid;
	return 0;
}

/* ---- control header -------------------------------------------------------
 *
 * RFC 2661 §3.1 (v2) and RFC 3931 §3.2.1 (v3), as sent on control messages
 * (T=1, L=1, S=1):
 *
 *   v2:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |T|L|x|x|S|x|O|P|x|x|x|x|  Ver  |          Length               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           Tunnel ID           |           Session ID          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               Ns              |               Nr              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   v3 (over IP preceded by a 32-bit Session ID of 0, RFC 3931 §4.1.1.2):
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |T|L|x|x|S|x|x|x|x|x|x|x|  Ver  |             Length            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                     Control Connection ID                     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               Ns              |               Nr              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Length counts from the T bit, so over IP it excludes the Session ID 0.
 */

ssize_t l2tp_wire_ctrl_decode(enum l2tp_encap encap, const uint8_t *pkt, size_t len,
			      struct l2tp_ctrl_hdr *h, struct l2tp_diag *diag)
{
	struct l2tp_cursor c;
	size_t start = 0;
	uint16_t flags, length, tid16, sid16;
	uint32_t v;
	unsigned int ver;

	memset(h, 0, sizeof(*h));
	l2tp_cur_init(&c, pkt, len);
	if (encap == L2TP_ENCAP_IP) {
		if (l2tp_cur_get_u32(&c, &v) < 0)
			return fail(diag, 0, -EPROTO, "runt: no session id");
		if (v != 0)
			return fail(diag, 0, -EPROTO, "session id not 0: a data packet");
		start = L2TP_IP_SESSION0_LEN;
	} else if (encap != L2TP_ENCAP_UDP) {
		return fail(diag, 0, -EINVAL, "unknown encapsulation");
	}

	if (l2tp_cur_get_u16(&c, &flags) < 0)
		return fail(diag, start, -EPROTO, "runt: no flags/version");
	ver = flags & L2TP_HDR_VER_MASK;
	if (ver != L2TP_VER_2 && ver != L2TP_VER_3)
		return bad_version(diag, start, ver);
	if (encap == L2TP_ENCAP_IP && ver != L2TP_VER_3)
		return fail(diag, start, -EPROTONOSUPPORT, "v2 over IP");
	if (!(flags & L2TP_HDR_T))
		return fail(diag, start, -EPROTO, "T bit clear: data, not control");
	/* RFC 2661 §3.1, RFC 3931 §3.2.1: L and S MUST be 1 on control. */
	if (!(flags & L2TP_HDR_L))
		return fail(diag, start, -EPROTO, "control message without L bit");
	if (!(flags & L2TP_HDR_S))
		return fail(diag, start, -EPROTO, "control message without S bit");
	/* RFC 2661 §3.1: O and P MUST be 0 on control; in v3 they are x bits. */
	if (ver == L2TP_VER_2 && (flags & (L2TP_HDR_O | L2TP_HDR_P)))
		return fail(diag, start, -EPROTO, "v2 control message with O or P bit");

	if (l2tp_cur_get_u16(&c, &length) < 0)
		return fail(diag, c.pos, -EPROTO, "runt: no length");
	if (ver == L2TP_VER_2) {
		if (l2tp_cur_get_u16(&c, &tid16) < 0 || l2tp_cur_get_u16(&c, &sid16) < 0)
			return fail(diag, c.pos, -EPROTO, "runt: ids");
		h->tunnel_id = tid16;
		h->session_id = sid16;
	} else {
		if (l2tp_cur_get_u32(&c, &v) < 0)
			return fail(diag, c.pos, -EPROTO, "runt: control connection id");
		h->tunnel_id = v;
	}
	if (l2tp_cur_get_u16(&c, &h->ns) < 0 || l2tp_cur_get_u16(&c, &h->nr) < 0)
		return fail(diag, c.pos, -EPROTO, "runt: Ns/Nr");

	if (length < L2TP_CTRL_HDR_LEN)
		return fail(diag, start + 2, -EPROTO, "length field shorter than header");
	if (length > len - start)
		return fail(diag, start + 2, -EPROTO, "length field longer than packet");

	h->version = (uint8_t)ver;
	h->length = length;
	h->hdr_len = c.pos;
	h->msg_len = start + length;
	return (ssize_t)h->hdr_len;
}

ssize_t l2tp_wire_ctrl_encode(struct l2tp_cursor *c, enum l2tp_encap encap,
			      const struct l2tp_ctrl_hdr *h)
{
	size_t start = c->pos;
	size_t need = L2TP_CTRL_HDR_LEN;

	if (h->version != L2TP_VER_2 && h->version != L2TP_VER_3)
		return -EINVAL;
	if (encap == L2TP_ENCAP_IP) {
		if (h->version != L2TP_VER_3)
			return -EINVAL;
		need += L2TP_IP_SESSION0_LEN;
	} else if (encap != L2TP_ENCAP_UDP) {
		return -EINVAL;
	}
	if (h->version == L2TP_VER_2 && h->tunnel_id > 0xffff)
		return -EINVAL;
	if (l2tp_cur_left(c) < need)
		return -ENOSPC;

	if (encap == L2TP_ENCAP_IP)
		L2TP_TRY(l2tp_cur_put_u32(c, 0));
	L2TP_TRY(l2tp_cur_put_u16(c, L2TP_HDR_T | L2TP_HDR_L | L2TP_HDR_S | h->version));
	L2TP_TRY(l2tp_cur_put_u16(c, L2TP_CTRL_HDR_LEN));
	if (h->version == L2TP_VER_2) {
		L2TP_TRY(l2tp_cur_put_u16(c, (uint16_t)h->tunnel_id));
		L2TP_TRY(l2tp_cur_put_u16(c, h->session_id));
	} else {
		L2TP_TRY(l2tp_cur_put_u32(c, h->tunnel_id));
	}
	L2TP_TRY(l2tp_cur_put_u16(c, h->ns));
	L2TP_TRY(l2tp_cur_put_u16(c, h->nr));
	return (ssize_t)(c->pos - start);
}

int l2tp_wire_ctrl_finish(struct l2tp_cursor *c, size_t start, enum l2tp_encap encap)
{
	size_t prefix = encap == L2TP_ENCAP_IP ? L2TP_IP_SESSION0_LEN : 0;
	size_t total;

	if (start > c->pos || c->pos - start < prefix + L2TP_CTRL_HDR_LEN)
		return -EINVAL;
	total = c->pos - start - prefix;
	if (total > 0xffff)
		return -EMSGSIZE;
	return l2tp_cur_patch_u16(c, start + prefix + 2, (uint16_t)total) < 0 ? -EINVAL : 0;
}

/* ---- v2 data header --------------------------------------------------------
 *
 * RFC 2661 §3.1; T=0, every optional field governed by its bit:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |T|L|x|x|S|x|O|P|x|x|x|x|  Ver  |          Length (opt)         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           Tunnel ID           |           Session ID          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |             Ns (opt)          |             Nr (opt)          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |      Offset Size (opt)        |    Offset pad... (opt)
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Without L the Length field is absent and Tunnel ID follows at offset 2.
 */

size_t l2tp_wire_v2_data_hdr_len(uint16_t flags, uint16_t offset_size)
{
	size_t n = L2TP_V2_DATA_HDR_MIN;

	if (flags & L2TP_HDR_L)
		n += 2;
	if (flags & L2TP_HDR_S)
		n += 4;
	if (flags & L2TP_HDR_O)
		n += 2 + (size_t)offset_size;
	return n;
}

ssize_t l2tp_wire_v2_data_encode(struct l2tp_cursor *c, const struct l2tp_v2_data_hdr *h)
{
	uint16_t f = h->flags & (L2TP_HDR_L | L2TP_HDR_S | L2TP_HDR_O | L2TP_HDR_P);
	size_t n = l2tp_wire_v2_data_hdr_len(f, h->offset_size);
	size_t start = c->pos;

	if (l2tp_cur_left(c) < n)
		return -ENOSPC;
	L2TP_TRY(l2tp_cur_put_u16(c, (uint16_t)(f | L2TP_VER_2)));
	if (f & L2TP_HDR_L)
		L2TP_TRY(l2tp_cur_put_u16(c, h->length));
	L2TP_TRY(l2tp_cur_put_u16(c, h->tunnel_id));
	L2TP_TRY(l2tp_cur_put_u16(c, h->session_id));
	if (f & L2TP_HDR_S) {
		L2TP_TRY(l2tp_cur_put_u16(c, h->ns));
		L2TP_TRY(l2tp_cur_put_u16(c, h->nr));
	}
	if (f & L2TP_HDR_O) {
		L2TP_TRY(l2tp_cur_put_u16(c, h->offset_size));
		/* RFC 2661 §3.1: the pad's contents are undefined; send zeros. */
		memset(c->buf + c->pos, 0, h->offset_size);
		c->pos += h->offset_size;
	}
	return (ssize_t)(c->pos - start);
}

ssize_t l2tp_wire_v2_data_decode(const uint8_t *pkt, size_t len, struct l2tp_v2_data_hdr *h,
				 size_t *payload_len, struct l2tp_diag *diag)
{
	struct l2tp_cursor c;
	uint16_t flags;
	unsigned int ver;
	size_t end = len;

	memset(h, 0, sizeof(*h));
	l2tp_cur_init(&c, pkt, len);
	if (l2tp_cur_get_u16(&c, &flags) < 0)
		return fail(diag, 0, -EPROTO, "runt: no flags/version");
	ver = flags & L2TP_HDR_VER_MASK;
	if (ver != L2TP_VER_2)
		return bad_version(diag, 0, ver);
	if (flags & L2TP_HDR_T)
		return fail(diag, 0, -EPROTO, "T bit set: control, not data");
	h->flags = flags & (L2TP_HDR_L | L2TP_HDR_S | L2TP_HDR_O | L2TP_HDR_P);

	if (flags & L2TP_HDR_L) {
		if (l2tp_cur_get_u16(&c, &h->length) < 0)
			return fail(diag, c.pos, -EPROTO, "runt: length");
		if (h->length > len)
			return fail(diag, 2, -EPROTO, "length field longer than packet");
		end = h->length;
	}
	if (l2tp_cur_get_u16(&c, &h->tunnel_id) < 0 || l2tp_cur_get_u16(&c, &h->session_id) < 0)
		return fail(diag, c.pos, -EPROTO, "runt: ids");
	if (flags & L2TP_HDR_S) {
		if (l2tp_cur_get_u16(&c, &h->ns) < 0 || l2tp_cur_get_u16(&c, &h->nr) < 0)
			return fail(diag, c.pos, -EPROTO, "runt: Ns/Nr");
	}
	if (flags & L2TP_HDR_O) {
		if (l2tp_cur_get_u16(&c, &h->offset_size) < 0)
			return fail(diag, c.pos, -EPROTO, "runt: offset size");
		if (l2tp_cur_skip(&c, h->offset_size) < 0)
			return fail(diag, c.pos, -EPROTO, "offset pad past the end");
	}
	if (c.pos > end)
		return fail(diag, 2, -EPROTO, "length field shorter than header");
	if (payload_len)
		*payload_len = end - c.pos;
	return (ssize_t)c.pos;
}

/* ---- v3 data header --------------------------------------------------------
 *
 * RFC 3931 §4.1.2.1, over UDP (T=0):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |T|x|x|x|x|x|x|x|x|x|x|x|  Ver  |             Reserved          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 Session ID (session header, §4.1)             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               Cookie (optional, maximum 64 bits)...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *                                                                   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Over IP (§4.1.1.1) the session header starts the IP payload directly:
 * Session ID (non-zero), Cookie.
 *
 * Then the default L2-Specific Sublayer (§4.6), when in use:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |x|S|x|x|x|x|x|x|              Sequence Number                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

static bool cookie_len_ok(size_t n)
{
	return n == 0 || n == 4 || n == 8;
}

static size_t l2spec_len(enum l2tp_l2spec l)
{
	return l == L2TP_L2SPEC_DEFAULT ? L2TP_L2SPEC_DEFAULT_LEN : 0;
}

size_t l2tp_wire_v3_data_hdr_len(enum l2tp_encap encap, size_t cookie_len, enum l2tp_l2spec l2spec)
{
	size_t n;

	if (!cookie_len_ok(cookie_len))
		return 0;
	if (l2spec != L2TP_L2SPEC_NONE && l2spec != L2TP_L2SPEC_DEFAULT)
		return 0;
	if (encap == L2TP_ENCAP_UDP)
		n = L2TP_V3_UDP_DATA_HDR_LEN;
	else if (encap == L2TP_ENCAP_IP)
		n = L2TP_V3_IP_DATA_HDR_LEN;
	else
		return 0;
	return n + cookie_len + l2spec_len(l2spec);
}

ssize_t l2tp_wire_v3_data_encode(struct l2tp_cursor *c, enum l2tp_encap encap,
				 const struct l2tp_v3_data_hdr *h)
{
	size_t n = l2tp_wire_v3_data_hdr_len(encap, h->cookie_len, (enum l2tp_l2spec)h->l2spec);
	size_t start = c->pos;

	if (n == 0 || h->session_id == 0)
		return -EINVAL;
	if (l2tp_cur_left(c) < n)
		return -ENOSPC;
	if (encap == L2TP_ENCAP_UDP) {
		L2TP_TRY(l2tp_cur_put_u16(c, L2TP_VER_3));
		L2TP_TRY(l2tp_cur_put_u16(c, 0));
	}
	L2TP_TRY(l2tp_cur_put_u32(c, h->session_id));
	L2TP_TRY(l2tp_cur_put_bytes(c, h->cookie, h->cookie_len));
	if (h->l2spec == L2TP_L2SPEC_DEFAULT) {
		uint32_t w = h->seq_valid ? L2TP_L2SPEC_S | (h->seq & L2TP_SEQ_V3_MASK) : 0;

		L2TP_TRY(l2tp_cur_put_u32(c, w));
	}
	return (ssize_t)(c->pos - start);
}

ssize_t l2tp_wire_v3_session_decode(enum l2tp_encap encap, const uint8_t *pkt, size_t len,
				    uint32_t *session_id, struct l2tp_diag *diag)
{
	struct l2tp_cursor c;
	uint16_t flags;
	unsigned int ver;

	l2tp_cur_init(&c, pkt, len);
	if (encap == L2TP_ENCAP_UDP) {
		if (l2tp_cur_get_u16(&c, &flags) < 0)
			return fail(diag, 0, -EPROTO, "runt: no flags/version");
		ver = flags & L2TP_HDR_VER_MASK;
		if (ver != L2TP_VER_3)
			return bad_version(diag, 0, ver);
		if (flags & L2TP_HDR_T)
			return fail(diag, 0, -EPROTO, "T bit set: control, not data");
		/* RFC 3931 §4.1.2.1: reserved bits are ignored on receipt. */
		if (l2tp_cur_skip(&c, 2) < 0)
			return fail(diag, 2, -EPROTO, "runt: reserved");
	} else if (encap != L2TP_ENCAP_IP) {
		return fail(diag, 0, -EINVAL, "unknown encapsulation");
	}
	if (l2tp_cur_get_u32(&c, session_id) < 0)
		return fail(diag, c.pos, -EPROTO, "runt: session id");
	if (*session_id == 0)
		return fail(diag, c.pos - 4, -EPROTO, "session id 0 on a data packet");
	return (ssize_t)c.pos;
}

ssize_t l2tp_wire_v3_tail_decode(const uint8_t *pkt, size_t len, size_t off, size_t cookie_len,
				 enum l2tp_l2spec l2spec, struct l2tp_v3_data_hdr *h,
				 struct l2tp_diag *diag)
{
	struct l2tp_cursor c;
	uint32_t w;

	if (!cookie_len_ok(cookie_len) ||
	    (l2spec != L2TP_L2SPEC_NONE && l2spec != L2TP_L2SPEC_DEFAULT) || off > len)
		return fail(diag, off, -EINVAL, "bad cookie length, sublayer or offset");
	l2tp_cur_init(&c, pkt, len);
	c.pos = off;
	h->cookie_len = (uint8_t)cookie_len;
	h->l2spec = (uint8_t)l2spec;
	h->seq_valid = false;
	h->seq = 0;
	if (l2tp_cur_get_bytes(&c, h->cookie, cookie_len) < 0)
		return fail(diag, c.pos, -EPROTO, "runt: cookie");
	if (l2spec == L2TP_L2SPEC_DEFAULT) {
		if (l2tp_cur_get_u32(&c, &w) < 0)
			return fail(diag, c.pos, -EPROTO, "runt: L2-specific sublayer");
		/* RFC 3931 §4.6: without S the number is undefined: ignore it. */
		h->seq_valid = (w & L2TP_L2SPEC_S) != 0;
		h->seq = h->seq_valid ? w & L2TP_SEQ_V3_MASK : 0;
	}
	return (ssize_t)c.pos;
}

ssize_t l2tp_wire_v3_data_decode(enum l2tp_encap encap, const uint8_t *pkt, size_t len,
				 size_t cookie_len, enum l2tp_l2spec l2spec,
				 struct l2tp_v3_data_hdr *h, struct l2tp_diag *diag)
{
	ssize_t off;

	memset(h, 0, sizeof(*h));
	off = l2tp_wire_v3_session_decode(encap, pkt, len, &h->session_id, diag);
	if (off < 0)
		return off;
	return l2tp_wire_v3_tail_decode(pkt, len, (size_t)off, cookie_len, l2spec, h, diag);
}
