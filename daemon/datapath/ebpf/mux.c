// SPDX-License-Identifier: MIT
/*
 * daemon/datapath/ebpf/mux.c - `--datapath auto` without the kernel's L2TP:
 * the ebpf datapath for what it carries (L2TPv3 tunnels of Ethernet
 * sessions, static or managed), the user datapath for the rest (L2TPv2,
 * managed tunnels with fallback on, PPP), chosen per tunnel when it is
 * created: the ebpf datapath is asked first, and what it refuses goes to
 * the user datapath. A session lives in its tunnel's.
 *
 * The control plane makes a managed tunnel when it is configured, before
 * its control connection and its sessions: it knows the version and
 * whether it may fall back to L2TPv2 (t->fallback, refused by ebpf), not
 * the sessions' pseudowire types. An L2TPv3 tunnel may also carry PPP
 * (type 7), so the first PPP session of a managed tunnel in ebpf moves the
 * tunnel, still without sessions, to the user datapath; one that already
 * carries Ethernet sessions in ebpf refuses it (say why in dp->err).
 *
 * Which one carries a tunnel is t->dp_owner; each datapath keeps its own
 * state in t->dp and s->dp as it would alone (the user datapath's workers
 * read them), so the mux only routes calls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../datapath.h"
#include "../../log.h"
#include "../../registry.h"
#include "ebpf.h"

struct mux {
	struct l2tpd_datapath base;
	struct l2tpd_datapath *eb, *us;
};

/* The control plane sets its hooks on the mux: the user datapath acts on them. */
static void sync_hooks(struct mux *m)
{
	m->us->ctrl_rx = m->base.ctrl_rx;
	m->us->ctrl_arg = m->base.ctrl_arg;
	m->us->ppp_rx = m->base.ppp_rx;
	m->us->ppp_arg = m->base.ppp_arg;
}

static struct l2tpd_datapath *owner(struct mux *m, const struct l2tpd_tunnel *t)
{
	return t->dp_owner == m->eb ? m->eb : m->us;
}

static void take_err(struct mux *m, struct l2tpd_datapath *d)
{
	memcpy(m->base.err, d->err, sizeof(m->base.err));
	d->err[0] = 0;
}

static int mx_tunnel_create(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct mux *m = (struct mux *)dp;
	int rc;

	sync_hooks(m);
	rc = m->eb->ops->tunnel_create(m->eb, t);
	if (rc == 0) {
		t->dp_owner = m->eb;
		return 0;
	}
	log_info("tunnel %u: datapath user (ebpf: %s)", t->cfg.conn_id,
		 m->eb->err[0] ? m->eb->err : strerror(-rc));
	m->eb->err[0] = 0;
	rc = m->us->ops->tunnel_create(m->us, t);
	if (rc == 0)
		t->dp_owner = m->us;
	else
		take_err(m, m->us);
	return rc;
}

static int mx_tunnel_modify(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct mux *m = (struct mux *)dp;
	struct l2tpd_datapath *d = owner(m, t);
	int rc = d->ops->tunnel_modify(d, t);

	if (rc < 0)
		take_err(m, d);
	return rc;
}

static void mx_tunnel_delete(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct mux *m = (struct mux *)dp;
	struct l2tpd_datapath *d = owner(m, t);

	d->ops->tunnel_delete(d, t);
	t->dp_owner = NULL;
}

static void mx_tunnel_stats(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t,
			    struct l2tp_api_stats *st)
{
	struct l2tpd_datapath *d = owner((struct mux *)dp, t);

	d->ops->tunnel_stats(d, t, st);
}

static const char *mx_tunnel_dp_name(struct l2tpd_datapath *dp, const struct l2tpd_tunnel *t)
{
	struct mux *m = (struct mux *)dp;

	return t ? owner(m, t)->ops->name : m->us->ops->name;
}

/*
 * Managed tunnel |t| (in ebpf, no sessions) goes to the user datapath: its
 * state there is made first, so a failure leaves it where it was.
 */
static int move_to_user(struct mux *m, struct l2tpd_tunnel *t)
{
	void *eb_state = t->dp, *us_state;
	int rc;

	t->dp = NULL;
	rc = m->us->ops->tunnel_create(m->us, t);
	if (rc < 0) {
		t->dp = eb_state;
		take_err(m, m->us);
		return rc;
	}
	us_state = t->dp;
	t->dp = eb_state;
	m->eb->ops->tunnel_delete(m->eb, t);
	t->dp = us_state;
	t->dp_owner = m->us;
	log_info("tunnel %u: datapath user (a PPP session: the ebpf datapath carries Ethernet only)",
		 t->cfg.conn_id);
	return 0;
}

static int mx_session_create(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct mux *m = (struct mux *)dp;
	struct l2tpd_tunnel *t = s->tunnel;
	struct l2tpd_datapath *d = owner(m, t);
	int rc;

	sync_hooks(m);
	if (d == m->eb && t->mt && s->cfg.pw_type != L2TP_PWTYPE_ETH) {
		if (t->sessions) {
			snprintf(m->base.err, sizeof(m->base.err),
				 "tunnel %u carries Ethernet sessions in the ebpf datapath, which "
				 "has no PPP (--datapath user carries both)",
				 t->cfg.conn_id);
			return -EPROTONOSUPPORT;
		}
		rc = move_to_user(m, t);
		if (rc < 0)
			return rc;
		d = m->us;
	}
	rc = d->ops->session_create(d, s);
	if (rc < 0)
		take_err(m, d);
	return rc;
}

static int mx_session_modify(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct mux *m = (struct mux *)dp;
	struct l2tpd_datapath *d = owner(m, s->tunnel);
	int rc = d->ops->session_modify(d, s);

	if (rc < 0)
		take_err(m, d);
	return rc;
}

static void mx_session_delete(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct l2tpd_datapath *d = owner((struct mux *)dp, s->tunnel);

	d->ops->session_delete(d, s);
}

/* The sessions of each datapath go to its batch delete, in their order. */
static void mx_sessions_predelete(struct l2tpd_datapath *dp, struct l2tpd_session *const *v,
				  size_t n)
{
	struct mux *m = (struct mux *)dp;
	struct l2tpd_datapath *ds[2] = {m->eb, m->us};
	struct l2tpd_session **part = malloc((n ? n : 1) * sizeof(*part));

	if (!part)
		return; /* session_delete removes them one by one */
	for (int k = 0; k < 2; k++) {
		size_t j = 0;

		for (size_t i = 0; i < n; i++)
			if (owner(m, v[i]->tunnel) == ds[k])
				part[j++] = v[i];
		if (j > 1 && ds[k]->ops->sessions_predelete)
			ds[k]->ops->sessions_predelete(ds[k], part, j);
	}
	free(part);
}

static void mx_session_stats(struct l2tpd_datapath *dp, struct l2tpd_session *s,
			     struct l2tp_api_stats *st)
{
	struct l2tpd_datapath *d = owner((struct mux *)dp, s->tunnel);

	d->ops->session_stats(d, s, st);
}

static int mx_session_send_seq(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct l2tpd_datapath *d = owner((struct mux *)dp, s->tunnel);

	return d->ops->session_send_seq ? d->ops->session_send_seq(d, s) : s->cfg.send_seq;
}

static int mx_session_send(struct l2tpd_datapath *dp, struct l2tpd_session *s,
			   const uint8_t *frame, size_t len)
{
	struct l2tpd_datapath *d = owner((struct mux *)dp, s->tunnel);

	return d->ops->session_send ? d->ops->session_send(d, s, frame, len) : -EOPNOTSUPP;
}

static void mx_free(struct l2tpd_datapath *dp)
{
	struct mux *m = (struct mux *)dp;

	m->eb->ops->free(m->eb);
	m->us->ops->free(m->us);
	free(m);
}

static const struct l2tpd_datapath_ops mx_ops = {
    .name = "ebpf+user",
    .tunnel_create = mx_tunnel_create,
    .tunnel_modify = mx_tunnel_modify,
    .tunnel_delete = mx_tunnel_delete,
    .tunnel_stats = mx_tunnel_stats,
    .tunnel_dp_name = mx_tunnel_dp_name,
    .session_create = mx_session_create,
    .session_modify = mx_session_modify,
    .session_delete = mx_session_delete,
    .sessions_predelete = mx_sessions_predelete,
    .session_stats = mx_session_stats,
    .session_send_seq = mx_session_send_seq,
    .session_send = mx_session_send,
    .free = mx_free,
};

struct l2tpd_datapath *l2tpd_datapath_mux_new(struct l2tpd_datapath *eb, struct l2tpd_datapath *us)
{
	struct mux *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->base.ops = &mx_ops;
	m->base.priv = m;
	m->eb = eb;
	m->us = us;
	return &m->base;
}
