// SPDX-License-Identifier: MIT
/*
 * tests/daemon/test_log.c - the rate limit that keeps per-packet events
 * from flooding the log (daemon/log.c). Time is passed in: no sleeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../daemon/log.h"

static void test_log_ratelimit_burst_then_window(void **state)
{
	struct l2tpd_ratelimit rl = L2TPD_RATELIMIT_INIT(10 * L2TP_SEC, 3);
	l2tp_time_t t0 = 100 * L2TP_SEC;
	unsigned long sup = 99;

	for (int i = 0; i < 3; i++) {
		assert_true(l2tpd_ratelimit_ok(&rl, t0 + (l2tp_time_t)i, &sup));
		assert_int_equal(sup, 0);
	}
	for (int i = 0; i < 1000; i++)
		assert_false(l2tpd_ratelimit_ok(&rl, t0 + 5 * L2TP_SEC, &sup));
	/* the next window reports how many were suppressed, once */
	assert_true(l2tpd_ratelimit_ok(&rl, t0 + 10 * L2TP_SEC, &sup));
	assert_int_equal(sup, 1000);
	assert_true(l2tpd_ratelimit_ok(&rl, t0 + 10 * L2TP_SEC, &sup));
	assert_int_equal(sup, 0);
}

static void test_log_ratelimit_clock_start(void **state)
{
	struct l2tpd_ratelimit rl = L2TPD_RATELIMIT_INIT(L2TP_SEC, 1);

	/* a zeroed limiter works from time 0 and from any later time */
	assert_true(l2tpd_ratelimit_ok(&rl, 0, NULL));
	assert_false(l2tpd_ratelimit_ok(&rl, 1, NULL));
	assert_true(l2tpd_ratelimit_ok(&rl, 5 * L2TP_SEC, NULL));
	assert_false(l2tpd_ratelimit_ok(&rl, 5 * L2TP_SEC + 1, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_log_ratelimit_burst_then_window),
	    cmocka_unit_test(test_log_ratelimit_clock_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
