// SPDX-License-Identifier: MIT
/*
 * managed.c - l2tp(8)'s side of l2tpd's own family: managed commands go to
 * l2tpd as the words typed (EXEC, l2tpd parses them with this grammar),
 * "show config", "monitor", and the state that "show" adds to managed
 * tunnels and sessions.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "cli.h"

#define CLI_TX_BUF 4096

static int need_l2tpd(const struct cli_conn *c, char *err, size_t errlen)
{
	if (c->l2tpd_family)
		return 0;
	snprintf(err, errlen, "%s",
		 c->kernel ? "managed tunnels need l2tpd (this is the kernel's "
			     "l2tp family: no l2tpd socket was found)"
			   : "this l2tpd has no managed tunnels");
	return -EOPNOTSUPP;
}

int cli_exec(struct cli_conn *c, const struct cli_cmd *cmd, char *err, size_t errlen)
{
	union {
		uint64_t align;
		uint8_t b[CLI_TX_BUF];
	} buf;
	struct nlmsghdr *nlh;
	int rc;

	L2TP_TRY(need_l2tpd(c, err, errlen));
	nlh = l2tp_api_msg_start(buf.b, sizeof(buf.b), c->l2tpd_family, L2TPD_CMD_EXEC,
				 NLM_F_REQUEST | NLM_F_ACK, 0);
	for (int i = 0; i < cmd->argc; i++) {
		if (!mnl_attr_put_strz_check(nlh, sizeof(buf.b), L2TPD_ATTR_ARG, cmd->argv[i])) {
			snprintf(err, errlen, "command too long");
			return -E2BIG;
		}
	}
	rc = cli_talk(c, nlh, NULL, NULL);
	if (rc < 0 && c->errmsg[0])
		snprintf(err, errlen, "%s", c->errmsg);
	else if (rc == -EPERM || rc == -EACCES)
		snprintf(err, errlen, "%s (CAP_NET_ADMIN is needed)", strerror(-rc));
	else if (rc < 0)
		snprintf(err, errlen, "%s", strerror(-rc));
	return rc;
}

/* ---- parsing l2tpd's answers ---------------------------------------------- */

static int mlist_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct cli_mlist *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct cli_minfo *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	L2TP_TRY(cli_minfo_parse(&l->v[l->n], nlh));
	l->n++;
	return 0;
}

static int dump(struct cli_conn *c, uint8_t cmd, cli_msg_fn fn, void *arg)
{
	union {
		uint64_t align;
		uint8_t b[64];
	} buf;
	struct nlmsghdr *nlh = l2tp_api_msg_start(buf.b, sizeof(buf.b), c->l2tpd_family, cmd,
						  NLM_F_REQUEST | NLM_F_DUMP, 0);

	return cli_talk(c, nlh, fn, arg);
}

int cli_mlist_fetch(struct cli_conn *c, uint8_t cmd, struct cli_mlist *l)
{
	memset(l, 0, sizeof(*l));
	if (!c->l2tpd_family)
		return 0;
	return dump(c, cmd, mlist_cb, l);
}

void cli_mlist_free(struct cli_mlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].msg);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct cli_minfo *cli_mlist_find(struct cli_mlist *l, uint32_t conn_id, uint32_t session_id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].conn_id == conn_id && l->v[i].session_id == session_id)
			return &l->v[i];
	return NULL;
}

/* ---- show config, monitor ----------------------------------------------------- */

static int config_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct cli_minfo mi;
	int rc = cli_minfo_parse(&mi, nlh);

	if (rc < 0)
		return rc;
	if (mi.tb[L2TPD_ATTR_LINE])
		fprintf(arg, "%s\n", mnl_attr_get_str(mi.tb[L2TPD_ATTR_LINE]));
	free(mi.msg);
	return 0;
}

int cli_show_config(struct cli_conn *c, FILE *out, char *err, size_t errlen)
{
	int rc;

	L2TP_TRY(need_l2tpd(c, err, errlen));
	fprintf(out, "# l2tpd configuration: l2tp(8) commands, one per line (l2tpd.conf(5))\n");
	rc = dump(c, L2TPD_CMD_CONFIG_GET, config_cb, out);
	fflush(out);
	if (rc < 0)
		snprintf(err, errlen, "show config: %s", strerror(-rc));
	return rc;
}

int cli_monitor(struct cli_conn *c, const struct cli_opts *o, FILE *out, char *err, size_t errlen)
{
	union {
		uint64_t align;
		uint8_t b[L2TP_API_MSG_MAX];
	} buf;
	struct cli_printer pr;
	struct nlmsghdr *nlh;
	int rc;

	L2TP_TRY(need_l2tpd(c, err, errlen));
	nlh = l2tp_api_msg_start(buf.b, sizeof(buf.b), c->l2tpd_family, L2TPD_CMD_MONITOR,
				 NLM_F_REQUEST | NLM_F_ACK, 0);
	rc = cli_talk(c, nlh, NULL, NULL);
	if (rc < 0) {
		snprintf(err, errlen, "monitor: %s", c->errmsg[0] ? c->errmsg : strerror(-rc));
		return rc;
	}
	cli_print_init(&pr, out, o->json, false, 0);
	/* Until l2tpd goes away or we are interrupted: events as they come. */
	for (;;) {
		ssize_t n = recv(c->fd, buf.b, sizeof(buf.b), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "monitor: %s", strerror(errno));
			return -errno;
		}
		if (n == 0) {
			fprintf(stderr, "l2tp: monitor: l2tpd closed the connection\n");
			return 0;
		}
		for (size_t off = 0; off < (size_t)n;) {
			const struct nlmsghdr *m = (const struct nlmsghdr *)(buf.b + off);
			struct cli_minfo ev;

			if (!l2tp_api_msg_ok(m, (size_t)n - off))
				break;
			if (m->nlmsg_type == c->l2tpd_family &&
			    l2tp_api_msg_cmd(m) == L2TPD_CMD_EVENT &&
			    cli_minfo_parse(&ev, m) == 0) {
				cli_print_event(&pr, &ev);
				free(ev.msg);
			}
			off += NLMSG_ALIGN(m->nlmsg_len);
		}
		fflush(out);
	}
}
