// SPDX-License-Identifier: MIT
/*
 * tests/daemon/test_tap.c - interface name validation and allocation
 * (daemon/tap.c), without creating devices.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "../../daemon/tap.h"

static bool in_set(const char *name, void *arg)
{
	for (const char *const *p = arg; *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

static void test_tap_first_free(void **state)
{
	static const char *none[] = {NULL};
	static const char *some[] = {"l2tpeth0", "l2tpeth1", "l2tpeth3", NULL};
	char out[IFNAMSIZ];

	assert_int_equal(l2tpd_tap_first_free("l2tpeth", in_set, (void *)none, out), 0);
	assert_string_equal(out, "l2tpeth0");
	assert_int_equal(l2tpd_tap_first_free("l2tpeth", in_set, (void *)some, out), 0);
	assert_string_equal(out, "l2tpeth2");
	assert_int_equal(l2tpd_tap_first_free("l2tpeth", NULL, NULL, out), 0);
	assert_string_equal(out, "l2tpeth0");
}

static bool all_used(const char *name, void *arg)
{
	return true;
}

static void test_tap_first_free_errors(void **state)
{
	char out[IFNAMSIZ];

	/* prefix + number must fit IFNAMSIZ - 1 */
	assert_int_equal(l2tpd_tap_first_free("abcdefghijklmno", NULL, NULL, out), -EINVAL);
	assert_int_equal(l2tpd_tap_first_free("abcdefghijklmn", NULL, NULL, out), 0);
	assert_string_equal(out, "abcdefghijklmn0");
	/* ...and the digits run out before 100000 */
	assert_int_equal(l2tpd_tap_first_free("abcdefghijklmn", all_used, NULL, out), -EINVAL);
	assert_int_equal(l2tpd_tap_first_free("x", all_used, NULL, out), -ENFILE);
}

static void test_tap_name_valid(void **state)
{
	assert_true(l2tpd_tap_name_valid("l2tpeth0"));
	assert_true(l2tpd_tap_name_valid("pw-site.b_1"));
	assert_true(l2tpd_tap_name_valid("abcdefghijklmno")); /* 15 bytes */
	assert_false(l2tpd_tap_name_valid("abcdefghijklmnop")); /* 16 */
	assert_false(l2tpd_tap_name_valid(""));
	assert_false(l2tpd_tap_name_valid(NULL));
	assert_false(l2tpd_tap_name_valid("."));
	assert_false(l2tpd_tap_name_valid(".."));
	assert_false(l2tpd_tap_name_valid("a/b"));
	assert_false(l2tpd_tap_name_valid("a:b"));
	assert_false(l2tpd_tap_name_valid("a b"));
	assert_false(l2tpd_tap_name_valid("eth%d"));
	assert_false(l2tpd_tap_name_valid("a\tb"));
	assert_false(l2tpd_tap_name_valid("a\x7f"));
}

static void test_tap_create_rejects_bad_name(void **state)
{
	char out[IFNAMSIZ];

	/* checked before /dev/net/tun is touched, so this needs no privilege */
	assert_int_equal(l2tpd_tap_create("bad/name", NULL, NULL, out), -EINVAL);
	assert_int_equal(l2tpd_tap_create("eth%d", NULL, NULL, out), -EINVAL);
	/* "lo" exists in every namespace: never attached to */
	assert_int_equal(l2tpd_tap_create("lo", NULL, NULL, out), -EEXIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tap_first_free),
	    cmocka_unit_test(test_tap_first_free_errors),
	    cmocka_unit_test(test_tap_name_valid),
	    cmocka_unit_test(test_tap_create_rejects_bad_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
