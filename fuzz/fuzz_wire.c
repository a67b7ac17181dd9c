// SPDX-License-Identifier: MIT
/*
 * fuzz_wire.c - arbitrary bytes as a datagram through every header decoder
 * of lib/wire.c, for both encapsulations, every cookie length and both
 * sublayers. Invariants: no decoder reads out of bounds (ASan), every
 * returned offset lies within the input, classification agrees with the
 * full decoders, and re-encoding a decoded header decodes to the same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <l2tp/wire.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

static void ctrl(enum l2tp_encap e, const uint8_t *d, size_t n, const struct l2tp_wire_class *cl,
		 int crc)
{
	struct l2tp_ctrl_hdr h, g;
	struct l2tp_diag diag = {0};
	uint8_t out[32];
	struct l2tp_cursor c;
	ssize_t r = l2tp_wire_ctrl_decode(e, d, n, &h, &diag);

	if (r < 0) {
		CHECK(diag.reason != NULL && diag.offset <= n);
		return;
	}
	CHECK((size_t)r == h.hdr_len && h.hdr_len <= h.msg_len && h.msg_len <= n);
	/* A valid control header classifies as control with the same id. */
	CHECK(crc == 0 && cl->ctrl && cl->version == h.version && cl->tunnel_id == h.tunnel_id);
	l2tp_cur_init(&c, out, sizeof(out));
	CHECK(l2tp_wire_ctrl_encode(&c, e, &h) == r);
	CHECK(l2tp_wire_ctrl_decode(e, out, c.pos, &g, NULL) == r);
	CHECK(g.version == h.version && g.tunnel_id == h.tunnel_id &&
	      g.session_id == h.session_id && g.ns == h.ns && g.nr == h.nr);
}

static void v3data(enum l2tp_encap e, const uint8_t *d, size_t n, const struct l2tp_wire_class *cl,
		   int crc)
{
	static const uint8_t cls[] = {0, 4, 8};
	uint32_t sid;
	ssize_t off = l2tp_wire_v3_session_decode(e, d, n, &sid, NULL);

	if (off < 0)
		return;
	CHECK((size_t)off <= n && sid != 0);
	CHECK(crc == 0 && !cl->ctrl && cl->version == 3 && cl->session_id == sid);
	for (size_t i = 0; i < sizeof(cls); i++) {
		for (int l = 0; l <= 1; l++) {
			struct l2tp_v3_data_hdr h, g;
			uint8_t out[32];
			struct l2tp_cursor c;
			ssize_t p = l2tp_wire_v3_data_decode(e, d, n, cls[i], (enum l2tp_l2spec)l,
							     &h, NULL);

			if (p < 0)
				continue;
			CHECK((size_t)p <= n && (size_t)p == l2tp_wire_v3_data_hdr_len(
								 e, cls[i], (enum l2tp_l2spec)l));
			l2tp_cur_init(&c, out, sizeof(out));
			CHECK(l2tp_wire_v3_data_encode(&c, e, &h) == p);
			CHECK(l2tp_wire_v3_data_decode(e, out, c.pos, cls[i], (enum l2tp_l2spec)l,
						       &g, NULL) == p);
			CHECK(g.session_id == h.session_id && g.seq_valid == h.seq_valid &&
			      g.seq == h.seq && !memcmp(g.cookie, h.cookie, cls[i]));
			/* Without a sublayer the cookie ends the header: same bytes. */
			if (l == 0)
				CHECK(!memcmp(out + p - cls[i], d + p - cls[i], cls[i]));
		}
	}
}

static void v2data(const uint8_t *d, size_t n, const struct l2tp_wire_class *cl, int crc)
{
	struct l2tp_v2_data_hdr h, g;
	size_t plen, plen2;
	uint8_t out[64 + L2TP_V2_DATA_HDR_MAX];
	struct l2tp_cursor c;
	ssize_t r = l2tp_wire_v2_data_decode(d, n, &h, &plen, NULL);

	if (r < 0)
		return;
	CHECK((size_t)r + plen <= n);
	CHECK(crc == 0 && !cl->ctrl && cl->version == 2 && cl->tunnel_id == h.tunnel_id &&
	      cl->session_id == h.session_id);
	if (h.offset_size > 64)
		return;
	if (h.flags & L2TP_HDR_L)
		h.length = (uint16_t)r; /* header only: no payload re-encoded */
	l2tp_cur_init(&c, out, sizeof(out));
	CHECK(l2tp_wire_v2_data_encode(&c, &h) == r);
	CHECK(l2tp_wire_v2_data_decode(out, c.pos, &g, &plen2, NULL) == r && plen2 == 0);
	CHECK(g.flags == h.flags && g.tunnel_id == h.tunnel_id && g.session_id == h.session_id &&
	      g.ns == h.ns && g.nr == h.nr && g.offset_size == h.offset_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int e = 0; e <= 1; e++) {
		struct l2tp_wire_class cl;
		struct l2tp_diag diag = {0};
		int crc = l2tp_wire_classify((enum l2tp_encap)e, data, size, &cl, &diag);

		CHECK(crc == 0 || crc == -EPROTO || crc == -EPFNOSUPPORT ||
		      crc == -EPROTONOSUPPORT);
		if (crc < 0)
			CHECK(diag.reason != NULL && diag.offset <= size);
		CHECK(l2tp_wire_strerror(crc) != NULL);
		ctrl((enum l2tp_encap)e, data, size, &cl, crc);
		v3data((enum l2tp_encap)e, data, size, &cl, crc);
		if (e == L2TP_ENCAP_UDP)
			v2data(data, size, &cl, crc);
	}
	return 0;
}
