// SPDX-License-Identifier: MIT
/*
 * fuzz_cli.c - bytes as an l2tp(8) command line (words split on blanks)
 * through the ip-l2tp(8) grammar; a parsed command's requests are encoded
 * and parsed back, and must carry the same attributes. The grammar is
 * compiled into this target directly (mk/fuzz.mk links lib/ only).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "../cli/grammar.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXW 64

static void roundtrip(const struct cli_cmd *cmd)
{
	static union {
		uint64_t align;
		uint8_t b[1024];
	} buf;
	struct nlmsghdr *nlh;
	struct l2tp_api_tunnel t;
	struct l2tp_api_session s;

	if (cmd->obj_tunnel && cmd->tunnel.present) {
		nlh = l2tp_api_msg_start(buf.b, sizeof(buf.b), L2TP_API_FAMILY_ID,
					 L2TP_CMD_TUNNEL_CREATE, NLM_F_REQUEST | NLM_F_ACK, 1);
		if (l2tp_api_put_tunnel(nlh, sizeof(buf.b), &cmd->tunnel) < 0 ||
		    l2tp_api_parse_tunnel(nlh, &t, NULL) < 0 || t.present != cmd->tunnel.present ||
		    t.conn_id != cmd->tunnel.conn_id)
			abort();
		if (cmd->verb == CLI_VERB_ADD &&
		    l2tp_api_check_required(L2TP_CMD_TUNNEL_CREATE, t.present, false, NULL) < 0)
			abort(); /* the grammar must never build a request l2tpd refuses */
	}
	if (cmd->obj_session && cmd->session.present) {
		nlh = l2tp_api_msg_start(buf.b, sizeof(buf.b), L2TP_API_FAMILY_ID,
					 L2TP_CMD_SESSION_CREATE, NLM_F_REQUEST | NLM_F_ACK, 1);
		if (l2tp_api_put_session(nlh, sizeof(buf.b), &cmd->session) < 0 ||
		    l2tp_api_parse_session(nlh, &s, NULL) < 0 ||
		    s.present != cmd->session.present || s.session_id != cmd->session.session_id ||
		    strcmp(s.ifname, cmd->session.ifname))
			abort();
		if (cmd->verb == CLI_VERB_ADD &&
		    l2tp_api_check_required(L2TP_CMD_SESSION_CREATE, s.present, false, NULL) < 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[4097];
	char *argv[MAXW];
	char err[CLI_ERRLEN];
	struct cli_cmd cmd;
	int argc = 0, rc;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (char *tok = strtok(text, " \t\n"); tok && argc < MAXW; tok = strtok(NULL, " \t\n"))
		argv[argc++] = tok;
	rc = cli_parse(argc, argv, &cmd, err, sizeof(err));
	if (rc < 0 && (!err[0] || strchr(err, '\n')))
		abort(); /* every refusal says why, on one line */
	if (rc == 0)
		roundtrip(&cmd);
	return 0;
}
