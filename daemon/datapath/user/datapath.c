// SPDX-License-Identifier: MIT
/*
 * daemon/datapath/user/datapath.c - the userspace datapath's entry points (the ops
 * of daemon/datapath.h): tunnels, sessions and their counters, made and
 * dropped on every worker; start and stop. internal.h describes the whole.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../../datapath.h"
#include "../../log.h"
#include "../../loop.h"
#include "../../mtu.h"
#include "../../registry.h"
#include "../../sock.h"
#include "../../tap.h"
#include "../../tapq.h"
#include "internal.h"

/* ---- tunnels --------------------------------------------------------------- */

static void tunnel_free(struct us_dp *u, struct us_tunnel *ut)
{
	for (unsigned int k = 0; k < u->nw; k++) {
		if (!ut->ts[k])
			continue;
		if (ut->ts[k]->fd >= 0)
			close(ut->ts[k]->fd);
		free(ut->ts[k]);
	}
	free(ut);
}

static int us_tunnel_create(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_tunnel *ut = calloc(1, sizeof(*ut));
	struct l2tpd_udp_opts o;
	int rc;

	if (!ut)
		return -ENOMEM;
	ut->u = u;
	ut->t = t;
	ut->family = l2tpd_tunnel_family(t);
	ut->encap = t->cfg.encap_type == L2TP_ENCAPTYPE_IP ? L2TP_ENCAP_IP : L2TP_ENCAP_UDP;
	ut->connected = u->nw == 1 && ut->encap == L2TP_ENCAP_UDP;
	if (ut->encap == L2TP_ENCAP_UDP) {
		/* The worker with the fewest UDP tunnels receives this one. */
		for (unsigned int k = 1; k < u->nw; k++)
			if (u->udp_tunnels[k] < u->udp_tunnels[ut->home])
				ut->home = k;
	}
	l2tpd_tunnel_addrs(t, &ut->local, &ut->peer);
	for (unsigned int k = 0; k < u->nw; k++) {
		struct us_tsock *ts = calloc(1, sizeof(*ts));

		if (!ts) {
			tunnel_free(u, ut);
			return -ENOMEM;
		}
		ts->w = u->w[k];
		ts->ut = ut;
		ts->fd = -1;
		ts->rl = (struct l2tpd_ratelimit)L2TPD_RATELIMIT_INIT(10 * L2TP_SEC, 5);
		ut->ts[k] = ts;
	}
	if (ut->encap == L2TP_ENCAP_IP) {
		rc = ip_sock_get(u, ut->family);
		if (rc < 0) {
			tunnel_free(u, ut);
			return rc;
		}
		t->dp = ut;
		return 0;
	}
	o.csum = t->cfg.udp_csum;
	o.zero_csum6_tx = t->cfg.udp_zero_csum6_tx;
	o.zero_csum6_rx = t->cfg.udp_zero_csum6_rx;
	o.reuse_addr = t->mt != NULL;
	if (t->mt && u->nw > 1) {
		/* Control messages would arrive on a worker thread (not done yet). */
		tunnel_free(u, ut);
		return -EOPNOTSUPP;
	}
	rc = udp_open(u, ut, &o);
	if (rc < 0) {
		tunnel_free(u, ut);
		return rc;
	}
	call_all(u, tsock_adopt, ut);
	for (unsigned int k = 0; k < u->nw; k++) {
		if (!ut->ts[k]->watch) {
			call_all(u, tsock_drop, ut);
			tunnel_free(u, ut);
			return -ENOMEM;
		}
	}
	u->udp_tunnels[ut->home]++;
	t->dp = ut;
	return 0;
}

static int us_tunnel_modify(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	(void)dp;
	(void)t;
	return 0; /* only the debug mask changes, which the datapath ignores */
}

static void us_tunnel_delete(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_tunnel *ut = t->dp;

	if (!ut)
		return;
	if (ut->encap == L2TP_ENCAP_IP) {
		ip_sock_put(u, ut->family);
	} else {
		call_all(u, tsock_drop, ut);
		u->udp_tunnels[ut->home]--;
	}
	tunnel_free(u, ut);
	t->dp = NULL;
}

static void stats_from_dp(struct l2tp_api_stats *st, const struct l2tp_dp_stats *d)
{
	memset(st, 0, sizeof(*st));
	st->tx_packets = d->tx_packets;
	st->tx_bytes = d->tx_bytes;
	st->tx_errors = d->tx_errors;
	st->rx_packets = d->rx_packets;
	st->rx_bytes = d->rx_bytes;
	st->rx_seq_discards = d->rx_seq_discards;
	st->rx_oos_packets = d->rx_oos_packets;
	st->rx_errors = d->rx_errors;
	st->rx_cookie_discards = d->rx_cookie_discards;
	st->rx_invalid = d->rx_invalid;
}

/* What the kernel also counts on the tunnel for each session packet. */
static void tunnel_add_session(struct l2tp_api_stats *st, const struct l2tp_dp_stats *d)
{
	st->tx_packets += d->tx_packets;
	st->tx_bytes += d->tx_bytes;
	st->tx_errors += d->tx_errors;
	st->rx_packets += d->rx_packets;
	st->rx_bytes += d->rx_bytes;
	st->rx_seq_discards += d->rx_seq_discards;
	st->rx_oos_packets += d->rx_oos_packets;
}

static void api_stats_add(struct l2tp_api_stats *st, const struct l2tp_api_stats *a)
{
	st->tx_packets += a->tx_packets;
	st->tx_bytes += a->tx_bytes;
	st->tx_errors += a->tx_errors;
	st->rx_packets += a->rx_packets;
	st->rx_bytes += a->rx_bytes;
	st->rx_seq_discards += a->rx_seq_discards;
	st->rx_oos_packets += a->rx_oos_packets;
	st->rx_errors += a->rx_errors;
	st->rx_cookie_discards += a->rx_cookie_discards;
	st->rx_invalid += a->rx_invalid;
}

struct stats_call {
	struct l2tpd_tunnel *t;
	struct l2tpd_session *s;
	struct l2tp_api_stats *st;
	bool send_seq;
};

/* On each worker: its counters, summed into the caller's. */
static void tsock_stats(struct us_worker *w, void *arg)
{
	struct stats_call *c = arg;
	struct us_tunnel *ut = c->t->dp;

	api_stats_add(c->st, &ut->ts[w->idx]->own);
	for (struct l2tpd_session *s = c->t->sessions; s; s = s->next) {
		struct us_session *sh = s->dp;

		if (sh)
			tunnel_add_session(c->st, &sh->rep[w->idx]->dp.stats);
	}
}

static void rep_stats(struct us_worker *w, void *arg)
{
	struct stats_call *c = arg;
	struct us_session *sh = c->s->dp;
	struct l2tp_api_stats one;

	stats_from_dp(&one, &sh->rep[w->idx]->dp.stats);
	api_stats_add(c->st, &one);
}

static void us_tunnel_stats(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t,
			    struct l2tp_api_stats *st)
{
	struct stats_call c = {.t = t, .st = st};

	memset(st, 0, sizeof(*st));
	call_all((struct us_dp *)dp, tsock_stats, &c);
}

/* ---- sessions -------------------------------------------------------------- */

static void dp_cfg(const struct l2tpd_session *s, struct l2tp_dp_cfg *c)
{
	const struct l2tpd_tunnel *t = s->tunnel;

	memset(c, 0, sizeof(*c));
	c->version = t->cfg.proto_version;
	c->encap = t->cfg.encap_type == L2TP_ENCAPTYPE_IP ? L2TP_ENCAP_IP : L2TP_ENCAP_UDP;
	c->tunnel_id = t->ccid ? t->ccid : t->cfg.conn_id;
	c->peer_tunnel_id = t->cfg.peer_conn_id;
	c->session_id = s->cfg.session_id;
	c->peer_session_id = s->cfg.peer_session_id;
	c->cookie_len = s->cfg.cookie_len;
	memcpy(c->cookie, s->cfg.cookie, sizeof(c->cookie));
	c->peer_cookie_len = s->cfg.peer_cookie_len;
	memcpy(c->peer_cookie, s->cfg.peer_cookie, sizeof(c->peer_cookie));
	c->l2spec_type = s->cfg.l2spec_type;
	c->send_seq = s->cfg.send_seq;
	c->recv_seq = s->cfg.recv_seq;
	c->lns_mode = s->cfg.lns_mode;
	c->reorder_timeout = s->cfg.recv_timeout_ms * L2TP_MSEC;
}

/* Does a worker other than the home one carry the session's queue? */
static bool rep_reads(const struct us_rep *r)
{
	return r->home || !r->sh->single;
}

/* On each worker: take up its part of a new session. */
static void rep_adopt(struct us_worker *w, void *arg)
{
	struct us_session *sh = arg;
	struct us_rep *r = sh->rep[w->idx];

	if (r->home)
		tab_add(rep_tab(r), r);
	if (rep_reads(r) && !r->ppp)
		r->adopt_err = read_start(r);
}

/* On each worker: drop its part of a session; the fds are closed after. */
static void rep_drop(struct us_worker *w, void *arg)
{
	struct us_session *sh = arg;
	struct us_rep *r = sh->rep[w->idx];
	struct l2tp_dp_buf b;

	if (!r)
		return;
	if (w->gro_owner == r)
		gro_out(w);
	l2tpd_tapq_flush(&w->tapq); /* before the TAP closes */
	if (r->home) {
		l2tpd_timer_cancel(w->loop, &r->reorder);
		while (l2tp_dp_flush(&r->dp, &b))
			recycle(w, &b);
		tab_del(rep_tab(r), r);
	}
	/* The tunnel keeps counting what its deleted sessions carried. */
	tunnel_add_session(&r->ts->own, &r->dp.stats);
	if (w->u->nw > 1)
		log_debug("session %u: worker %u%s sent %" PRIu64 " and received %" PRIu64
			  " packets",
			  r->session_id, w->idx, r->home ? " (home)" : "", r->dp.stats.tx_packets,
			  r->dp.stats.rx_packets);
	read_stop(r);
	if (r->reads) {
		/* Its cancelled reads still complete: free it at the last one. */
		r->dead = true;
		r->next_zombie = w->zombies;
		w->zombies = r;
	} else {
		free(r);
	}
}

struct modify_call {
	struct us_session *sh;
	const struct l2tp_dp_cfg *c;
	int rc;
};

/* On each worker: the new configuration; a change of send_seq as well. */
static void rep_modify(struct us_worker *w, void *arg)
{
	struct modify_call *m = arg;
	struct us_rep *r = m->sh->rep[w->idx];

	m->rc = l2tp_dp_session_modify(&r->dp, m->c); /* the same on every worker */
	if (r->home)
		r->spread = w->u->nw > 1 && !m->sh->single;
	else if (m->sh->single)
		read_stop(r);
	else
		(void)read_start(r);
}

static void session_free(struct us_dp *u, struct us_session *sh)
{
	for (unsigned int k = 0; k < u->nw; k++) {
		if (sh->fds[k] >= 0)
			close(sh->fds[k]); /* closing the last fd removes the device */
		free(sh->rep[k]); /* only the ones no worker took up */
	}
	free(sh);
}

/*
 * A PPP session (managed, one worker): a session table entry and the
 * codec, no interface. Its frames go to dp->ppp_rx and come from
 * session_send; the control plane's PPP link makes the TUN.
 */
static int ppp_session_create(struct us_dp *u, struct l2tpd_session *s)
{
	struct us_tunnel *ut = s->tunnel->dp;
	struct us_session *sh;
	struct us_rep *r;
	struct l2tp_dp_cfg c;
	int rc;

	if (!u->base.ppp_rx || u->nw != 1 || !s->tunnel->mt) {
		snprintf(u->base.err, sizeof(u->base.err),
			 "PPP sessions need a managed tunnel and one datapath worker");
		return -EPROTONOSUPPORT;
	}
	sh = calloc(1, sizeof(*sh));
	r = calloc(1, sizeof(*r));
	if (!sh || !r) {
		free(sh);
		free(r);
		return -ENOMEM;
	}
	sh->u = u;
	sh->s = s;
	sh->ut = ut;
	sh->home = 0;
	sh->fds[0] = -1;
	sh->rep[0] = r;
	r->w = u->w[0];
	r->sh = sh;
	r->ts = ut->ts[0];
	r->conn_id = s->tunnel->cfg.conn_id;
	r->session_id = s->cfg.session_id;
	r->tap_fd = -1;
	r->home = true;
	r->ppp = true;
	l2tpd_timer_init(&r->reorder, reorder_timeout, r);
	dp_cfg(s, &c);
	rc = l2tp_dp_session_init(&r->dp, &c);
	if (rc < 0) {
		session_free(u, sh);
		return rc;
	}
	call_all(u, rep_adopt, sh);
	s->dp = sh;
	return 0;
}

static int us_session_send(struct l2tpd_datapath *dp, struct l2tpd_session *s,
			   const uint8_t *frame, size_t len)
{
	struct us_session *sh = s->dp;

	(void)dp;
	if (!sh || !sh->rep[0] || !sh->rep[0]->ppp)
		return -EINVAL;
	return tx_one(sh->rep[0], frame, len);
}

static int us_session_create(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_tunnel *ut = s->tunnel->dp;
	struct us_session *sh;
	struct l2tp_dp_cfg c;
	char ifname[IFNAMSIZ];
	unsigned int mtu, k;
	int err = 0;
	int rc, underlay;

	if (s->cfg.pw_type == L2TP_PWTYPE_PPP)
		return ppp_session_create(u, s);
	if (s->cfg.pw_type != L2TP_PWTYPE_ETH)
		return -EPROTONOSUPPORT;
	sh = calloc(1, sizeof(*sh));
	if (!sh)
		return -ENOMEM;
	sh->u = u;
	sh->s = s;
	sh->ut = ut;
	/* Where the sockets' steering sends its packets (see internal.h). */
	sh->home = ut->encap == L2TP_ENCAP_UDP ? ut->home : s->cfg.session_id % u->nw;
	sh->single = u->nw > 1 && s->cfg.send_seq;
	for (k = 0; k < u->nw; k++)
		sh->fds[k] = -1;
	dp_cfg(s, &c);
	for (k = 0; k < u->nw; k++) {
		struct us_rep *r = calloc(1, sizeof(*r));

		rc = -ENOMEM;
		if (!r)
			goto fail;
		sh->rep[k] = r;
		r->w = u->w[k];
		r->sh = sh;
		r->ts = ut->ts[k];
		r->conn_id = s->tunnel->cfg.conn_id;
		r->session_id = s->cfg.session_id;
		r->tap_fd = -1;
		r->home = k == sh->home;
		l2tpd_timer_init(&r->reorder, reorder_timeout, r);
		/* Cookie lengths other than 0/4/8 (RFC 3931 §5.4.4) end here. */
		rc = l2tp_dp_session_init(&r->dp, &c);
		if (rc < 0)
			goto fail;
	}
	rc = l2tpd_tap_create_mq(s->cfg.ifname[0] ? s->cfg.ifname : NULL,
				 l2tpd_registry_ifname_used, u->reg, u->nw, sh->fds, ifname);
	if (rc < 0)
		goto fail;
	underlay = l2tpd_sock_route_mtu(&ut->local, &ut->peer);
	mtu = l2tpd_mtu_session(underlay > 0 ? (unsigned int)underlay : 0, ut->family == AF_INET6,
				ut->encap == L2TP_ENCAP_UDP,
				(unsigned int)l2tp_dp_overhead(&sh->rep[0]->dp));
	/* Left down, as the kernel's l2tp_eth does: `ip link set up` is the user's. */
	rc = l2tpd_tap_set_mtu(ifname, mtu);
	if (rc == 0 && sh->single)
		rc = queues_enable(sh, false);
	if (rc < 0)
		goto fail;
	for (k = 0; k < u->nw; k++) {
		struct us_rep *r = sh->rep[k];

		r->tap_fd = sh->fds[k];
		memcpy(r->ifname, ifname, IFNAMSIZ);
		r->spread = r->home && u->nw > 1 && !sh->single;
	}
	call_all(u, rep_adopt, sh);
	for (k = 0; k < u->nw && !err; k++)
		err = sh->rep[k]->adopt_err;
	if (err) {
		call_all(u, rep_drop, sh);
		for (k = 0; k < u->nw; k++)
			sh->rep[k] = NULL; /* the workers freed them */
		rc = err;
		goto fail;
	}
	memcpy(s->cfg.ifname, ifname, IFNAMSIZ);
	s->dp = sh;
	log_debug("session %u: %s mtu %u (underlay %d), worker %u of %u", s->cfg.session_id, ifname,
		  mtu, underlay, sh->home, u->nw);
	return 0;
fail:
	session_free(u, sh);
	return rc;
}

static int us_session_modify(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_session *sh = s->dp;
	bool single = u->nw > 1 && s->cfg.send_seq;
	struct modify_call m = {.sh = sh};
	struct l2tp_dp_cfg c;
	int rc = 0;

	dp_cfg(s, &c);
	m.c = &c;
	if (single && !sh->single) {
		/* Numbered from now on: the home worker alone, then detach the rest. */
		sh->single = true;
		call_all(u, rep_modify, &m);
		rc = queues_enable(sh, false);
	} else if (!single && sh->single) {
		rc = queues_enable(sh, true);
		sh->single = false;
		call_all(u, rep_modify, &m);
	} else {
		call_all(u, rep_modify, &m);
	}
	if (rc < 0)
		log_warnx("session %u: TAP queues: %s", s->cfg.session_id, strerror(-rc));
	return m.rc;
}

static void us_session_delete(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_session *sh = s->dp;

	if (!sh)
		return;
	call_all(u, rep_drop, sh);
	for (unsigned int k = 0; k < u->nw; k++)
		sh->rep[k] = NULL; /* freed by their workers */
	session_free(u, sh);
	s->dp = NULL;
	l2tpd_tap_released(s->cfg.ifname);
}

/* The TAP of a session that has one of its own still there (PPP sessions have none). */
static const char *us_batch_link(const struct l2tpd_session *s)
{
	const struct us_session *sh = s->dp;

	return sh && !atomic_load(&sh->gone) && !sh->rep[0]->ppp ? s->cfg.ifname : NULL;
}

static void us_sessions_predelete(struct l2tpd_datapath *dp, struct l2tpd_session *const *v,
				  size_t n)
{
	(void)dp;
	(void)l2tpd_sessions_links_delete(v, n, us_batch_link); /* else one by one */
}

static void us_session_stats(struct l2tpd_datapath *dp, struct l2tpd_session *s,
			     struct l2tp_api_stats *st)
{
	struct stats_call c = {.s = s, .st = st};

	memset(st, 0, sizeof(*st));
	call_all((struct us_dp *)dp, rep_stats, &c);
}

/* On the home worker: the session's live send_seq. */
static void rep_send_seq(struct us_worker *w, void *arg)
{
	struct stats_call *c = arg;
	struct us_session *sh = c->s->dp;

	c->send_seq = sh->rep[w->idx]->dp.send_seq;
}

static int us_session_send_seq(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_session *sh = s->dp;
	struct stats_call c = {.s = s};

	worker_call(u->w[sh->home], rep_send_seq, &c);
	return c.send_seq;
}

/* ---- the datapath ---------------------------------------------------------- */

static void us_free(struct l2tpd_datapath *dp)
{
	struct us_dp *u = (struct us_dp *)dp;

	for (unsigned int k = 0; k < u->nw; k++) {
		struct us_worker *w = u->w[k];

		if (!w)
			continue;
		if (w->started) {
			worker_call(w, worker_stop, NULL);
			pthread_join(w->thread, NULL);
		}
		/* every tunnel was deleted before: nothing of theirs is left */
		for (int i = 0; i < 2; i++)
			l2tpd_loop_del(w->loop, w->ip_w[i]);
		worker_free(w);
	}
	l2tpd_loop_del(u->loop, u->gone_w);
	if (u->gone_efd >= 0)
		close(u->gone_efd);
	free(u);
}

static const struct l2tpd_datapath_ops us_ops = {
    .name = "user",
    .tunnel_create = us_tunnel_create,
    .tunnel_modify = us_tunnel_modify,
    .tunnel_delete = us_tunnel_delete,
    .tunnel_stats = us_tunnel_stats,
    .session_create = us_session_create,
    .session_modify = us_session_modify,
    .session_delete = us_session_delete,
    .sessions_predelete = us_sessions_predelete,
    .session_stats = us_session_stats,
    .session_send_seq = us_session_send_seq,
    .session_send = us_session_send,
    .free = us_free,
};

struct l2tpd_datapath *l2tpd_datapath_user_new(struct l2tpd_loop *loop, struct l2tpd_registry *reg,
					       unsigned int workers)
{
	struct us_dp *u;
	int err = 0;

	if (workers < 1 || workers > L2TPD_MAX_WORKERS) {
		errno = EINVAL;
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->base.ops = &us_ops;
	u->base.priv = u;
	u->loop = loop;
	u->reg = reg;
	u->nw = workers;
	u->gone_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (u->gone_efd < 0)
		goto fail;
	u->gone_w = l2tpd_loop_add(loop, u->gone_efd, EPOLLIN, gone_cb, u);
	if (!u->gone_w)
		goto fail;
	for (unsigned int k = 0; k < workers; k++) {
		u->w[k] = worker_new(u, k, workers == 1 ? loop : NULL);
		if (!u->w[k])
			goto fail;
	}
	for (unsigned int k = 0; k < workers; k++) {
		struct us_worker *w = u->w[k];

		if (!w->threaded)
			continue;
		err = pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			errno = err;
			goto fail;
		}
		w->started = true;
	}
	log_info("datapath user: %u worker%s; TAP writes %s; TAP reads %s", workers,
		 workers == 1 ? "" : "s",
		 l2tpd_tapq_uses_uring(&u->w[0]->tapq) ? "batched with io_uring"
						       : "one write() per frame (no io_uring)",
		 u->w[0]->txr ? "through io_uring" : "one read() per frame (no io_uring)");
	log_debug("datapath user: %zu KiB of packet buffers per worker",
		  (l2tpd_pool_bytes(&u->w[0]->pool) + l2tpd_pool_bytes(&u->w[0]->big) +
		   TAP_READ_MAX + TX_ARENA + VNET + GRO_CAP + TAPQ_ARENA +
		   (u->w[0]->txr ? (size_t)TXR_BUFS * TAP_READ_MAX : 0)) /
		      1024);
	return &u->base;
fail:
	err = errno;
	us_free(&u->base);
	errno = err;
	return NULL;
}
