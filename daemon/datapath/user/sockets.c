// SPDX-License-Identifier: MIT
/*
 * daemon/datapath/user/sockets.c - the tunnels' sockets: a UDP tunnel's connected
 * socket or SO_REUSEPORT group steered to its home worker, and the raw
 * IP/115 sockets shared by the IP tunnels, one per worker and family.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../log.h"
#include "../../loop.h"
#include "../../registry.h"
#include "../../sock.h"
#include "internal.h"

struct ip_call {
	int family;
	int fd;
	int rc;
};

static void ip_adopt(struct us_worker *w, void *arg)
{
	struct ip_call *c = arg;
	int i = fam_idx(c->family);

	w->ip_w[i] = l2tpd_loop_add(w->loop, c->fd, EPOLLIN, ip_cb, w);
	if (!w->ip_w[i]) {
		c->rc = -errno;
		return;
	}
	w->ip_fd[i] = c->fd;
}

static void ip_drop(struct us_worker *w, void *arg)
{
	struct ip_call *c = arg;
	int i = fam_idx(c->family);

	l2tpd_loop_del(w->loop, w->ip_w[i]);
	w->ip_w[i] = NULL;
	w->ip_fd[i] = -1;
}

/* The raw IP/115 sockets of |family|, one per worker, while IP tunnels use them. */
void ip_sock_put(struct us_dp *u, int family)
{
	int i = fam_idx(family);

	if (u->ip_users[i] == 0 || --u->ip_users[i] > 0)
		return;
	for (unsigned int k = 0; k < u->nw; k++) {
		struct ip_call c = {.family = family, .fd = u->w[k]->ip_fd[i]};

		if (c.fd < 0)
			continue;
		worker_call(u->w[k], ip_drop, &c);
		close(c.fd);
	}
}

int ip_sock_get(struct us_dp *u, int family)
{
	int i = fam_idx(family);

	if (u->ip_users[i]++ > 0)
		return 0;
	for (unsigned int k = 0; k < u->nw; k++) {
		struct ip_call c = {.family = family};

		c.fd = l2tpd_sock_ip_open(family);
		c.rc = c.fd < 0 ? c.fd : 0;
		/* One worker per session: each socket takes the sessions homed on its worker. */
		if (c.rc == 0 && u->nw > 1)
			c.rc = l2tpd_sock_ip_steer(c.fd, family, u->nw, k);
		if (c.rc == 0) {
			l2tpd_sock_set_bufs(c.fd, SOCK_BUF_BYTES);
			worker_call(u->w[k], ip_adopt, &c);
		}
		if (c.rc < 0) {
			if (c.fd >= 0)
				close(c.fd);
			ip_sock_put(u, family);
			return c.rc;
		}
	}
	return 0;
}

void tsock_adopt(struct us_worker *w, void *arg)
{
	struct us_tsock *ts = ((struct us_tunnel *)arg)->ts[w->idx];

	if (ts->fd >= 0)
		ts->watch = l2tpd_loop_add(w->loop, ts->fd, EPOLLIN, udp_cb, ts);
}

void tsock_drop(struct us_worker *w, void *arg)
{
	struct us_tsock *ts = ((struct us_tunnel *)arg)->ts[w->idx];

	l2tpd_loop_del(w->loop, ts->watch);
	ts->watch = NULL;
}

/*
 * Another UDP tunnel of ours on the same local port and overlapping
 * address? The kernel refuses such a bind, but not within a SO_REUSEPORT
 * group of the same user: with several workers we must ask ourselves.
 */
static bool port_taken(struct us_dp *u, const struct l2tpd_tunnel *t, const union l2tpd_addr *a)
{
	for (struct l2tpd_tunnel *o = u->reg->tunnels; o; o = o->next) {
		struct us_tunnel *ot = o->dp;

		if (o == t || !ot || ot->encap != L2TP_ENCAP_UDP || ot->family != a->sa.sa_family ||
		    o->cfg.udp_sport !=
			ntohs(a->sa.sa_family == AF_INET6 ? a->in6.sin6_port : a->in.sin_port))
			continue;
		if (l2tpd_addr_is_any(&ot->local) || l2tpd_addr_is_any(a) ||
		    l2tpd_addr_eq_host(&ot->local, a))
			return true;
	}
	return false;
}

/* The tunnel's UDP sockets: one connected one, or a steered group. */
int udp_open(struct us_dp *u, struct us_tunnel *ut, const struct l2tpd_udp_opts *o)
{
	struct l2tpd_tunnel *t = ut->t;
	int fds[L2TPD_MAX_WORKERS];
	union l2tpd_addr bound;
	socklen_t sl = sizeof(bound);
	int rc = 0;

	if (u->nw == 1) {
		rc = l2tpd_sock_udp_open(&ut->local, &ut->peer, o);
		if (rc < 0)
			return rc;
		fds[0] = rc;
	} else {
		/* A port the kernel picks may be one of ours: bounded retries. */
		for (int tries = 0; tries < 8; tries++) {
			rc = l2tpd_sock_udp_open_group(&ut->local, o, u->nw, ut->home, fds);
			if (rc < 0)
				return rc;
			if (getsockname(fds[0], &bound.sa, &sl) < 0)
				rc = -errno;
			else if (port_taken(u, t, &bound))
				rc = -EADDRINUSE;
			if (rc == 0)
				break;
			for (unsigned int k = 0; k < u->nw; k++)
				close(fds[k]);
			if (rc != -EADDRINUSE || t->cfg.udp_sport != 0)
				return rc;
		}
		if (rc < 0)
			return rc;
	}
	for (unsigned int k = 0; k < u->nw; k++) {
		struct us_tsock *ts = ut->ts[k];

		ts->fd = fds[k];
		ts->gso = l2tpd_sock_udp_gso_ok(ut->family, o);
		l2tpd_sock_set_bufs(ts->fd, SOCK_BUF_BYTES);
		/* Without GRO the kernel hands us one datagram per recvmmsg slot. */
		if (l2tpd_sock_udp_gro(ts->fd) < 0 && k == 0)
			log_debug("tunnel %u: no UDP GRO", t->cfg.conn_id);
	}
	/* Report the port actually bound, as the kernel does for port 0. */
	sl = sizeof(bound);
	if (getsockname(fds[0], &bound.sa, &sl) == 0) {
		uint16_t port = ut->family == AF_INET6 ? bound.in6.sin6_port : bound.in.sin_port;

		t->cfg.udp_sport = ntohs(port);
		if (ut->family == AF_INET6)
			ut->local.in6.sin6_port = port;
		else
			ut->local.in.sin_port = port;
	}
	return 0;
}
