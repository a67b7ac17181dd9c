// SPDX-License-Identifier: MIT
/*
 * test_config.c - l2tpd -n: a configuration file is checked line by line,
 * each problem reported once as "FILE:LINE: problem" with the line it is on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <errno.h>

#include <l2tp/types.h>

#include "../../daemon/config.h"

/* Check |text| as a file; the report goes into |out|. Returns the problem count. */
static int check(const char *text, char *out, size_t cap, char *path)
{
	int fd;
	FILE *f, *errf;
	size_t n;
	int rc;

	strcpy(path, "/tmp/l2tpd-test-conf.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	errf = tmpfile();
	assert_non_null(errf);
	rc = l2tpd_config_check(path, errf);
	rewind(errf);
	n = fread(out, 1, cap - 1, errf);
	out[n] = '\0';
	fclose(errf);
	unlink(path);
	return rc;
}

static void test_good_file(void **state)
{
	char out[2048], path[64];

	(void)state;
	assert_int_equal(
	    check("# comment\n"
		  "\n"
		  "add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on secret \"a b\"\n"
		  "  add session tunnel_id 1 remote_end_id vc1   # trailing comment\n"
		  "l2tp add session tunnel_id 1 remote_end_id \"vc 2\" name pw2\n"
		  "add tunnel tunnel_id 2 peer_tunnel_id 3 remote 192.0.2.3 local 192.0.2.1 "
		  "udp_sport 5000 udp_dport 5000\n"
		  "add session tunnel_id 2 session_id 4 peer_session_id 5 cookie 0011223344556677\n",
		  out, sizeof(out), path),
	    0);
	assert_string_equal(out, "");
}

static void test_problems_with_line_numbers(void **state)
{
	char out[4096], path[64], want[128];
	static const struct {
		unsigned int line;
		const char *msg;
	} want_v[] = {
	    {2, "Unknown keyword \"colour\""},
	    {3, "argument \"remote_end_id\""},
	    {4, "tunnel 9 is not defined above"},
	    {5, "tunnel 1 is already defined on line 1"},
	    {6, "unterminated quote"},
	    {7, "only \"add tunnel\" and \"add session\""},
	    {9, "tunnel 1 is managed"},
	    {10, "already has remote_end_id \"a\" (line 8)"},
	    {12, "tunnel 2 is static"},
	};

	(void)state;
	assert_int_equal(
	    check("add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on\n"
		  "add session tunnel_id 1 remote_end_id a colour red\n"
		  "add session tunnel_id 1 pw_type eth\n"
		  "add session tunnel_id 9 remote_end_id b\n"
		  "add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on\n"
		  "add session tunnel_id 1 remote_end_id \"open\n"
		  "del tunnel tunnel_id 1\n"
		  "add session tunnel_id 1 remote_end_id a\n"
		  "add session tunnel_id 1 session_id 3 peer_session_id 4\n"
		  "add session tunnel_id 1 remote_end_id a\n"
		  "add tunnel tunnel_id 2 peer_tunnel_id 3 remote 192.0.2.3 local 192.0.2.1 "
		  "udp_sport 1 udp_dport 1\n"
		  "add session tunnel_id 2 remote_end_id z\n",
		  out, sizeof(out), path),
	    (int)L2TP_ARRAY_SIZE(want_v));
	for (size_t i = 0; i < L2TP_ARRAY_SIZE(want_v); i++) {
		snprintf(want, sizeof(want), "%s:%u: ", path, want_v[i].line);
		char *at = strstr(out, want);

		if (!at || !strstr(at, want_v[i].msg) ||
		    strstr(at, want_v[i].msg) > strchr(at, '\n'))
			fail_msg("line %u: want \"%s\" in:\n%s", want_v[i].line, want_v[i].msg, out);
	}
}

static void test_unreadable(void **state)
{
	FILE *errf = tmpfile();
	char out[256];
	size_t n;

	(void)state;
	assert_int_equal(l2tpd_config_check("/nonexistent/l2tpd.conf", errf), -ENOENT);
	rewind(errf);
	n = fread(out, 1, sizeof(out) - 1, errf);
	out[n] = '\0';
	fclose(errf);
	assert_non_null(strstr(out, "/nonexistent/l2tpd.conf: No such file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_file),
	    cmocka_unit_test(test_problems_with_line_numbers),
	    cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
