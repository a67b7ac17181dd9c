// SPDX-License-Identifier: MIT
/*
 * test_grammar_managed.c - the managed part of the grammar: "control on"
 * tunnels and "remote_end_id" sessions (defaults, every refusal and its
 * wording), "show config", "monitor", and cli_split_line(), which reads
 * configuration files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <l2tp/ppp.h>

#include "../../cli/cli.h"

static int parse(const char *line, struct cli_cmd *cmd, char *err)
{
	static char buf[1024];
	static char *argv[64];
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = cli_split_line(buf, argv, 64, err, CLI_ERRLEN);
	assert_true(argc >= 0);
	return cli_parse(argc, argv, cmd, err, CLI_ERRLEN);
}

static void test_managed_tunnel_defaults(void **state)
{
	struct cli_cmd c;
	char err[CLI_ERRLEN];

	(void)state;
	assert_int_equal(parse("add tunnel tunnel_id 7 remote 192.0.2.2 local 192.0.2.1 control on",
			       &c, err),
			 0);
	assert_true(c.m.tunnel);
	assert_false(c.m.session);
	assert_false(c.m.accept);
	assert_int_equal(c.m.hello, 60);
	assert_int_equal(c.m.retries, 0);
	assert_int_equal(c.m.window, 0);
	assert_string_equal(c.m.secret, "");
	assert_int_equal(c.tunnel.conn_id, 7);
	assert_int_equal(c.tunnel.peer_conn_id, 0);
	assert_int_equal(c.tunnel.encap_type, L2TP_ENCAPTYPE_UDP);
	assert_int_equal(c.tunnel.udp_sport, 1701);
	assert_int_equal(c.tunnel.udp_dport, 1701);
	assert_true(l2tp_api_has(c.tunnel.present, L2TP_ATTR_IP_SADDR));
}

static void test_managed_tunnel_all_keywords(void **state)
{
	struct cli_cmd c;
	char err[CLI_ERRLEN];

	(void)state;
	assert_int_equal(parse("add tunnel tunnel_id 9 remote 2001:db8::2 local 2001:db8::1 encap ip "
			       "control on role accept secret \"two words\" digest sha1 hostname a "
			       "peer_hostname b hello 0 retries 7 window 32",
			       &c, err),
			 0);
	assert_true(c.m.accept);
	assert_string_equal(c.m.secret, "two words");
	assert_int_equal(c.m.digest, 1);
	assert_string_equal(c.m.hostname, "a");
	assert_string_equal(c.m.peer_hostname, "b");
	assert_int_equal(c.m.hello, 0);
	assert_int_equal(c.m.retries, 7);
	assert_int_equal(c.m.window, 32);
	assert_int_equal(c.tunnel.encap_type, L2TP_ENCAPTYPE_IP);
	assert_true(l2tp_api_has(c.tunnel.present, L2TP_ATTR_IP6_SADDR));
	/* ports stay unset over IP */
	assert_false(l2tp_api_has(c.tunnel.present, L2TP_ATTR_UDP_SPORT));
}

static void test_managed_session(void **state)
{
	struct cli_cmd c;
	char err[CLI_ERRLEN];

	(void)state;
	assert_int_equal(parse("add session tunnel_id 9 remote_end_id vc100", &c, err), 0);
	assert_true(c.m.session);
	assert_int_equal(c.session.session_id, 0);
	assert_int_equal(c.m.pw_type, L2TP_PWTYPE_ETH);
	assert_false(c.m.cookie_none);
	assert_false(c.m.l2spec_set);
	assert_string_equal(c.m.remote_end_id, "vc100");

	assert_int_equal(parse("add session tunnel_id 9 session_id 5 pw_type eth_vlan remote_end_id "
			       "x name br-x cookie none l2spec_type default seq both",
			       &c, err),
			 0);
	assert_int_equal(c.session.session_id, 5);
	assert_int_equal(c.m.pw_type, L2TP_PWTYPE_ETH_VLAN);
	assert_true(c.m.cookie_none);
	assert_true(c.m.l2spec_set);
	assert_int_equal(c.session.l2spec_type, L2TP_L2SPECTYPE_DEFAULT);
	assert_true(c.m.send_seq && c.m.recv_seq);
	assert_string_equal(c.session.ifname, "br-x");
	assert_int_equal(parse("add session tunnel_id 9 remote_end_id y l2spec_type none", &c, err),
			 0);
	assert_int_equal(c.session.l2spec_type, L2TP_L2SPECTYPE_NONE);

	/* delete by remote end id */
	assert_int_equal(parse("del session tunnel_id 9 remote_end_id x", &c, err), 0);
	assert_int_equal(c.verb, CLI_VERB_DEL);
	assert_true(c.m.session);
	assert_string_equal(c.m.remote_end_id, "x");
}

static void test_managed_refusals(void **state)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
	    {"add tunnel tunnel_id 1 peer_tunnel_id 2 remote 192.0.2.2 local 192.0.2.1 control on",
	     "peer_tunnel_id is learned"},
	    {"add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on digest sha1",
	     "\"digest\" needs a \"secret\""},
	    {"add tunnel tunnel_id 1 peer_tunnel_id 2 remote 192.0.2.2 local 192.0.2.1 udp_sport 1 "
	     "udp_dport 1 secret x",
	     "\"secret\" needs \"control on\""},
	    {"add tunnel tunnel_id 1 remote any local 192.0.2.1 control on", "real local and remote"},
	    {"add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control maybe", "on or off"},
	    {"add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on role both",
	     "initiate or accept"},
	    {"add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on hello 3601",
	     "0 (off) to 3600"},
	    {"add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on retries 0",
	     "retries is 1 to 100"},
	    {"add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on window 257",
	     "window is 1 to 256"},
	    {"add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on secret ********",
	     "give the secret itself"},
	    {"add session tunnel_id 1 remote_end_id x l2spec_type none seq recv",
	     "needs \"l2spec_type default\""},
	    {"add session tunnel_id 1 remote_end_id x peer_session_id 4", "learned from the peer"},
	    {"add session tunnel_id 1 remote_end_id x cookie 01020304", "cookies are negotiated"},
	    {"add session tunnel_id 1 remote_end_id x hello 5", "setting of the tunnel"},
	    {"add session tunnel_id 1 session_id 2 peer_session_id 3 cookie auto",
	     "needs \"remote_end_id\""},
	    {"add session tunnel_id 1 session_id 2 peer_session_id 3 pw_type eth_vlan",
	     "static session is an Ethernet"},
	    {"add session tunnel_id 1 remote_end_id "
	     "12345678901234567890123456789012345678901234567890123456789012345",
	     "1 to 64"},
	    {"add session tunnel_id 1 pw_type pppoe remote_end_id x", "eth, eth_vlan or ppp"},
	    {"add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on version 4",
	     "version is 2"},
	    {"add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on version 2 "
	     "fallback on",
	     "for an L2TPv3 tunnel"},
	    {"add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on fallback_timeout 5",
	     "needs \"fallback on\""},
	    {"add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 encap ip control on version 2",
	     "UDP only"},
	    {"add tunnel tunnel_id 1 peer_tunnel_id 2 remote 192.0.2.2 local 192.0.2.1 version 2",
	     "needs \"control on\""},
	    {"add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on user x",
	     "setting of a PPP session"},
	    {"add session tunnel_id 1 remote_end_id x auth pap", "(pw_type ppp)"},
	    {"add session tunnel_id 1 session_id 2 peer_session_id 3 user x", "(pw_type ppp)"},
	    {"add session tunnel_id 1 pw_type ppp password x", "\"user\" is required"},
	    {"add session tunnel_id 1 pw_type ppp auth md5", "none, pap, chap or any"},
	    {"add session tunnel_id 1 pw_type ppp secrets relative/path", "absolute path"},
	    {"add session tunnel_id 1 pw_type ppp ppp_local 2001:db8::1", "an IPv4 address"},
	    {"add session tunnel_id 1 pw_type ppp mru 100", "128 to 16384"},
	    {"add session tunnel_id 1 pw_type ppp user x password ***", "the password itself"},
	    {"add tunnel tunnel_id 1 remote 192.0.2.2 local 192.0.2.1 control on session",
	     "then its sessions"},
	    {"show config extra", "takes no arguments"},
	    {"monitor now", "takes no arguments"},
	};
	struct cli_cmd c;
	char err[CLI_ERRLEN];

	(void)state;
	for (size_t i = 0; i < L2TP_ARRAY_SIZE(bad); i++) {
		int rc = parse(bad[i].line, &c, err);

		if (rc != -EINVAL || !strstr(err, bad[i].msg))
			fail_msg("\"%s\": rc %d, \"%s\" (want \"%s\")", bad[i].line, rc, err,
				 bad[i].msg);
	}
}

/* L2TPv2 tunnels and PPP sessions: parsed, and printed back as they were given. */
static void test_v2_ppp(void **state)
{
	static const char *const lines[] = {
	    "add tunnel tunnel_id 7 encap udp local 192.0.2.1 remote 192.0.2.2 udp_sport 1701 "
	    "udp_dport 1701 control on role accept hello 60 version 2",
	    "add tunnel tunnel_id 8 encap udp local 192.0.2.1 remote 192.0.2.2 udp_sport 1701 "
	    "udp_dport 1701 control on role initiate hello 60 fallback on fallback_timeout 4",
	    "add session tunnel_id 7 pw_type ppp name ppp3 auth chap secrets /etc/l2tpd/chap "
	    "user lns ppp_local 198.51.100.1 ppp_remote 198.51.100.2 lcp_echo 10 mru 1400 "
	    "cookie auto seq none",
	    "add session tunnel_id 8 pw_type ppp remote_end_id dial auth none user \"a b\" "
	    "password \"p w\" cookie auto seq none",
	};
	struct cli_cmd c;
	char err[CLI_ERRLEN], out[1024];

	(void)state;
	assert_int_equal(parse(lines[0], &c, err), 0);
	assert_true(c.m.tunnel);
	assert_int_equal(c.m.version, 2);
	assert_false(c.m.fallback);
	assert_int_equal(parse(lines[1], &c, err), 0);
	assert_int_equal(c.m.version, 3);
	assert_true(c.m.fallback);
	assert_int_equal(c.m.fallback_timeout, 4);
	assert_int_equal(parse(lines[2], &c, err), 0);
	assert_true(c.m.session);
	assert_int_equal(c.m.pw_type, L2TP_PWTYPE_PPP);
	assert_string_equal(c.m.remote_end_id, "");
	assert_int_equal(c.m.ppp.require_auth, L2TP_PPP_AUTH_CHAP);
	assert_string_equal(c.m.ppp.secrets, "/etc/l2tpd/chap");
	assert_string_equal(c.m.ppp.user, "lns");
	assert_memory_equal(c.m.ppp.local_ip, "\xc6\x33\x64\x01", 4);
	assert_memory_equal(c.m.ppp.peer_ip, "\xc6\x33\x64\x02", 4);
	assert_int_equal(c.m.ppp.lcp_echo, 10);
	assert_int_equal(c.m.ppp.mru, 1400);
	assert_int_equal(parse(lines[3], &c, err), 0);
	assert_string_equal(c.m.ppp.password, "p w");
	assert_int_equal(parse("add session tunnel_id 8 pw_type ppp auth any", &c, err), 0);
	assert_int_equal(c.m.ppp.require_auth, L2TP_PPP_AUTH_PAP | L2TP_PPP_AUTH_CHAP);
	/* show config prints each line as it was given (secrets shown on request) */
	for (size_t i = 0; i < L2TP_ARRAY_SIZE(lines); i++) {
		struct cli_sbuf b = {.p = out, .cap = sizeof(out)};

		assert_int_equal(parse(lines[i], &c, err), 0);
		cli_fmt_cmd(&b, &c, true);
		assert_string_equal(out, lines[i]);
	}
	{
		struct cli_sbuf b = {.p = out, .cap = sizeof(out)};

		assert_int_equal(parse(lines[3], &c, err), 0);
		cli_fmt_cmd(&b, &c, false);
		assert_non_null(strstr(out, " password ******** "));
		assert_null(strstr(out, "p w"));
	}
}

static void test_show_config_and_monitor(void **state)
{
	struct cli_cmd c;
	char err[CLI_ERRLEN];

	(void)state;
	assert_int_equal(parse("show config", &c, err), 0);
	assert_int_equal(c.verb, CLI_VERB_SHOW);
	assert_true(c.obj_config);
	assert_int_equal(parse("monitor", &c, err), 0);
	assert_int_equal(c.verb, CLI_VERB_MONITOR);
	assert_int_equal(parse("mon", &c, err), 0);
	assert_int_equal(c.verb, CLI_VERB_MONITOR);
	/* a prefix of two letters or more names it */
	assert_int_equal(parse("show co", &c, err), 0);
	assert_true(c.obj_config);
}

static void test_split_line(void **state)
{
	char buf[256], err[CLI_ERRLEN];
	char *w[8];

	(void)state;
	snprintf(buf, sizeof(buf), "  add\ttunnel  \"a b\" x\"y z\"w \"q\\\"uo\\\\te\" # comment");
	assert_int_equal(cli_split_line(buf, w, 8, err, sizeof(err)), 5);
	assert_string_equal(w[0], "add");
	assert_string_equal(w[1], "tunnel");
	assert_string_equal(w[2], "a b");
	assert_string_equal(w[3], "xy zw");
	assert_string_equal(w[4], "q\"uo\\te");

	snprintf(buf, sizeof(buf), "# only a comment");
	assert_int_equal(cli_split_line(buf, w, 8, err, sizeof(err)), 0);
	snprintf(buf, sizeof(buf), "   \r\n");
	assert_int_equal(cli_split_line(buf, w, 8, err, sizeof(err)), 0);
	snprintf(buf, sizeof(buf), "\"\" x");
	assert_int_equal(cli_split_line(buf, w, 8, err, sizeof(err)), 2);
	assert_string_equal(w[0], "");
	snprintf(buf, sizeof(buf), "a \"open");
	assert_int_equal(cli_split_line(buf, w, 8, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unterminated quote"));
	snprintf(buf, sizeof(buf), "1 2 3 4 5 6 7 8 9");
	assert_int_equal(cli_split_line(buf, w, 8, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "too many words"));
	snprintf(buf, sizeof(buf), "a#b c");
	/* '#' inside a word is part of it (only a word start begins a comment) */
	assert_int_equal(cli_split_line(buf, w, 8, err, sizeof(err)), 2);
	assert_string_equal(w[0], "a#b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_managed_tunnel_defaults),
	    cmocka_unit_test(test_managed_tunnel_all_keywords),
	    cmocka_unit_test(test_managed_session),
	    cmocka_unit_test(test_managed_refusals),
	    cmocka_unit_test(test_v2_ppp),
	    cmocka_unit_test(test_show_config_and_monitor),
	    cmocka_unit_test(test_split_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
