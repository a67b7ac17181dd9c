// SPDX-License-Identifier: MIT
/*
 * test_avp.c - AVP iterator, builder and hidden AVPs (RFC 2661 §4.1, §4.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <l2tp/auth.h>
#include <l2tp/avp.h>

#include "testlib.h"

static void test_avp_iter_reads_fields(void **state)
{
	uint8_t b[64];
	/* Message Type SCCRQ (M), Vendor Name "ab" (M=0), vendor 9 attr 3 with H, rsvd bit */
	size_t n = tl_hex("8008 0000 0000 0001"
			  "0008 0000 0008 6162"
			  "c006 0009 0003"
			  "0406 0000 00ff",
			  b, sizeof(b));
	struct l2tp_avp_iter it;
	struct l2tp_avp a;
	struct l2tp_diag d = {0};
	uint16_t v;

	l2tp_avp_iter_init(&it, b, n);
	assert_int_equal(l2tp_avp_next(&it, &a, &d), 1);
	assert_true(a.mandatory);
	assert_false(a.hidden);
	assert_int_equal(a.vendor, 0);
	assert_int_equal(a.type, 0);
	assert_int_equal(a.len, 2);
	assert_int_equal(a.offset, 0);
	assert_int_equal(l2tp_avp_u16(&a, &v), 0);
	assert_int_equal(v, 1);

	assert_int_equal(l2tp_avp_next(&it, &a, &d), 1);
	assert_false(a.mandatory);
	assert_int_equal(a.type, 8);
	assert_int_equal(a.offset, 8);
	assert_memory_equal(a.value, "ab", 2);
	assert_ptr_equal(a.value, b + 14);

	assert_int_equal(l2tp_avp_next(&it, &a, &d), 1);
	assert_true(a.mandatory);
	assert_true(a.hidden);
	assert_int_equal(a.vendor, 9);
	assert_int_equal(a.type, 3);
	assert_int_equal(a.len, 0);

	assert_int_equal(l2tp_avp_next(&it, &a, &d), 1);
	assert_int_equal(a.rsvd, 1);
	assert_int_equal(a.type, 0xff);

	assert_int_equal(l2tp_avp_next(&it, &a, &d), 0);
	assert_int_equal(l2tp_avp_next(&it, &a, &d), 0);
}

static void test_avp_iter_empty_is_end(void **state)
{
	struct l2tp_avp_iter it;
	struct l2tp_avp a;

	l2tp_avp_iter_init(&it, "", 0);
	assert_int_equal(l2tp_avp_next(&it, &a, NULL), 0);
}

static void expect_iter_error(const char *hex, size_t good, size_t off, bool has_attr,
			      uint16_t attr)
{
	uint8_t b[64];
	size_t n = tl_hex(hex, b, sizeof(b));
	struct l2tp_avp_iter it;
	struct l2tp_avp a;
	struct l2tp_diag d = {0};

	l2tp_avp_iter_init(&it, b, n);
	for (size_t i = 0; i < good; i++)
		assert_int_equal(l2tp_avp_next(&it, &a, &d), 1);
	assert_int_equal(l2tp_avp_next(&it, &a, &d), -EPROTO);
	assert_int_equal(d.offset, off);
	assert_int_equal(d.has_attr, has_attr);
	if (has_attr)
		assert_int_equal(d.attr, attr);
	assert_non_null(d.reason);
	/* the iterator stays on the bad AVP */
	assert_int_equal(l2tp_avp_next(&it, &a, &d), -EPROTO);
}

static void test_avp_iter_malformed(void **state)
{
	expect_iter_error("80", 0, 0, false, 0); /* 1 byte */
	expect_iter_error("8008 0000 00", 0, 0, false, 0); /* 5 bytes */
	expect_iter_error("8008 0000 0000 0001 8006 00", 1, 8, false, 0);
	expect_iter_error("8005 0000 0007 00", 0, 0, true, 7); /* length < 6 */
	expect_iter_error("8000 0000 0007", 0, 0, true, 7); /* length 0 */
	expect_iter_error("8009 0000 0007 0102", 0, 0, true, 7); /* past end by 1 */
	expect_iter_error("83ff 0000 0007 0102", 0, 0, true, 7); /* 1023 */
	expect_iter_error("8008 0000 0000 0001 8007 0000 000a", 1, 8, true, 10);
}

static void test_avp_iter_every_truncation(void **state)
{
	uint8_t b[64];
	size_t n =
	    tl_hex("8008 0000 0000 0001 000a 0000 0008 6162 6364 8006 0000 0027", b, sizeof(b));

	for (size_t cut = 0; cut < n; cut++) {
		struct l2tp_avp_iter it;
		struct l2tp_avp a;
		int rc, count = 0;

		l2tp_avp_iter_init(&it, b, cut);
		while ((rc = l2tp_avp_next(&it, &a, NULL)) == 1) {
			assert_true(a.offset + 6 + a.len <= cut);
			count++;
		}
		if (cut == 0 || cut == 8 || cut == 18)
			assert_int_equal(rc, 0);
		else
			assert_int_equal(rc, -EPROTO);
		assert_true(count <= 3);
	}
}

static void test_avp_typed_views(void **state)
{
	uint8_t b[32];
	size_t n = tl_hex("800e 0000 004a 0000 0002 540b e400", b, sizeof(b));
	struct l2tp_avp_iter it;
	struct l2tp_avp a;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	l2tp_avp_iter_init(&it, b, n);
	assert_int_equal(l2tp_avp_next(&it, &a, NULL), 1);
	assert_int_equal(l2tp_avp_u64(&a, &v64), 0);
	assert_true(v64 == 10000000000ULL);
	assert_int_equal(l2tp_avp_u32(&a, &v32), -EMSGSIZE);
	assert_int_equal(l2tp_avp_u16(&a, &v16), -EMSGSIZE);
}

static void test_avp_put_known_bytes(void **state)
{
	uint8_t buf[128], want[128];
	struct l2tp_cursor c;
	size_t n = tl_hex("8008 0000 0000 0001" /* u16 Message Type 1 */
			  "0007 0000 0014 05" /* u8 */
			  "800a 0000 003c c000 0201" /* u32 Router ID */
			  "800e 0000 004a 0000 0002 540b e400" /* u64 */
			  "000d 0000 0008 6c32 7470 6b69 74" /* "l2tpkit" M=0 */
			  "8006 0009 0005", /* vendor 9, empty */
			  want, sizeof(want));

	l2tp_cur_init(&c, buf, sizeof(buf));
	assert_int_equal(l2tp_avp_put_u16(&c, true, 0, 0, 1), 0);
	assert_int_equal(l2tp_avp_put_u8(&c, false, 0, 20, 5), 0);
	assert_int_equal(l2tp_avp_put_u32(&c, true, 0, 60, 0xc0000201), 0);
	assert_int_equal(l2tp_avp_put_u64(&c, true, 0, 74, 10000000000ULL), 0);
	assert_int_equal(l2tp_avp_put_str(&c, false, 0, 8, "l2tpkit"), 0);
	assert_int_equal(l2tp_avp_put(&c, L2TP_AVP_F_M, 9, 5, NULL, 0), 0);
	assert_int_equal(c.pos, n);
	assert_memory_equal(buf, want, n);
}

static void test_avp_put_enospc_leaves_cursor(void **state)
{
	uint8_t buf[16];
	struct l2tp_cursor c;

	for (size_t cap = 0; cap < 8; cap++) {
		l2tp_cur_init(&c, buf, cap);
		assert_int_equal(l2tp_avp_put_u16(&c, true, 0, 0, 1), -ENOSPC);
		assert_int_equal(c.pos, 0);
	}
	l2tp_cur_init(&c, buf, 8);
	assert_int_equal(l2tp_avp_put_u16(&c, true, 0, 0, 1), 0);
	assert_int_equal(l2tp_avp_put_u8(&c, true, 0, 0, 1), -ENOSPC);
	assert_int_equal(c.pos, 8);
}

static void test_avp_put_length_limit(void **state)
{
	static uint8_t val[1100], buf[1200];
	struct l2tp_cursor c;
	struct l2tp_avp_iter it;
	struct l2tp_avp a;

	l2tp_cur_init(&c, buf, sizeof(buf));
	assert_int_equal(l2tp_avp_put(&c, 0, 0, 8, val, 1018), -EMSGSIZE);
	assert_int_equal(c.pos, 0);
	assert_int_equal(l2tp_avp_put(&c, 0, 0, 8, val, 1017), 0);
	assert_int_equal(c.pos, 1023);
	assert_int_equal(buf[0] & 0x03, 0x03);
	assert_int_equal(buf[1], 0xff);
	l2tp_avp_iter_init(&it, buf, c.pos);
	assert_int_equal(l2tp_avp_next(&it, &a, NULL), 1);
	assert_int_equal(a.len, 1017);
}

static const uint8_t rv16[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

/*
 * Known answers computed independently (Python hashlib) from the RFC 2661
 * §4.3 algorithm: secret "secret", RV 00..0f.
 */
static void test_avp_hidden_known_answer(void **state)
{
	struct l2tp_hide_key key = {(const uint8_t *)"secret", 6, rv16, sizeof(rv16)};
	const char *host = "lns.example.net.with-a-long-host-name";
	const uint8_t pad[3] = {0xaa, 0xbb, 0xcc};
	uint8_t buf[128], want[128], out[64];
	struct l2tp_cursor c;
	size_t n;

	n = tl_hex("c00a 0000 0009 be6a 0ff3", want, sizeof(want));
	l2tp_cur_init(&c, buf, sizeof(buf));
	assert_int_equal(l2tp_avp_put_hidden(&c, true, 0, 9, "\x12\x34", 2, &key, NULL, 0), 0);
	assert_int_equal(c.pos, n);
	assert_memory_equal(buf, want, n);
	assert_int_equal(l2tp_avp_unhide(9, buf + 6, 4, &key, out, sizeof(out)), 2);
	assert_memory_equal(out, "\x12\x34", 2);

	n = tl_hex("4030 0000 0007"
		   "69e2e3f1fc85bf11b7574b8e6c2d64ec46d7184c3ef9992b3df2805b7ab58735383c8448"
		   "2392c8234d9e",
		   want, sizeof(want));
	l2tp_cur_init(&c, buf, sizeof(buf));
	assert_int_equal(l2tp_avp_put_hidden(&c, false, 0, 7, host, strlen(host), &key, pad, 3), 0);
	assert_int_equal(c.pos, n);
	assert_memory_equal(buf, want, n);
	assert_int_equal(l2tp_avp_unhide(7, buf + 6, n - 6, &key, out, sizeof(out)),
			 (int)strlen(host));
	assert_memory_equal(out, host, strlen(host));
}

/* The same chain computed here with l2tp_auth_md5 step by step. */
static void test_avp_hidden_matches_md5_chain(void **state)
{
	struct l2tp_hide_key key = {(const uint8_t *)"s3", 2, rv16, 5};
	uint8_t val[40], plain[42], buf[128], b[16];
	struct l2tp_cursor c;

	for (size_t i = 0; i < sizeof(val); i++)
		val[i] = (uint8_t)(i * 7);
	plain[0] = 0;
	plain[1] = sizeof(val);
	memcpy(plain + 2, val, sizeof(val));
	l2tp_cur_init(&c, buf, sizeof(buf));
	assert_int_equal(l2tp_avp_put_hidden(&c, true, 0, 0x1234, val, sizeof(val), &key, NULL, 0),
			 0);
	for (size_t i = 0; i < sizeof(plain); i += 16) {
		struct l2tp_iov iov[3];
		size_t k = 0;

		if (i == 0) {
			iov[k++] = (struct l2tp_iov){"\x12\x34", 2};
			iov[k++] = (struct l2tp_iov){"s3", 2};
			iov[k++] = (struct l2tp_iov){rv16, 5};
		} else {
			iov[k++] = (struct l2tp_iov){"s3", 2};
			iov[k++] = (struct l2tp_iov){buf + 6 + i - 16, 16};
		}
		assert_int_equal(l2tp_auth_md5(iov, k, b), 0);
		for (size_t j = 0; j < 16 && i + j < sizeof(plain); j++)
			assert_int_equal(buf[6 + i + j], plain[i + j] ^ b[j]);
	}
}

static void test_avp_hidden_roundtrip_random(void **state)
{
	struct tl_rng r;
	static uint8_t val[1017], pad[64], buf[1100], out[1017];

	tl_rng_seed(&r, 0x6869646465ULL);
	for (int iter = 0; iter < 500; iter++) {
		uint8_t secret[32], rv[32];
		size_t slen = 1 + tl_rng_below(&r, 31), rvlen = 1 + tl_rng_below(&r, 31);
		size_t padlen = tl_rng_below(&r, 33);
		size_t len = tl_rng_below(&r, (uint32_t)(1017 - 2 - padlen + 1));
		uint16_t type = (uint16_t)tl_rng_next(&r);
		struct l2tp_hide_key key = {secret, slen, rv, rvlen};
		struct l2tp_cursor c;
		struct l2tp_avp_iter it;
		struct l2tp_avp a;

		tl_rng_fill(&r, secret, slen);
		tl_rng_fill(&r, rv, rvlen);
		tl_rng_fill(&r, val, len);
		tl_rng_fill(&r, pad, padlen);
		l2tp_cur_init(&c, buf, sizeof(buf));
		assert_int_equal(
		    l2tp_avp_put_hidden(&c, true, 0, type, val, len, &key, pad, padlen), 0);
		l2tp_avp_iter_init(&it, buf, c.pos);
		assert_int_equal(l2tp_avp_next(&it, &a, NULL), 1);
		assert_true(a.hidden);
		assert_int_equal(a.len, 2 + len + padlen);
		assert_int_equal(l2tp_avp_unhide(type, a.value, a.len, &key, out, sizeof(out)),
				 (int)len);
		if (len)
			assert_memory_equal(out, val, len);
	}
}

static void test_avp_hidden_errors(void **state)
{
	struct l2tp_hide_key key = {(const uint8_t *)"secret", 6, rv16, 16};
	struct l2tp_hide_key nokey = {(const uint8_t *)"secret", 6, NULL, 0};
	struct l2tp_hide_key wrong = {(const uint8_t *)"secreT", 6, rv16, 16};
	uint8_t buf[64], out[8];
	struct l2tp_cursor c;

	l2tp_cur_init(&c, buf, sizeof(buf));
	assert_int_equal(l2tp_avp_put_hidden(&c, true, 0, 9, "\x12\x34", 2, &nokey, NULL, 0),
			 -EINVAL);
	assert_int_equal(l2tp_avp_put_hidden(&c, true, 0, 9, "\x12\x34", 2, NULL, NULL, 0),
			 -EINVAL);
	assert_int_equal(c.pos, 0);
	/* hidden value of 1 byte cannot hold the original length */
	assert_int_equal(l2tp_avp_unhide(9, buf, 1, &key, out, sizeof(out)), -EBADMSG);
	assert_int_equal(l2tp_avp_unhide(9, buf, 4, &nokey, out, sizeof(out)), -EINVAL);

	/* 20 bytes of value padded: a wrong secret gives a length beyond the data
	 * (original length 0x0014 XOR a different MD5 is almost surely > 32) */
	uint8_t val[20] = {0};
	assert_int_equal(l2tp_avp_put_hidden(&c, true, 0, 7, val, 20, &key, val, 10), 0);
	assert_int_equal(l2tp_avp_unhide(7, buf + 6, 32, &wrong, out, sizeof(out)), -EBADMSG);
	/* right key, small output */
	assert_int_equal(l2tp_avp_unhide(7, buf + 6, 32, &key, out, sizeof(out)), -ENOBUFS);
	/* no room for the AVP: cursor unchanged */
	l2tp_cur_init(&c, buf, 9);
	assert_int_equal(l2tp_avp_put_hidden(&c, true, 0, 9, "\x12\x34", 2, &key, NULL, 0),
			 -ENOSPC);
	assert_int_equal(c.pos, 0);
	/* too long once the length and padding are added */
	static uint8_t big[1017];
	l2tp_cur_init(&c, big, sizeof(big));
	assert_int_equal(l2tp_avp_put_hidden(&c, true, 0, 9, big, 1016, &key, NULL, 0), -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_avp_iter_reads_fields),
	    cmocka_unit_test(test_avp_iter_empty_is_end),
	    cmocka_unit_test(test_avp_iter_malformed),
	    cmocka_unit_test(test_avp_iter_every_truncation),
	    cmocka_unit_test(test_avp_typed_views),
	    cmocka_unit_test(test_avp_put_known_bytes),
	    cmocka_unit_test(test_avp_put_enospc_leaves_cursor),
	    cmocka_unit_test(test_avp_put_length_limit),
	    cmocka_unit_test(test_avp_hidden_known_answer),
	    cmocka_unit_test(test_avp_hidden_matches_md5_chain),
	    cmocka_unit_test(test_avp_hidden_roundtrip_random),
	    cmocka_unit_test(test_avp_hidden_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
