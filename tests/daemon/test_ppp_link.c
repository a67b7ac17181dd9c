// SPDX-License-Identifier: MIT
/*
 * test_ppp_link.c - the PPP link's secrets file (pppd's pap-secrets /
 * chap-secrets format): matching of client and server, wildcards, quoted
 * words, comments, short lines, the address column, a missing file, a
 * secret too long.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../daemon/ppp_link.h"

static char path[64];

static int setup(void **state)
{
	static const char text[] =
	    "# client   server   secret       addresses\n"
	    "alice      lns      alicepw\n"
	    "alice      *        fallback-for-alice\n"
	    "\"bob smith\" lns   \"two words\"  198.51.100.7\n"
	    "carol      other    not-for-us\n"
	    "   # an indented comment\n"
	    "short      line\n"
	    "dave       lns      \"\"\n"
	    "*          lns      anyone   *\n";
	FILE *f;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/l2tpkit-secrets.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static int look(const char *client, const char *server, char *out, size_t cap)
{
	return l2tpd_ppp_secret_lookup(path, client, strlen(client), server, out, cap, NULL, 0);
}

static void test_lookup(void **state)
{
	char s[64];

	(void)state;
	/* the first matching line wins */
	assert_int_equal(look("alice", "lns", s, sizeof(s)), 7);
	assert_string_equal(s, "alicepw");
	assert_int_equal(look("alice", "elsewhere", s, sizeof(s)), 18);
	assert_string_equal(s, "fallback-for-alice");
	/* quoted words hold blanks */
	assert_int_equal(look("bob smith", "lns", s, sizeof(s)), 9);
	assert_string_equal(s, "two words");
	/* another server's line does not match; a "*" client line does */
	assert_int_equal(look("carol", "lns", s, sizeof(s)), 6);
	assert_string_equal(s, "anyone");
	assert_int_equal(look("carol", "other", s, sizeof(s)), 10);
	/* lines with fewer than three words are skipped */
	assert_int_equal(look("short", "x", s, sizeof(s)), -ENOENT);
	/* names are compared whole, not as prefixes */
	assert_int_equal(look("ali", "elsewhere", s, sizeof(s)), -ENOENT);
	/* the length given, not a NUL, ends the client name */
	assert_int_equal(
	    l2tpd_ppp_secret_lookup(path, "alice-and-more", 5, "lns", s, sizeof(s), NULL, 0), 7);
	/* the address column */
	{
		char a[32] = "x";

		assert_int_equal(l2tpd_ppp_secret_lookup(path, "bob smith", 9, "lns", s, sizeof(s), a,
							 sizeof(a)),
				 9);
		assert_string_equal(a, "198.51.100.7");
		assert_int_equal(
		    l2tpd_ppp_secret_lookup(path, "alice", 5, "lns", s, sizeof(s), a, sizeof(a)), 7);
		assert_string_equal(a, "");
		assert_int_equal(
		    l2tpd_ppp_secret_lookup(path, "erin", 4, "lns", s, sizeof(s), a, sizeof(a)), 6);
		assert_string_equal(a, "");
	}
	/* an empty quoted secret is a secret of length 0 */
	assert_int_equal(look("dave", "lns", s, sizeof(s)), 0);
	assert_string_equal(s, "");
	assert_int_equal(look("dave", "elsewhere", s, sizeof(s)), -ENOENT);
	assert_int_equal(look("erin", "lns", s, sizeof(s)), 6);
	/* too long for the caller's buffer */
	assert_int_equal(look("alice", "elsewhere", s, 10), -ENOSPC);
	/* no file */
	assert_int_equal(l2tpd_ppp_secret_lookup("/nonexistent/l2tpkit", "alice", 5, "lns", s,
						 sizeof(s), NULL, 0),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
