// SPDX-License-Identifier: MIT
/*
 * test_grammar.c - l2tp(8): the ip-l2tp(8) grammar (every keyword, every
 * error path), the text/JSON printer against golden strings, the errno
 * sentences, and whole commands run against a scripted server on a
 * socketpair (no daemon, no kernel).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "../../cli/cli.h"

#define BIT L2TP_API_BIT

/* Parse a space-separated command line. */
static int parse(const char *line, struct cli_cmd *cmd, char *err)
{
	static char buf[512];
	char *argv[64];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *tok = strtok(buf, " "); tok && argc < 64; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	return cli_parse(argc, argv, cmd, err, CLI_ERRLEN);
}

/* ---- grammar ----------------------------------------------------------- */

static void test_grammar_help(void **state)
{
	static const char *const lines[] = {
	    "help",
	    "h",
	    "he",
	    "add tunnel help",
	    "add session h",
	    "show tunnel help",
	    "del session tunnel_id 1 help",
	    "add help",
	};
	struct cli_cmd cmd;
	char err[CLI_ERRLEN];

	for (size_t i = 0; i < L2TP_ARRAY_SIZE(lines); i++) {
		assert_int_equal(parse(lines[i], &cmd, err), 1);
		assert_int_equal(cmd.verb, CLI_VERB_HELP);
	}
}

static void test_grammar_verb_prefixes(void **state)
{
	static const struct {
		const char *line;
		enum cli_verb verb;
	} v[] = {
	    {"a session tunnel_id 1 session_id 2 peer_session_id 3", CLI_VERB_ADD},
	    {"add session tunnel_id 1 session_id 2 peer_session_id 3", CLI_VERB_ADD},
	    {"d tunnel tunnel_id 1", CLI_VERB_DEL},
	    {"del tunnel tunnel_id 1", CLI_VERB_DEL},
	    {"delete tunnel tunnel_id 1", CLI_VERB_DEL},
	    {"s tunnel", CLI_VERB_SHOW},
	    {"show tunnel", CLI_VERB_SHOW},
	    {"lst session", CLI_VERB_SHOW},
	    {"li session", CLI_VERB_SHOW},
	    {"list session", CLI_VERB_SHOW},
	};
	struct cli_cmd cmd;
	char err[CLI_ERRLEN];

	for (size_t i = 0; i < L2TP_ARRAY_SIZE(v); i++) {
		assert_int_equal(parse(v[i].line, &cmd, err), 0);
		assert_int_equal(cmd.verb, v[i].verb);
	}
	assert_true(cli_matches("sh", "show"));
	assert_false(cli_matches("", "show"));
	assert_false(cli_matches("shows", "show"));
}

static void test_grammar_add_tunnel_v4_udp(void **state)
{
	struct cli_cmd cmd;
	char err[CLI_ERRLEN];
	const struct l2tp_api_tunnel *t = &cmd.tunnel;
	struct in_addr a;

	assert_int_equal(parse("add tunnel tunnel_id 3000 peer_tunnel_id 4000 encap udp "
			       "local 192.0.2.1 remote 198.51.100.2 udp_sport 5000 "
			       "udp_dport 6000",
			       &cmd, err),
			 0);
	assert_true(cmd.obj_tunnel);
	assert_false(cmd.obj_session);
	assert_int_equal(t->present, BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_PEER_CONN_ID) |
					 BIT(L2TP_ATTR_PROTO_VERSION) | BIT(L2TP_ATTR_ENCAP_TYPE) |
					 BIT(L2TP_ATTR_IP_SADDR) | BIT(L2TP_ATTR_IP_DADDR) |
					 BIT(L2TP_ATTR_UDP_SPORT) | BIT(L2TP_ATTR_UDP_DPORT));
	assert_int_equal(t->conn_id, 3000);
	assert_int_equal(t->peer_conn_id, 4000);
	assert_int_equal(t->proto_version, 3);
	assert_int_equal(t->encap_type, L2TP_ENCAPTYPE_UDP);
	inet_pton(AF_INET, "192.0.2.1", &a);
	assert_memory_equal(&t->local_ip, &a, 4);
	inet_pton(AF_INET, "198.51.100.2", &a);
	assert_memory_equal(&t->peer_ip, &a, 4);
	assert_int_equal(t->udp_sport, 5000);
	assert_int_equal(t->udp_dport, 6000);
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_TUNNEL_CREATE, t->present, false, NULL),
			 0);
}

static void test_grammar_add_tunnel_options(void **state)
{
	struct cli_cmd cmd;
	char err[CLI_ERRLEN];
	const struct l2tp_api_tunnel *t = &cmd.tunnel;
	struct in6_addr a6;

	/* udp_csum on: UDP_CSUM present; off: absent (the kernel reads presence) */
	assert_int_equal(parse("add tunnel tid 1 ptid 2 local 192.0.2.1 remote 192.0.2.2 "
			       "udp_sport 1 udp_dport 2 udp_csum on",
			       &cmd, err),
			 0);
	assert_true(l2tp_api_has(t->present, L2TP_ATTR_UDP_CSUM));
	assert_int_equal(t->udp_csum, 1);
	assert_int_equal(parse("add tunnel tid 1 ptid 2 local 192.0.2.1 remote 192.0.2.2 "
			       "udp_sport 1 udp_dport 2 udp_csum off",
			       &cmd, err),
			 0);
	assert_false(l2tp_api_has(t->present, L2TP_ATTR_UDP_CSUM));

	/* IPv6, zero checksums */
	assert_int_equal(parse("add tunnel tunnel_id 1 peer_tunnel_id 2 local 2001:db8::1 "
			       "remote 2001:db8::2 udp_sport 1701 udp_dport 1701 "
			       "udp6_csum_tx off udp6_csum_rx off",
			       &cmd, err),
			 0);
	assert_true(l2tp_api_has(t->present, L2TP_ATTR_IP6_SADDR));
	assert_true(l2tp_api_has(t->present, L2TP_ATTR_IP6_DADDR));
	assert_false(l2tp_api_has(t->present, L2TP_ATTR_IP_SADDR));
	inet_pton(AF_INET6, "2001:db8::2", &a6);
	assert_memory_equal(&t->peer_ip6, &a6, 16);
	assert_true(t->udp_zero_csum6_tx && t->udp_zero_csum6_rx);
	assert_true(l2tp_api_has(t->present, L2TP_ATTR_UDP_ZERO_CSUM6_TX));
	assert_int_equal(parse("add tunnel tunnel_id 1 peer_tunnel_id 2 local 2001:db8::1 "
			       "remote 2001:db8::2 udp_sport 1 udp_dport 1 udp6_csum_tx on "
			       "udp6_csum_rx on",
			       &cmd, err),
			 0);
	assert_false(l2tp_api_has(t->present, L2TP_ATTR_UDP_ZERO_CSUM6_TX));
	assert_false(l2tp_api_has(t->present, L2TP_ATTR_UDP_ZERO_CSUM6_RX));

	/* encap ip: no ports needed, none sent */
	assert_int_equal(parse("add tunnel tunnel_id 1 peer_tunnel_id 2 encap ip "
			       "local 192.0.2.1 remote 192.0.2.2",
			       &cmd, err),
			 0);
	assert_int_equal(t->encap_type, L2TP_ENCAPTYPE_IP);
	assert_false(l2tp_api_has(t->present, L2TP_ATTR_UDP_SPORT));

	/* "any" takes the other end's family */
	assert_int_equal(parse("add tunnel tunnel_id 1 peer_tunnel_id 2 encap ip local any "
			       "remote 2001:db8::2",
			       &cmd, err),
			 0);
	assert_true(l2tp_api_has(t->present, L2TP_ATTR_IP6_SADDR));
	assert_memory_equal(&t->local_ip6, &in6addr_any, 16);

	/* hex and octal ids as iproute2's get_u32(…, 0) */
	assert_int_equal(parse("add tunnel tunnel_id 0x10 peer_tunnel_id 010 encap ip "
			       "local 192.0.2.1 remote 192.0.2.2",
			       &cmd, err),
			 0);
	assert_int_equal(t->conn_id, 16);
	assert_int_equal(t->peer_conn_id, 8);
	assert_int_equal(parse("add tunnel tunnel_id 4294967295 peer_tunnel_id 1 encap ip "
			       "local 192.0.2.1 remote 192.0.2.2",
			       &cmd, err),
			 0);
	assert_int_equal(t->conn_id, 4294967295u);
}

static void test_grammar_add_session(void **state)
{
	struct cli_cmd cmd;
	char err[CLI_ERRLEN];
	const struct l2tp_api_session *s = &cmd.session;

	assert_int_equal(parse("add session name l2tpeth7 tunnel_id 3000 session_id 1000 "
			       "peer_session_id 2000 cookie 0102030405060708 "
			       "peer_cookie A1B2C3D4 seq both l2spec_type none",
			       &cmd, err),
			 0);
	assert_true(cmd.obj_session);
	assert_false(cmd.obj_tunnel);
	assert_int_equal(s->conn_id, 3000);
	assert_int_equal(s->peer_conn_id, 0);
	assert_int_equal(s->session_id, 1000);
	assert_int_equal(s->peer_session_id, 2000);
	assert_int_equal(s->pw_type, L2TP_PWTYPE_ETH);
	assert_int_equal(s->cookie_len, 8);
	assert_memory_equal(s->cookie, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	assert_int_equal(s->peer_cookie_len, 4);
	assert_memory_equal(s->peer_cookie, "\xa1\xb2\xc3\xd4", 4);
	assert_int_equal(s->recv_seq, 1);
	assert_int_equal(s->send_seq, 1);
	assert_int_equal(s->l2spec_type, L2TP_L2SPECTYPE_NONE);
	assert_int_equal(s->l2spec_len, 0);
	assert_string_equal(s->ifname, "l2tpeth7");
	assert_true(l2tp_api_has(s->present, L2TP_ATTR_IFNAME));
	assert_int_equal(l2tp_api_check_required(L2TP_CMD_SESSION_CREATE, s->present, false, NULL),
			 0);

	/* defaults: l2spec default (len 4), no seq, no cookies, no name */
	assert_int_equal(parse("add session tid 1 sid 2 psid 3 ptid 4", &cmd, err), 0);
	assert_int_equal(s->l2spec_type, L2TP_L2SPECTYPE_DEFAULT);
	assert_int_equal(s->l2spec_len, 4);
	assert_int_equal(s->peer_conn_id, 4);
	assert_false(l2tp_api_has(s->present, L2TP_ATTR_RECV_SEQ));
	assert_false(l2tp_api_has(s->present, L2TP_ATTR_SEND_SEQ));
	assert_false(l2tp_api_has(s->present, L2TP_ATTR_COOKIE));
	assert_false(l2tp_api_has(s->present, L2TP_ATTR_IFNAME));

	assert_int_equal(parse("add session tid 1 sid 2 psid 3 seq send", &cmd, err), 0);
	assert_int_equal(s->send_seq, 1);
	assert_false(l2tp_api_has(s->present, L2TP_ATTR_RECV_SEQ));
	assert_int_equal(parse("add session tid 1 sid 2 psid 3 seq RECV", &cmd, err), 0);
	assert_int_equal(s->recv_seq, 1);
	assert_false(l2tp_api_has(s->present, L2TP_ATTR_SEND_SEQ));
	assert_int_equal(parse("add session tid 1 sid 2 psid 3 seq both seq none", &cmd, err), 0);
	assert_false(l2tp_api_has(s->present, L2TP_ATTR_SEND_SEQ));
	assert_int_equal(parse("add session tid 1 sid 2 psid 3 l2spec_type Default", &cmd, err), 0);
	assert_int_equal(s->l2spec_type, L2TP_L2SPECTYPE_DEFAULT);

	/* offset / peer_offset: accepted, ignored, warned about */
	assert_int_equal(parse("add session tid 1 sid 2 psid 3 offset 8 peer_offset 8", &cmd, err),
			 0);
	assert_int_equal(cmd.warnings, CLI_WARN_OFFSET | CLI_WARN_PEER_OFFSET);
	assert_false(l2tp_api_has(s->present, L2TP_ATTR_OFFSET));
}

static void test_grammar_add_both(void **state)
{
	struct cli_cmd cmd;
	char err[CLI_ERRLEN];

	assert_int_equal(parse("add tunnel session tunnel_id 1 peer_tunnel_id 2 encap ip "
			       "local 192.0.2.1 remote 192.0.2.2 session_id 3 peer_session_id 4",
			       &cmd, err),
			 0);
	assert_true(cmd.obj_tunnel && cmd.obj_session);
	assert_int_equal(cmd.session.peer_conn_id, 2);
}

static void test_grammar_del_show(void **state)
{
	struct cli_cmd cmd;
	char err[CLI_ERRLEN];

	assert_int_equal(parse("del tunnel tunnel_id 3000", &cmd, err), 0);
	assert_true(cmd.obj_tunnel);
	assert_int_equal(cmd.tunnel.present, BIT(L2TP_ATTR_CONN_ID));
	assert_int_equal(cmd.tunnel.conn_id, 3000);

	assert_int_equal(parse("del session tunnel_id 3000 session_id 1000", &cmd, err), 0);
	assert_true(cmd.obj_session);
	assert_int_equal(cmd.session.present, BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_SESSION_ID));
	assert_int_equal(cmd.session.session_id, 1000);

	/* a session_id means the session (iproute2) */
	assert_int_equal(parse("del tunnel tunnel_id 3 session_id 4", &cmd, err), 0);
	assert_true(cmd.obj_session);
	assert_false(cmd.obj_tunnel);

	assert_int_equal(parse("show tunnel", &cmd, err), 0);
	assert_true(cmd.obj_tunnel);
	assert_int_equal(cmd.tunnel_id, 0);
	assert_int_equal(parse("show tunnel tunnel_id 7", &cmd, err), 0);
	assert_int_equal(cmd.tunnel_id, 7);
	assert_int_equal(parse("show session tid 7 sid 9", &cmd, err), 0);
	assert_true(cmd.obj_session);
	assert_int_equal(cmd.tunnel_id, 7);
	assert_int_equal(cmd.session_id, 9);
	assert_int_equal(parse("show tunnel session", &cmd, err), 0);
	assert_true(cmd.obj_session);
	assert_false(cmd.obj_tunnel);
}

static void test_grammar_errors(void **state)
{
	static const struct {
		const char *line;
		const char *err;
	} e[] = {
	    {"frob", "Command \"frob\" is unknown, try \"l2tp help\"."},
	    {"add", "Error: argument \"tunnel or session\" is required"},
	    {"add tunnel_id 1", "Error: argument \"tunnel or session\" is required"},
	    {"add tunnel", "Error: argument \"tunnel_id\" is required"},
	    {"add tunnel bogus 1", "Unknown keyword \"bogus\", try \"l2tp help\""},
	    {"add tunnel tunnel_id", "Command line is not complete. Try option \"help\""},
	    {"add tunnel tunnel_id 1", "Error: argument \"peer_tunnel_id\" is required"},
	    {"add tunnel tunnel_id 1 peer_tunnel_id 2", "Error: argument \"local\" is required"},
	    {"add tunnel tunnel_id 1 peer_tunnel_id 2 local 192.0.2.1",
	     "Error: argument \"remote\" is required"},
	    {"add tunnel tunnel_id 1 peer_tunnel_id 2 local 192.0.2.1 remote 192.0.2.2",
	     "Error: argument \"udp_sport\" is required"},
	    {"add tunnel tunnel_id 1 peer_tunnel_id 2 local 192.0.2.1 remote 192.0.2.2 "
	     "udp_sport 1",
	     "Error: argument \"udp_dport\" is required"},
	    {"add tunnel tunnel_id 1 peer_tunnel_id 2 local 192.0.2.1 remote 192.0.2.2 "
	     "udp_sport 0 udp_dport 1",
	     "Error: argument \"udp_sport\" is required"},
	    {"add tunnel tunnel_id 1 peer_tunnel_id 2 local 192.0.2.1 remote 2001:db8::1 "
	     "encap ip",
	     "Error: local and remote addresses must be of the same family"},
	    {"add tunnel tunnel_id 0", "Error: argument \"0\" is wrong: invalid ID"},
	    {"add tunnel tunnel_id -1", "Error: argument \"-1\" is wrong: invalid ID"},
	    {"add tunnel tunnel_id 4294967296",
	     "Error: argument \"4294967296\" is wrong: invalid ID"},
	    {"add tunnel tunnel_id 12x", "Error: argument \"12x\" is wrong: invalid ID"},
	    {"add tunnel peer_tunnel_id abc", "Error: argument \"abc\" is wrong: invalid ID"},
	    {"add session session_id 0", "Error: argument \"0\" is wrong: invalid ID"},
	    {"add session peer_session_id 0x", "Error: argument \"0x\" is wrong: invalid ID"},
	    {"add tunnel udp_sport 65536", "Error: argument \"65536\" is wrong: invalid port"},
	    {"add tunnel udp_dport x", "Error: argument \"x\" is wrong: invalid port"},
	    {"add tunnel encap gre", "Unknown tunnel encapsulation \"gre\""},
	    {"add tunnel local 192.0.2.300",
	     "Error: argument \"192.0.2.300\" is wrong: invalid local address"},
	    {"add tunnel remote host", "Error: argument \"host\" is wrong: invalid remote address"},
	    {"add tunnel udp_csum yes",
	     "Error: argument \"yes\" is wrong: invalid option for udp_csum"},
	    {"add tunnel udp6_csum_tx 1",
	     "Error: argument \"1\" is wrong: invalid option for udp6_csum_tx"},
	    {"add tunnel udp6_csum_rx 0",
	     "Error: argument \"0\" is wrong: invalid option for udp6_csum_rx"},
	    {"add session cookie 0102",
	     "Error: argument \"0102\" is wrong: cookie must be either 8 or 16 hex digits"},
	    {"add session peer_cookie 010203040506070809",
	     "Error: argument \"010203040506070809\" is wrong: cookie must be either 8 or 16 "
	     "hex digits"},
	    {"add session cookie 0102030g",
	     "Error: argument \"0102030g\" is wrong: cookie must be a hex string"},
	    {"add session name a/b",
	     "Error: argument \"a/b\" is wrong: \"name\" not a valid ifname"},
	    {"add session name abcdefghijklmnop",
	     "Error: argument \"abcdefghijklmnop\" is wrong: \"name\" not a valid ifname"},
	    {"add session seq all", "Unknown seq value \"all\""},
	    {"add session l2spec_type vlan", "Unknown layer2specific header type \"vlan\""},
	    {"add session offset", "Command line is not complete. Try option \"help\""},
	    {"add session tunnel_id 1", "Error: argument \"peer_session_id\" is required"},
	    {"add session tunnel_id 1 peer_session_id 2",
	     "Error: argument \"session_id\" is required"},
	    {"add session session_id 1 peer_session_id 2",
	     "Error: argument \"tunnel_id\" is required"},
	    {"del", "Error: argument \"tunnel or session\" is required"},
	    {"del tunnel", "Error: argument \"tunnel_id\" is required"},
	    {"del session tunnel_id 1", "Error: argument \"session_id\" is required"},
	    {"del session session_id 1", "Error: argument \"tunnel_id\" is required"},
	    {"show", "Error: argument \"tunnel or session\" is required"},
	    {"show tunnel tunnel_id 0", "Error: argument \"0\" is wrong: invalid ID"},
	    {"show session session_id", "Command line is not complete. Try option \"help\""},
	};
	struct cli_cmd cmd;
	char err[CLI_ERRLEN];

	for (size_t i = 0; i < L2TP_ARRAY_SIZE(e); i++) {
		int rc = parse(e[i].line, &cmd, err);

		if (rc != -EINVAL || strcmp(err, e[i].err))
			fail_msg("\"%s\": rc %d, error \"%s\", expected \"%s\"", e[i].line, rc, err,
				 e[i].err);
		assert_null(strchr(err, '\n'));
	}
	assert_int_equal(cli_parse(0, NULL, &cmd, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "Command line is not complete. Try option \"help\"");
}

static void test_grammar_usage_text(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cli_usage(f);
	fclose(f);
	assert_non_null(strstr(buf, "Usage: l2tp add tunnel\n"
				    "          remote ADDR local ADDR\n"
				    "          tunnel_id ID peer_tunnel_id ID\n"));
	assert_non_null(
	    strstr(buf, "       l2tp show session [ tunnel_id ID ] [ session_id ID ]\n"));
	assert_non_null(strstr(buf, "       ID     := { 1..4294967295 }\n"));
	free(buf);
}

/* ---- printer ----------------------------------------------------------- */

struct capture {
	char *buf;
	size_t len;
	FILE *f;
	struct cli_printer p;
};

static void cap_open(struct capture *c, bool json, bool pretty, int stats)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	cli_print_init(&c->p, c->f, json, pretty, stats);
}

static void cap_check(struct capture *c, const char *expected)
{
	fclose(c->f);
	if (strcmp(c->buf, expected))
		fail_msg("got:\n%s\nexpected:\n%s", c->buf, expected);
	free(c->buf);
}

static void tunnel_v4(struct l2tp_api_tunnel *t)
{
	memset(t, 0, sizeof(*t));
	t->present = BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_PEER_CONN_ID) |
		     BIT(L2TP_ATTR_ENCAP_TYPE) | BIT(L2TP_ATTR_IP_SADDR) | BIT(L2TP_ATTR_IP_DADDR) |
		     BIT(L2TP_ATTR_UDP_SPORT) | BIT(L2TP_ATTR_UDP_DPORT) | BIT(L2TP_ATTR_UDP_CSUM);
	t->conn_id = 3000;
	t->peer_conn_id = 4000;
	t->encap_type = L2TP_ENCAPTYPE_UDP;
	inet_pton(AF_INET, "192.0.2.1", &t->local_ip);
	inet_pton(AF_INET, "198.51.100.2", &t->peer_ip);
	t->udp_sport = 5000;
	t->udp_dport = 6000;
}

static void session_full(struct l2tp_api_session *s)
{
	memset(s, 0, sizeof(*s));
	s->present = BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_PEER_CONN_ID) |
		     BIT(L2TP_ATTR_SESSION_ID) | BIT(L2TP_ATTR_PEER_SESSION_ID) |
		     BIT(L2TP_ATTR_IFNAME) | BIT(L2TP_ATTR_COOKIE) | BIT(L2TP_ATTR_PEER_COOKIE) |
		     BIT(L2TP_ATTR_RECV_SEQ) | BIT(L2TP_ATTR_SEND_SEQ) |
		     BIT(L2TP_ATTR_RECV_TIMEOUT);
	s->conn_id = 3000;
	s->peer_conn_id = 4000;
	s->session_id = 1000;
	s->peer_session_id = 2000;
	strcpy(s->ifname, "l2tpeth0");
	s->cookie_len = 4;
	memcpy(s->cookie, "\x01\x23\x45\x67", 4);
	s->peer_cookie_len = 8;
	memcpy(s->peer_cookie, "\x89\xab\xcd\xef\x01\x02\x03\x04", 8);
	s->recv_seq = 1;
	s->send_seq = 1;
	s->recv_timeout_ms = 100;
}

static void test_print_tunnel_text(void **state)
{
	struct capture c;
	struct l2tp_api_tunnel t;

	tunnel_v4(&t);
	cap_open(&c, false, false, 0);
	cli_print_begin(&c.p);
	cli_print_tunnel(&c.p, &t);
	t.encap_type = L2TP_ENCAPTYPE_IP;
	t.conn_id = 1;
	cli_print_tunnel(&c.p, &t);
	cli_print_end(&c.p);
	cap_check(&c, "Tunnel 3000, encap UDP\n"
		      "  From 192.0.2.1 to 198.51.100.2\n"
		      "  Peer tunnel 4000\n"
		      "  UDP source / dest ports: 5000/6000\n"
		      "  UDP checksum: disabled\n"
		      "Tunnel 1, encap IP\n"
		      "  From 192.0.2.1 to 198.51.100.2\n"
		      "  Peer tunnel 4000\n");
}

static void test_print_tunnel_v6_checksums(void **state)
{
	static const struct {
		bool ztx, zrx;
		const char *word;
	} v[] = {
	    {false, false, "enabled"},
	    {false, true, "tx"},
	    {true, false, "rx"},
	    {true, true, "disabled"},
	};
	struct l2tp_api_tunnel t;

	for (size_t i = 0; i < L2TP_ARRAY_SIZE(v); i++) {
		struct capture c;
		char want[512];

		memset(&t, 0, sizeof(t));
		t.present = BIT(L2TP_ATTR_IP6_SADDR) | BIT(L2TP_ATTR_IP6_DADDR);
		t.conn_id = 5;
		t.peer_conn_id = 6;
		inet_pton(AF_INET6, "2001:db8::1", &t.local_ip6);
		inet_pton(AF_INET6, "2001:db8::2", &t.peer_ip6);
		t.udp_sport = t.udp_dport = 1701;
		t.udp_zero_csum6_tx = v[i].ztx;
		t.udp_zero_csum6_rx = v[i].zrx;
		cap_open(&c, false, false, 0);
		cli_print_tunnel(&c.p, &t);
		snprintf(want, sizeof(want),
			 "Tunnel 5, encap UDP\n"
			 "  From 2001:db8::1 to 2001:db8::2\n"
			 "  Peer tunnel 6\n"
			 "  UDP source / dest ports: 1701/1701\n"
			 "  UDP checksum: %s\n",
			 v[i].word);
		cap_check(&c, want);
	}
}

static void test_print_tunnel_json(void **state)
{
	struct capture c;
	struct l2tp_api_tunnel t;

	tunnel_v4(&t);
	t.udp_csum = 1;
	cap_open(&c, true, false, 0);
	cli_print_begin(&c.p);
	cli_print_tunnel(&c.p, &t);
	cli_print_tunnel(&c.p, &t);
	cli_print_end(&c.p);
	cap_check(&c, "[{\"tunnel_id\":3000,\"encap\":\"UDP\",\"local\":\"192.0.2.1\","
		      "\"peer\":\"198.51.100.2\",\"peer_tunnel\":4000,\"local_port\":5000,"
		      "\"peer_port\":6000,\"checksum\":true},"
		      "{\"tunnel_id\":3000,\"encap\":\"UDP\",\"local\":\"192.0.2.1\","
		      "\"peer\":\"198.51.100.2\",\"peer_tunnel\":4000,\"local_port\":5000,"
		      "\"peer_port\":6000,\"checksum\":true}]\n");

	/* IPv6 keys, IP encap without ports */
	memset(&t, 0, sizeof(t));
	t.present = BIT(L2TP_ATTR_IP6_SADDR) | BIT(L2TP_ATTR_IP6_DADDR);
	t.conn_id = 1;
	t.peer_conn_id = 2;
	t.udp_zero_csum6_rx = true;
	cap_open(&c, true, false, 0);
	cli_print_begin(&c.p);
	cli_print_tunnel(&c.p, &t);
	t.encap_type = L2TP_ENCAPTYPE_IP;
	cli_print_tunnel(&c.p, &t);
	cli_print_end(&c.p);
	cap_check(&c, "[{\"tunnel_id\":1,\"encap\":\"UDP\",\"local\":\"::\",\"peer\":\"::\","
		      "\"peer_tunnel\":2,\"local_port\":0,\"peer_port\":0,\"checksum_tx\":true,"
		      "\"checksum_rx\":false},{\"tunnel_id\":1,\"encap\":\"IP\",\"local\":\"::\","
		      "\"peer\":\"::\",\"peer_tunnel\":2}]\n");
}

static void test_print_json_pretty_and_empty(void **state)
{
	struct capture c;
	struct l2tp_api_tunnel t;

	tunnel_v4(&t);
	t.encap_type = L2TP_ENCAPTYPE_IP;
	cap_open(&c, true, true, 0);
	cli_print_begin(&c.p);
	cli_print_tunnel(&c.p, &t);
	cli_print_tunnel(&c.p, &t);
	cli_print_end(&c.p);
	cap_check(&c, "[ {\n"
		      "        \"tunnel_id\": 3000,\n"
		      "        \"encap\": \"IP\",\n"
		      "        \"local\": \"192.0.2.1\",\n"
		      "        \"peer\": \"198.51.100.2\",\n"
		      "        \"peer_tunnel\": 4000\n"
		      "    },{\n"
		      "        \"tunnel_id\": 3000,\n"
		      "        \"encap\": \"IP\",\n"
		      "        \"local\": \"192.0.2.1\",\n"
		      "        \"peer\": \"198.51.100.2\",\n"
		      "        \"peer_tunnel\": 4000\n"
		      "    } ]\n");

	cap_open(&c, true, false, 0);
	cli_print_begin(&c.p);
	cli_print_end(&c.p);
	cap_check(&c, "[]\n");
	cap_open(&c, true, true, 0);
	cli_print_begin(&c.p);
	cli_print_end(&c.p);
	cap_check(&c, "[ ]\n");
	/* text mode: begin/end print nothing */
	cap_open(&c, false, false, 0);
	cli_print_begin(&c.p);
	cli_print_end(&c.p);
	cap_check(&c, "");
}

static void test_print_session_text(void **state)
{
	struct capture c;
	struct l2tp_api_session s;

	session_full(&s);
	cap_open(&c, false, false, 0);
	cli_print_session(&c.p, &s);
	cap_check(&c, "Session 1000 in tunnel 3000\n"
		      "  Peer session 2000, tunnel 4000\n"
		      "  interface name: l2tpeth0\n"
		      "  offset 0, peer offset 0\n"
		      "  cookie 01234567  peer cookie 89abcdef01020304  reorder timeout: 100\n"
		      "  sequence numbering: send recv\n");

	/* minimal: iproute2 ends a session with an empty line */
	memset(&s, 0, sizeof(s));
	s.session_id = 1;
	s.conn_id = 2;
	s.peer_session_id = 3;
	s.peer_conn_id = 4;
	cap_open(&c, false, false, 0);
	cli_print_session(&c.p, &s);
	cap_check(&c, "Session 1 in tunnel 2\n"
		      "  Peer session 3, tunnel 4\n"
		      "  offset 0, peer offset 0\n"
		      "\n");

	s.recv_seq = 1;
	cap_open(&c, false, false, 0);
	cli_print_session(&c.p, &s);
	cap_check(&c, "Session 1 in tunnel 2\n"
		      "  Peer session 3, tunnel 4\n"
		      "  offset 0, peer offset 0\n"
		      "\n"
		      "  sequence numbering: recv\n");
}

static void test_print_session_json(void **state)
{
	struct capture c;
	struct l2tp_api_session s;

	session_full(&s);
	cap_open(&c, true, false, 0);
	cli_print_begin(&c.p);
	cli_print_session(&c.p, &s);
	cli_print_end(&c.p);
	cap_check(&c, "[{\"session_id\":1000,\"tunnel_id\":3000,\"peer_session_id\":2000,"
		      "\"peer_tunnel_id\":4000,\"interface\":\"l2tpeth0\",\"cookie\":\"01234567\","
		      "\"peer_cookie\":\"89abcdef01020304\",\"reorder_timeout\":100,"
		      "\"send_seq\":null,\"recv_seq\":null}]\n");

	/* strings are escaped */
	memset(&s, 0, sizeof(s));
	s.present = BIT(L2TP_ATTR_IFNAME);
	strcpy(s.ifname, "a\"b\\c");
	cap_open(&c, true, false, 0);
	cli_print_begin(&c.p);
	cli_print_session(&c.p, &s);
	cli_print_end(&c.p);
	cap_check(&c, "[{\"session_id\":0,\"tunnel_id\":0,\"peer_session_id\":0,"
		      "\"peer_tunnel_id\":0,\"interface\":\"a\\\"b\\\\c\"}]\n");
}

static void test_print_stats(void **state)
{
	struct capture c;
	struct l2tp_api_session s;
	struct l2tp_api_tunnel t;

	memset(&s, 0, sizeof(s));
	s.present = BIT(L2TP_ATTR_STATS);
	s.session_id = 1;
	s.stats.rx_packets = 10;
	s.stats.rx_bytes = 1000;
	s.stats.rx_errors = 1;
	s.stats.rx_seq_discards = 2;
	s.stats.rx_oos_packets = 3;
	s.stats.rx_cookie_discards = 4;
	s.stats.rx_invalid = 5;
	s.stats.tx_packets = 20;
	s.stats.tx_bytes = 2000;
	s.stats.tx_errors = 6;

	/* without -s: no counters */
	cap_open(&c, false, false, 0);
	cli_print_session(&c.p, &s);
	cap_check(&c, "Session 1 in tunnel 0\n"
		      "  Peer session 0, tunnel 0\n"
		      "  offset 0, peer offset 0\n"
		      "\n");
	cap_open(&c, false, false, 1);
	cli_print_session(&c.p, &s);
	cap_check(&c, "Session 1 in tunnel 0\n"
		      "  Peer session 0, tunnel 0\n"
		      "  offset 0, peer offset 0\n"
		      "\n"
		      "  RX packets 10 bytes 1000 errors 1 seq_discards 2 oos_packets 3 "
		      "cookie_discards 4 invalid 5\n"
		      "  TX packets 20 bytes 2000 errors 6\n");

	tunnel_v4(&t);
	t.encap_type = L2TP_ENCAPTYPE_IP;
	t.present |= BIT(L2TP_ATTR_STATS);
	t.stats = s.stats;
	cap_open(&c, true, false, 2);
	cli_print_begin(&c.p);
	cli_print_tunnel(&c.p, &t);
	cli_print_end(&c.p);
	cap_check(&c, "[{\"tunnel_id\":3000,\"encap\":\"IP\",\"local\":\"192.0.2.1\","
		      "\"peer\":\"198.51.100.2\",\"peer_tunnel\":4000,\"stats\":{"
		      "\"rx_packets\":10,\"rx_bytes\":1000,\"rx_errors\":1,\"rx_seq_discards\":2,"
		      "\"rx_oos_packets\":3,\"rx_cookie_discards\":4,\"rx_invalid\":5,"
		      "\"tx_packets\":20,\"tx_bytes\":2000,\"tx_errors\":6}}]\n");
}

/* ---- errno sentences --------------------------------------------------- */

static void test_explain(void **state)
{
	struct cli_cmd cmd;
	char err[CLI_ERRLEN];

	memset(&cmd, 0, sizeof(cmd));
	cmd.tunnel_id = 3000;
	cmd.session_id = 1000;
	cli_explain(-EEXIST, L2TP_CMD_TUNNEL_CREATE, &cmd, err, sizeof(err));
	assert_string_equal(err, "tunnel 3000 already exists");
	cli_explain(-EEXIST, L2TP_CMD_SESSION_CREATE, &cmd, err, sizeof(err));
	assert_string_equal(err, "session 1000 in tunnel 3000 already exists");
	cli_explain(-ENODEV, L2TP_CMD_SESSION_CREATE, &cmd, err, sizeof(err));
	assert_string_equal(err, "tunnel 3000 does not exist");
	cli_explain(-ENODEV, L2TP_CMD_TUNNEL_DELETE, &cmd, err, sizeof(err));
	assert_string_equal(err, "tunnel 3000 does not exist");
	cli_explain(-ENODEV, L2TP_CMD_SESSION_DELETE, &cmd, err, sizeof(err));
	assert_string_equal(err, "session 1000 in tunnel 3000 does not exist");
	cli_explain(-EPROTONOSUPPORT, L2TP_CMD_SESSION_CREATE, &cmd, err, sizeof(err));
	assert_non_null(strstr(err, "pseudowire type not supported"));
	cli_explain(-EADDRINUSE, L2TP_CMD_TUNNEL_CREATE, &cmd, err, sizeof(err));
	assert_string_equal(err, "tunnel 3000: local address and port already in use");
	cli_explain(-EPERM, L2TP_CMD_TUNNEL_DELETE, &cmd, err, sizeof(err));
	assert_string_equal(err,
			    "TUNNEL_DELETE: Operation not permitted (CAP_NET_ADMIN is needed)");
	cli_explain(-ETIMEDOUT, L2TP_CMD_TUNNEL_GET, &cmd, err, sizeof(err));
	assert_string_equal(err, "TUNNEL_GET: no answer from l2tpd");
	cli_explain(-EINVAL, L2TP_CMD_TUNNEL_CREATE, &cmd, err, sizeof(err));
	assert_string_equal(err, "TUNNEL_CREATE failed: Invalid argument");
}

/* ---- whole commands against a scripted server -------------------------- */

union msgbuf {
	uint64_t align;
	uint8_t b[L2TP_API_MSG_MAX];
};

struct fake {
	int sv[2]; /* [0] client (cli_conn), [1] the scripted server */
	struct cli_conn c;
};

static void fake_open(struct fake *f)
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, f->sv), 0);
	memset(&f->c, 0, sizeof(f->c));
	f->c.fd = f->sv[0];
	f->c.family = L2TP_API_FAMILY_ID;
	f->c.seq = 100; /* the next request carries seq 101 */
}

static void fake_close(struct fake *f)
{
	cli_close(&f->c);
	close(f->sv[1]);
}

/* Queue an answer datagram before the client asks (socket buffers hold it). */
static void fake_answer(struct fake *f, const void *buf, size_t len)
{
	assert_int_equal(send(f->sv[1], buf, len, 0), (ssize_t)len);
}

static void fake_error(struct fake *f, uint32_t seq, int err)
{
	union msgbuf m;
	struct nlmsghdr req = {.nlmsg_len = NLMSG_HDRLEN, .nlmsg_seq = seq};
	int len = l2tp_api_build_error(m.b, sizeof(m.b), &req, err);

	assert_true(len > 0);
	fake_answer(f, m.b, (size_t)len);
}

/* Read the request the client sent. */
static struct nlmsghdr *fake_request(struct fake *f, union msgbuf *m)
{
	ssize_t n = recv(f->sv[1], m->b, sizeof(m->b), MSG_DONTWAIT);
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->b;

	assert_true(n > 0);
	assert_true(l2tp_api_msg_ok(nlh, (size_t)n));
	return nlh;
}

static void test_run_add_tunnel_ack_and_eexist(void **state)
{
	struct fake f;
	struct cli_cmd cmd;
	struct cli_opts o = {0};
	char err[CLI_ERRLEN];
	union msgbuf m;
	struct nlmsghdr *req;
	struct l2tp_api_tunnel t;

	assert_int_equal(parse("add tunnel tunnel_id 3000 peer_tunnel_id 4000 local 192.0.2.1 "
			       "remote 192.0.2.2 udp_sport 1701 udp_dport 1701",
			       &cmd, err),
			 0);
	fake_open(&f);
	fake_error(&f, 101, 0);
	assert_int_equal(cli_run(&f.c, &o, &cmd, stdout, err, sizeof(err)), 0);
	req = fake_request(&f, &m);
	assert_int_equal(req->nlmsg_type, L2TP_API_FAMILY_ID);
	assert_int_equal(req->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(req->nlmsg_seq, 101);
	assert_int_equal(l2tp_api_msg_cmd(req), L2TP_CMD_TUNNEL_CREATE);
	assert_int_equal(l2tp_api_parse_tunnel(req, &t, NULL), 0);
	assert_int_equal(t.present, cmd.tunnel.present);
	assert_int_equal(t.conn_id, 3000);
	assert_int_equal(t.udp_dport, 1701);

	fake_error(&f, 102, -EEXIST);
	assert_int_equal(cli_run(&f.c, &o, &cmd, stdout, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "tunnel 3000 already exists");
	fake_close(&f);
}

static void test_run_add_session_and_del(void **state)
{
	struct fake f;
	struct cli_cmd cmd;
	struct cli_opts o = {0};
	char err[CLI_ERRLEN];
	union msgbuf m;
	struct nlmsghdr *req;
	struct l2tp_api_session s;

	assert_int_equal(parse("add session tunnel_id 3000 session_id 1000 peer_session_id 2000 "
			       "cookie 01020304",
			       &cmd, err),
			 0);
	fake_open(&f);
	fake_error(&f, 101, -ENODEV);
	assert_int_equal(cli_run(&f.c, &o, &cmd, stdout, err, sizeof(err)), -ENODEV);
	assert_string_equal(err, "tunnel 3000 does not exist");
	req = fake_request(&f, &m);
	assert_int_equal(l2tp_api_msg_cmd(req), L2TP_CMD_SESSION_CREATE);
	assert_int_equal(l2tp_api_parse_session(req, &s, NULL), 0);
	assert_int_equal(s.pw_type, L2TP_PWTYPE_ETH);
	assert_int_equal(s.cookie_len, 4);

	assert_int_equal(parse("del session tunnel_id 3000 session_id 1000", &cmd, err), 0);
	fake_error(&f, 102, 0);
	assert_int_equal(cli_run(&f.c, &o, &cmd, stdout, err, sizeof(err)), 0);
	req = fake_request(&f, &m);
	assert_int_equal(l2tp_api_msg_cmd(req), L2TP_CMD_SESSION_DELETE);
	assert_int_equal(l2tp_api_parse_session(req, &s, NULL), 0);
	assert_int_equal(s.present, BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_SESSION_ID));

	assert_int_equal(parse("del tunnel tunnel_id 3000", &cmd, err), 0);
	fake_error(&f, 103, -ENODEV);
	assert_int_equal(cli_run(&f.c, &o, &cmd, stdout, err, sizeof(err)), -ENODEV);
	assert_string_equal(err, "tunnel 3000 does not exist");
	fake_close(&f);
}

static void test_run_show_dump_filtered(void **state)
{
	struct fake f;
	struct cli_cmd cmd;
	struct cli_opts o = {.json = true};
	char err[CLI_ERRLEN];
	union msgbuf m, a;
	struct nlmsghdr *req, *nlh;
	struct l2tp_api_tunnel t;
	size_t off = 0;
	char *out = NULL;
	size_t outlen = 0;
	FILE *fo;
	int len;

	/* two tunnels in one datagram, then NLMSG_DONE in another */
	for (uint32_t id = 1; id <= 2; id++) {
		nlh = l2tp_api_msg_start(a.b + off, sizeof(a.b) - off, L2TP_API_FAMILY_ID,
					 L2TP_CMD_TUNNEL_GET, NLM_F_MULTI, 101);
		tunnel_v4(&t);
		t.encap_type = L2TP_ENCAPTYPE_IP;
		t.conn_id = id;
		assert_int_equal(l2tp_api_put_tunnel(nlh, sizeof(a.b) - off, &t), 0);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	assert_int_equal(parse("show tunnel tunnel_id 2", &cmd, err), 0);
	fake_open(&f);
	fake_answer(&f, a.b, off);
	len = l2tp_api_build_done(a.b, sizeof(a.b), &(struct nlmsghdr){.nlmsg_seq = 101});
	fake_answer(&f, a.b, (size_t)len);
	fo = open_memstream(&out, &outlen);
	assert_int_equal(cli_run(&f.c, &o, &cmd, fo, err, sizeof(err)), 0);
	fclose(fo);
	assert_string_equal(out, "[{\"tunnel_id\":2,\"encap\":\"IP\",\"local\":\"192.0.2.1\","
				 "\"peer\":\"198.51.100.2\",\"peer_tunnel\":4000}]\n");
	free(out);
	req = fake_request(&f, &m);
	assert_int_equal(req->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(l2tp_api_msg_cmd(req), L2TP_CMD_TUNNEL_GET);

	/* a malformed dump message ends the dump with an error */
	nlh = l2tp_api_msg_start(a.b, sizeof(a.b), L2TP_API_FAMILY_ID, L2TP_CMD_TUNNEL_GET,
				 NLM_F_MULTI, 102);
	mnl_attr_put_u16(nlh, L2TP_ATTR_CONN_ID, 1);
	fake_answer(&f, a.b, nlh->nlmsg_len);
	fo = open_memstream(&out, &outlen);
	assert_int_equal(cli_run(&f.c, &o, &cmd, fo, err, sizeof(err)), -EPROTO);
	fclose(fo);
	free(out);
	assert_string_equal(err, "Dump terminated: malformed answer");
	fake_close(&f);
}

static void test_run_show_sessions_text(void **state)
{
	struct fake f;
	struct cli_cmd cmd;
	struct cli_opts o = {0};
	char err[CLI_ERRLEN];
	union msgbuf a;
	struct nlmsghdr *nlh;
	struct l2tp_api_session s;
	char *out = NULL;
	size_t outlen = 0;
	FILE *fo;
	int len;

	fake_open(&f);
	for (uint32_t sid = 1; sid <= 3; sid++) {
		nlh = l2tp_api_msg_start(a.b, sizeof(a.b), L2TP_API_FAMILY_ID, L2TP_CMD_SESSION_GET,
					 NLM_F_MULTI, 101);
		memset(&s, 0, sizeof(s));
		s.present = BIT(L2TP_ATTR_CONN_ID) | BIT(L2TP_ATTR_SESSION_ID);
		s.conn_id = sid == 3 ? 9 : 7;
		s.session_id = sid;
		assert_int_equal(l2tp_api_put_session(nlh, sizeof(a.b), &s), 0);
		fake_answer(&f, a.b, nlh->nlmsg_len);
	}
	len = l2tp_api_build_done(a.b, sizeof(a.b), &(struct nlmsghdr){.nlmsg_seq = 101});
	fake_answer(&f, a.b, (size_t)len);
	assert_int_equal(parse("show session tunnel_id 7", &cmd, err), 0);
	fo = open_memstream(&out, &outlen);
	assert_int_equal(cli_run(&f.c, &o, &cmd, fo, err, sizeof(err)), 0);
	fclose(fo);
	assert_string_equal(out, "Session 1 in tunnel 7\n"
				 "  Peer session 0, tunnel 0\n"
				 "  offset 0, peer offset 0\n"
				 "\n"
				 "Session 2 in tunnel 7\n"
				 "  Peer session 0, tunnel 0\n"
				 "  offset 0, peer offset 0\n"
				 "\n");
	free(out);
	fake_close(&f);
}

static void test_run_server_gone(void **state)
{
	struct fake f;
	struct cli_cmd cmd;
	struct cli_opts o = {0};
	char err[CLI_ERRLEN];

	assert_int_equal(parse("del tunnel tunnel_id 3", &cmd, err), 0);
	fake_open(&f);
	shutdown(f.sv[1], SHUT_WR); /* the server closes without answering */
	assert_int_equal(cli_run(&f.c, &o, &cmd, stdout, err, sizeof(err)), -ECONNRESET);
	fake_close(&f);
}

static void test_connect_errors(void **state)
{
	struct cli_conn c;
	char err[CLI_ERRLEN];
	char longpath[200];

	assert_int_equal(cli_connect(&c, "/nonexistent/l2tpd.sock", NULL, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "cannot talk to l2tpd: no socket at /nonexistent/l2tpd.sock "
				 "(is l2tpd running?)");
	assert_int_equal(c.fd, -1);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(cli_connect(&c, longpath, NULL, err, sizeof(err)), -ENAMETOOLONG);
	assert_non_null(strstr(err, "socket path too long"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_grammar_help),
	    cmocka_unit_test(test_grammar_verb_prefixes),
	    cmocka_unit_test(test_grammar_add_tunnel_v4_udp),
	    cmocka_unit_test(test_grammar_add_tunnel_options),
	    cmocka_unit_test(test_grammar_add_session),
	    cmocka_unit_test(test_grammar_add_both),
	    cmocka_unit_test(test_grammar_del_show),
	    cmocka_unit_test(test_grammar_errors),
	    cmocka_unit_test(test_grammar_usage_text),
	    cmocka_unit_test(test_print_tunnel_text),
	    cmocka_unit_test(test_print_tunnel_v6_checksums),
	    cmocka_unit_test(test_print_tunnel_json),
	    cmocka_unit_test(test_print_json_pretty_and_empty),
	    cmocka_unit_test(test_print_session_text),
	    cmocka_unit_test(test_print_session_json),
	    cmocka_unit_test(test_print_stats),
	    cmocka_unit_test(test_explain),
	    cmocka_unit_test(test_run_add_tunnel_ack_and_eexist),
	    cmocka_unit_test(test_run_add_session_and_del),
	    cmocka_unit_test(test_run_show_dump_filtered),
	    cmocka_unit_test(test_run_show_sessions_text),
	    cmocka_unit_test(test_run_server_gone),
	    cmocka_unit_test(test_connect_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
