// SPDX-License-Identifier: MIT
/*
 * fuzz_conf.c - bytes as a configuration file (l2tpd.conf(5)): each line
 * through cli_split_line() and the grammar; every "add" that parses is
 * formatted as "show config" would print it, and that line must parse
 * again into the same object and format to the same text (the round trip
 * "show config" promises). The same bytes also go through the reader of
 * l2tpd's own family's messages (cli_minfo_parse). The CLI sources are
 * compiled in directly (mk/fuzz.mk links lib/ only).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "../cli/format.c"
#include "../cli/grammar.c"
#include "../cli/minfo.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXW 64

static void format(const struct cli_cmd *c, char *out, size_t cap)
{
	struct cli_sbuf b = {out, cap, 0};

	out[0] = '\0';
	cli_fmt_cmd(&b, c, true);
}

static void roundtrip(const struct cli_cmd *c)
{
	static char text[8192], again[8192], copy[8192];
	char *argv[MAXW], err[CLI_ERRLEN];
	struct cli_cmd d;
	int n;

	format(c, text, sizeof(text));
	memcpy(copy, text, sizeof(copy));
	n = cli_split_line(copy, argv, MAXW, err, sizeof(err));
	if (n <= 0 || cli_parse(n, argv, &d, err, sizeof(err)) != 0 || d.verb != CLI_VERB_ADD)
		abort(); /* a printed line must load */
	format(&d, again, sizeof(again));
	if (strcmp(text, again) || d.m.tunnel != c->m.tunnel || d.m.session != c->m.session ||
	    d.tunnel.conn_id != c->tunnel.conn_id || d.session.conn_id != c->session.conn_id ||
	    strcmp(d.m.secret, c->m.secret) || strcmp(d.m.remote_end_id, c->m.remote_end_id))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[4097];
	static union {
		uint64_t align;
		uint8_t b[4096];
	} msg;
	struct cli_minfo mi;
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	char *line, *next;

	/* As a message of l2tpd's family (its length field trusted only when it fits). */
	if (size >= NLMSG_HDRLEN && size <= sizeof(msg.b)) {
		memcpy(msg.b, data, size);
		if (l2tp_api_msg_ok((struct nlmsghdr *)msg.b, size) &&
		    cli_minfo_parse(&mi, (struct nlmsghdr *)msg.b) == 0) {
			for (int i = 0; i <= L2TPD_ATTR_MAX; i++)
				if (mi.tb[i])
					(void)cli_attr_uint(mi.tb[i]);
			free(mi.msg);
		}
	}
	memcpy(text, data, n);
	text[n] = '\0';
	for (line = text; line; line = next) {
		char *argv[MAXW], err[CLI_ERRLEN];
		struct cli_cmd cmd;
		int argc;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		argc = cli_split_line(line, argv, MAXW, err, sizeof(err));
		if (argc <= 0)
			continue;
		if (cli_parse(argc, argv, &cmd, err, sizeof(err)) == 0 && cmd.verb == CLI_VERB_ADD &&
		    !(cmd.obj_tunnel && cmd.obj_session))
			roundtrip(&cmd);
	}
	return 0;
}
