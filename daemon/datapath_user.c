// SPDX-License-Identifier: MIT
/*
 * daemon/datapath_user.c - the userspace datapath: TAP <-> UDP or IP/115
 * sockets through lib/dp.c.
 *
 *   TAP readable    -> read frames into pool slots (headroom reserved)
 *                   -> l2tp_dp_encap() -> sendmmsg() to the peer
 *   socket readable -> recvmmsg() into pool slots -> l2tp_wire_classify()
 *                   -> session by id (per tunnel over UDP; per address
 *                      family over IP, RFC 3931 §4.1.1.1) -> l2tp_dp_decap()
 *                   -> write() to the session's TAP
 *
 * Counters follow the kernel: a session counts what lib/dp.c counts; a
 * tunnel counts what reached or left its sessions plus what could not be
 * matched to any (rx_invalid), and keeps the counts of deleted sessions.
 * Per-packet problems are counted and logged through a rate limit, never
 * one line per packet.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <l2tp/api.h>
#include <l2tp/dp.h>
#include <l2tp/wire.h>

#include "clock.h"
#include "datapath.h"
#include "log.h"
#include "loop.h"
#include "mtu.h"
#include "pool.h"
#include "registry.h"
#include "sock.h"
#include "tap.h"

#define BATCH 32
#define POOL_SLOTS 2048
/* Room for a jumbo frame plus the L2TP and (raw IPv4) outer IP headers. */
#define HEADROOM 128
#define SLOT_SIZE (HEADROOM + 9216 + 64)

struct us_dp;
struct us_tunnel;

struct us_session {
	struct us_dp *u;
	struct l2tpd_session *s;
	struct us_tunnel *ut;
	int tap_fd;
	struct l2tpd_watch *w;
	struct l2tpd_timer reorder;
	struct l2tp_dp_session dp;
};

struct us_tunnel {
	struct us_dp *u;
	struct l2tpd_tunnel *t;
	int family;
	enum l2tp_encap encap;
	union l2tpd_addr local, peer;
	int fd; /* UDP only; IP encap shares the family's socket */
	struct l2tpd_watch *w;
	struct l2tp_api_stats own; /* unmatched packets + deleted sessions */
	struct l2tpd_ratelimit rl;
};

struct us_dp {
	struct l2tpd_datapath base;
	struct l2tpd_loop *loop;
	struct l2tpd_registry *reg;
	struct l2tpd_pool pool;
	int ip_fd[2]; /* [0] IPv4, [1] IPv6 raw sockets */
	struct l2tpd_watch *ip_w[2];
	unsigned int ip_users[2];
	struct l2tpd_ratelimit rl;
};

/* Receive or send batch: vectors pointing into pool slots. */
struct batch {
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct l2tp_dp_buf buf[BATCH];
	union l2tpd_addr addr[BATCH];
	union {
		struct cmsghdr align;
		uint8_t b[64];
	} cmsg[BATCH];
};

static struct batch g_batch; /* one thread, and no callback nests another */

static int fam_idx(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

static void recycle(struct us_dp *u, struct l2tp_dp_buf *b)
{
	if (l2tpd_pool_put(&u->pool, b) < 0)
		log_warnx_rl(&u->rl, l2tpd_clock_now(), "datapath: bad buffer returned to pool");
}

/* ---- receive: socket -> TAP ---------------------------------------------- */

static void deliver(struct us_session *us, struct l2tp_dp_buf *b)
{
	/* A TAP that is down answers EIO: the frame is lost after decap. */
	if (us->tap_fd < 0 || write(us->tap_fd, b->data + b->off, b->len) < 0)
		us->dp.stats.rx_errors++;
	recycle(us->u, b);
}

static void drain_reorder(struct us_session *us, l2tp_time_t now)
{
	struct l2tp_dp_buf b;

	while (l2tp_dp_pop(&us->dp, now, &b))
		deliver(us, &b);
	l2tpd_timer_set(us->u->loop, &us->reorder, l2tp_dp_next_deadline(&us->dp));
}

static void reorder_timeout(struct l2tpd_timer *t, l2tp_time_t now, void *arg)
{
	drain_reorder(arg, now);
}

static void rx_session(struct us_session *us, struct l2tp_dp_buf *b, l2tp_time_t now)
{
	struct l2tp_diag d = {0};

	switch (l2tp_dp_decap(&us->dp, b, now, &d)) {
	case L2TP_DP_DELIVER:
		deliver(us, b);
		break;
	case L2TP_DP_QUEUED:
		break;
	default:
		log_warnx_rl(&us->ut->rl, now, "tunnel %u session %u: dropped packet: %s",
			     us->ut->t->cfg.conn_id, us->s->cfg.session_id,
			     d.reason ? d.reason : "sequence");
		recycle(us->u, b);
		break;
	}
	drain_reorder(us, now);
}

static struct us_session *find_session(struct l2tpd_tunnel *t, uint32_t sid)
{
	struct l2tpd_session *s = l2tpd_session_find(t, sid);

	return s ? s->dp : NULL;
}

/*
 * Classify one datagram of |ut| and hand it to its session. Returns the
 * session, or NULL when it was dropped (and counted) here.
 */
static struct us_session *rx_match(struct us_tunnel *ut, const struct l2tp_dp_buf *b,
				   l2tp_time_t now)
{
	struct l2tp_wire_class cl;
	struct l2tp_diag d = {0};
	struct us_session *us;
	int rc;

	rc = l2tp_wire_classify(ut->encap, b->data + b->off, b->len, &cl, &d);
	if (rc < 0) {
		ut->own.rx_invalid++;
		log_warnx_rl(&ut->rl, now, "tunnel %u: dropped datagram of %zu bytes: %s",
			     ut->t->cfg.conn_id, b->len, l2tp_wire_strerror(rc));
		return NULL;
	}
	if (cl.ctrl) {
		/* Static tunnels have no control connection (ip-l2tp(8)). */
		log_warnx_rl(&ut->rl, now, "tunnel %u: control message dropped (static tunnel)",
			     ut->t->cfg.conn_id);
		return NULL;
	}
	if (cl.version != ut->t->cfg.proto_version) {
		ut->own.rx_invalid++;
		log_warnx_rl(&ut->rl, now, "tunnel %u: dropped L2TPv%u data (tunnel is L2TPv%u)",
			     ut->t->cfg.conn_id, cl.version, ut->t->cfg.proto_version);
		return NULL;
	}
	us = find_session(ut->t, cl.session_id);
	if (!us) {
		ut->own.rx_invalid++;
		log_warnx_rl(&ut->rl, now, "tunnel %u: dropped data for unknown session %u",
			     ut->t->cfg.conn_id, cl.session_id);
	}
	return us;
}

/* Take up to BATCH slots and point the vectors at them. Returns how many. */
static unsigned int rx_prepare(struct us_dp *u, struct batch *bt, bool want_addr)
{
	unsigned int n = 0;

	while (n < BATCH && l2tpd_pool_get(&u->pool, &bt->buf[n], HEADROOM) == 0) {
		struct l2tp_dp_buf *b = &bt->buf[n];
		struct msghdr *mh = &bt->msg[n].msg_hdr;

		memset(mh, 0, sizeof(*mh));
		bt->iov[n].iov_base = b->data + b->off;
		bt->iov[n].iov_len = b->cap - b->off;
		mh->msg_iov = &bt->iov[n];
		mh->msg_iovlen = 1;
		if (want_addr) {
			mh->msg_name = &bt->addr[n];
			mh->msg_namelen = sizeof(bt->addr[n]);
			mh->msg_control = bt->cmsg[n].b;
			mh->msg_controllen = sizeof(bt->cmsg[n].b);
		}
		n++;
	}
	return n;
}

static void udp_cb(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct us_tunnel *ut = arg;
	struct us_dp *u = ut->u;
	struct batch *bt = &g_batch;
	unsigned int n = rx_prepare(u, bt, false);
	l2tp_time_t now;
	int got;

	if (n == 0) {
		/* Pool exhausted (reorder queues full): take one datagram and drop it. */
		uint8_t scratch[64];

		if (recv(ut->fd, scratch, sizeof(scratch), MSG_DONTWAIT) >= 0)
			ut->own.rx_errors++;
		return;
	}
	got = recvmmsg(ut->fd, bt->msg, n, MSG_DONTWAIT, NULL);
	now = l2tpd_clock_now();
	for (int i = 0; i < got; i++) {
		struct l2tp_dp_buf *b = &bt->buf[i];
		struct us_session *us;

		if (bt->msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
			ut->own.rx_errors++;
			log_warnx_rl(&ut->rl, now, "tunnel %u: oversized datagram dropped",
				     ut->t->cfg.conn_id);
			recycle(u, b);
			continue;
		}
		b->len = bt->msg[i].msg_len;
		us = rx_match(ut, b, now);
		if (us)
			rx_session(us, b, now);
		else
			recycle(u, b);
	}
	for (unsigned int i = got > 0 ? (unsigned int)got : 0; i < n; i++)
		recycle(u, &bt->buf[i]);
}

/* The destination address of a datagram on a raw socket (IP_PKTINFO). */
static bool pkt_dst(struct msghdr *mh, int family, union l2tpd_addr *dst)
{
	memset(dst, 0, sizeof(*dst));
	dst->sa.sa_family = (sa_family_t)family;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (family == AF_INET && c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			dst->in.sin_addr = pi.ipi_addr;
			return true;
		}
		if (family == AF_INET6 && c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			dst->in6.sin6_addr = pi.ipi6_addr;
			return true;
		}
	}
	return false;
}

/* One datagram on the shared raw IP/115 socket of |family|. */
static void rx_ip(struct us_dp *u, int family, struct l2tp_dp_buf *b, struct msghdr *mh,
		  l2tp_time_t now)
{
	union l2tpd_addr *src = mh->msg_name, dst;
	struct l2tp_wire_class cl;
	struct l2tpd_session *s;
	struct us_session *us;
	struct us_tunnel *ut;
	char a[64];
	int rc;

	if (family == AF_INET) {
		/* A raw IPv4 socket hands us the IP header too. */
		size_t ihl;

		if (b->len < 20)
			goto garbage;
		ihl = (size_t)(b->data[b->off] & 0x0f) * 4;
		if (ihl < 20 || ihl > b->len)
			goto garbage;
		b->off += ihl;
		b->len -= ihl;
	}
	rc = l2tp_wire_classify(L2TP_ENCAP_IP, b->data + b->off, b->len, &cl, NULL);
	if (rc < 0 || cl.ctrl) {
		if (rc < 0)
			log_warnx_rl(&u->rl, now, "ip encap: dropped datagram from %s: %s",
				     l2tpd_addr_str(src, a, sizeof(a)), l2tp_wire_strerror(rc));
		goto drop;
	}
	s = l2tpd_session_find_ip(u->reg, family, cl.session_id);
	if (!s) {
		log_warnx_rl(&u->rl, now, "ip encap: dropped data for unknown session %u from %s",
			     cl.session_id, l2tpd_addr_str(src, a, sizeof(a)));
		goto drop;
	}
	us = s->dp;
	ut = us->ut;
	/* One socket serves every IP tunnel: the addresses select the tunnel. */
	if (!l2tpd_addr_eq_host(src, &ut->peer) ||
	    (!l2tpd_addr_is_any(&ut->local) && pkt_dst(mh, family, &dst) &&
	     !l2tpd_addr_eq_host(&dst, &ut->local))) {
		ut->own.rx_invalid++;
		log_warnx_rl(&ut->rl, now, "tunnel %u: dropped data for session %u from %s",
			     ut->t->cfg.conn_id, cl.session_id, l2tpd_addr_str(src, a, sizeof(a)));
		goto drop;
	}
	rx_session(us, b, now);
	return;
garbage:
	log_warnx_rl(&u->rl, now, "ip encap: dropped runt datagram");
drop:
	recycle(u, b);
}

static void ip_cb(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct us_dp *u = arg;
	int fd = l2tpd_watch_fd(w);
	int family = fd == u->ip_fd[1] ? AF_INET6 : AF_INET;
	struct batch *bt = &g_batch;
	unsigned int n = rx_prepare(u, bt, true);
	l2tp_time_t now;
	int got;

	if (n == 0) {
		uint8_t scratch[64];

		(void)recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		return;
	}
	got = recvmmsg(fd, bt->msg, n, MSG_DONTWAIT, NULL);
	now = l2tpd_clock_now();
	for (int i = 0; i < got; i++) {
		struct l2tp_dp_buf *b = &bt->buf[i];

		if (bt->msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
			recycle(u, b);
			continue;
		}
		b->len = bt->msg[i].msg_len;
		rx_ip(u, family, b, &bt->msg[i].msg_hdr, now);
	}
	for (unsigned int i = got > 0 ? (unsigned int)got : 0; i < n; i++)
		recycle(u, &bt->buf[i]);
}

/* ---- transmit: TAP -> socket --------------------------------------------- */

/* Set the source address of a datagram on the shared raw socket. */
static void set_src(struct msghdr *mh, uint8_t *cbuf, size_t cap, const struct us_tunnel *ut)
{
	struct cmsghdr *c;

	if (l2tpd_addr_is_any(&ut->local))
		return;
	mh->msg_control = cbuf;
	if (ut->family == AF_INET) {
		struct in_pktinfo pi = {.ipi_spec_dst = ut->local.in.sin_addr};

		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
		c = CMSG_FIRSTHDR(mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else {
		struct in6_pktinfo pi = {.ipi6_addr = ut->local.in6.sin6_addr};

		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
		c = CMSG_FIRSTHDR(mh);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	(void)cap;
}

/*
 * The interface was deleted from under us (`ip link del`): the TAP fd then
 * reports EPOLLERR/EPOLLHUP and reads fail with EBADFD for ever. As the
 * kernel's l2tp_eth does on dev uninit, the session stays without an
 * interface until it is deleted; we stop watching the fd so the loop does
 * not spin, and frames for the session are dropped and counted.
 */
static void tap_detach(struct us_session *us, int err)
{
	log_warnx("tunnel %u session %u: interface %s is gone (%s); the session "
		  "stays without one until it is deleted",
		  us->ut->t->cfg.conn_id, us->s->cfg.session_id, us->s->cfg.ifname,
		  strerror(err));
	l2tpd_loop_del(us->u->loop, us->w);
	us->w = NULL;
	close(us->tap_fd);
	us->tap_fd = -1;
	memset(us->s->cfg.ifname, 0, sizeof(us->s->cfg.ifname));
}

static void tap_cb(struct l2tpd_watch *w, uint32_t events, void *arg)
{
	struct us_session *us = arg;
	struct us_tunnel *ut = us->ut;
	struct us_dp *u = us->u;
	struct batch *bt = &g_batch;
	unsigned int n = 0, sent = 0, reads = 0;
	int fd = ut->encap == L2TP_ENCAP_UDP ? ut->fd : u->ip_fd[fam_idx(ut->family)];
	int err = 0;

	/* At most 2 * BATCH reads per call, so other fds get their turn. */
	while (n < BATCH && reads++ < 2 * BATCH) {
		struct l2tp_dp_buf *b = &bt->buf[n];
		struct msghdr *mh = &bt->msg[n].msg_hdr;
		size_t room;
		ssize_t r;

		if (l2tpd_pool_get(&u->pool, b, HEADROOM) < 0) {
			uint8_t scratch[64];

			/* No buffer: the frame is lost, as when a kernel queue is full. */
			if (read(us->tap_fd, scratch, sizeof(scratch)) >= 0)
				us->dp.stats.tx_errors++;
			break;
		}
		room = b->cap - b->off;
		r = read(us->tap_fd, b->data + b->off, room);
		if (r <= 0) {
			if (r < 0 && errno != EAGAIN && errno != EINTR)
				err = errno;
			else if (r == 0 || (events & (EPOLLERR | EPOLLHUP)))
				err = EBADFD;
			recycle(u, b);
			break;
		}
		if ((size_t)r == room) {
			/* Possibly cut short: never send a truncated frame. */
			us->dp.stats.tx_errors++;
			recycle(u, b);
			continue;
		}
		b->len = (size_t)r;
		if (l2tp_dp_encap(&us->dp, b) < 0) {
			recycle(u, b);
			continue;
		}
		memset(mh, 0, sizeof(*mh));
		bt->iov[n].iov_base = b->data + b->off;
		bt->iov[n].iov_len = b->len;
		mh->msg_iov = &bt->iov[n];
		mh->msg_iovlen = 1;
		if (ut->encap == L2TP_ENCAP_IP) {
			bt->addr[n] = ut->peer;
			mh->msg_name = &bt->addr[n];
			mh->msg_namelen = l2tpd_addr_len(&ut->peer);
			set_src(mh, bt->cmsg[n].b, sizeof(bt->cmsg[n].b), ut);
		}
		n++;
	}
	/* Every round sends or fails at least one packet: bounded by n. */
	while (sent < n) {
		int r = sendmmsg(fd, &bt->msg[sent], n - sent, MSG_DONTWAIT);

		if (r > 0) {
			sent += (unsigned int)r;
			continue;
		}
		l2tp_dp_tx_failed(&us->dp, bt->buf[sent].len);
		log_warnx_rl(&ut->rl, l2tpd_clock_now(), "tunnel %u session %u: send: %s",
			     ut->t->cfg.conn_id, us->s->cfg.session_id, strerror(errno));
		sent++;
	}
	for (unsigned int i = 0; i < n; i++)
		recycle(u, &bt->buf[i]);
	if (err)
		tap_detach(us, err);
}

/* ---- tunnels --------------------------------------------------------------- */

static void tunnel_addrs(const struct l2tpd_tunnel *t, union l2tpd_addr *local,
			 union l2tpd_addr *peer)
{
	memset(local, 0, sizeof(*local));
	memset(peer, 0, sizeof(*peer));
	if (l2tpd_tunnel_family(t) == AF_INET6) {
		local->in6.sin6_family = peer->in6.sin6_family = AF_INET6;
		local->in6.sin6_addr = t->cfg.local_ip6;
		peer->in6.sin6_addr = t->cfg.peer_ip6;
		if (t->cfg.encap_type == L2TP_ENCAPTYPE_UDP) {
			local->in6.sin6_port = htons(t->cfg.udp_sport);
			peer->in6.sin6_port = htons(t->cfg.udp_dport);
		}
	} else {
		local->in.sin_family = peer->in.sin_family = AF_INET;
		local->in.sin_addr = t->cfg.local_ip;
		peer->in.sin_addr = t->cfg.peer_ip;
		if (t->cfg.encap_type == L2TP_ENCAPTYPE_UDP) {
			local->in.sin_port = htons(t->cfg.udp_sport);
			peer->in.sin_port = htons(t->cfg.udp_dport);
		}
	}
}

static int ip_sock_get(struct us_dp *u, int family)
{
	int i = fam_idx(family), fd;

	if (u->ip_users[i] == 0) {
		fd = l2tpd_sock_ip_open(family);
		if (fd < 0)
			return fd;
		u->ip_w[i] = l2tpd_loop_add(u->loop, fd, EPOLLIN, ip_cb, u);
		if (!u->ip_w[i]) {
			int err = -errno;

			close(fd);
			return err;
		}
		u->ip_fd[i] = fd;
	}
	u->ip_users[i]++;
	return 0;
}

static void ip_sock_put(struct us_dp *u, int family)
{
	int i = fam_idx(family);

	if (u->ip_users[i] == 0 || --u->ip_users[i] > 0)
		return;
	l2tpd_loop_del(u->loop, u->ip_w[i]);
	u->ip_w[i] = NULL;
	close(u->ip_fd[i]);
	u->ip_fd[i] = -1;
}

static int us_tunnel_create(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_tunnel *ut = calloc(1, sizeof(*ut));
	struct l2tpd_udp_opts o;
	union l2tpd_addr bound;
	socklen_t sl = sizeof(bound);
	int rc;

	if (!ut)
		return -ENOMEM;
	ut->u = u;
	ut->t = t;
	ut->fd = -1;
	ut->family = l2tpd_tunnel_family(t);
	ut->encap = t->cfg.encap_type == L2TP_ENCAPTYPE_IP ? L2TP_ENCAP_IP : L2TP_ENCAP_UDP;
	ut->rl = (struct l2tpd_ratelimit)L2TPD_RATELIMIT_INIT(10 * L2TP_SEC, 5);
	tunnel_addrs(t, &ut->local, &ut->peer);
	if (ut->encap == L2TP_ENCAP_IP) {
		rc = ip_sock_get(u, ut->family);
		if (rc < 0)
			goto fail;
	} else {
		o.csum = t->cfg.udp_csum;
		o.zero_csum6_tx = t->cfg.udp_zero_csum6_tx;
		o.zero_csum6_rx = t->cfg.udp_zero_csum6_rx;
		rc = l2tpd_sock_udp_open(&ut->local, &ut->peer, &o);
		if (rc < 0)
			goto fail;
		ut->fd = rc;
		/* Report the port actually bound, as the kernel does for port 0. */
		if (getsockname(ut->fd, &bound.sa, &sl) == 0)
			t->cfg.udp_sport =
			    ntohs(ut->family == AF_INET6 ? bound.in6.sin6_port : bound.in.sin_port);
		ut->w = l2tpd_loop_add(u->loop, ut->fd, EPOLLIN, udp_cb, ut);
		if (!ut->w) {
			rc = -errno;
			close(ut->fd);
			goto fail;
		}
	}
	t->dp = ut;
	return 0;
fail:
	free(ut);
	return rc;
}

static int us_tunnel_modify(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t)
{
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
		l2tpd_loop_del(u->loop, ut->w);
		close(ut->fd);
	}
	free(ut);
	t->dp = NULL;
}

static void stats_from_dp(struct l2tp_api_stats *st, const struct l2tp_dp_stats *d)
{
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

static void us_tunnel_stats(struct l2tpd_datapath *dp, struct l2tpd_tunnel *t,
			    struct l2tp_api_stats *st)
{
	struct us_tunnel *ut = t->dp;

	*st = ut->own;
	for (struct l2tpd_session *s = t->sessions; s; s = s->next)
		tunnel_add_session(st, &((struct us_session *)s->dp)->dp.stats);
}

/* ---- sessions -------------------------------------------------------------- */

static void dp_cfg(const struct l2tpd_session *s, struct l2tp_dp_cfg *c)
{
	const struct l2tpd_tunnel *t = s->tunnel;

	memset(c, 0, sizeof(*c));
	c->version = t->cfg.proto_version;
	c->encap = t->cfg.encap_type == L2TP_ENCAPTYPE_IP ? L2TP_ENCAP_IP : L2TP_ENCAP_UDP;
	c->tunnel_id = t->cfg.conn_id;
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

static int us_session_create(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_tunnel *ut = s->tunnel->dp;
	struct us_session *us;
	struct l2tp_dp_cfg c;
	char ifname[IFNAMSIZ];
	unsigned int mtu;
	int rc, underlay;

	if (s->cfg.pw_type != L2TP_PWTYPE_ETH)
		return -EPROTONOSUPPORT;
	us = calloc(1, sizeof(*us));
	if (!us)
		return -ENOMEM;
	us->u = u;
	us->s = s;
	us->ut = ut;
	us->tap_fd = -1;
	l2tpd_timer_init(&us->reorder, reorder_timeout, us);
	dp_cfg(s, &c);
	/* Cookie lengths other than 0/4/8 (RFC 3931 §5.4.4) end here. */
	rc = l2tp_dp_session_init(&us->dp, &c);
	if (rc < 0)
		goto fail;
	rc = l2tpd_tap_create(s->cfg.ifname[0] ? s->cfg.ifname : NULL, l2tpd_registry_ifname_used,
			      u->reg, ifname);
	if (rc < 0)
		goto fail;
	us->tap_fd = rc;
	underlay = l2tpd_sock_route_mtu(&ut->local, &ut->peer);
	mtu =
	    l2tpd_mtu_session(underlay > 0 ? (unsigned int)underlay : 0, ut->family == AF_INET6,
			      ut->encap == L2TP_ENCAP_UDP, (unsigned int)l2tp_dp_overhead(&us->dp));
	/* Left down, as the kernel's l2tp_eth does: `ip link set up` is the user's. */
	rc = l2tpd_tap_set_mtu(ifname, mtu);
	if (rc < 0)
		goto fail;
	us->w = l2tpd_loop_add(u->loop, us->tap_fd, EPOLLIN, tap_cb, us);
	if (!us->w) {
		rc = -errno;
		goto fail;
	}
	memcpy(s->cfg.ifname, ifname, IFNAMSIZ);
	s->dp = us;
	log_debug("session %u: %s mtu %u (underlay %d)", s->cfg.session_id, ifname, mtu, underlay);
	return 0;
fail:
	/* Closing the fd of a non-persistent TAP removes the device. */
	if (us->tap_fd >= 0)
		close(us->tap_fd);
	free(us);
	return rc;
}

static int us_session_modify(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct us_session *us = s->dp;
	struct l2tp_dp_cfg c;

	dp_cfg(s, &c);
	return l2tp_dp_session_modify(&us->dp, &c);
}

static void us_session_delete(struct l2tpd_datapath *dp, struct l2tpd_session *s)
{
	struct us_dp *u = (struct us_dp *)dp;
	struct us_session *us = s->dp;
	struct l2tp_dp_buf b;

	if (!us)
		return;
	l2tpd_timer_cancel(u->loop, &us->reorder);
	while (l2tp_dp_flush(&us->dp, &b))
		recycle(u, &b);
	/* The tunnel keeps counting what its deleted sessions carried. */
	tunnel_add_session(&us->ut->own, &us->dp.stats);
	l2tpd_loop_del(u->loop, us->w);
	if (us->tap_fd >= 0)
		close(us->tap_fd);
	free(us);
	s->dp = NULL;
}

static void us_session_stats(struct l2tpd_datapath *dp, struct l2tpd_session *s,
			     struct l2tp_api_stats *st)
{
	struct us_session *us = s->dp;

	stats_from_dp(st, &us->dp.stats);
}

static void us_free(struct l2tpd_datapath *dp)
{
	struct us_dp *u = (struct us_dp *)dp;

	for (int i = 0; i < 2; i++) {
		if (u->ip_users[i]) {
			l2tpd_loop_del(u->loop, u->ip_w[i]);
			close(u->ip_fd[i]);
		}
	}
	l2tpd_pool_fini(&u->pool);
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
    .session_stats = us_session_stats,
    .free = us_free,
};

struct l2tpd_datapath *l2tpd_datapath_user_new(struct l2tpd_loop *loop, struct l2tpd_registry *reg)
{
	struct us_dp *u = calloc(1, sizeof(*u));
	int rc;

	if (!u)
		return NULL;
	u->base.ops = &us_ops;
	u->base.priv = u;
	u->loop = loop;
	u->reg = reg;
	u->ip_fd[0] = u->ip_fd[1] = -1;
	u->rl = (struct l2tpd_ratelimit)L2TPD_RATELIMIT_INIT(10 * L2TP_SEC, 5);
	rc = l2tpd_pool_init(&u->pool, POOL_SLOTS, SLOT_SIZE);
	if (rc < 0) {
		free(u);
		errno = -rc;
		return NULL;
	}
	return &u->base;
}
