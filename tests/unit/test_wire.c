// SPDX-License-Identifier: MIT
/*
 * test_wire.c - L2TP header codec. Known answers are written byte by byte
 * from the header diagrams of RFC 2661 §3.1 and RFC 3931 §3.2.1, §4.1.1,
 * §4.1.2.1 and §4.6 (bit positions: T=0x8000 L=0x4000 S=0x0800 O=0x0200
 * P=0x0100, Ver = low 4 bits; default sublayer S=0x40000000).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <l2tp/wire.h>
#include "testlib.h"

/* ---- control headers ------------------------------------------------------ */

/* v2: T L S ver2 | Length 12 | Tunnel 0x1234 | Session 0x5678 | Ns 3 | Nr 4 */
static const char v2_ctrl_hex[] = "c802 000c 1234 5678 0003 0004";
/* v3/UDP: T L S ver3 | Length 12 | CCID 0xdeadbeef | Ns 0x0102 | Nr 0x0304 */
static const char v3_ctrl_hex[] = "c803 000c deadbeef 0102 0304";
/* v3/IP: Session ID 0, then the same header */
static const char v3_ip_ctrl_hex[] = "00000000 c803 000c deadbeef 0102 0304";

static void test_wire_ctrl_decode_known_answers(void **state)
{
	uint8_t b[64];
	struct l2tp_ctrl_hdr h;
	size_t n;

	n = tl_hex(v2_ctrl_hex, b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), 12);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.tunnel_id, 0x1234);
	assert_int_equal(h.session_id, 0x5678);
	assert_int_equal(h.ns, 3);
	assert_int_equal(h.nr, 4);
	assert_int_equal(h.length, 12);
	assert_int_equal(h.msg_len, 12);
	assert_true(l2tp_wire_ctrl_is_zlb(&h));

	n = tl_hex(v3_ctrl_hex, b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), 12);
	assert_int_equal(h.version, 3);
	assert_int_equal(h.tunnel_id, 0xdeadbeef);
	assert_int_equal(h.session_id, 0);
	assert_int_equal(h.ns, 0x0102);
	assert_int_equal(h.nr, 0x0304);
	assert_true(l2tp_wire_ctrl_is_zlb(&h));

	n = tl_hex(v3_ip_ctrl_hex, b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_IP, b, n, &h, NULL), 16);
	assert_int_equal(h.version, 3);
	assert_int_equal(h.tunnel_id, 0xdeadbeef);
	assert_int_equal(h.length, 12);
	assert_int_equal(h.hdr_len, 16);
	assert_int_equal(h.msg_len, 16);
	assert_true(l2tp_wire_ctrl_is_zlb(&h));
}

static void test_wire_ctrl_decode_body_and_length(void **state)
{
	uint8_t b[64];
	struct l2tp_ctrl_hdr h;
	struct l2tp_diag d = {0};
	size_t n;

	/* Length 20: 8 body bytes (a Message Type AVP: M, len 8, SCCRQ). */
	n = tl_hex("c802 0014 0001 0000 0000 0000  8008 0000 0000 0001", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), 12);
	assert_int_equal(h.msg_len, 20);
	assert_false(l2tp_wire_ctrl_is_zlb(&h));

	/* Buffer longer than Length: the message is Length bytes. */
	n = tl_hex("c802 0014 0001 0000 0000 0000  8008 0000 0000 0001 ffff ffff", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), 12);
	assert_int_equal(h.msg_len, 20);

	/* Length longer than the buffer. */
	n = tl_hex("c802 0015 0001 0000 0000 0000  8008 0000 0000 0001", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, &d), -EPROTO);
	assert_int_equal(d.offset, 2);
	assert_non_null(d.reason);

	/* Length shorter than a header. */
	n = tl_hex("c802 000b 0001 0000 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), -EPROTO);
	n = tl_hex("c803 0000 0000 0001 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), -EPROTO);

	/* Over IP Length counts from the T bit: 16 bytes hold Length 12. */
	n = tl_hex("00000000 c803 000d deadbeef 0102 0304", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_IP, b, n, &h, NULL), -EPROTO);
	n = tl_hex("00000000 c803 0010 deadbeef 0102 0304 aabbccdd", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_IP, b, n, &h, NULL), 16);
	assert_int_equal(h.msg_len, 20);
}

static void test_wire_ctrl_decode_flag_rules(void **state)
{
	uint8_t b[32];
	struct l2tp_ctrl_hdr h;
	size_t n;

	/* T, L, S must be set (RFC 2661 §3.1, RFC 3931 §3.2.1). */
	n = tl_hex("4802 000c 0001 0000 0000 0000", b, sizeof(b)); /* no T */
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), -EPROTO);
	n = tl_hex("8802 000c 0001 0000 0000 0000", b, sizeof(b)); /* no L */
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), -EPROTO);
	n = tl_hex("c002 000c 0001 0000 0000 0000", b, sizeof(b)); /* no S */
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), -EPROTO);
	n = tl_hex("c803 000c 0000 0001 0000 0000", b, sizeof(b)); /* v3 ok */
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), 12);
	n = tl_hex("4803 000c 0000 0001 0000 0000", b, sizeof(b)); /* v3 no T */
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), -EPROTO);

	/* v2: O and P MUST be 0 on control messages. */
	n = tl_hex("ca02 000c 0001 0000 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), -EPROTO);
	n = tl_hex("c902 000c 0001 0000 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), -EPROTO);

	/* Reserved x bits are ignored: v2 0x3480 ones, v3 also O/P positions. */
	n = tl_hex("fcf2 000c 0001 0002 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), 12);
	assert_int_equal(h.tunnel_id, 1);
	n = tl_hex("fff3 000c 0000 0001 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), 12);
	assert_int_equal(h.version, 3);

	/* Versions. */
	n = tl_hex("c801 000c 0001 0000 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), -EPFNOSUPPORT);
	n = tl_hex("c800 000c 0001 0000 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), -EPROTONOSUPPORT);
	n = tl_hex("c80f 000c 0001 0000 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, b, n, &h, NULL), -EPROTONOSUPPORT);

	/* Over IP: v2 is not allowed, a non-zero session id is data. */
	n = tl_hex("00000000 c802 000c 0001 0000 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_IP, b, n, &h, NULL), -EPROTONOSUPPORT);
	n = tl_hex("00000001 c803 000c 0000 0001 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_IP, b, n, &h, NULL), -EPROTO);
	assert_int_equal(l2tp_wire_ctrl_decode((enum l2tp_encap)7, b, n, &h, NULL), -EINVAL);
}

static void test_wire_ctrl_decode_every_truncation(void **state)
{
	static const struct {
		const char *hex;
		enum l2tp_encap encap;
	} v[] = {
	    {v2_ctrl_hex, L2TP_ENCAP_UDP},
	    {v3_ctrl_hex, L2TP_ENCAP_UDP},
	    {v3_ip_ctrl_hex, L2TP_ENCAP_IP},
	};
	uint8_t b[32];
	struct l2tp_ctrl_hdr h;

	for (size_t i = 0; i < L2TP_ARRAY_SIZE(v); i++) {
		size_t n = tl_hex(v[i].hex, b, sizeof(b));

		for (size_t k = 0; k < n; k++) {
			struct l2tp_diag d = {0};

			assert_int_equal(l2tp_wire_ctrl_decode(v[i].encap, b, k, &h, &d), -EPROTO);
			assert_non_null(d.reason);
			assert_true(d.offset <= k);
		}
		assert_true(l2tp_wire_ctrl_decode(v[i].encap, b, n, &h, NULL) > 0);
	}
}

static void test_wire_ctrl_encode_known_answers(void **state)
{
	uint8_t out[64], want[64];
	struct l2tp_cursor c;
	struct l2tp_ctrl_hdr h = {
	    .version = 2, .tunnel_id = 0x1234, .session_id = 0x5678, .ns = 3, .nr = 4};
	size_t n;

	l2tp_cur_init(&c, out, sizeof(out));
	assert_int_equal(l2tp_wire_ctrl_encode(&c, L2TP_ENCAP_UDP, &h), 12);
	n = tl_hex(v2_ctrl_hex, want, sizeof(want));
	assert_int_equal(c.pos, n);
	assert_memory_equal(out, want, n);
	assert_int_equal(l2tp_wire_ctrl_finish(&c, 0, L2TP_ENCAP_UDP), 0);
	assert_memory_equal(out, want, n); /* ZLB: length stays 12 */

	h = (struct l2tp_ctrl_hdr){.version = 3, .tunnel_id = 0xdeadbeef, .ns = 0x102, .nr = 0x304};
	l2tp_cur_init(&c, out, sizeof(out));
	assert_int_equal(l2tp_wire_ctrl_encode(&c, L2TP_ENCAP_UDP, &h), 12);
	n = tl_hex(v3_ctrl_hex, want, sizeof(want));
	assert_memory_equal(out, want, n);

	l2tp_cur_init(&c, out, sizeof(out));
	assert_int_equal(l2tp_wire_ctrl_encode(&c, L2TP_ENCAP_IP, &h), 16);
	n = tl_hex(v3_ip_ctrl_hex, want, sizeof(want));
	assert_memory_equal(out, want, n);

	/* Append a body, then finish: Length excludes the IP Session ID 0. */
	assert_int_equal(l2tp_cur_put_u32(&c, 0x80080000), 0);
	assert_int_equal(l2tp_cur_put_u32(&c, 0x00000001), 0);
	assert_int_equal(l2tp_wire_ctrl_finish(&c, 0, L2TP_ENCAP_IP), 0);
	n = tl_hex("00000000 c803 0014 deadbeef 0102 0304 80080000 00000001", want, sizeof(want));
	assert_int_equal(c.pos, n);
	assert_memory_equal(out, want, n);
}

static void test_wire_ctrl_encode_errors_and_round_trip(void **state)
{
	static uint8_t big[70000];
	uint8_t out[64];
	struct l2tp_cursor c;
	struct l2tp_ctrl_hdr h = {.version = 2, .tunnel_id = 7, .session_id = 9, .ns = 1};
	struct l2tp_ctrl_hdr g;

	/* Every too-small cursor: -ENOSPC. */
	for (size_t cap = 0; cap < 12; cap++) {
		l2tp_cur_init(&c, out, cap);
		assert_int_equal(l2tp_wire_ctrl_encode(&c, L2TP_ENCAP_UDP, &h), -ENOSPC);
	}
	h.version = 3;
	for (size_t cap = 0; cap < 16; cap++) {
		l2tp_cur_init(&c, out, cap);
		assert_int_equal(l2tp_wire_ctrl_encode(&c, L2TP_ENCAP_IP, &h), -ENOSPC);
	}
	l2tp_cur_init(&c, out, sizeof(out));
	h.version = 2;
	assert_int_equal(l2tp_wire_ctrl_encode(&c, L2TP_ENCAP_IP, &h), -EINVAL);
	h.version = 4;
	assert_int_equal(l2tp_wire_ctrl_encode(&c, L2TP_ENCAP_UDP, &h), -EINVAL);
	h.version = 2;
	h.tunnel_id = 0x10000;
	assert_int_equal(l2tp_wire_ctrl_encode(&c, L2TP_ENCAP_UDP, &h), -EINVAL);
	assert_int_equal(l2tp_wire_ctrl_encode(&c, (enum l2tp_encap)5, &h), -EINVAL);
	assert_int_equal(l2tp_wire_ctrl_finish(&c, 0, L2TP_ENCAP_UDP), -EINVAL);

	/* Finish: start beyond pos, or a message too long for Length. */
	l2tp_cur_init(&c, big, sizeof(big));
	h.tunnel_id = 7;
	assert_int_equal(l2tp_wire_ctrl_encode(&c, L2TP_ENCAP_UDP, &h), 12);
	assert_int_equal(l2tp_wire_ctrl_finish(&c, 20, L2TP_ENCAP_UDP), -EINVAL);
	c.pos = 0xffff;
	assert_int_equal(l2tp_wire_ctrl_finish(&c, 0, L2TP_ENCAP_UDP), 0);
	assert_int_equal(l2tp_wire_ctrl_decode(L2TP_ENCAP_UDP, big, c.pos, &g, NULL), 12);
	assert_int_equal(g.msg_len, 0xffff);
	c.pos = 0x10000;
	assert_int_equal(l2tp_wire_ctrl_finish(&c, 0, L2TP_ENCAP_UDP), -EMSGSIZE);

	/* Round trip, both versions and encaps, at a non-zero start offset. */
	for (int v = 2; v <= 3; v++) {
		for (int e = 0; e <= 1; e++) {
			if (v == 2 && e == L2TP_ENCAP_IP)
				continue;
			h = (struct l2tp_ctrl_hdr){.version = (uint8_t)v,
						   .tunnel_id = v == 2 ? 0xfedc : 0x89abcdef,
						   .session_id = v == 2 ? 0x4321 : 0,
						   .ns = 0xffff,
						   .nr = 0x8000};
			l2tp_cur_init(&c, out, sizeof(out));
			c.pos = 5;
			assert_true(l2tp_wire_ctrl_encode(&c, (enum l2tp_encap)e, &h) > 0);
			assert_int_equal(
			    l2tp_cur_put_bytes(&c, "\x00\x08\x00\x00\x00\x00\x00\x06", 8), 0);
			assert_int_equal(l2tp_wire_ctrl_finish(&c, 5, (enum l2tp_encap)e), 0);
			assert_int_equal(
			    l2tp_wire_ctrl_decode((enum l2tp_encap)e, out + 5, c.pos - 5, &g, NULL),
			    e == L2TP_ENCAP_IP ? 16 : 12);
			assert_int_equal(g.version, v);
			assert_int_equal(g.tunnel_id, h.tunnel_id);
			assert_int_equal(g.session_id, h.session_id);
			assert_int_equal(g.ns, h.ns);
			assert_int_equal(g.nr, h.nr);
			assert_int_equal(g.msg_len, c.pos - 5);
			assert_int_equal(g.msg_len - g.hdr_len, 8);
		}
	}
}

/* ---- v2 data header --------------------------------------------------------- */

/*
 * Every combination of L, S, O, P: tunnel 0x0102, session 0x0304, Length
 * (when L) = header + 2 payload bytes "beef", Ns 0x0506, Nr 0, Offset Size 3.
 */
static const struct {
	uint16_t flags;
	const char *hex;
} v2_data_kat[] = {
    {0, "0002 0102 0304 beef"},
    {L2TP_HDR_P, "0102 0102 0304 beef"},
    {L2TP_HDR_O, "0202 0102 0304 0003 000000 beef"},
    {L2TP_HDR_O | L2TP_HDR_P, "0302 0102 0304 0003 000000 beef"},
    {L2TP_HDR_S, "0802 0102 0304 0506 0000 beef"},
    {L2TP_HDR_S | L2TP_HDR_P, "0902 0102 0304 0506 0000 beef"},
    {L2TP_HDR_S | L2TP_HDR_O, "0a02 0102 0304 0506 0000 0003 000000 beef"},
    {L2TP_HDR_S | L2TP_HDR_O | L2TP_HDR_P, "0b02 0102 0304 0506 0000 0003 000000 beef"},
    {L2TP_HDR_L, "4002 000a 0102 0304 beef"},
    {L2TP_HDR_L | L2TP_HDR_P, "4102 000a 0102 0304 beef"},
    {L2TP_HDR_L | L2TP_HDR_O, "4202 000f 0102 0304 0003 000000 beef"},
    {L2TP_HDR_L | L2TP_HDR_O | L2TP_HDR_P, "4302 000f 0102 0304 0003 000000 beef"},
    {L2TP_HDR_L | L2TP_HDR_S, "4802 000e 0102 0304 0506 0000 beef"},
    {L2TP_HDR_L | L2TP_HDR_S | L2TP_HDR_P, "4902 000e 0102 0304 0506 0000 beef"},
    {L2TP_HDR_L | L2TP_HDR_S | L2TP_HDR_O, "4a02 0013 0102 0304 0506 0000 0003 000000 beef"},
    {L2TP_HDR_L | L2TP_HDR_S | L2TP_HDR_O | L2TP_HDR_P,
     "4b02 0013 0102 0304 0506 0000 0003 000000 beef"},
};

static void test_wire_v2_data_every_flag_combination(void **state)
{
	for (size_t i = 0; i < L2TP_ARRAY_SIZE(v2_data_kat); i++) {
		uint8_t want[64], out[64];
		size_t n = tl_hex(v2_data_kat[i].hex, want, sizeof(want));
		uint16_t f = v2_data_kat[i].flags;
		size_t hl = l2tp_wire_v2_data_hdr_len(f, 3);
		struct l2tp_v2_data_hdr h = {.flags = f,
					     .tunnel_id = 0x0102,
					     .session_id = 0x0304,
					     .ns = 0x0506,
					     .nr = 0,
					     .offset_size = 3};
		struct l2tp_v2_data_hdr g;
		struct l2tp_cursor c;
		size_t plen = 99;

		assert_int_equal(hl + 2, n);
		if (f & L2TP_HDR_L)
			h.length = (uint16_t)n;
		memset(out, 0xaa, sizeof(out));
		l2tp_cur_init(&c, out, sizeof(out));
		assert_int_equal(l2tp_wire_v2_data_encode(&c, &h), (ssize_t)hl);
		assert_int_equal(l2tp_cur_put_u16(&c, 0xbeef), 0);
		assert_memory_equal(out, want, n);

		assert_int_equal(l2tp_wire_v2_data_decode(want, n, &g, &plen, NULL), (ssize_t)hl);
		assert_int_equal(plen, 2);
		assert_int_equal(g.flags, f);
		assert_int_equal(g.tunnel_id, 0x0102);
		assert_int_equal(g.session_id, 0x0304);
		assert_int_equal(g.ns, (f & L2TP_HDR_S) ? 0x0506 : 0);
		assert_int_equal(g.offset_size, (f & L2TP_HDR_O) ? 3 : 0);
		assert_int_equal(g.length, (f & L2TP_HDR_L) ? n : 0);

		/* Classification finds the ids whatever the flags. */
		struct l2tp_wire_class cl;

		assert_int_equal(l2tp_wire_classify(L2TP_ENCAP_UDP, want, n, &cl, NULL), 0);
		assert_int_equal(cl.version, 2);
		assert_false(cl.ctrl);
		assert_int_equal(cl.tunnel_id, 0x0102);
		assert_int_equal(cl.session_id, 0x0304);

		/* Every truncation of the header is refused; with L, any
		 * truncation at all (Length then exceeds the buffer). */
		for (size_t k = 0; k < n; k++) {
			ssize_t r = l2tp_wire_v2_data_decode(want, k, &g, &plen, NULL);

			if (k < hl || (f & L2TP_HDR_L))
				assert_int_equal(r, -EPROTO);
			else
				assert_int_equal(r, (ssize_t)hl);
		}
		/* Too small an output cursor. */
		for (size_t cap = 0; cap < hl; cap++) {
			l2tp_cur_init(&c, out, cap);
			assert_int_equal(l2tp_wire_v2_data_encode(&c, &h), -ENOSPC);
		}
	}
}

static void test_wire_v2_data_length_and_errors(void **state)
{
	uint8_t b[64];
	struct l2tp_v2_data_hdr g;
	struct l2tp_diag d = {0};
	size_t n, plen;

	/* Length shorter than the buffer: payload ends at Length. */
	n = tl_hex("4002 000a 0102 0304 beef 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_v2_data_decode(b, n, &g, &plen, NULL), 8);
	assert_int_equal(plen, 2);
	/* Length longer than the buffer. */
	n = tl_hex("4002 000b 0102 0304 beef", b, sizeof(b));
	assert_int_equal(l2tp_wire_v2_data_decode(b, n, &g, &plen, &d), -EPROTO);
	assert_int_equal(d.offset, 2);
	/* Length shorter than the header. */
	n = tl_hex("4802 000b 0102 0304 0506 0000 beef", b, sizeof(b));
	assert_int_equal(l2tp_wire_v2_data_decode(b, n, &g, &plen, NULL), -EPROTO);
	/* Length exactly the header: empty payload. */
	n = tl_hex("4002 0008 0102 0304", b, sizeof(b));
	assert_int_equal(l2tp_wire_v2_data_decode(b, n, &g, &plen, NULL), 8);
	assert_int_equal(plen, 0);
	/* Offset pad past the end. */
	n = tl_hex("0202 0102 0304 0010 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_v2_data_decode(b, n, &g, &plen, NULL), -EPROTO);
	/* Offset pad exactly to the end. */
	n = tl_hex("0202 0102 0304 0002 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_v2_data_decode(b, n, &g, &plen, NULL), 10);
	assert_int_equal(plen, 0);
	/* T bit: control, not data. */
	n = tl_hex("c802 000c 0001 0000 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_v2_data_decode(b, n, &g, &plen, NULL), -EPROTO);
	/* Versions other than 2. */
	n = tl_hex("0001 0102 0304", b, sizeof(b));
	assert_int_equal(l2tp_wire_v2_data_decode(b, n, &g, &plen, NULL), -EPFNOSUPPORT);
	n = tl_hex("0003 0000 0001", b, sizeof(b));
	assert_int_equal(l2tp_wire_v2_data_decode(b, n, &g, &plen, NULL), -EPROTONOSUPPORT);
	/* Reserved x bits (0x3480) are ignored on receipt; the flags we
	 * report are only L/S/O/P. */
	n = tl_hex("34f2 0102 0304 beef", b, sizeof(b));
	assert_int_equal(l2tp_wire_v2_data_decode(b, n, &g, &plen, NULL), 6);
	assert_int_equal(g.flags, 0);
	assert_int_equal(plen, 2);
	/* NULL payload_len is allowed. */
	assert_int_equal(l2tp_wire_v2_data_decode(b, n, &g, NULL, NULL), 6);
	/* Encoder writes no reserved bits even if asked. */
	{
		uint8_t out[16];
		struct l2tp_cursor c;
		struct l2tp_v2_data_hdr h = {.flags = 0xffff,
					     .length = 0x10,
					     .tunnel_id = 1,
					     .session_id = 2,
					     .offset_size = 0};

		l2tp_cur_init(&c, out, sizeof(out));
		assert_int_equal(l2tp_wire_v2_data_encode(&c, &h), 14);
		n = tl_hex("4b02 0010 0001 0002 0000 0000 0000", b, sizeof(b));
		assert_memory_equal(out, b, n);
	}
}

/* ---- v3 data header ---------------------------------------------------------- */

/*
 * Session 0x11223344, cookies 4: a1a2a3a4 / 8: b1..b8, default sublayer
 * with S and Sequence Number 0x00abcdef, payload "cafe".
 */
static const struct {
	enum l2tp_encap encap;
	uint8_t cookie_len;
	enum l2tp_l2spec l2spec;
	const char *hex;
} v3_data_kat[] = {
    {L2TP_ENCAP_UDP, 0, L2TP_L2SPEC_NONE, "0003 0000 11223344 cafe"},
    {L2TP_ENCAP_UDP, 4, L2TP_L2SPEC_NONE, "0003 0000 11223344 a1a2a3a4 cafe"},
    {L2TP_ENCAP_UDP, 8, L2TP_L2SPEC_NONE, "0003 0000 11223344 b1b2b3b4b5b6b7b8 cafe"},
    {L2TP_ENCAP_UDP, 0, L2TP_L2SPEC_DEFAULT, "0003 0000 11223344 40abcdef cafe"},
    {L2TP_ENCAP_UDP, 4, L2TP_L2SPEC_DEFAULT, "0003 0000 11223344 a1a2a3a4 40abcdef cafe"},
    {L2TP_ENCAP_UDP, 8, L2TP_L2SPEC_DEFAULT, "0003 0000 11223344 b1b2b3b4b5b6b7b8 40abcdef cafe"},
    {L2TP_ENCAP_IP, 0, L2TP_L2SPEC_NONE, "11223344 cafe"},
    {L2TP_ENCAP_IP, 4, L2TP_L2SPEC_NONE, "11223344 a1a2a3a4 cafe"},
    {L2TP_ENCAP_IP, 8, L2TP_L2SPEC_NONE, "11223344 b1b2b3b4b5b6b7b8 cafe"},
    {L2TP_ENCAP_IP, 0, L2TP_L2SPEC_DEFAULT, "11223344 40abcdef cafe"},
    {L2TP_ENCAP_IP, 4, L2TP_L2SPEC_DEFAULT, "11223344 a1a2a3a4 40abcdef cafe"},
    {L2TP_ENCAP_IP, 8, L2TP_L2SPEC_DEFAULT, "11223344 b1b2b3b4b5b6b7b8 40abcdef cafe"},
};

static const uint8_t cookie4[4] = {0xa1, 0xa2, 0xa3, 0xa4};
static const uint8_t cookie8[8] = {0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8};

static void test_wire_v3_data_every_form(void **state)
{
	for (size_t i = 0; i < L2TP_ARRAY_SIZE(v3_data_kat); i++) {
		uint8_t want[64], out[64];
		size_t n = tl_hex(v3_data_kat[i].hex, want, sizeof(want));
		enum l2tp_encap e = v3_data_kat[i].encap;
		size_t cl = v3_data_kat[i].cookie_len;
		enum l2tp_l2spec ls = v3_data_kat[i].l2spec;
		size_t hl = l2tp_wire_v3_data_hdr_len(e, cl, ls);
		struct l2tp_v3_data_hdr h = {.session_id = 0x11223344,
					     .cookie_len = (uint8_t)cl,
					     .l2spec = (uint8_t)ls,
					     .seq_valid = true,
					     .seq = 0xffabcdef /* high bits not sent */};
		struct l2tp_v3_data_hdr g;
		struct l2tp_cursor c;
		struct l2tp_wire_class wc;
		uint32_t sid = 0;

		memcpy(h.cookie, cl == 4 ? cookie4 : cookie8, cl);
		assert_int_equal(hl + 2, n);
		assert_int_equal(hl, (e == L2TP_ENCAP_UDP ? 8 : 4) + cl +
					 (ls == L2TP_L2SPEC_DEFAULT ? 4 : 0));
		l2tp_cur_init(&c, out, sizeof(out));
		assert_int_equal(l2tp_wire_v3_data_encode(&c, e, &h), (ssize_t)hl);
		assert_int_equal(l2tp_cur_put_u16(&c, 0xcafe), 0);
		assert_memory_equal(out, want, n);

		assert_int_equal(l2tp_wire_v3_data_decode(e, want, n, cl, ls, &g, NULL),
				 (ssize_t)hl);
		assert_int_equal(g.session_id, 0x11223344);
		assert_int_equal(g.cookie_len, cl);
		assert_memory_equal(g.cookie, h.cookie, cl);
		assert_int_equal(g.seq_valid, ls == L2TP_L2SPEC_DEFAULT);
		assert_int_equal(g.seq, ls == L2TP_L2SPEC_DEFAULT ? 0xabcdef : 0);

		/* Two steps: session id first, then cookie/sublayer. */
		assert_int_equal(l2tp_wire_v3_session_decode(e, want, n, &sid, NULL),
				 e == L2TP_ENCAP_UDP ? 8 : 4);
		assert_int_equal(sid, 0x11223344);
		assert_int_equal(l2tp_wire_classify(e, want, n, &wc, NULL), 0);
		assert_int_equal(wc.version, 3);
		assert_false(wc.ctrl);
		assert_int_equal(wc.session_id, 0x11223344);
		assert_int_equal(wc.tunnel_id, 0);

		for (size_t k = 0; k < hl; k++)
			assert_int_equal(l2tp_wire_v3_data_decode(e, want, k, cl, ls, &g, NULL),
					 -EPROTO);
		for (size_t cap = 0; cap < hl; cap++) {
			l2tp_cur_init(&c, out, cap);
			assert_int_equal(l2tp_wire_v3_data_encode(&c, e, &h), -ENOSPC);
		}
	}
}

static void test_wire_v3_data_sublayer_and_errors(void **state)
{
	uint8_t b[64];
	struct l2tp_v3_data_hdr g;
	struct l2tp_v3_data_hdr h = {.session_id = 5, .l2spec = L2TP_L2SPEC_DEFAULT};
	struct l2tp_cursor c;
	uint32_t sid;
	size_t n;

	/* S clear: the number is undefined and ignored (RFC 3931 §4.6). */
	n = tl_hex("00000005 00123456", b, sizeof(b));
	assert_int_equal(
	    l2tp_wire_v3_data_decode(L2TP_ENCAP_IP, b, n, 0, L2TP_L2SPEC_DEFAULT, &g, NULL), 8);
	assert_false(g.seq_valid);
	assert_int_equal(g.seq, 0);
	/* Reserved sublayer bits ignored; S and the 24-bit number read. */
	n = tl_hex("00000005 ffffffff", b, sizeof(b));
	assert_int_equal(
	    l2tp_wire_v3_data_decode(L2TP_ENCAP_IP, b, n, 0, L2TP_L2SPEC_DEFAULT, &g, NULL), 8);
	assert_true(g.seq_valid);
	assert_int_equal(g.seq, 0xffffff);
	n = tl_hex("00000005 bfffffff", b, sizeof(b)); /* every bit but S */
	assert_int_equal(
	    l2tp_wire_v3_data_decode(L2TP_ENCAP_IP, b, n, 0, L2TP_L2SPEC_DEFAULT, &g, NULL), 8);
	assert_false(g.seq_valid);
	/* Sequence number 0 is valid. */
	n = tl_hex("00000005 40000000", b, sizeof(b));
	assert_int_equal(
	    l2tp_wire_v3_data_decode(L2TP_ENCAP_IP, b, n, 0, L2TP_L2SPEC_DEFAULT, &g, NULL), 8);
	assert_true(g.seq_valid);
	assert_int_equal(g.seq, 0);
	/* Encoding without seq_valid writes a zero word. */
	l2tp_cur_init(&c, b, sizeof(b));
	h.seq = 77;
	assert_int_equal(l2tp_wire_v3_data_encode(&c, L2TP_ENCAP_IP, &h), 8);
	assert_memory_equal(b, "\x00\x00\x00\x05\x00\x00\x00\x00", 8);

	/* UDP: reserved bits and field ignored, T must be clear, version 3. */
	n = tl_hex("7ff3 ffff 00000005", b, sizeof(b));
	assert_int_equal(l2tp_wire_v3_session_decode(L2TP_ENCAP_UDP, b, n, &sid, NULL), 8);
	assert_int_equal(sid, 5);
	n = tl_hex("8003 0000 00000005", b, sizeof(b));
	assert_int_equal(l2tp_wire_v3_session_decode(L2TP_ENCAP_UDP, b, n, &sid, NULL), -EPROTO);
	n = tl_hex("0002 0000 00000005", b, sizeof(b));
	assert_int_equal(l2tp_wire_v3_session_decode(L2TP_ENCAP_UDP, b, n, &sid, NULL),
			 -EPROTONOSUPPORT);
	n = tl_hex("0001 0000 00000005", b, sizeof(b));
	assert_int_equal(l2tp_wire_v3_session_decode(L2TP_ENCAP_UDP, b, n, &sid, NULL),
			 -EPFNOSUPPORT);
	/* Session ID 0 is not a data session. */
	n = tl_hex("0003 0000 00000000", b, sizeof(b));
	assert_int_equal(l2tp_wire_v3_session_decode(L2TP_ENCAP_UDP, b, n, &sid, NULL), -EPROTO);
	n = tl_hex("00000000 cafe", b, sizeof(b));
	assert_int_equal(l2tp_wire_v3_session_decode(L2TP_ENCAP_IP, b, n, &sid, NULL), -EPROTO);
	assert_int_equal(l2tp_wire_v3_session_decode((enum l2tp_encap)3, b, n, &sid, NULL),
			 -EINVAL);

	/* Bad parameters for the second step and the encoder. */
	n = tl_hex("00000005 a1a2a3a4", b, sizeof(b));
	assert_int_equal(l2tp_wire_v3_tail_decode(b, n, 4, 3, L2TP_L2SPEC_NONE, &g, NULL), -EINVAL);
	assert_int_equal(l2tp_wire_v3_tail_decode(b, n, 4, 4, (enum l2tp_l2spec)2, &g, NULL),
			 -EINVAL);
	assert_int_equal(l2tp_wire_v3_tail_decode(b, n, 9, 0, L2TP_L2SPEC_NONE, &g, NULL), -EINVAL);
	assert_int_equal(l2tp_wire_v3_tail_decode(b, n, 4, 4, L2TP_L2SPEC_NONE, &g, NULL), 8);
	assert_int_equal(l2tp_wire_v3_tail_decode(b, n, 4, 8, L2TP_L2SPEC_NONE, &g, NULL), -EPROTO);
	assert_int_equal(l2tp_wire_v3_data_hdr_len(L2TP_ENCAP_UDP, 2, L2TP_L2SPEC_NONE), 0);
	assert_int_equal(l2tp_wire_v3_data_hdr_len(L2TP_ENCAP_UDP, 0, (enum l2tp_l2spec)9), 0);
	assert_int_equal(l2tp_wire_v3_data_hdr_len((enum l2tp_encap)2, 0, L2TP_L2SPEC_NONE), 0);
	l2tp_cur_init(&c, b, sizeof(b));
	h.session_id = 0;
	assert_int_equal(l2tp_wire_v3_data_encode(&c, L2TP_ENCAP_UDP, &h), -EINVAL);
	h.session_id = 1;
	h.cookie_len = 6;
	assert_int_equal(l2tp_wire_v3_data_encode(&c, L2TP_ENCAP_UDP, &h), -EINVAL);
}

/* ---- classification -------------------------------------------------------- */

static void test_wire_classify_every_form(void **state)
{
	uint8_t b[64];
	struct l2tp_wire_class cl;
	size_t n;

	n = tl_hex(v2_ctrl_hex, b, sizeof(b));
	assert_int_equal(l2tp_wire_classify(L2TP_ENCAP_UDP, b, n, &cl, NULL), 0);
	assert_int_equal(cl.version, 2);
	assert_true(cl.ctrl);
	assert_int_equal(cl.tunnel_id, 0x1234);
	assert_int_equal(cl.session_id, 0x5678);

	n = tl_hex(v3_ctrl_hex, b, sizeof(b));
	assert_int_equal(l2tp_wire_classify(L2TP_ENCAP_UDP, b, n, &cl, NULL), 0);
	assert_int_equal(cl.version, 3);
	assert_true(cl.ctrl);
	assert_int_equal(cl.tunnel_id, 0xdeadbeef);
	assert_int_equal(cl.session_id, 0);

	n = tl_hex(v3_ip_ctrl_hex, b, sizeof(b));
	assert_int_equal(l2tp_wire_classify(L2TP_ENCAP_IP, b, n, &cl, NULL), 0);
	assert_int_equal(cl.version, 3);
	assert_true(cl.ctrl);
	assert_int_equal(cl.tunnel_id, 0xdeadbeef);

	/* Minimum lengths: every shorter prefix is a runt. */
	static const struct {
		enum l2tp_encap e;
		const char *hex;
	} v[] = {
	    {L2TP_ENCAP_UDP, "c802 000c 1234 5678"}, /* v2 ctrl: ids at 4..8 */
	    {L2TP_ENCAP_UDP, "0002 1234 5678"}, /* v2 data */
	    {L2TP_ENCAP_UDP, "4002 0008 1234 5678"}, /* v2 data with L */
	    {L2TP_ENCAP_UDP, "c803 000c deadbeef"}, /* v3 ctrl */
	    {L2TP_ENCAP_UDP, "0003 0000 11223344"}, /* v3 data */
	    {L2TP_ENCAP_IP, "11223344"}, /* v3 data over IP */
	    {L2TP_ENCAP_IP, "00000000 c803 000c deadbeef"}, /* v3 ctrl over IP */
	};
	for (size_t i = 0; i < L2TP_ARRAY_SIZE(v); i++) {
		n = tl_hex(v[i].hex, b, sizeof(b));
		assert_int_equal(l2tp_wire_classify(v[i].e, b, n, &cl, NULL), 0);
		for (size_t k = 0; k < n; k++) {
			struct l2tp_diag d = {0};

			assert_int_equal(l2tp_wire_classify(v[i].e, b, k, &cl, &d), -EPROTO);
			assert_non_null(d.reason);
		}
	}
}

static void test_wire_classify_rejects(void **state)
{
	uint8_t b[64];
	struct l2tp_wire_class cl;
	struct l2tp_diag d = {0};
	size_t n;

	/* L2F (version 1), control and data forms. */
	n = tl_hex("c801 000c 0001 0000 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_classify(L2TP_ENCAP_UDP, b, n, &cl, &d), -EPFNOSUPPORT);
	assert_string_equal(l2tp_wire_strerror(-EPFNOSUPPORT), "L2F");
	n = tl_hex("0001 0000 0000 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_classify(L2TP_ENCAP_UDP, b, n, &cl, NULL), -EPFNOSUPPORT);
	/* Every other unknown version. */
	for (unsigned int ver = 0; ver < 16; ver++) {
		int want = ver == 1 ? -EPFNOSUPPORT : (ver == 2 || ver == 3) ? 0 : -EPROTONOSUPPORT;

		b[0] = 0x00;
		b[1] = (uint8_t)ver;
		memset(b + 2, 0, 10);
		b[7] = 1;
		assert_int_equal(l2tp_wire_classify(L2TP_ENCAP_UDP, b, 12, &cl, NULL), want);
	}
	/* Over IP after Session ID 0: v2 / L2F refused, T must be set. */
	n = tl_hex("00000000 c802 000c 0001 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_classify(L2TP_ENCAP_IP, b, n, &cl, NULL), -EPROTONOSUPPORT);
	n = tl_hex("00000000 c801 000c 0001 0000", b, sizeof(b));
	assert_int_equal(l2tp_wire_classify(L2TP_ENCAP_IP, b, n, &cl, NULL), -EPFNOSUPPORT);
	n = tl_hex("00000000 0003 000c 0000 0001", b, sizeof(b));
	assert_int_equal(l2tp_wire_classify(L2TP_ENCAP_IP, b, n, &cl, NULL), -EPROTO);
	assert_int_equal(l2tp_wire_classify((enum l2tp_encap)2, b, n, &cl, NULL), -EINVAL);
	assert_string_equal(l2tp_wire_strerror(-EPROTO), "malformed");
	assert_string_equal(l2tp_wire_strerror(-EPROTONOSUPPORT), "unknown version");
	assert_string_equal(l2tp_wire_strerror(0), "ok");
	assert_string_equal(l2tp_wire_strerror(-EIO), "error");
	assert_string_equal(l2tp_wire_strerror(-EINVAL), "invalid argument");
	assert_string_equal(l2tp_wire_strerror(-ENOSPC), "no space");
	assert_string_equal(l2tp_wire_strerror(-EMSGSIZE), "too long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wire_ctrl_decode_known_answers),
	    cmocka_unit_test(test_wire_ctrl_decode_body_and_length),
	    cmocka_unit_test(test_wire_ctrl_decode_flag_rules),
	    cmocka_unit_test(test_wire_ctrl_decode_every_truncation),
	    cmocka_unit_test(test_wire_ctrl_encode_known_answers),
	    cmocka_unit_test(test_wire_ctrl_encode_errors_and_round_trip),
	    cmocka_unit_test(test_wire_v2_data_every_flag_combination),
	    cmocka_unit_test(test_wire_v2_data_length_and_errors),
	    cmocka_unit_test(test_wire_v3_data_every_form),
	    cmocka_unit_test(test_wire_v3_data_sublayer_and_errors),
	    cmocka_unit_test(test_wire_classify_every_form),
	    cmocka_unit_test(test_wire_classify_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
