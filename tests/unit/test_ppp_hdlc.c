// SPDX-License-Identifier: MIT
/*
 * test_ppp_hdlc.c - asynchronous HDLC-like framing (lib/ppp_hdlc.c).
 *
 * Known answers, not computed with lib/: the CRC-16/X-25 check value over
 * "123456789" is 0x906e (the complemented FCS, as published for that CRC),
 * and the FCS over a frame with its own FCS appended is the "good FCS"
 * 0xf0b8 (RFC 1662 §C.2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <l2tp/ppp_hdlc.h>

#include "testlib.h"

static void test_hdlc_fcs_known_answer(void **state)
{
	uint8_t buf[16] = "123456789";
	uint16_t fcs = l2tp_hdlc_fcs16(L2TP_HDLC_FCS_INIT, buf, 9);

	/* CRC-16/X-25 check value (the complemented FCS) */
	assert_int_equal((uint16_t)~fcs, 0x906e);
	/* the FCS over the data and its (complemented, LSB first) FCS is the good FCS */
	fcs = (uint16_t)~fcs;
	buf[9] = (uint8_t)fcs;
	buf[10] = (uint8_t)(fcs >> 8);
	assert_int_equal(l2tp_hdlc_fcs16(L2TP_HDLC_FCS_INIT, buf, 11), L2TP_HDLC_FCS_GOOD);
	assert_int_equal(L2TP_HDLC_FCS_GOOD, 0xf0b8);
}

static void test_hdlc_round_trip(void **state)
{
	uint8_t frame[300], enc[1024], dbuf[600], stream[4096];
	const uint8_t *out;
	size_t out_len, used, slen = 0;
	struct l2tp_hdlc_dec d;
	struct tl_rng r;
	ssize_t n;
	int got = 0;

	/* every octet value, so flags, escapes and control characters all occur */
	for (int i = 0; i < 256; i++)
		frame[i] = (uint8_t)i;
	n = l2tp_hdlc_encode(frame, 256, L2TP_HDLC_ACCM_DEFAULT, enc, sizeof(enc));
	assert_true(n > 256 + 32 + 2 + 2);
	assert_int_equal(enc[0], 0x7e);
	assert_int_equal(enc[n - 1], 0x7e);
	for (ssize_t i = 1; i < n - 1; i++)
		assert_true(enc[i] != 0x7e && enc[i] >= 0x20); /* ACCM all ones */
	assert_int_equal(l2tp_hdlc_encode(frame, 256, 0, enc, 10), -ENOSPC);

	/* three frames with ACCM 0 (only 7D/7E escaped), fed in random-sized chunks */
	tl_rng_seed(&r, 5);
	for (int k = 0; k < 3; k++) {
		n = l2tp_hdlc_encode(frame, 100 + (size_t)k * 50, 0, stream + slen,
				     sizeof(stream) - slen);
		assert_true(n > 0);
		slen += (size_t)n;
	}
	l2tp_hdlc_dec_init(&d, dbuf, sizeof(dbuf), 0);
	for (size_t pos = 0; pos < slen;) {
		size_t chunk = 1 + tl_rng_below(&r, 40);

		if (chunk > slen - pos)
			chunk = slen - pos;
		while (chunk) {
			if (l2tp_hdlc_decode(&d, stream + pos, chunk, &used, &out, &out_len)) {
				assert_int_equal(out_len, 100 + (size_t)got * 50);
				assert_memory_equal(out, frame, out_len);
				got++;
			}
			pos += used;
			chunk -= used;
		}
	}
	assert_int_equal(got, 3);
	assert_int_equal(d.frames, 3);
	assert_int_equal(d.fcs_errors, 0);

	/* a flipped bit: FCS error, dropped; the next frame still decodes */
	n = l2tp_hdlc_encode(frame, 40, 0, stream, sizeof(stream));
	stream[10] ^= 0x01;
	slen = (size_t)n;
	n = l2tp_hdlc_encode(frame, 41, 0, stream + slen, sizeof(stream) - slen);
	slen += (size_t)n;
	l2tp_hdlc_dec_init(&d, dbuf, sizeof(dbuf), 0);
	got = 0;
	for (size_t pos = 0; pos < slen; pos += used)
		if (l2tp_hdlc_decode(&d, stream + pos, slen - pos, &used, &out, &out_len)) {
			assert_int_equal(out_len, 41);
			got++;
		}
	assert_int_equal(got, 1);
	assert_int_equal(d.fcs_errors, 1);

	/* abort (7D 7E), too short, too long */
	l2tp_hdlc_dec_init(&d, dbuf, 50, 0);
	memcpy(stream, "\x7e\x01\x02\x03\x7d\x7e\x7e\x01\x02\x7e", 10);
	for (size_t pos = 0; pos < 10; pos += used)
		assert_int_equal(
		    l2tp_hdlc_decode(&d, stream + pos, 10 - pos, &used, &out, &out_len), 0);
	assert_int_equal(d.aborts, 1);
	assert_int_equal(d.too_short, 1);
	n = l2tp_hdlc_encode(frame, 60, 0, stream, sizeof(stream));
	for (size_t pos = 0; pos < (size_t)n; pos += used)
		assert_int_equal(
		    l2tp_hdlc_decode(&d, stream + pos, (size_t)n - pos, &used, &out, &out_len), 0);
	assert_int_equal(d.too_long, 1);

	/* control characters inserted on the way are dropped when the ACCM says so */
	n = l2tp_hdlc_encode(frame + 32, 20, L2TP_HDLC_ACCM_DEFAULT, stream, sizeof(stream));
	memmove(stream + 4, stream + 3, (size_t)n - 3);
	stream[3] = 0x11; /* XON */
	l2tp_hdlc_dec_init(&d, dbuf, sizeof(dbuf), L2TP_HDLC_ACCM_DEFAULT);
	assert_int_equal(l2tp_hdlc_decode(&d, stream, (size_t)n + 1, &used, &out, &out_len), 1);
	assert_int_equal(out_len, 20);
	assert_memory_equal(out, frame + 32, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hdlc_fcs_known_answer),
	    cmocka_unit_test(test_hdlc_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
