// SPDX-License-Identifier: MIT
/*
 * tests/daemon/test_mtu.c - default pseudowire MTU (daemon/mtu.c) with the
 * header overhead lib/dp.c reports for the session's options.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <l2tp/dp.h>

#include "../../daemon/mtu.h"

static size_t overhead(enum l2tp_encap encap, uint8_t cookie_len, uint8_t l2spec)
{
	struct l2tp_dp_session s;
	struct l2tp_dp_cfg c;

	memset(&c, 0, sizeof(c));
	c.version = 3;
	c.encap = encap;
	c.session_id = 1000;
	c.peer_session_id = 2000;
	c.cookie_len = cookie_len;
	c.peer_cookie_len = cookie_len;
	c.l2spec_type = l2spec;
	assert_int_equal(l2tp_dp_session_init(&s, &c), 0);
	return l2tp_dp_overhead(&s);
}

/* ip-l2tp(8)'s bridged example: UDP over IPv4, defaults: mtu 1446. */
static void test_mtu_ip_l2tp_example_udp(void **state)
{
	unsigned int oh = (unsigned int)overhead(L2TP_ENCAP_UDP, 0, L2TP_L2SPEC_DEFAULT);

	assert_int_equal(oh, 12);
	assert_int_equal(l2tpd_mtu_session(1500, false, true, oh), 1446);
	/* unknown underlay (0) falls back to 1500 like the kernel */
	assert_int_equal(l2tpd_mtu_session(0, false, true, oh), 1446);
}

static void test_mtu_options(void **state)
{
	/* IP encap: 1500 - 20 - (4 session id + 4 sublayer) - 14 */
	assert_int_equal(
	    l2tpd_mtu_session(1500, false, false, (unsigned int)overhead(L2TP_ENCAP_IP, 0, 1)),
	    1458);
	/* UDP over IPv6: 1500 - 40 - 8 - 12 - 14 */
	assert_int_equal(
	    l2tpd_mtu_session(1500, true, true, (unsigned int)overhead(L2TP_ENCAP_UDP, 0, 1)),
	    1426);
	/* 8-byte cookie, no sublayer: 1500 - 20 - 8 - 16 - 14 */
	assert_int_equal(
	    l2tpd_mtu_session(1500, false, true, (unsigned int)overhead(L2TP_ENCAP_UDP, 8, 0)),
	    1442);
	/* 4-byte cookie over IP, default sublayer: 1500 - 20 - 12 - 14 */
	assert_int_equal(
	    l2tpd_mtu_session(1500, false, false, (unsigned int)overhead(L2TP_ENCAP_IP, 4, 1)),
	    1454);
	/* a jumbo underlay */
	assert_int_equal(l2tpd_mtu_session(9000, false, true, 12), 8946);
}

static void test_mtu_out_of_range(void **state)
{
	/* an underlay too small for the headers: the 1500 fallback */
	assert_int_equal(l2tpd_mtu_session(60, false, true, 12), 1446);
	/* result below the Ethernet minimum of 68: also the fallback */
	assert_int_equal(l2tpd_mtu_session(121, false, true, 12), 1446);
	assert_int_equal(l2tpd_mtu_session(122, false, true, 12), 68);
	assert_int_equal(l2tpd_mtu_session(130, false, true, 12), 76);
	/* above what TAP accepts */
	assert_int_equal(l2tpd_mtu_session(70000, false, true, 12), 1446);
	/* absurd overhead: never below the minimum */
	assert_int_equal(l2tpd_mtu_session(0, true, true, 2000), L2TPD_ETH_MIN_MTU);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mtu_ip_l2tp_example_udp),
	    cmocka_unit_test(test_mtu_options),
	    cmocka_unit_test(test_mtu_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
