// SPDX-License-Identifier: MIT
/*
 * daemon/config.c - the configuration file (config.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "../cli/cli.h"
#include "api_server.h"
#include "config.h"
#include "log.h"
#include "mgr.h"
#include "registry.h"

#define LINE_MAX_LEN 4096
#define WORDS_MAX 64
#define LINES_MAX 100000

struct entry {
	unsigned int lineno;
	struct cli_cmd cmd;
	char *text; /* canonical line: equal text, equal object */
};

struct parsed {
	struct entry *v;
	size_t n, cap;
	unsigned int problems;
};

static int emit_line(struct cli_sbuf *b, int (*fn)(void *, const char *), void *arg)
{
	int rc = fn(arg, b->p);

	b->len = 0;
	b->p[0] = '\0';
	return rc;
}

int l2tpd_config_format(const struct l2tpd_config_env *env, bool secrets,
			int (*fn)(void *arg, const char *line), void *arg)
{
	char line[LINE_MAX_LEN];
	struct cli_sbuf b = {line, sizeof(line), 0};
	int rc;

	line[0] = '\0';
	/* Registry order is newest first: print oldest first, as they were made. */
	size_t n = 0, i;
	for (struct l2tpd_tunnel *t = env->reg->tunnels; t; t = t->next)
		n++;
	struct l2tpd_tunnel **v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	i = n;
	for (struct l2tpd_tunnel *t = env->reg->tunnels; t; t = t->next)
		v[--i] = t;
	for (i = 0; i < n; i++) {
		struct l2tpd_tunnel *t = v[i];

		if (t->dying)
			continue;
		if (t->mt) {
			cli_fmt_cmd(&b, &t->mt->cfg, secrets);
			if ((rc = emit_line(&b, fn, arg)))
				goto out;
			for (struct l2tpd_msession *ms = t->mt->sessions; ms; ms = ms->next) {
				cli_fmt_cmd(&b, &ms->cfg, secrets);
				if ((rc = emit_line(&b, fn, arg)))
					goto out;
			}
			continue;
		}
		cli_fmt_tunnel(&b, &t->cfg, NULL, secrets);
		if ((rc = emit_line(&b, fn, arg)))
			goto out;
		size_t ns = 0, j;
		for (struct l2tpd_session *s = t->sessions; s; s = s->next)
			ns += !s->dying;
		struct l2tpd_session **sv = calloc(ns ? ns : 1, sizeof(*sv));
		if (!sv) {
			rc = -ENOMEM;
			goto out;
		}
		j = ns;
		for (struct l2tpd_session *s = t->sessions; s; s = s->next)
			if (!s->dying)
				sv[--j] = s;
		for (j = 0; j < ns; j++) {
			cli_fmt_session(&b, &sv[j]->cfg, NULL, false);
			if ((rc = emit_line(&b, fn, arg)))
				break;
		}
		free(sv);
		if (rc)
			goto out;
	}
	rc = 0;
out:
	free(v);
	return rc;
}

/* ---- parsing ------------------------------------------------------------------ */

static void problem(struct parsed *ps, FILE *errf, const char *path, unsigned int lineno,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void problem(struct parsed *ps, FILE *errf, const char *path, unsigned int lineno,
		    const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ps->problems++;
	if (errf)
		fprintf(errf, "%s:%u: %s\n", path, lineno, msg);
	else
		log_warnx("%s:%u: %s", path, lineno, msg);
}

static const struct entry *find_tunnel(const struct parsed *ps, uint32_t id)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].cmd.obj_tunnel && ps->v[i].cmd.tunnel.conn_id == id)
			return &ps->v[i];
	return NULL;
}

/* What the file says beyond the grammar: ids unique, sessions after their tunnel. */
static bool check_entry(struct parsed *ps, FILE *errf, const char *path, unsigned int lineno,
			const struct cli_cmd *c)
{
	const struct entry *t;

	if (c->obj_tunnel && c->obj_session) {
		problem(ps, errf, path, lineno,
			"one object per line: add the tunnel, then the session");
		return false;
	}
	if (c->obj_tunnel) {
		if ((t = find_tunnel(ps, c->tunnel.conn_id))) {
			problem(ps, errf, path, lineno, "tunnel %u is already defined on line %u",
				c->tunnel.conn_id, t->lineno);
			return false;
		}
		return true;
	}
	t = find_tunnel(ps, c->session.conn_id);
	if (!t) {
		problem(ps, errf, path, lineno, "tunnel %u is not defined above",
			c->session.conn_id);
		return false;
	}
	if (c->m.session != t->cmd.m.tunnel) {
		problem(ps, errf, path, lineno,
			c->m.session
			    ? "tunnel %u is static: a session with remote_end_id needs a "
			      "tunnel with \"control on\" (line %u)"
			    : "tunnel %u is managed (line %u): its sessions take remote_end_id, "
			      "not peer_session_id",
			c->session.conn_id, t->lineno);
		return false;
	}
	if (c->m.session) {
		const char *bad = l2tpd_mgr_session_problem(&t->cmd.m, &c->m);

		if (bad) {
			problem(ps, errf, path, lineno, "tunnel %u (line %u): %s",
				c->session.conn_id, t->lineno, bad);
			return false;
		}
	}
	for (size_t i = 0; i < ps->n; i++) {
		const struct cli_cmd *o = &ps->v[i].cmd;

		if (!o->obj_session || o->session.conn_id != c->session.conn_id)
			continue;
		if (c->m.session && c->m.remote_end_id[0] &&
		    !strcmp(o->m.remote_end_id, c->m.remote_end_id)) {
			problem(ps, errf, path, lineno,
				"tunnel %u already has remote_end_id \"%s\" (line %u)",
				c->session.conn_id, c->m.remote_end_id, ps->v[i].lineno);
			return false;
		}
		if (c->session.session_id && o->session.session_id == c->session.session_id) {
			problem(ps, errf, path, lineno, "session %u is already defined on line %u",
				c->session.session_id, ps->v[i].lineno);
			return false;
		}
	}
	return true;
}

/*
 * The grammar's message for a line, as a file should say it: without the
 * shell's "Error: ", and for a session of a managed tunnel defined above
 * that lacks its remote end id, that (not iproute2's peer_session_id).
 */
static const char *explain(const struct parsed *ps, int argc, char **argv, char *err)
{
	static char msg[CLI_ERRLEN + 64];
	const struct entry *t = NULL;

	for (int i = 0; i + 1 < argc; i++) {
		char *end;
		unsigned long id;

		if (strcmp(argv[i], "tunnel_id") && strcmp(argv[i], "tid"))
			continue;
		id = strtoul(argv[i + 1], &end, 0);
		if (!*end && id <= UINT32_MAX)
			t = find_tunnel(ps, (uint32_t)id);
	}
	if (t && t->cmd.m.tunnel && strstr(err, "\"peer_session_id\" is required")) {
		snprintf(msg, sizeof(msg),
			 "argument \"remote_end_id\" is required (tunnel %u is managed, line %u)",
			 t->cmd.tunnel.conn_id, t->lineno);
		return msg;
	}
	return strncmp(err, "Error: ", 7) ? err : err + 7;
}

static int parse_file(const char *path, FILE *errf, struct parsed *ps)
{
	FILE *f = fopen(path, "re");
	char line[LINE_MAX_LEN + 2];
	unsigned int lineno = 0;

	memset(ps, 0, sizeof(*ps));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *w[WORDS_MAX], err[CLI_ERRLEN];
		struct cli_cmd cmd;
		size_t len = strlen(line);
		int n, rc;

		lineno++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			problem(ps, errf, path, lineno, "line longer than %d bytes", LINE_MAX_LEN);
			int c;
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		n = cli_split_line(line, w, WORDS_MAX, err, sizeof(err));
		if (n < 0) {
			problem(ps, errf, path, lineno, "%s", err);
			continue;
		}
		if (n == 0)
			continue;
		/* "l2tp add tunnel ..." pasted from a shell reads the same. */
		char **argv = w;
		if (!strcmp(argv[0], "l2tp")) {
			argv++;
			n--;
		}
		rc = n ? cli_parse(n, argv, &cmd, err, sizeof(err)) : -EINVAL;
		if (rc != 0 || cmd.verb != CLI_VERB_ADD) {
			problem(ps, errf, path, lineno, "%s",
				rc < 0 && err[0] ? explain(ps, n, argv, err)
				: rc == 0 && cmd.verb != CLI_VERB_ADD
				    ? "only \"add tunnel\" and \"add session\" lines belong here"
				    : "incomplete command");
			continue;
		}
		if (!check_entry(ps, errf, path, lineno, &cmd))
			continue;
		if (ps->n == ps->cap) {
			size_t cap = ps->cap ? ps->cap * 2 : 16;
			struct entry *v =
			    ps->n < LINES_MAX ? realloc(ps->v, cap * sizeof(*v)) : NULL;

			if (!v) {
				fclose(f);
				return -ENOMEM;
			}
			ps->v = v;
			ps->cap = cap;
		}
		char text[LINE_MAX_LEN];
		struct cli_sbuf b = {text, sizeof(text), 0};
		text[0] = '\0';
		cli_fmt_cmd(&b, &cmd, true);
		ps->v[ps->n] = (struct entry){.lineno = lineno, .cmd = cmd, .text = strdup(text)};
		if (!ps->v[ps->n].text) {
			fclose(f);
			return -ENOMEM;
		}
		ps->n++;
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		return -e;
	}
	fclose(f);
	return 0;
}

static void parsed_free(struct parsed *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i].text);
	free(ps->v);
}

int l2tpd_config_check(const char *path, FILE *errf)
{
	struct parsed ps;
	int rc = parse_file(path, errf, &ps);
	unsigned int n = ps.problems;

	parsed_free(&ps);
	if (rc < 0) {
		fprintf(errf, "%s: %s\n", path, strerror(-rc));
		return rc;
	}
	return (int)n;
}

/* ---- applying ---------------------------------------------------------------------- */

struct answer {
	int err;
	char msg[CLI_ERRLEN];
};

static int capture(void *arg, const void *buf, size_t len)
{
	struct answer *a = arg;
	const uint8_t *p = buf;

	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const void *)p;
		const char *msg = NULL;
		int e;

		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len)
			break;
		if (nlh->nlmsg_type == NLMSG_ERROR &&
		    l2tp_api_parse_error_msg(nlh, &e, &msg) == 0) {
			a->err = e;
			if (msg)
				snprintf(a->msg, sizeof(a->msg), "%s", msg);
		}
		if (NLMSG_ALIGN(nlh->nlmsg_len) >= len)
			break;
		len -= NLMSG_ALIGN(nlh->nlmsg_len);
		p += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return 0;
}

/* A static line: the request the CLI would send, through the same API code. */
static int apply_static(const struct l2tpd_config_env *env, const struct cli_cmd *c, char *err,
			size_t errlen)
{
	union {
		uint64_t align;
		uint8_t b[2048];
	} buf;
	struct answer a = {0};
	uint8_t cmd = c->obj_tunnel ? L2TP_CMD_TUNNEL_CREATE : L2TP_CMD_SESSION_CREATE;
	struct nlmsghdr *nlh = l2tp_api_msg_start(buf.b, sizeof(buf.b), L2TP_API_FAMILY_ID, cmd,
						  NLM_F_REQUEST | NLM_F_ACK, 1);
	int rc = c->obj_tunnel ? l2tp_api_put_tunnel(nlh, sizeof(buf.b), &c->tunnel)
			       : l2tp_api_put_session(nlh, sizeof(buf.b), &c->session);

	if (rc < 0)
		return rc;
	l2tpd_api_handle(env->api, nlh, nlh->nlmsg_len, true, capture, &a);
	if (a.err < 0) {
		snprintf(err, errlen, "%s", a.msg[0] ? a.msg : strerror(-a.err));
		return a.err;
	}
	if (c->obj_tunnel) {
		struct l2tpd_tunnel *t = l2tpd_tunnel_find(env->reg, c->tunnel.conn_id);

		if (t)
			t->from_config = true;
	} else {
		struct l2tpd_tunnel *t = l2tpd_tunnel_find(env->reg, c->session.conn_id);
		struct l2tpd_session *s = t ? l2tpd_session_find(t, c->session.session_id) : NULL;

		if (s)
			s->from_config = true;
	}
	return 0;
}

static int apply_entry(const char *path, const struct l2tpd_config_env *env, const struct entry *e)
{
	char err[CLI_ERRLEN] = "";
	int rc;

	if (e->cmd.m.tunnel || e->cmd.m.session)
		rc = l2tpd_mgr_exec(env->mgr, &e->cmd, true, err, sizeof(err));
	else
		rc = apply_static(env, &e->cmd, err, sizeof(err));
	if (rc < 0)
		log_warnx("%s:%u: %s", path, e->lineno, err[0] ? err : strerror(-rc));
	return rc;
}

static bool in_file(const struct parsed *ps, const char *text)
{
	for (size_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].text, text))
			return true;
	return false;
}

/* Does the running state hold the object of |e|, made by the file, unchanged? */
static bool running(const struct l2tpd_config_env *env, const struct entry *e)
{
	char text[LINE_MAX_LEN];
	struct cli_sbuf b = {text, sizeof(text), 0};
	const struct cli_cmd *c = &e->cmd;

	text[0] = '\0';
	if (c->obj_tunnel) {
		struct l2tpd_tunnel *t = l2tpd_tunnel_find(env->reg, c->tunnel.conn_id);

		if (!t || !t->from_config)
			return false;
		if (t->mt)
			cli_fmt_cmd(&b, &t->mt->cfg, true);
		else
			cli_fmt_tunnel(&b, &t->cfg, NULL, true);
		return !strcmp(text, e->text);
	}
	if (c->m.session) {
		struct l2tpd_mtunnel *mt = l2tpd_mgr_tunnel_find(env->mgr, c->session.conn_id);

		for (struct l2tpd_msession *ms = mt ? mt->sessions : NULL; ms; ms = ms->next) {
			if (!ms->from_config)
				continue;
			b.len = 0;
			cli_fmt_cmd(&b, &ms->cfg, true);
			if (!strcmp(text, e->text))
				return true;
		}
		return false;
	}
	struct l2tpd_tunnel *t = l2tpd_tunnel_find(env->reg, c->session.conn_id);
	struct l2tpd_session *s = t ? l2tpd_session_find(t, c->session.session_id) : NULL;

	if (!s || !s->from_config)
		return false;
	cli_fmt_session(&b, &s->cfg, NULL, false);
	return !strcmp(text, e->text);
}

/* SIGHUP: remove what the file made and no longer says, as it was made. */
static void remove_stale(const struct parsed *ps, const struct l2tpd_config_env *env,
			 unsigned int *removed)
{
	char text[LINE_MAX_LEN];
	struct cli_sbuf b = {text, sizeof(text), 0};
	struct l2tpd_tunnel *t, *tn;

	for (t = env->reg->tunnels; t; t = tn) {
		tn = t->next;
		b.len = 0;
		text[0] = '\0';
		if (t->dying)
			continue;
		if (t->mt) {
			struct l2tpd_mtunnel *mt = t->mt;

			cli_fmt_cmd(&b, &mt->cfg, true);
			if (mt->from_config && !in_file(ps, text)) {
				l2tpd_mgr_tunnel_del(env->mgr, mt);
				(*removed)++;
				continue;
			}
			for (struct l2tpd_msession *ms = mt->sessions, *next; ms; ms = next) {
				next = ms->next;
				b.len = 0;
				cli_fmt_cmd(&b, &ms->cfg, true);
				if (ms->from_config && !in_file(ps, text)) {
					l2tpd_mgr_session_del(env->mgr, ms);
					(*removed)++;
				}
			}
			continue;
		}
		cli_fmt_tunnel(&b, &t->cfg, NULL, true);
		if (t->from_config && !in_file(ps, text)) {
			l2tpd_tunnel_del(env->reg, env->dp, t);
			(*removed)++;
			continue;
		}
		for (struct l2tpd_session *s = t->sessions, *next; s; s = next) {
			next = s->next;
			b.len = 0;
			cli_fmt_session(&b, &s->cfg, NULL, false);
			if (s->from_config && !in_file(ps, text)) {
				l2tpd_session_del(env->reg, env->dp, s);
				(*removed)++;
			}
		}
	}
}

int l2tpd_config_apply(const char *path, const struct l2tpd_config_env *env, bool reload)
{
	struct parsed ps;
	unsigned int added = 0, removed = 0, failed = 0, kept = 0;
	int rc = parse_file(path, NULL, &ps);

	if (rc < 0) {
		log_warnx("%s: %s%s", path, strerror(-rc),
			  reload ? ": configuration unchanged" : "");
		parsed_free(&ps);
		return rc;
	}
	if (ps.problems) {
		log_warnx("%s: %u problem%s: %s", path, ps.problems, ps.problems == 1 ? "" : "s",
			  reload ? "configuration unchanged" : "nothing applied");
		rc = (int)ps.problems;
		parsed_free(&ps);
		return rc;
	}
	if (reload)
		remove_stale(&ps, env, &removed);
	for (size_t i = 0; i < ps.n; i++) {
		if (reload && running(env, &ps.v[i])) {
			kept++;
			continue;
		}
		if (apply_entry(path, env, &ps.v[i]) < 0)
			failed++;
		else
			added++;
	}
	log_info("%s: %s: %u added, %u removed, %u unchanged, %u failed", path,
		 reload ? "reloaded" : "loaded", added, removed, kept, failed);
	parsed_free(&ps);
	return 0;
}
