// SPDX-License-Identifier: MIT
/*
 * cmd.c - run a parsed command: build its requests (TUNNEL_CREATE, ...),
 * talk to l2tpd or the kernel, print what comes back, and turn the errno of
 * a refusal into a sentence naming the object ("tunnel 3000 already
 * exists").
 */
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "cli.h"

#define CLI_TX_BUF 1024

void cli_explain(int rc, uint8_t genl_cmd, const struct cli_cmd *cmd, char *err, size_t errlen)
{
	uint32_t tid = cmd->tunnel_id, sid = cmd->session_id;
	int e = -rc;

	switch (genl_cmd) {
	case L2TP_CMD_TUNNEL_CREATE:
		if (e == EEXIST) {
			snprintf(err, errlen, "tunnel %u already exists", tid);
			return;
		}
		if (e == EADDRINUSE) {
			snprintf(err, errlen, "tunnel %u: local address and port already in use",
				 tid);
			return;
		}
		break;
	case L2TP_CMD_SESSION_CREATE:
		if (e == EEXIST) {
			snprintf(err, errlen, "session %u in tunnel %u already exists", sid, tid);
			return;
		}
		if (e == ENODEV || e == ENOENT) {
			snprintf(err, errlen, "tunnel %u does not exist", tid);
			return;
		}
		if (e == EPROTONOSUPPORT) {
			snprintf(err, errlen,
				 "session %u: pseudowire type not supported by tunnel %u "
				 "(L2TPv2 carries PPP only)",
				 sid, tid);
			return;
		}
		break;
	case L2TP_CMD_TUNNEL_DELETE:
		if (e == ENODEV || e == ENOENT) {
			snprintf(err, errlen, "tunnel %u does not exist", tid);
			return;
		}
		break;
	case L2TP_CMD_SESSION_DELETE:
		if (e == ENODEV || e == ENOENT) {
			snprintf(err, errlen, "session %u in tunnel %u does not exist", sid, tid);
			return;
		}
		break;
	default:
		break;
	}
	if (e == EPERM || e == EACCES) {
		snprintf(err, errlen, "%s: %s (CAP_NET_ADMIN is needed)",
			 l2tp_api_cmd_name(genl_cmd), strerror(e));
		return;
	}
	if (e == ETIMEDOUT) {
		snprintf(err, errlen, "%s: no answer from l2tpd", l2tp_api_cmd_name(genl_cmd));
		return;
	}
	snprintf(err, errlen, "%s failed: %s", l2tp_api_cmd_name(genl_cmd), strerror(e));
}

struct show_ctx {
	struct cli_printer *pr;
	const struct cli_cmd *cmd;
	struct cli_mlist ml; /* managed state from l2tpd's family */
};

static int show_tunnel_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct show_ctx *x = arg;
	struct l2tp_api_tunnel t;

	if (l2tp_api_parse_tunnel(nlh, &t, NULL) < 0)
		return -EPROTO;
	/* the kernel's dump ignores filters: select here (as ip l2tp must) */
	if (x->cmd->tunnel_id && t.conn_id != x->cmd->tunnel_id)
		return 0;
	x->pr->mi = cli_mlist_find(&x->ml, t.conn_id, 0);
	cli_print_tunnel(x->pr, &t);
	x->pr->mi = NULL;
	return 0;
}

static int show_session_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct show_ctx *x = arg;
	struct l2tp_api_session s;

	if (l2tp_api_parse_session(nlh, &s, NULL) < 0)
		return -EPROTO;
	if (x->cmd->tunnel_id && s.conn_id != x->cmd->tunnel_id)
		return 0;
	if (x->cmd->session_id && s.session_id != x->cmd->session_id)
		return 0;
	x->pr->mi = cli_mlist_find(&x->ml, s.conn_id, s.session_id);
	if (x->pr->mi)
		((struct cli_minfo *)x->pr->mi)->printed = true;
	cli_print_session(x->pr, &s);
	x->pr->mi = NULL;
	return 0;
}

static int request(struct cli_conn *c, const struct cli_cmd *cmd, uint8_t genl_cmd,
		   const struct l2tp_api_tunnel *t, const struct l2tp_api_session *s, char *err,
		   size_t errlen)
{
	union {
		uint64_t align;
		uint8_t b[CLI_TX_BUF];
	} buf;
	struct nlmsghdr *nlh = l2tp_api_msg_start(buf.b, sizeof(buf.b), c->family, genl_cmd,
						  NLM_F_REQUEST | NLM_F_ACK, 0);
	int rc = t ? l2tp_api_put_tunnel(nlh, sizeof(buf.b), t)
		   : l2tp_api_put_session(nlh, sizeof(buf.b), s);

	if (rc == 0)
		rc = cli_talk(c, nlh, NULL, NULL);
	/* l2tpd (and the kernel, at times) says why in an extended ack. */
	if (rc < 0 && c->errmsg[0])
		snprintf(err, errlen, "%s", c->errmsg);
	else if (rc < 0)
		cli_explain(rc, genl_cmd, cmd, err, errlen);
	return rc;
}

static int show(struct cli_conn *c, const struct cli_opts *o, const struct cli_cmd *cmd, FILE *out,
		char *err, size_t errlen)
{
	union {
		uint64_t align;
		uint8_t b[64];
	} buf;
	struct cli_printer pr;
	struct show_ctx x = {.pr = &pr, .cmd = cmd};
	uint8_t genl_cmd = cmd->obj_session ? L2TP_CMD_SESSION_GET : L2TP_CMD_TUNNEL_GET;
	struct nlmsghdr *nlh = l2tp_api_msg_start(buf.b, sizeof(buf.b), c->family, genl_cmd,
						  NLM_F_REQUEST | NLM_F_DUMP, 0);
	int rc;

	cli_print_init(&pr, out, o->json, o->pretty, o->stats);
	/* l2tpd's managed state first: one request at a time on the socket. */
	rc = cli_mlist_fetch(c, cmd->obj_session ? L2TPD_CMD_SESSION_GET : L2TPD_CMD_TUNNEL_GET,
			     &x.ml);
	if (rc < 0) {
		cli_mlist_free(&x.ml);
		snprintf(err, errlen, "Dump terminated: %s", strerror(-rc));
		return rc;
	}
	cli_print_begin(&pr);
	rc = cli_talk(c, nlh, cmd->obj_session ? show_session_cb : show_tunnel_cb, &x);
	/* Managed sessions not established have no datapath session yet. */
	for (size_t i = 0; rc == 0 && cmd->obj_session && i < x.ml.n; i++) {
		const struct cli_minfo *mi = &x.ml.v[i];

		if (mi->printed || (cmd->tunnel_id && mi->conn_id != cmd->tunnel_id) ||
		    (cmd->session_id && mi->session_id != cmd->session_id))
			continue;
		cli_print_msession(&pr, mi);
	}
	cli_mlist_free(&x.ml);
	if (rc < 0) {
		fflush(out);
		if (rc == -EPROTO)
			snprintf(err, errlen, "Dump terminated: malformed answer");
		else
			snprintf(err, errlen, "Dump terminated: %s", strerror(-rc));
		return rc;
	}
	cli_print_end(&pr);
	fflush(out);
	return 0;
}

int cli_run(struct cli_conn *c, const struct cli_opts *o, const struct cli_cmd *cmd, FILE *out,
	    char *err, size_t errlen)
{
	switch (cmd->verb) {
	case CLI_VERB_ADD:
		if (cmd->m.tunnel || cmd->m.session)
			return cli_exec(c, cmd, err, errlen);
		/* "add tunnel ... session ..." creates both, tunnel first (iproute2) */
		if (cmd->obj_tunnel)
			L2TP_TRY(request(c, cmd, L2TP_CMD_TUNNEL_CREATE, &cmd->tunnel, NULL, err,
					 errlen));
		if (cmd->obj_session)
			L2TP_TRY(request(c, cmd, L2TP_CMD_SESSION_CREATE, NULL, &cmd->session, err,
					 errlen));
		return 0;
	case CLI_VERB_DEL:
		if (cmd->m.session)
			return cli_exec(c, cmd, err, errlen);
		if (cmd->obj_session)
			return request(c, cmd, L2TP_CMD_SESSION_DELETE, NULL, &cmd->session, err,
				       errlen);
		return request(c, cmd, L2TP_CMD_TUNNEL_DELETE, &cmd->tunnel, NULL, err, errlen);
	case CLI_VERB_SHOW:
		if (cmd->obj_config)
			return cli_show_config(c, out, err, errlen);
		return show(c, o, cmd, out, err, errlen);
	case CLI_VERB_MONITOR:
		return cli_monitor(c, o, out, err, errlen);
	default:
		snprintf(err, errlen, "nothing to do");
		return -EINVAL;
	}
}
